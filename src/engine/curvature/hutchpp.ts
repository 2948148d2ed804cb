/**
 * The trace of a symmetric operator from its products, to a requested relative standard error.
 *
 * Hutchinson: tr(A) ≈ mean of gᵀAg over Rademacher g (entries ±1).
 * Hutch++ (Meyer, Musco, Musco & Woodruff 2021): an orthonormal basis Q of a sketch of A's range
 * takes the top of the spectrum exactly, tr(A) = tr(QᵀAQ) + tr((I − QQᵀ)A(I − QQᵀ)), and Hutchinson
 * estimates only the deflated rest, with g' = (I − QQᵀ)g: unbiased for any Q drawn independently of
 * the g's, and far less variance when a few eigenvalues dominate (a trained network's outliers).
 * The sketch is either the classic one (Q = orth(A·S), S Rademacher n × k: 2k products) or a Lanczos
 * basis already at hand (the top-eigenvalue run: QᵀAQ = T, tr = Σαᵢ, no product at all).
 *
 * Both draw samples until the standard error of the estimate s/√m is at most `relError` · |estimate|
 * (at least `minSamples`, at most `maxSamples`); when n ≤ maxSamples the trace is taken exactly
 * from the n products with the unit vectors instead.
 */
import type { SymOp } from '../lanczos';
import { orthogonalize } from '../lanczos';
import { mulberry32 } from '../../shared/random';

export type TraceMethod = 'hutch++' | 'hutchinson';

/** A sketch already at hand: orthonormal rows (m × n, Float64, row-major) and tr(QᵀAQ). */
export interface TraceSketch {
  rows: Float64Array;
  count: number;
  trace: number;
}

export interface TraceOptions {
  method?: TraceMethod;
  /** Target relative standard error (default 0.01). */
  relError?: number;
  minSamples?: number;
  maxSamples?: number;
  /** hutch++ without a given sketch: its size k (default 10). */
  sketchSize?: number;
  sketch?: TraceSketch;
  seed?: number;
  onStep?: (done: number) => void | Promise<void>;
}

export interface TraceResult {
  /** The estimate and its standard error (0 when exact). */
  trace: number;
  se: number;
  method: TraceMethod;
  exact: boolean;
  /** The standard error reached the target (always true when exact). */
  reached: boolean;
  /** Operator products used (the sketch's included when it cost products). */
  products: number;
  /** Hutchinson samples drawn (of the deflated operator for hutch++). */
  samples: number;
  /** hutch++: tr(QᵀAQ) and the sketch's dimension. */
  lowRank?: number;
  sketchSize?: number;
}

function rademacher(n: number, rng: () => number): Float32Array {
  const z = new Float32Array(n);
  for (let i = 0; i < n; i++) z[i] = rng() < 0.5 ? -1 : 1;
  return z;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The classic Hutch++ sketch: Q = orth(A·S), S Rademacher n × k, and tr(QᵀAQ) (2k products). */
async function classicSketch(op: SymOp, n: number, k: number, rng: () => number, count: () => Promise<void>): Promise<TraceSketch> {
  const rows = new Float64Array(k * n);
  const basis: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const y = new Float64Array(await op(rademacher(n, rng)));
    await count();
    orthogonalize(y, basis, rows.subarray(0, basis.length * n));
    const ny = Math.sqrt(dot(y, y));
    if (!(ny > 1e-10)) continue; // A·S has rank < k
    const row = rows.subarray(basis.length * n, (basis.length + 1) * n);
    for (let i = 0; i < n; i++) row[i] = y[i] / ny;
    basis.push(row);
  }
  let trace = 0;
  for (const q of basis) {
    trace += dot(q, await op(new Float32Array(q)));
    await count();
  }
  return { rows: rows.slice(0, basis.length * n), count: basis.length, trace };
}

/** tr(A) by Hutch++ (default) or Hutchinson, to `relError` (see the file comment). */
export async function traceEstimate(op: SymOp, n: number, opts: TraceOptions = {}): Promise<TraceResult> {
  const method = opts.method ?? 'hutch++';
  const relError = opts.relError ?? 0.01;
  const minSamples = Math.max(2, opts.minSamples ?? 10);
  const maxSamples = Math.max(minSamples, opts.maxSamples ?? 100);
  let products = 0;
  const count = async () => { products++; await opts.onStep?.(products); };
  if (method === 'hutch++' && opts.sketch && opts.sketch.count >= n) {
    // the sketch spans everything (a Lanczos run on a small operator): tr = tr(QᵀAQ)
    return { trace: opts.sketch.trace, se: 0, method, exact: true, reached: true, products: 0, samples: 0, lowRank: opts.sketch.trace, sketchSize: n };
  }
  if (n <= maxSamples) {
    let tr = 0;
    for (let i = 0; i < n; i++) {
      const e = new Float32Array(n); e[i] = 1;
      tr += (await op(e))[i];
      await count();
    }
    return { trace: tr, se: 0, method, exact: true, reached: true, products, samples: 0 };
  }
  const rng = mulberry32((opts.seed ?? 1) * 40503 + 977);
  const sketch = method === 'hutchinson' ? undefined
    : opts.sketch ?? await classicSketch(op, n, Math.min(n, opts.sketchSize ?? 10), rng, count);
  const q: Float64Array[] = [];
  if (sketch) for (let j = 0; j < sketch.count; j++) q.push(sketch.rows.subarray(j * n, (j + 1) * n));
  const low = sketch?.trace ?? 0;
  let sum = 0, sumSq = 0, m = 0, se = Infinity;
  while (m < maxSamples) {
    const g64 = new Float64Array(rademacher(n, rng));
    if (q.length) orthogonalize(g64, q, sketch!.rows.subarray(0, q.length * n));
    const g = new Float32Array(g64);
    const s = dot(g, await op(g));
    await count();
    m++; sum += s; sumSq += s * s;
    if (m >= 2) {
      const mean = sum / m;
      se = Math.sqrt(Math.max(0, (sumSq - m * mean * mean) / (m - 1)) / m);
      if (m >= minSamples && se <= relError * Math.abs(low + mean)) break;
    }
  }
  const trace = low + sum / m;
  return {
    trace, se, method, exact: false, reached: se <= relError * Math.abs(trace), products, samples: m,
    ...(sketch ? { lowRank: low, sketchSize: sketch.count } : {}),
  };
}
