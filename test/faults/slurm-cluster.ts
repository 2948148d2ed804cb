/**
 * A one-node Slurm cluster on this machine for the recipe test (Debian's slurm-wlm + munge, as
 * root): munged, slurmctld and slurmd in the foreground as children of this process, with a
 * slurm.conf, a munge key and socket, state and spool folders of their own in a temp folder, and
 * free ports, so that another Slurm (or another session's test) on the machine is not touched.
 * No cgroups (a container): proctrack/linuxproc, task/none. Stopped by pid, never by name.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { alive, tmp, until } from './lib';

export interface SlurmCluster {
  dir: string;
  /** The environment the Slurm commands need (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  node: string;
  /** Runs a Slurm command (sbatch, squeue, …) against this cluster (in `env`, default this one's); its stdout. */
  run(cmd: string, args: string[], opts?: { cwd?: string; env?: NodeJS.ProcessEnv }): string;
  /** Cancels what is left of this cluster's jobs, then ends the daemons by pid. */
  stop(): Promise<void>;
}

const has = (cmd: string) => { try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; } };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const tail = (file: string, n = 8) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter((l) => !/pmix/.test(l)).slice(-n).join('\n') : '(no log)');

/** Processes started under this cluster (slurmstepd, job scripts and theirs): their environment names its slurm.conf. */
function processesOf(conf: string): number[] {
  const mark = Buffer.from(`SLURM_CONF=${conf}\0`);
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try { return pid !== process.pid && readFileSync(`/proc/${pid}/environ`).includes(mark); } catch { return false; }
  });
}

async function end(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || !alive(pid)) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  if (!(await until(() => !alive(pid), 10_000))) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

/**
 * Starts the cluster, or says why it cannot here (a string: the reason to skip). Needs root
 * (slurmd, SlurmUser=root) and the Debian packages slurm-wlm (slurmctld, slurmd, slurm-client)
 * and munge.
 */
export async function startSlurm(): Promise<SlurmCluster | string> {
  if (process.getuid?.() !== 0) return 'a one-node Slurm needs root (slurmd runs the jobs)';
  const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'scancel', 'squeue', 'sinfo', 'scontrol'].filter((c) => !has(c));
  if (missing.length) return `Slurm is not installed (no ${missing.join(', ')}): apt-get install slurm-wlm munge`;

  const dir = tmp('slurm');
  for (const d of ['munge', 'state', 'spool', 'log']) mkdirSync(join(dir, d), { mode: 0o700 });
  const key = join(dir, 'munge', 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  const socket = join(dir, 'munge', 'socket');
  const node = hostname().split('.')[0];
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'slurm.conf');
  writeFileSync(conf, [
    'ClusterName=ll-recipes',
    `SlurmctldHost=${node}(127.0.0.1)`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${slurmdPort}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    'CredType=cred/munge',
    `AuthInfo=socket=${socket}`,
    `StateSaveLocation=${join(dir, 'state')}`,
    `SlurmdSpoolDir=${join(dir, 'spool')}`,
    `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
    `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
    `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
    `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
    // no cgroups in a container: processes tracked by their parent pids, no task binding
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_CPU',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'MpiDefault=none',
    'MailProg=/bin/true',
    'ReturnToService=2',
    // the node as configured here (2 CPUs, memory for the recipe's --mem=4G) whatever the machine
    'SlurmdParameters=config_overrides',
    `NodeName=${node} NodeAddr=127.0.0.1 CPUs=2 RealMemory=8192 State=UNKNOWN`,
    `PartitionName=recipes Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n'));
  const env = { ...process.env, SLURM_CONF: conf };
  const daemons: ChildProcess[] = [];
  const daemon = (cmd: string, args: string[], log: string) => {
    const fd = openSync(join(dir, 'log', log), 'a');
    const child = spawn(cmd, args, { env, stdio: ['ignore', fd, fd] });
    child.on('error', () => { /* reported by the readiness check */ });
    daemons.push(child);
    return child;
  };
  const cluster: SlurmCluster = {
    dir, env, node,
    run: (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: opts.cwd ?? dir, env: opts.env ?? env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    async stop() {
      // jobs first (their slurmstepd outlive slurmd), then the daemons, newest first
      try { execFileSync('scancel', ['--full', '--user=root'], { env, stdio: 'ignore', timeout: 10_000 }); } catch { /* none */ }
      await until(() => { try { return cluster.run('squeue', ['-h']).trim() === ''; } catch { return true; } }, 15_000, 250);
      for (const d of daemons.slice().reverse()) await end(d);
      // whatever a failed test left running in a job (by pid: only this cluster's processes)
      for (const pid of processesOf(conf)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    },
  };

  daemon('munged', ['-F', '-f', `--socket=${socket}`, `--key-file=${key}`, `--pid-file=${join(dir, 'munge', 'munged.pid')}`,
    `--log-file=${join(dir, 'log', 'munged.log')}`, `--seed-file=${join(dir, 'munge', 'seed')}`], 'munged.out');
  if (!(await until(() => existsSync(socket), 10_000))) {
    await cluster.stop();
    return `munged did not start: ${tail(join(dir, 'log', 'munged.out'))}`;
  }
  daemon('slurmctld', ['-D', '-f', conf], 'slurmctld.out');
  daemon('slurmd', ['-D', '-f', conf, '-N', node], 'slurmd.out');
  const idle = await until(() => {
    try { return /^idle/.test(cluster.run('sinfo', ['-h', '-n', node, '-o', '%T']).trim()); } catch { return false; }
  }, 30_000, 250);
  if (!idle) {
    const why = ['slurmctld.log', 'slurmd.log'].map((f) => `${f}:\n${tail(join(dir, 'log', f))}`).join('\n');
    await cluster.stop();
    return `the one-node Slurm did not come up in 30 s (${dir}):\n${why}`;
  }
  return cluster;
}
