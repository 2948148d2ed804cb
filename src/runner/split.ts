/**
 * Splitting a plane over two processes (one per core): the runner that trained the model forks a
 * worker runner, hands it the plane's basis (θ_c, u, v, state) over structured-clone IPC (no
 * temp files, so nothing is left behind by a kill), gives it every other row and evaluates the
 * rest itself; both stream cells. Cell values do not depend on which process computed them
 * (each is an independent evaluation), so results are identical to one process.
 */
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { PlaneJob, PlaneSplit } from '../engine/probe';
import type { PlaneJobWire, RunnerMessage, RunRequest } from '../protocol';

export function toWire(job: PlaneJob): PlaneJobWire {
  return { kind: job.basis.kind, center: job.basis.center, u: job.basis.u, v: job.basis.v, state: job.state, a: job.a, b: job.b, examples: job.examples };
}

export function fromWire(w: PlaneJobWire): PlaneJob {
  return { basis: { kind: w.kind, center: w.center, u: w.u, v: w.v }, state: w.state, a: w.a, b: w.b, examples: w.examples };
}

/** Worth a second process? (≈ 1–2 s of start-up against the evaluations saved.) */
export function workersFor(job: PlaneJob, trainExamples: number): number {
  const env = process.env.LOSS_LANDSCAPE_WORKERS;
  if (env !== undefined) return Math.max(1, Math.min(2, Number(env) || 1));
  if (cpus().length < 2) return 1;
  const n = job.examples > 0 ? Math.min(job.examples, trainExamples) : trainExamples;
  return job.a.length * job.b.length * n >= 400_000 ? 2 : 1;
}

/** Why a worker ended without its rows, in words (it is never the user's line). */
export class WorkerFailure extends Error {
  constructor(message: string, readonly userError?: RunnerMessage & { type: 'error' }) { super(message); this.name = 'WorkerFailure'; }
}

export function makeSplitter(req: RunRequest, trainExamples: () => number, forward: (i: number[], j: number[], loss: number[]) => Promise<void>) {
  return async (job: PlaneJob): Promise<PlaneSplit | undefined> => {
    if (workersFor(job, trainExamples()) < 2) return undefined;
    const mine: number[] = [], theirs: number[] = [];
    job.b.forEach((_, i) => (i % 2 === 0 ? mine : theirs).push(i));
    const child = fork(__filename.endsWith('runner.js') ? __filename : join(__dirname, 'runner.js'), [], {
      execArgv: process.execArgv.filter((a) => a.startsWith('--max-old-space-size')),
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let stderr = '';
    child.stderr?.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
    const cells: Array<[number, number, number]> = [];
    const others = new Promise<Array<[number, number, number]>>((resolve, reject) => {
      let failed: (RunnerMessage & { type: 'error' }) | undefined;
      child.on('message', (m: RunnerMessage) => {
        if (m.type === 'planePoints') {
          m.i.forEach((i, k) => cells.push([i, m.j[k], m.loss[k]]));
          void forward(m.i, m.j, m.loss);
        } else if (m.type === 'error') failed = m;
      });
      child.on('exit', (code, signal) => {
        if (code === 0 && !failed && cells.length === theirs.length * job.a.length) return resolve(cells);
        const how = signal ? `was killed (${signal})` : failed ? `failed: ${failed.error.message}` : `exited with code ${code}`;
        const tail = stderr.trim().split('\n').slice(-3).join(' ');
        reject(new WorkerFailure(`the plane's second worker process (pid ${child.pid}) ${how}${tail && !failed ? `: ${tail}` : ''}`, failed));
      });
    });
    others.catch(() => undefined);
    process.once('exit', () => child.kill('SIGKILL'));
    child.send({ type: 'planeRows', request: req, job: toWire(job), rows: theirs });
    return { rows: mine, others };
  };
}
