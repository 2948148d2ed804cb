/**
 * The panel's data model: everything known about the current run, reduced from host messages.
 * Plain JSON (it is what `setState` persists), no DOM.
 */
import type {
  AnalysisKind, BackendName, DefinitionInfo, ExampleCounts, HostToWebview, PlaneResult,
  AnyProbeOptions, BlasReport, ProbeResult, SurveyRun, TrainSummary, UserError,
} from '../src/protocol';

export type RunStatus = 'idle' | 'loading' | 'training' | 'probing' | 'done' | 'error' | 'cancelled';

export interface CurveData {
  total: number;
  alpha: (number | null)[];
  trainLoss: (number | null)[];
  testLoss: (number | null)[];
  trainAccuracy: (number | null)[];
  testAccuracy: (number | null)[];
  /** Only once the result is known. */
  trainLossSE?: number[];
}

export interface PlaneData {
  directions: PlaneResult['directions'];
  a: number[];
  b: number[];
  /** loss[i][j]: row i (b), column j (a); null = not evaluated yet. */
  loss: (number | null)[][];
  testLoss?: number[][];
  done: number;
  total: number;
  trajectory: PlaneResult['trajectory'];
  randomWalk: PlaneResult['randomWalk'];
  /** A second path with its label (survey: the best run's). */
  otherPath?: PlaneResult['otherPath'];
  init: [number, number];
  final: [number, number];
  /** May be null in a result (NaN through JSON) when the plane does not define it. */
  explained?: number | null;
  norms?: [number, number];
}

/** Survey: the trainings as they finish, then the comparison best ↔ stuck from the result. */
export interface SurveyData {
  /** Number of trainings announced (0 until known). */
  total: number;
  /** runs[index]; null = not finished yet. While streaming, `stuck` is not known (always false). */
  runs: (SurveyRun | null)[];
  /** The straight line θ_T(best) (α = 0) → θ_T(stuck) (α = 1), once the result is in. */
  curve?: CurveData;
  /** The plane through θ₀(stuck), θ_T(stuck), θ_T(best), once the result is in. */
  plane?: PlaneData;
  /** True once the runs come from the result (final `stuck` flags). */
  final: boolean;
}

export interface EpochPoint { epoch: number; loss: number; steps: number }

export interface RunModel {
  v: 1;
  runId?: string;
  file?: string;
  definition?: string;
  definitions?: DefinitionInfo[];
  options?: AnyProbeOptions;
  analysis?: AnalysisKind;
  backend?: BackendName;
  /** WebGPU: the adapter's description. */
  adapter?: string;
  /** wasm: the BLAS under its matrix products (null: the wasm kernels). */
  blas?: BlasReport | null;
  cached?: boolean;
  /** Host clock (ms since epoch) when the run started. */
  startedAt?: number;
  /** Total elapsed ms once the run ended. */
  elapsedMs?: number;
  status: RunStatus;
  progress?: { phase: 'load' | 'train' | 'probe'; done: number; total: number; message?: string };
  epochs: EpochPoint[];
  train?: TrainSummary;
  examples?: ExampleCounts;
  curve?: CurveData;
  plane?: PlaneData;
  survey?: SurveyData;
  /** Compare: the plane of the first run (every run's path is in `result.compare.runs[k].path`). */
  comparePlane?: PlaneData;
  result?: ProbeResult;
  error?: UserError;
  untrusted?: string;
  logs: { level: 'info' | 'warn'; message: string }[];
  /** Bumped on every change; views use it to skip work. */
  rev: number;
}

export function emptyModel(): RunModel {
  return { v: 1, status: 'idle', epochs: [], logs: [], rev: 0 };
}

export function isRunning(m: RunModel): boolean {
  return m.status === 'loading' || m.status === 'training' || m.status === 'probing';
}

const MAX_LOGS = 200;

function nulls<T = number>(n: number): (T | null)[] {
  return new Array<T | null>(n).fill(null);
}

function ensureCurve(m: RunModel, total: number): CurveData {
  if (!m.curve || m.curve.total !== total) {
    const old = m.curve;
    m.curve = {
      total, alpha: nulls(total), trainLoss: nulls(total), testLoss: nulls(total),
      trainAccuracy: nulls(total), testAccuracy: nulls(total),
    };
    if (old) {
      for (let k = 0; k < Math.min(old.total, total); k++) {
        m.curve.alpha[k] = old.alpha[k]; m.curve.trainLoss[k] = old.trainLoss[k]; m.curve.testLoss[k] = old.testLoss[k];
        m.curve.trainAccuracy[k] = old.trainAccuracy[k]; m.curve.testAccuracy[k] = old.testAccuracy[k];
      }
    }
  }
  return m.curve;
}

export function planeFromResult(p: PlaneResult): PlaneData {
  // NaN crosses JSON as null: in the grid (a cell that could not be evaluated) and in `explained`.
  const num = (v: number | null) => (v === null || v === undefined ? null : v);
  return {
    directions: p.directions, a: p.a, b: p.b, loss: p.loss.map((row) => row.map(num)), testLoss: p.testLoss,
    done: p.a.length * p.b.length, total: p.a.length * p.b.length,
    trajectory: p.trajectory ?? { a: [], b: [], step: [] }, randomWalk: p.randomWalk ?? { a: [], b: [] }, otherPath: p.otherPath,
    init: p.init, final: p.final,
    explained: typeof p.explained === 'number' && Number.isFinite(p.explained) ? p.explained : null, norms: p.norms,
  };
}

function curveFromResult(r: NonNullable<ProbeResult['interpolate']>): CurveData {
  return {
    total: r.alpha.length, alpha: r.alpha.slice(), trainLoss: r.trainLoss.slice(), testLoss: r.testLoss.slice(),
    trainAccuracy: r.trainAccuracy.slice(), testAccuracy: r.testAccuracy.slice(), trainLossSE: r.trainLossSE?.slice(),
  };
}

/** Apply a finished result (from a `result` message or a static report). */
export function applyResult(m: RunModel, r: ProbeResult): void {
  m.result = r;
  m.file = r.file;
  m.definition = r.definition;
  m.analysis = r.analysis;
  m.backend = r.backend;
  m.adapter = r.device?.adapter ?? undefined;
  m.blas = r.blas;
  m.options = r.options;
  m.examples = r.examples;
  m.train = r.train;
  if (r.interpolate) m.curve = curveFromResult(r.interpolate);
  if (r.plane) m.plane = planeFromResult(r.plane);
  if (r.compare?.plane) m.comparePlane = planeFromResult(r.compare.plane);
  if (r.survey) {
    const sv = r.survey;
    m.survey = {
      total: sv.runs.length, runs: sv.runs.slice(), final: true,
      curve: sv.bestToStuck ? curveFromResult(sv.bestToStuck) : undefined,
      plane: sv.stuckPlane ? planeFromResult(sv.stuckPlane) : undefined,
    };
  }
  if (m.status !== 'error' && m.status !== 'cancelled') m.status = 'done';
}

export function modelFromResult(r: ProbeResult): RunModel {
  const m = emptyModel();
  applyResult(m, r);
  m.elapsedMs = 1000 * ((r.timing?.loadSeconds ?? 0) + (r.timing?.trainSeconds ?? 0) + (r.timing?.probeSeconds ?? 0));
  m.rev = 1;
  return m;
}

/**
 * Reduce one host message into the model. Returns the (possibly new) model, or null when the
 * message was dropped (stale runId) or changed nothing.
 */
export function reduce(m: RunModel, msg: HostToWebview, now = Date.now()): RunModel | null {
  if (!msg || typeof msg !== 'object' || typeof (msg as { type?: unknown }).type !== 'string') return null;
  if (msg.type === 'untrusted') {
    m.untrusted = msg.message;
    m.rev++;
    return m;
  }
  if (msg.type === 'runStarted') {
    if (msg.runId === m.runId) return null;
    const n = emptyModel();
    n.runId = msg.runId;
    n.file = msg.file;
    n.definition = msg.definition;
    n.options = msg.options;
    n.analysis = msg.options?.analysis;
    n.backend = msg.options?.backend;
    n.cached = msg.cached;
    n.startedAt = msg.startedAt;
    n.status = 'loading';
    n.rev = m.rev + 1;
    return n;
  }
  // Every other message belongs to a run: drop what is not the current one.
  if (m.runId === undefined) m.runId = msg.runId;
  else if (msg.runId !== m.runId) return null;

  switch (msg.type) {
    case 'loaded':
      m.definitions = msg.definitions;
      m.definition = msg.definition;
      m.backend = msg.backend;
      m.adapter = msg.adapter;
      m.blas = msg.blas;
      break;
    case 'progress':
      m.progress = { phase: msg.phase, done: msg.done, total: msg.total, message: msg.message };
      if (m.status === 'loading' || m.status === 'training' || m.status === 'probing') {
        m.status = msg.phase === 'train' ? 'training' : msg.phase === 'probe' ? 'probing' : m.status;
      }
      break;
    case 'trainEpoch':
      m.epochs.push({ epoch: msg.epoch, loss: msg.loss, steps: msg.steps });
      if (m.status === 'loading') m.status = 'training';
      break;
    case 'trained':
      m.train = msg.train;
      m.examples = msg.examples;
      if (m.status === 'loading' || m.status === 'training') m.status = 'probing';
      break;
    case 'curvePoints': {
      const c = ensureCurve(m, msg.total);
      msg.index.forEach((idx, k) => {
        if (idx < 0 || idx >= c.total) return;
        c.alpha[idx] = msg.alpha[k];
        c.trainLoss[idx] = msg.trainLoss[k];
        c.testLoss[idx] = msg.testLoss[k];
        c.trainAccuracy[idx] = msg.trainAccuracy?.[k] ?? null;
        c.testAccuracy[idx] = msg.testAccuracy?.[k] ?? null;
      });
      if (!m.analysis) m.analysis = 'interpolate';
      if (m.status === 'loading' || m.status === 'training') m.status = 'probing';
      break;
    }
    case 'planeSetup': {
      const old = m.plane;
      const same = old && old.a.length === msg.a.length && old.b.length === msg.b.length;
      m.plane = {
        directions: msg.directions, a: msg.a, b: msg.b,
        loss: same ? old!.loss : msg.b.map(() => nulls(msg.a.length)),
        done: same ? old!.done : 0, total: msg.a.length * msg.b.length,
        trajectory: msg.trajectory, randomWalk: msg.randomWalk, init: msg.init, final: msg.final,
      };
      if (!m.analysis) m.analysis = 'plane';
      if (m.status === 'loading' || m.status === 'training') m.status = 'probing';
      break;
    }
    case 'planePoints': {
      const p = m.plane;
      if (!p) return null; // points before their setup cannot be placed
      msg.i.forEach((i, k) => {
        const j = msg.j[k];
        if (p.loss[i] && j >= 0 && j < p.a.length) p.loss[i][j] = msg.loss[k];
      });
      p.done = msg.done;
      p.total = msg.total;
      if (m.status === 'loading' || m.status === 'training') m.status = 'probing';
      break;
    }
    case 'surveyRun': {
      // Runs after the result (which holds them all, with their final flags) change nothing.
      if (!Number.isInteger(msg.index) || msg.index < 0 || !msg.run || m.survey?.final) return null;
      const total = Math.max(msg.total || 0, msg.index + 1);
      const sv = m.survey ?? (m.survey = { total, runs: [], final: false });
      sv.total = Math.max(sv.total, total);
      while (sv.runs.length < sv.total) sv.runs.push(null);
      sv.runs[msg.index] = msg.run;
      if (!m.analysis) m.analysis = 'survey';
      if (m.status === 'loading') m.status = 'training';
      break;
    }
    case 'result':
      applyResult(m, msg.result);
      break;
    case 'error':
      m.error = msg.error;
      m.status = msg.error.kind === 'cancelled' ? 'cancelled' : 'error';
      break;
    case 'runEnded':
      m.status = msg.status;
      m.elapsedMs = normaliseElapsed(msg.elapsed, m.startedAt, now);
      m.progress = undefined;
      break;
    case 'log':
      m.logs.push({ level: msg.level, message: msg.message });
      if (m.logs.length > MAX_LOGS) m.logs.splice(0, m.logs.length - MAX_LOGS);
      break;
    default:
      return null;
  }
  m.rev++;
  return m;
}

/**
 * `runEnded.elapsed` is documented as a number; accept milliseconds (expected) and seconds
 * (recognised when it is ~1000× smaller than the wall-clock time since `startedAt`).
 */
export function normaliseElapsed(elapsed: number, startedAt: number | undefined, now: number): number {
  if (!Number.isFinite(elapsed)) return startedAt ? now - startedAt : 0;
  if (startedAt && elapsed > 0) {
    const wall = now - startedAt;
    if (wall > 2000 && elapsed * 100 < wall) return elapsed * 1000;
  }
  return elapsed;
}

export function elapsedMs(m: RunModel, now = Date.now()): number | undefined {
  if (m.elapsedMs !== undefined && !isRunning(m)) return m.elapsedMs;
  if (m.startedAt) return Math.max(0, now - m.startedAt);
  return m.elapsedMs;
}

/**
 * Trainings finished / announced, for an analysis that counts runs (survey: see `countsRuns` in
 * analyses.ts). The total comes from the first `surveyRun` or the train progress.
 */
export function runsDone(m: RunModel): { done: number; total: number } | undefined {
  const sv = m.survey;
  const progressTotal = m.progress?.phase === 'train' ? m.progress.total : 0;
  const total = Math.max(sv?.total ?? 0, progressTotal);
  if (!total) return undefined;
  return { done: sv ? sv.runs.filter((r) => r !== null).length : 0, total };
}

/**
 * Stuck flags of the runs: the result's when final; while streaming, provisional ones relative to
 * the best run so far (final loss > best + tolerance, the engine's default tolerance unless given).
 */
export function stuckFlags(m: RunModel): { stuck: (boolean | null)[]; threshold: number | null; provisional: boolean } {
  const sv = m.survey;
  if (!sv) return { stuck: [], threshold: null, provisional: false };
  if (sv.final && m.result?.survey) {
    const r = m.result.survey;
    const best = r.runs[r.best]?.finalLoss;
    return { stuck: sv.runs.map((x) => (x ? x.stuck : null)), threshold: best !== undefined ? best + r.tolerance : null, provisional: false };
  }
  const losses = sv.runs.filter((x): x is SurveyRun => !!x && Number.isFinite(x.finalLoss)).map((x) => x.finalLoss);
  if (!losses.length) return { stuck: sv.runs.map((x) => (x ? !Number.isFinite(x.finalLoss) : null)), threshold: null, provisional: true };
  const best = Math.min(...losses);
  const tol = m.options?.tolerance ?? 0.01 + 0.1 * Math.abs(best);
  const threshold = best + tol;
  return { stuck: sv.runs.map((x) => (x ? !Number.isFinite(x.finalLoss) || x.finalLoss > threshold : null)), threshold, provisional: true };
}

/** The curve's present points sorted by α (indices into the curve arrays). */
export function curveOrder(c: CurveData): number[] {
  const idx: number[] = [];
  for (let k = 0; k < c.total; k++) if (c.alpha[k] !== null && c.trainLoss[k] !== null) idx.push(k);
  return idx.sort((p, q) => (c.alpha[p] as number) - (c.alpha[q] as number));
}

/** Value of a series at α (exact grid value or linear interpolation between neighbours). */
export function valueAt(c: CurveData, series: (number | null)[], alpha: number): number | null {
  const order = curveOrder(c).filter((k) => series[k] !== null);
  for (let n = 0; n < order.length; n++) {
    const k = order[n];
    const a = c.alpha[k] as number;
    if (Math.abs(a - alpha) < 1e-9) return series[k];
    if (a > alpha) {
      if (n === 0) return null;
      const k0 = order[n - 1];
      const a0 = c.alpha[k0] as number;
      const t = (alpha - a0) / (a - a0);
      return (series[k0] as number) * (1 - t) + (series[k] as number) * t;
    }
  }
  return null;
}
