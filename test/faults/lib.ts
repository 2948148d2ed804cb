/**
 * Helpers of the fault suite: run the built CLI (dist/cli.js), watch its process tree by pid
 * (never by name: other jobs on the machine run their own runners), wait for files.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');
export const cli = join(root, 'dist', 'cli.js');
export const fixture = (n: string) => join(__dirname, 'fixtures', n);
export const tmp = (tag: string) => mkdtempSync(join(tmpdir(), `ll-fault-${tag}-`));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CliRun {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = root): CliRun {
  const t0 = Date.now();
  const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const run: CliRun = { child, stdout: '', stderr: '', done: undefined as never };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { run.stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { run.stderr += d; });
  run.done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: run.stdout, stderr: run.stderr, ms: Date.now() - t0 })));
  return run;
}

export const runCli = (args: string[], env: NodeJS.ProcessEnv = {}, cwd = root) => startCli(args, env, cwd).done;

/** pids of every live descendant of `pid` (from ps's pid/ppid table). */
export function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const out: number[] = [];
  let frontier = [pid];
  while (frontier.length) {
    const next = rows.filter(([, pp]) => frontier.includes(pp)).map(([p]) => p);
    out.push(...next);
    frontier = next;
  }
  return out;
}

export function alive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  // a zombie is dead for our purpose
  try { return !/\) Z /.test(execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' })); } catch { return false; }
}

export async function until(cond: () => boolean, ms: number, step = 50): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (cond()) return true; await sleep(step); }
  return cond();
}

/** The points of a shard file (one entry per evaluation written; a torn last line is left out). */
export function shardPoints(f: string): number[] {
  return readFileSync(f, 'utf8').split('\n').slice(1).filter((l) => l.endsWith('}')).flatMap((l) => { try { return JSON.parse(l).p as number[]; } catch { return []; } });
}

export const tempFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.includes('.tmp-')) : []);

/** Runs `cmd` as root-only helpers (mount); returns false when not permitted here. */
export function tryExec(cmd: string, args: string[]): boolean {
  try { execFileSync(cmd, args, { stdio: 'ignore' }); return true; } catch { return false; }
}
