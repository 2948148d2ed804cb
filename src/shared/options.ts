/**
 * One validation of probe options for every place they come from: the CLI's flags, the
 * `lossLandscape.*` settings, a definition's `probe: {...}` / `survey: {...}` and a runner
 * request. Same rules and the same wording everywhere; only the name of the field changes
 * (`--grid`, `lossLandscape.grid`, `probe.grid`). Imports types only.
 */
import type { AnalysisKind, AnyProbeOptions, BackendName, CurvatureOperatorKind, DirectionsKind, TraceMethodKind } from '../protocol';

export type OptionSource = 'cli' | 'settings' | 'definition' | 'request';

export const ANALYSES: readonly AnalysisKind[] = ['interpolate', 'plane', 'survey', 'compare', 'curvature', 'connect', 'instability'];
export const DIRECTIONS: readonly DirectionsKind[] = ['goodfellow', 'random', 'pca', 'hessian'];
export const BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'node', 'webgpu', 'auto'];
export const BN_MODES = ['interpolate', 'recompute', 'both'] as const;
export const OPERATORS: readonly CurvatureOperatorKind[] = ['hessian', 'ggn'];
export const TRACE_METHODS: readonly TraceMethodKind[] = ['hutch++', 'hutchinson'];
export const ALIGN_MODES = ['weights', 'activations', 'none'] as const;

/** A spawn point of the instability analysis: epoch `value`, or step `value` (written with a suffix s). */
export interface SpawnPoint { label: string; unit: 'epoch' | 'step'; value: number }

/** '0,1,2,5,10' or '0,100s,1' → the spawn points in the order given; a string: what is wrong. */
export function parseSpawn(text: string): SpawnPoint[] | string {
  const parts = text.split(',').map((x) => x.trim());
  const out: SpawnPoint[] = [];
  for (const p of parts) {
    const m = /^(\d+)(s?)$/.exec(p);
    if (!m) return `'${p}' is not an epoch (e.g. 2) or a step with a suffix s (e.g. 100s)`;
    out.push({ label: p, unit: m[2] ? 'step' : 'epoch', value: Number(m[1]) });
  }
  return out;
}

/** Hard limits: beyond them a probe is a typo, not a plan (the cost estimate catches the rest). */
export const LIMITS = {
  points: { min: 2, max: 100_001 },
  grid: { min: 2, max: 1_001 },
  examples: { min: 0, max: Number.MAX_SAFE_INTEGER },
  k: { min: 1, max: 100 },
  runs: { min: 1, max: 10_000 },
  seed2: { min: 0, max: 2 ** 31 - 1 },
} as const;

type Field = keyof AnyProbeOptions;

/** How a field is called where the user wrote it. */
export function optionName(field: Field, source: OptionSource): string {
  if (source === 'cli') {
    const flags: Partial<Record<Field, string>> = { alphaRange: '--alpha', fastFirstLayer: '--no-fast', saveWeights: '--save-weights', blas: '--no-blas',
      traceMethod: '--trace-method', traceError: '--trace-error' };
    return flags[field] ?? `--${field}`;
  }
  if (source === 'settings') {
    const keys: Partial<Record<Field, string>> = { runs: 'surveyRuns', k: 'curvatureK', bn: 'batchNorm', operator: 'curvatureOperator', traceMethod: 'curvatureTraceMethod', traceError: 'curvatureTraceError' };
    return `lossLandscape.${keys[field] ?? field}`;
  }
  if (source === 'definition') return `${field === 'runs' || field === 'tolerance' ? 'survey' : 'probe'}.${field}`;
  return `options.${field}`;
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v));

/** One message per bad field (empty: all good). Unknown fields are ignored. */
export function validateOptions(o: Partial<Record<Field, unknown>>, source: OptionSource): string[] {
  const errors: string[] = [];
  const name = (f: Field) => optionName(f, source);
  const int = (f: keyof typeof LIMITS) => {
    const v = o[f];
    if (v === undefined) return;
    const { min, max } = LIMITS[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) errors.push(`${name(f)} needs an integer ≥ ${min} (got ${show(v)})`);
    else if (v > max) errors.push(`${name(f)} is at most ${max.toLocaleString('en-US')} (got ${v.toLocaleString('en-US')})`);
  };
  const oneOf = (f: Field, allowed: readonly string[]) => {
    const v = o[f];
    if (v !== undefined && !allowed.includes(v as string)) errors.push(`${name(f)} must be one of ${allowed.join(', ')} (got ${show(v)})`);
  };
  if (source !== 'definition') oneOf('analysis', ANALYSES);
  oneOf('directions', DIRECTIONS);
  oneOf('backend', BACKENDS);
  oneOf('bn', BN_MODES);
  oneOf('operator', OPERATORS);
  oneOf('traceMethod', TRACE_METHODS);
  const te = o.traceError;
  if (te !== undefined && !(typeof te === 'number' && te > 0 && te <= 1)) errors.push(`${name('traceError')} needs a relative error in (0, 1] (got ${show(te)})`);
  oneOf('align', ALIGN_MODES);
  if (o.spawn !== undefined) {
    const sp = typeof o.spawn === 'string' && o.spawn.trim() ? parseSpawn(o.spawn) : 'an empty list';
    if (typeof sp === 'string') errors.push(`${name('spawn')} needs a comma list of epochs and steps, e.g. 0,1,2,5,10 or 0,100s,500s (${sp}; got ${show(o.spawn)})`);
  }
  int('points'); int('grid'); int('examples'); int('k'); int('runs'); int('seed2');
  const r = o.alphaRange;
  if (r !== undefined) {
    if (!Array.isArray(r) || r.length !== 2 || r.some((x) => typeof x !== 'number' || !Number.isFinite(x)) || !((r[0] as number) < (r[1] as number))) {
      errors.push(`${name('alphaRange')} needs LO,HI with LO < HI, both finite (got ${show(r)})`);
    } else if (Math.max(Math.abs(r[0] as number), Math.abs(r[1] as number)) > 1e6) {
      errors.push(`${name('alphaRange')} is too wide (|α| ≤ 1,000,000; got ${show(r)})`);
    }
  }
  const t = o.tolerance;
  if (t !== undefined && !(typeof t === 'number' && Number.isFinite(t) && t >= 0)) errors.push(`${name('tolerance')} needs a number ≥ 0 (got ${show(t)})`);
  for (const f of ['fastFirstLayer', 'blas'] as const) {
    if (o[f] !== undefined && typeof o[f] !== 'boolean') errors.push(`${name(f)} must be true or false (got ${show(o[f])})`);
  }
  if (o.saveWeights !== undefined && (typeof o.saveWeights !== 'string' || !o.saveWeights)) errors.push(`${name('saveWeights')} needs a folder (got ${show(o.saveWeights)})`);
  return errors;
}

/** A definition's `probe` and `survey` blocks, as option fields (for `validateOptions(…, 'definition')`). */
export function definitionOptions(config: { probe?: object; survey?: { runs?: unknown; tolerance?: unknown } }): Partial<Record<Field, unknown>> {
  const o: Partial<Record<Field, unknown>> = { ...(config.probe ?? {}) };
  if (config.survey?.runs !== undefined) o.runs = config.survey.runs;
  if (config.survey?.tolerance !== undefined) o.tolerance = config.survey.tolerance;
  return o;
}

/** Options that failed `validateOptions`; `source` says where they were written. */
export class OptionsError extends Error {
  constructor(readonly errors: string[], readonly source: OptionSource) {
    super(errors.join('; '));
    this.name = 'OptionsError';
  }
}

/** Throws an OptionsError listing every bad field of `o`. */
export function assertValidOptions(o: Partial<Record<Field, unknown>>, source: OptionSource): void {
  const errors = validateOptions(o, source);
  if (errors.length) throw new OptionsError(errors, source);
}
