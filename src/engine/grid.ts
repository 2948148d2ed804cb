/** Grids of the probes: evenly spaced values, and the α grid that always holds 0 and 1. */

/** n evenly spaced values from lo to hi (both included). */
export function linspace(lo: number, hi: number, n: number): number[] {
  if (n < 2) return [lo];
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** α grid: n points over [lo, hi] plus 0 and 1 exactly (the endpoints), sorted. */
export function alphaGrid(lo: number, hi: number, n: number): number[] {
  const a = linspace(lo, hi, n);
  for (const e of [0, 1]) if (!a.some((v) => Math.abs(v - e) < 1e-9)) a.push(e);
  return a.map((v) => (Math.abs(v) < 1e-12 ? 0 : Math.abs(v - 1) < 1e-12 ? 1 : v)).sort((p, q) => p - q);
}
