/**
 * Splitting a plane over two processes (one per core): the runner that trained the model writes
 * the plane's basis (θ_c, u, v, state as float32 files), forks a worker runner for every other
 * row and evaluates the rest itself; both stream cells. Cell values do not depend on which
 * process computed them (each is an independent evaluation), so results are identical.
 * While split, each process runs its BLAS (if any) on one thread: one core each.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlaneJob, PlaneSplit } from '../engine/probe';
import type { RunnerMessage, RunRequest } from '../protocol';
import { setBlasThreads } from '../backends';

const F32 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const readF32 = (file: string) => { const b = readFileSync(file); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };

export function writeJob(dir: string, job: PlaneJob): void {
  writeFileSync(join(dir, 'center.f32'), F32(job.basis.center));
  writeFileSync(join(dir, 'u.f32'), F32(job.basis.u));
  writeFileSync(join(dir, 'v.f32'), F32(job.basis.v));
  writeFileSync(join(dir, 'state.f32'), F32(job.state));
  writeFileSync(join(dir, 'job.json'), JSON.stringify({ kind: job.basis.kind, a: job.a, b: job.b, examples: job.examples }));
}

export function readJob(dir: string): PlaneJob {
  const meta = JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8'));
  return {
    basis: { kind: meta.kind, center: readF32(join(dir, 'center.f32')), u: readF32(join(dir, 'u.f32')), v: readF32(join(dir, 'v.f32')) },
    state: readF32(join(dir, 'state.f32')), a: meta.a, b: meta.b, examples: meta.examples,
  };
}

/** Worth a second process? (≈ 1–2 s of start-up against the evaluations saved.) */
export function workersFor(job: PlaneJob, trainExamples: number): number {
  const env = process.env.LOSS_LANDSCAPE_WORKERS;
  if (env !== undefined) return Math.max(1, Math.min(2, Number(env) || 1));
  if (cpus().length < 2) return 1;
  const n = job.examples > 0 ? Math.min(job.examples, trainExamples) : trainExamples;
  return job.a.length * job.b.length * n >= 400_000 ? 2 : 1;
}

export function makeSplitter(req: RunRequest, trainExamples: () => number, forward: (i: number[], j: number[], loss: number[]) => Promise<void>) {
  return async (job: PlaneJob): Promise<PlaneSplit | undefined> => {
    if (workersFor(job, trainExamples()) < 2) return undefined;
    const dir = mkdtempSync(join(tmpdir(), 'loss-landscape-plane-'));
    writeJob(dir, job);
    const mine: number[] = [], theirs: number[] = [];
    job.b.forEach((_, i) => (i % 2 === 0 ? mine : theirs).push(i));
    const child = fork(__filename.endsWith('runner.js') ? __filename : join(__dirname, 'runner.js'), [], {
      execArgv: ['--max-old-space-size=4096'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', LOSS_LANDSCAPE_BLAS_THREADS: '1' },
    });
    let stderr = '';
    child.stderr?.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
    const cells: Array<[number, number, number]> = [];
    const others = new Promise<Array<[number, number, number]>>((resolve, reject) => {
      let failed: string | undefined;
      child.on('message', (m: RunnerMessage) => {
        if (m.type === 'planePoints') {
          m.i.forEach((i, k) => cells.push([i, m.j[k], m.loss[k]]));
          void forward(m.i, m.j, m.loss);
        } else if (m.type === 'error') failed = m.error.message;
      });
      child.on('exit', (code) => {
        rmSync(dir, { recursive: true, force: true });
        if (code === 0 && !failed && cells.length === theirs.length * job.a.length) resolve(cells);
        else reject(new Error(`plane worker failed: ${failed ?? `exit code ${code}`} ${stderr.trim().split('\n').slice(-3).join(' ')}`));
      });
    });
    const threads = setBlasThreads(1);
    others.catch(() => undefined).finally(() => { if (threads) setBlasThreads(threads); });
    process.once('exit', () => child.kill('SIGKILL'));
    child.send({ type: 'planeRows', request: req, basisDir: dir, rows: theirs });
    return { rows: mine, others };
  };
}
