/** A perceptually uniform colormap (viridis stops) and a log colour scale. No DOM. */

// Viridis (van der Walt & Smith, matplotlib), 9 evenly spaced stops: dark purple → blue → green → yellow.
// Monotone in lightness, so it reads the same on light and dark backgrounds and in grey scale.
const VIRIDIS: [number, number, number][] = [
  [0x44, 0x01, 0x54], [0x47, 0x2c, 0x7a], [0x3b, 0x51, 0x8b], [0x2c, 0x71, 0x8e], [0x21, 0x90, 0x8d],
  [0x27, 0xad, 0x81], [0x5c, 0xc8, 0x63], [0xaa, 0xdc, 0x32], [0xfd, 0xe7, 0x25],
];

/** t in [0,1] → [r, g, b] (0..255). */
export function viridis(t: number): [number, number, number] {
  if (!Number.isFinite(t)) t = 0;
  t = Math.min(1, Math.max(0, t));
  const x = t * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - k;
  const c0 = VIRIDIS[k], c1 = VIRIDIS[k + 1];
  return [
    Math.round(c0[0] + (c1[0] - c0[0]) * f),
    Math.round(c0[1] + (c1[1] - c0[1]) * f),
    Math.round(c0[2] + (c1[2] - c0[2]) * f),
  ];
}

export function viridisCss(t: number): string {
  const [r, g, b] = viridis(t);
  return `rgb(${r}, ${g}, ${b})`;
}

export interface ColorScale {
  log: boolean;
  lo: number;
  hi: number;
  /** value → t in [0,1] */
  t(v: number): number;
  /** t → value */
  inv(t: number): number;
}

/** A colour scale over the finite values given; logarithmic when all are > 0 and `log` is asked. */
export function colorScale(values: Iterable<number | null>, log = true): ColorScale | null {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (log && v <= 0) { log = false; }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) return null;
  if (log && lo <= 0) log = false;
  if (hi === lo) { hi = log ? lo * 1.01 : lo + 1e-6; }
  if (log) {
    const l0 = Math.log10(lo), l1 = Math.log10(hi);
    return { log, lo, hi, t: (v) => (Math.log10(Math.max(v, lo * 1e-6)) - l0) / (l1 - l0), inv: (t) => Math.pow(10, l0 + t * (l1 - l0)) };
  }
  return { log, lo, hi, t: (v) => (v - lo) / (hi - lo), inv: (t) => lo + t * (hi - lo) };
}
