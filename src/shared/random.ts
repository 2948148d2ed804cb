/** Seeded pseudo-random numbers (mulberry32): every random choice of the engine goes through here. */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = (seed >>> 0) || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, rng: Rng): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Standard normal samples (Box–Muller). */
export function fillGaussian(out: Float32Array, rng: Rng): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const u = Math.max(rng(), 1e-12), v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * Runs `fn` with Math.random replaced by a seeded generator (mulberry32(seed·7919 + salt)), so
 * TF.js initializers (which seed themselves from Math.random when no seed is given) and dropout
 * are reproducible. The previous Math.random is back when `fn` (or its promise) ends.
 */
export function withSeededMathRandom<T>(seed: number, fn: () => T, salt = 17): T {
  const original = Math.random;
  Math.random = mulberry32(seed * 7919 + salt);
  try {
    const r = fn();
    if (r instanceof Promise) return r.finally(() => { Math.random = original; }) as T;
    Math.random = original;
    return r;
  } catch (e) {
    Math.random = original;
    throw e;
  }
}

/** One standard normal sample (Box–Muller, the cosine half). */
export function gaussian(rng: Rng): number {
  const u = Math.max(rng(), 1e-12), v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A chi-square sample with `k` ≥ 0 degrees of freedom: 2·Gamma(k/2), by Marsaglia & Tsang
 * (2000) (shape < 1 boosted by U^(1/shape)); 0 for k = 0.
 */
export function chiSquare(k: number, rng: Rng): number {
  if (!(k > 0)) return 0;
  let shape = k / 2, boost = 1;
  if (shape < 1) { boost = Math.pow(Math.max(rng(), 1e-300), 1 / shape); shape += 1; }
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = gaussian(rng);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = Math.max(rng(), 1e-300);
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return 2 * d * v * boost;
  }
}
