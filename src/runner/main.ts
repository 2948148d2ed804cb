/**
 * The runner: a child process (forked by the extension host or the CLI) that loads one
 * `.landscape.ts`, trains the chosen definition and runs one analysis, streaming
 * `RunnerMessage`s over IPC. It exits after `result` or `error`; the parent kills it to cancel.
 */
import type { HostToRunner, RunnerMessage, RunRequest, UserError } from '../protocol';
import { loadFile, toUserError, UserFacingError } from './load';
import { resolveOptions, runProbe, runPlaneRows, PhaseError } from '../engine/probe';
import { makeSplitter, readJob } from './split';
import { NonFiniteLossError } from '../engine/train';
import { initBackend } from '../engine/backend';
import { saveWeights } from './save-weights';
import { fingerprintFiles } from '../api/files';

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
  try {
    await send({ type: 'progress', runId, phase: 'load', done: 0, total: 1, message: 'bundling' });
    const loaded = await loadFile(req.file);
    const name = req.definition ?? loaded.infos[0].name;
    const def = loaded.definitions.get(name);
    if (!def) {
      return fail({ kind: 'definition', file: loaded.file, line: 1,
        message: `no definition '${name}' in ${req.file}; it exports ${loaded.infos.map((d) => d.name).join(', ')}` });
    }
    defLine = loaded.infos.find((d) => d.name === name)?.line;
    const options = resolveOptions(def.config, req.options);
    const backend = await initBackend(options.backend, (m) => void send({ type: 'log', runId, level: 'info', message: m }));
    if (backend.note) await send({ type: 'log', runId, level: 'warn', message: backend.note });
    await send({ type: 'loaded', runId, definitions: loaded.infos, definition: name, backend: backend.name });
    let cellsDone = 0, cellsTotal = 0, trainCount = 0;
    const sendCells = async (i: number[], j: number[], loss: number[]) => {
      cellsDone += i.length;
      await send({ type: 'planePoints', runId, i, j, loss, done: cellsDone, total: cellsTotal });
      await send({ type: 'progress', runId, phase: 'probe', done: cellsDone, total: cellsTotal });
    };
    const result = await runProbe(name, def.config, { ...options, backend: backend.name }, backend.name, {
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
      splitPlane: makeSplitter(req, () => trainCount, sendCells),
      surveyRun: async (index, total, run) => { await send({ type: 'surveyRun', runId, index, total, run }); await breathe(); },
      recorded: (rec) => { if (options.saveWeights) saveWeights(options.saveWeights, rec, name); },
    }, loaded.file);
    if (backend.note) result.notes.push(backend.note);
    const inputs = fingerprintFiles(); // the workspace files read: the cache re-runs when they change
    if (inputs.length) result.inputs = inputs;
    await send({ type: 'result', runId, result });
    return true;
  } catch (e) {
    if (e instanceof UserFacingError) return fail(e.error);
    if (e instanceof PhaseError) {
      const cause = e.cause;
      if (cause instanceof NonFiniteLossError) return fail({ kind: 'nan', message: cause.message, file: req.file, line: defLine });
      const kind = e.phase === 'probe' ? 'probe' : 'train';
      const err = toUserError(cause, req.file, kind, defLine);
      const where = { data: 'data()', model: 'model()', optimizer: 'optimizer()', train: 'training', probe: 'probing' }[e.phase];
      return fail({ ...err, message: `${where}: ${err.message}` });
    }
    return fail(toUserError(e, req.file, 'internal', defLine));
  }
}

/** Worker mode: evaluate some rows of a plane for the runner that forked us. */
async function planeRows(req: RunRequest, basisDir: string, rows: number[]): Promise<boolean> {
  try {
    const loaded = await loadFile(req.file);
    const def = loaded.definitions.get(req.definition ?? loaded.infos[0].name)!;
    const options = resolveOptions(def.config, req.options);
    await initBackend(options.backend);
    await runPlaneRows(def.config, options, readJob(basisDir), rows, async (i, j, loss) => {
      await send({ type: 'planePoints', runId: req.runId, i, j, loss, done: 0, total: 0 });
      await breathe();
    });
    return true;
  } catch (e) {
    await send({ type: 'error', runId: req.runId, error: toUserError(e, req.file, 'probe') });
    return false;
  }
}

if (require.main === module) {
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
        planeRows(msg.request, msg.basisDir, msg.rows).then((ok) => process.exit(ok ? 0 : 1), (e) => { console.error(e); process.exit(2); });
        break;
      default: {
        const never: never = msg;
        console.error('unknown message', never);
      }
    }
  });
  process.on('disconnect', () => process.exit(0)); // parent gone: never outlive it
}
