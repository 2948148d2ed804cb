/** Number / text formatting shared by the panel and the report. No DOM here. */

/** Compact number: 3 significant digits, exponent form for very small / large magnitudes. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const ax = Math.abs(x);
  if (ax >= 1e5 || ax < 1e-3) return x.toExponential(Math.max(0, digits - 1)).replace('e+', 'e');
  const s = x.toPrecision(digits);
  // drop trailing zeros of the fraction ("0.500" → "0.5", "2.00" → "2")
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/** Fixed significant digits, trailing zeros kept (for aligned table columns). */
export function fmtSig(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return fmt(x);
  const ax = Math.abs(x);
  if (ax !== 0 && (ax >= 1e5 || ax < 1e-3)) return x.toExponential(digits - 1).replace('e+', 'e');
  return x.toPrecision(digits);
}

/** Axis tick label: like fmt but keeps at most 4 significant digits and no trailing zeros. */
export function fmtTick(x: number): string {
  // (float noise of generated ticks, e.g. 5.6e-17 for 0; real tick values this small are not drawn)
  if (Math.abs(x) < 1e-15) return '0';
  const ax = Math.abs(x);
  // Exponent form without padding zeros: 1e-4, 2.5e-7 (not 1.000e-4).
  if (ax < 1e-3 || ax >= 1e5) return x.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return fmt(x, 4);
}

export function fmtPct(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return `${(x * 100).toFixed(x >= 0.9995 ? 1 : x >= 0.1 ? 1 : 2)}%`;
}

export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60), r = Math.round(s - m * 60);
  if (m < 60) return `${m}:${String(r).padStart(2, '0')} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m - h * 60).padStart(2, '0')} min`;
}

export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

export function basename(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] || file;
}

/** Evenly spaced "nice" ticks covering [lo, hi] (about `count` of them). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const out: number[] = [];
  const start = Math.ceil(lo / step - 1e-9) * step;
  for (let v = start; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : +v.toPrecision(12));
  return out;
}

/**
 * Ticks for a logarithmic axis over [lo, hi] (both > 0): decades when the range spans several,
 * 1-2-5 (or finer) sub-decade ticks otherwise, linear nice ticks when the range is very narrow.
 */
export function logTicks(lo: number, hi: number, maxTicks = 7, minTicks = 4): number[] {
  if (!(lo > 0) || !(hi > 0)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  const span = Math.log10(hi / lo);
  if (span < 0.3) return niceTicks(lo, hi, 4);
  const sets = [[1], [1, 3], [1, 2, 5], [1, 1.5, 2, 3, 5, 7]];
  let best: number[] = [];
  for (const mult of sets) {
    const ticks: number[] = [];
    for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
      for (const m of mult) {
        const v = +(m * Math.pow(10, e)).toPrecision(6);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
      }
    }
    if (ticks.length > maxTicks) break;
    best = ticks;
    if (ticks.length >= minTicks) break;
  }
  if (!best.length) {
    // More decades than ticks (e.g. 1e-13 … 5): every k-th decade, the top one included.
    const e0 = Math.ceil(Math.log10(lo) - 1e-9), e1 = Math.floor(Math.log10(hi) + 1e-9);
    const k = Math.ceil((e1 - e0 + 1) / maxTicks);
    for (let e = e1; e >= e0; e -= k) best.unshift(+Math.pow(10, e).toPrecision(6));
  }
  if (best.length < 2) return niceTicks(lo, hi, 4).filter((v) => v > 0);
  return best;
}
