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
