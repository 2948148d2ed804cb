/**
 * The runner: a child process (forked by the extension host or the CLI) that loads one
 * `.landscape.ts`, trains the chosen definition and runs one analysis, streaming
 * `RunnerMessage`s over IPC. It exits after `result` or `error`; the parent kills it to cancel.
 */
import type { HostToRunner, LineJobWire, PlaneJobWire, ProbeResult, RunnerMessage, RunRequest, UserError } from '../protocol';
import { loadFile, toUserError, UserFacingError } from './load';
import { takeEsbuildNote } from '../bundle/esbuild-api';
import { resolveOptions, runProbe, runPlaneRows, PhaseError, type ResolvedOptions } from '../engine/run-probe';
import type { LandscapeConfig } from '../api/types';
import { fromWire, hasBigProducts, makeLineSplitter, makeSplitter, WorkerFailure } from './split';
import { NonFiniteLossError } from '../engine/train';
import { DataError } from '../engine/data';
import { ResourceError } from '../engine/cost';
import { initBackend } from '../backends';
import { BackendUnavailableError } from '../backends/webgpu/init';
import { modelSize } from '../backends/webgpu/auto';
import { fingerprintFiles } from '../api/files';
import { saveWeights, type WeightsToSave } from './save-weights';
import { OptionsError } from '../shared/options';
import { startWatchdog } from './watchdog';
import { guardLayerWeights } from './weight-guard';
import { Planner } from './plan-writer';
import { runShard, testDelay, type ShardMode } from './shard';
import { evaluateLine, PlanMismatchError } from '../engine/shard-eval';
import { ShardFileError } from '../shards/format';

/** A failed write of ours (plan or shard files): ENOSPC, EROFS, EACCES… */
const isIoError = (e: unknown): e is NodeJS.ErrnoException => e instanceof Error && ['ENOSPC', 'EROFS', 'EACCES', 'EPERM', 'EDQUOT', 'EIO'].includes((e as NodeJS.ErrnoException).code ?? '');

function send(msg: RunnerMessage): Promise<void> {
  return new Promise((res) => {
    if (!process.send) { process.stdout.write(JSON.stringify(msg) + '\n'); res(); return; }
    process.send(msg, undefined, {}, () => res());
  });
}

/** Lets queued IPC (a cancel) through between chunks of synchronous TF.js work. */
const breathe = () => new Promise<void>((r) => setImmediate(r));

export async function run(req: RunRequest): Promise<boolean> {
  const { runId } = req;
  const fail = async (error: UserError) => { await send({ type: 'error', runId, error }); return false; };
  let defLine: number | undefined;
  if (req.mode?.kind === 'shard') return shard(req, req.mode);
  const planner = req.mode?.kind === 'plan' ? new Planner(req.mode.out, req.mode.shards) : undefined;
  try {
    await send({ type: 'progress', runId, phase: 'load', done: 0, total: 1, message: 'bundling' });
    const loaded = await loadFile(req.file);
    const esbuildNote = takeEsbuildNote(); // the universal package (or a broken native binary): esbuild-wasm
    if (esbuildNote) await send({ type: 'log', runId, level: 'warn', message: esbuildNote });
    const name = req.definition ?? loaded.infos[0].name;
    const def = loaded.definitions.get(name);
    if (!def) {
      return fail({ kind: 'definition', file: loaded.file, line: 1,
        message: `no definition '${name}' in ${req.file}; it exports ${loaded.infos.map((d) => d.name).join(', ')}` });
    }
    defLine = loaded.infos.find((d) => d.name === name)?.line;
    const options = resolveOptions(def.config, req.options ?? { analysis: 'interpolate' });
    // auto: the model's size decides (a loaded model is not built twice: it is measured when loaded)
    const buildFn = typeof def.config.model === 'function' ? def.config.model : undefined;
    const size = options.backend === 'auto' && buildFn ? await modelSize(buildFn, def.config.batchSize ?? 32) : undefined;
    const backend = await initBackend(options.backend, (m) => void send({ type: 'log', runId, level: 'info', message: m }), { blas: options.blas, size });
    if (backend.note) await send({ type: 'log', runId, level: 'warn', message: backend.note });
    await send({ type: 'loaded', runId, definitions: loaded.infos, definition: name, backend: backend.name, blas: backend.blas,
      ...(backend.adapter ? { adapter: backend.adapter.description } : {}) });
    let cellsDone = 0, cellsTotal = 0, trainCount = 0;
    let weights: WeightsToSave | undefined;
    let kernels: number[][] = [];
    // evaluation batches are of 1000 examples (AffineEvaluator)
    const big = (examples: number) => hasBigProducts(kernels, Math.min(1000, examples), backend.blas != null);
    const sendCells = async (i: number[], j: number[], loss: number[]) => {
      cellsDone += i.length;
      await send({ type: 'planePoints', runId, i, j, loss, done: cellsDone, total: cellsTotal });
      await send({ type: 'progress', runId, phase: 'probe', done: cellsDone, total: cellsTotal });
    };
    const resolved = { ...options, backend: backend.name };
    const result = await runProbe(name, def.config, resolved, backend.name, {
      progress: (phase, done, total, message) => { if (!(phase === 'probe' && cellsTotal)) void send({ type: 'progress', runId, phase, done, total, message }); },
      trainEpoch: async (epoch, loss, steps) => { await send({ type: 'trainEpoch', runId, epoch, loss, steps }); await breathe(); },
      trained: (train, examples) => { trainCount = examples.train; void send({ type: 'trained', runId, train, examples }); },
      curvePoint: async (i, alpha, trainLoss, testLoss, trainAcc, testAcc, total) => {
        await send({ type: 'curvePoints', runId, index: [i], alpha: [alpha], trainLoss: [trainLoss], testLoss: [testLoss],
          trainAccuracy: [trainAcc], testAccuracy: [testAcc], total });
        await breathe();
      },
      planeSetup: (s) => { cellsTotal = s.a.length * s.b.length; void send({ type: 'planeSetup', runId, ...s }); },
      planeCells: async (i, j, loss) => { await sendCells(i, j, loss); await breathe(); },
      splitPlane: planner || !backend.capabilities.processSplit ? undefined : makeSplitter(req, () => trainCount, sendCells, big), // one GPU: no second process
      splitLine: planner || !backend.capabilities.processSplit ? undefined : makeLineSplitter(req, big),
      deferGrid: planner?.capture,
      surveyRun: async (index, total, run) => { await send({ type: 'surveyRun', runId, index, total, run }); await breathe(); },
      warn: (message) => void send({ type: 'log', runId, level: 'warn', message }),
      recorded: (record, second) => { kernels = record.layout.entries.map((e) => e.shape); weights = { definition: name, analysis: options.analysis, record, seed: def.config.seed ?? 1, second }; },
      planeBasis: (basis, a, b) => { if (weights) weights.plane = { basis, a, b }; },
    }, loaded.file);
    if (esbuildNote) result.notes.push(esbuildNote);
    if (backend.note) result.notes.push(backend.note);
    if (backend.blasNote) result.notes.push(backend.blasNote);
    result.blas = backend.blas;
    result.device = { backend: backend.name, adapter: backend.adapter?.description ?? null, ...(backend.adapter ? { software: backend.adapter.software } : {}) };
    const inputs = fingerprintFiles(); // the workspace files read: the cache re-runs when they change
    if (inputs.length) result.inputs = inputs;
    if (planner) {
      const { files, plan } = planner.write(result, { file: loaded.file, definition: name, codeHash: loaded.codeHash, options: resolved });
      await send({ type: 'finished', runId, files, lines: [
        `plan ${plan.id}: ${name} (${options.analysis}), ${plan.points} point(s) for ${plan.shards} shard(s), in ${planner.out}/`] });
      return true;
    }
    if (options.saveWeights && weights) writeWeights(options.saveWeights, weights, result);
    await send({ type: 'result', runId, result });
    return true;
  } catch (e) {
    return fail(describeFailure(e, req.file, defLine));
  }
}

/** Shard mode: evaluate shard K of N of a plan (./shard.ts), no training. */
async function shard(req: RunRequest, mode: ShardMode): Promise<boolean> {
  try {
    const r = await runShard(req, mode, {
      progress: (done, total, message) => send({ type: 'progress', runId: req.runId, phase: 'probe', done, total, message }),
      load: loadFile,
      initBackend: (name) => initBackend(name, undefined, { blas: req.options?.blas }),
      warn: (message) => void send({ type: 'log', runId: req.runId, level: 'warn', message }),
    });
    await send({ type: 'finished', runId: req.runId, ...r });
    return true;
  } catch (e) {
    await send({ type: 'error', runId: req.runId, error: describeFailure(e, req.file) });
    return false;
  }
}

/** --save-weights: never fails the run; what could not be written is said in the result. */
function writeWeights(dir: string, w: WeightsToSave, result: ProbeResult): void {
  try {
    result.weights = { dir, files: saveWeights(dir, w) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    result.weights = { dir, files: [], error: `could not write the weights into ${dir}: ${err.code ? `${err.code} ` : ''}${err.message}` };
  }
}

/** A failure in the user's code, prefixed with where it happened: "model(): …". */
function withWhere(phase: PhaseError['phase'], err: UserError): UserError {
  const where = { data: 'data()', model: 'model()', optimizer: 'optimizer()', train: 'training', probe: 'probing' }[phase];
  return { ...err, message: `${where}: ${err.message}` };
}

/** Anything that stopped a run, as a UserError: the user's line only when the user's code is to blame. */
export function describeFailure(e: unknown, file: string, defLine?: number): UserError {
  if (e instanceof UserFacingError) return e.error;
  if (e instanceof BackendUnavailableError) return { kind: 'backend', message: e.message };
  if (e instanceof OptionsError) {
    const where = e.source === 'definition' ? 'the definition\'s options are' : 'the probe options are';
    return { kind: 'options', message: `${where} invalid: ${e.errors.join('; ')}`, file, line: e.source === 'definition' ? defLine : undefined };
  }
  if (e instanceof ResourceError) return { kind: 'resources', message: e.message, file, line: defLine };
  if (e instanceof PlanMismatchError || e instanceof ShardFileError) return { kind: 'load', message: e.message, file };
  if (isIoError(e)) return { kind: 'output', message: `could not write: ${e.message}`, file };
  if (e instanceof PhaseError) {
    const cause = e.cause;
    if (cause instanceof NonFiniteLossError) return { kind: 'nan', message: cause.message, file, line: defLine };
    if (cause instanceof DataError) return { ...toUserError(cause, file, 'data', defLine), stack: undefined };
    if (cause instanceof ResourceError) return withWhere(e.phase, { ...toUserError(cause, file, 'resources', defLine), stack: undefined });
    if (cause instanceof OptionsError) return describeFailure(cause, file, defLine);
    if (cause instanceof WorkerFailure) return cause.userError?.error ?? { kind: 'crash', message: cause.message };
    return withWhere(e.phase, toUserError(cause, file, e.phase === 'probe' ? 'probe' : 'train', defLine));
  }
  return toUserError(e, file, 'internal', defLine);
}

/**
 * Worker mode (a runner forked by another one to share a grid): load the same definition and
 * data, start the same backend, then do `work`. Failures go back as an 'error' message.
 */
async function asWorker(req: RunRequest, work: (config: LandscapeConfig, options: ResolvedOptions) => Promise<void>): Promise<boolean> {
  try {
    const loaded = await loadFile(req.file);
    const def = loaded.definitions.get(req.definition ?? loaded.infos[0].name)!;
    const options = resolveOptions(def.config, req.options);
    await initBackend(options.backend, undefined, { blas: options.blas });
    await work(def.config, options);
    return true;
  } catch (e) {
    await send({ type: 'error', runId: req.runId, error: describeFailure(e, req.file) });
    return false;
  }
}

/** Some rows of a plane. */
const planeRows = (req: RunRequest, job: PlaneJobWire, rows: number[]) => asWorker(req, (config, options) =>
  runPlaneRows(config, options, fromWire(job), rows, async (i, j, loss) => {
    testDelay();
    await send({ type: 'planePoints', runId: req.runId, i, j, loss, done: 0, total: 0 });
    await breathe();
  }));

/** Some points of a line. */
const lineIndices = (req: RunRequest, job: LineJobWire, indices: number[]) => asWorker(req, (config, options) =>
  evaluateLine(config, options, job, indices, async (index, point) => {
    testDelay();
    await send({ type: 'linePoint', runId: req.runId, index, point });
    await breathe();
  }));

if (require.main === module) {
  // Never outlive the parent, whatever the user's code does to this thread's event loop.
  startWatchdog();
  guardLayerWeights();
  let busy = false;
  process.on('message', (msg: HostToRunner) => {
    switch (msg.type) {
      case 'cancel':
        process.exit(130);
        break;
      case 'run':
        if (busy) return;
        busy = true;
        run(msg.request).then((ok) => process.exit(ok ? 0 : 1), (e) => { console.error(e); process.exit(2); });
        break;
      case 'planeRows':
        if (busy) return;
        busy = true;
        planeRows(msg.request, msg.job, msg.rows).then((ok) => process.exit(ok ? 0 : 1), (e) => { console.error(e); process.exit(2); });
        break;
      case 'lineIndices':
        if (busy) return;
        busy = true;
        lineIndices(msg.request, msg.job, msg.indices).then((ok) => process.exit(ok ? 0 : 1), (e) => { console.error(e); process.exit(2); });
        break;
      default: {
        const never: never = msg;
        console.error('unknown message', never);
      }
    }
  });
  process.on('disconnect', () => process.exit(0)); // parent gone: never outlive it
}
