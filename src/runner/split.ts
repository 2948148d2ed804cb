/**
 * Splitting a grid over two processes (one per core): the runner that trained the model forks a
 * worker runner, hands it the grid's definition (a plane's basis θ_c, u, v, state; a line's
 * endpoints θ_a, θ_b and states) over structured-clone IPC (no temp files, so nothing is left
 * behind by a kill) and a share of the work — every other row of a plane, every other point of a
 * line in coarse-to-fine order — and evaluates the rest itself; both stream values. A value does
 * not depend on which process computed it (each is an independent evaluation), so results are
 * identical to one process — the worker runs the BLAS with the same settings: OpenBLAS's results
 * depend on its thread count (1 vs 2 threads changed 80 % of a 1000×784×100 product's entries in
 * the last bit). So the split is for models whose products run on one thread (below
 * PARALLEL_MIN_MACS): big products already use every core through the BLAS. (Measured on the
 * 2-core bench machine, W2's 784-1024-1024-10 MLP: split with one BLAS thread each 17.8 s, with the
 * same settings as one process 22.5 s, one process 23.0 s: the 17.8 s are not bit-identical.)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { LineJob, LineSplit, PlaneJob, PlaneSplit } from '../engine/run-probe';
import type { EvalSet } from '../engine/evaluate';
import { coarseToFine } from '../engine/order';
import type { HostToRunner, LineJobWire, LinePoint, PlaneJobWire, RunnerMessage, RunRequest } from '../protocol';
import { PARALLEL_MIN_MACS } from '../backends/blas/library';
import { childEnv, setting } from '../shared/switchboard';

export function toWire(job: PlaneJob): PlaneJobWire {
  return { kind: job.basis.kind, center: job.basis.center, u: job.basis.u, v: job.basis.v, state: job.state, a: job.a, b: job.b, examples: job.examples };
}

export function fromWire(w: PlaneJobWire): PlaneJob {
  return { basis: { kind: w.kind, center: w.center, u: w.u, v: w.v }, state: w.state, a: w.a, b: w.b, examples: w.examples };
}

export function lineToWire(job: LineJob): LineJobWire {
  return { thetaA: job.thetaA, thetaB: job.thetaB, stateA: job.stateA, stateB: job.stateB, alpha: job.alpha };
}

/**
 * Worth a second process? `evaluations` = points × examples (≈ 1–2 s of start-up — bundling the
 * definition, loading TF.js and the data — against the evaluations saved); `bigProducts`: the
 * model has matrix products the BLAS already runs on every core (≥ PARALLEL_MIN_MACS multiply-adds
 * per batch), where a second process gains nothing (W2: 22.5 s split against 23.0 s not).
 */
export function workersFor(evaluations: number, bigProducts = false): number {
  const forced = setting('WORKERS');
  if (forced !== undefined) return forced;
  if (cpus().length < 2 || bigProducts) return 1;
  return evaluations >= 400_000 ? 2 : 1;
}

/**
 * Whether a per-batch matrix product of the model (a Dense kernel of `rows × cols` on a batch of
 * `batch` examples) reaches PARALLEL_MIN_MACS, i.e. runs on every core with the BLAS path on.
 */
export function hasBigProducts(kernels: number[][], batch: number, blasOn: boolean): boolean {
  return blasOn && kernels.some((s) => s.length === 2 && batch * s[0] * s[1] >= PARALLEL_MIN_MACS);
}

/** Why a worker ended without its share, in words (it is never the user's line). */
export class WorkerFailure extends Error {
  constructor(message: string, readonly userError?: RunnerMessage & { type: 'error' }) { super(message); this.name = 'WorkerFailure'; }
}

/**
 * Forks a worker runner, sends it `task` and collects what it sends back (`take` returns one
 * message's values, or nothing for other messages) until it exits; rejects with a WorkerFailure
 * unless it exited cleanly with `expected` values.
 */
function startWorker<T>(what: string, task: HostToRunner, expected: number, take: (m: RunnerMessage) => T[] | undefined): Promise<T[]> {
  const child: ChildProcess = fork(__filename.endsWith('runner.js') ? __filename : join(__dirname, 'runner.js'), [], {
    execArgv: process.execArgv.filter((a) => a.startsWith('--max-old-space-size')),
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced',
    // the same BLAS settings as this process: OpenBLAS's sums depend on its thread count, and
    // a value must not depend on which process computed it
    env: childEnv({ ELECTRON_RUN_AS_NODE: '1' }),
  });
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
  const values: T[] = [];
  const done = new Promise<T[]>((resolve, reject) => {
    let failed: (RunnerMessage & { type: 'error' }) | undefined;
    child.on('message', (m: RunnerMessage) => {
      if (m.type === 'error') { failed = m; return; }
      const got = take(m);
      if (got) values.push(...got);
    });
    child.on('exit', (code, signal) => {
      if (code === 0 && !failed && values.length === expected) return resolve(values);
      const how = signal ? `was killed (${signal})` : failed ? `failed: ${failed.error.message}` : `exited with code ${code}`;
      const tail = stderr.trim().split('\n').slice(-3).join(' ');
      reject(new WorkerFailure(`the ${what}'s second worker process (pid ${child.pid}) ${how}${tail && !failed ? `: ${tail}` : ''}`, failed));
    });
  });
  done.catch(() => undefined); // handled where awaited, after this process's own share
  process.once('exit', () => child.kill('SIGKILL'));
  child.send(task);
  return done;
}

/** Examples one evaluation set pass covers (train, plus test for a line). */
function examplesOf(sets: { train: EvalSet; test?: EvalSet }): number {
  return sets.train.x.shape[0] + (sets.test?.x.shape[0] ?? 0);
}

/** What the split decision needs from the probe: its evaluation batch has big products. */
export type BigProducts = (examples: number) => boolean;

export function makeSplitter(req: RunRequest, trainExamples: () => number, forward: (i: number[], j: number[], loss: number[]) => Promise<void>, big: BigProducts) {
  return async (job: PlaneJob): Promise<PlaneSplit | undefined> => {
    const n = job.examples > 0 ? Math.min(job.examples, trainExamples()) : trainExamples();
    if (workersFor(job.a.length * job.b.length * n, big(n)) < 2) return undefined;
    const mine: number[] = [], theirs: number[] = [];
    job.b.forEach((_, i) => (i % 2 === 0 ? mine : theirs).push(i));
    const others = startWorker<[number, number, number]>('plane', { type: 'planeRows', request: req, job: toWire(job), rows: theirs },
      theirs.length * job.a.length, (m) => {
        if (m.type !== 'planePoints') return undefined;
        void forward(m.i, m.j, m.loss);
        return m.i.map((i, k): [number, number, number] => [i, m.j[k], m.loss[k]]);
      });
    return { rows: mine, others };
  };
}

export function makeLineSplitter(req: RunRequest, big: BigProducts) {
  return async (job: LineJob, sets: { train: EvalSet; test?: EvalSet }, onOther: (index: number, p: LinePoint) => void | Promise<void>): Promise<LineSplit | undefined> => {
    if (workersFor(job.alpha.length * examplesOf(sets), big(sets.train.x.shape[0])) < 2) return undefined;
    // alternate along the coarse-to-fine order: both processes fill the whole range early
    const order = coarseToFine(job.alpha.length);
    const mine = order.filter((_, k) => k % 2 === 0), theirs = order.filter((_, k) => k % 2 === 1);
    const others = startWorker<[number, LinePoint]>('line', { type: 'lineIndices', request: req, job: lineToWire(job), indices: theirs },
      theirs.length, (m) => {
        if (m.type !== 'linePoint') return undefined;
        void onOther(m.index, m.point);
        return [[m.index, m.point]];
      });
    return { indices: mine, others };
  };
}
