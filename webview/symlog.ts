/**
 * Symmetric log transform (linear within ±c, logarithmic beyond) for axes that hold values of both
 * signs over several decades: Hessian eigenvalues (λ_max ~ 10, λ_min ~ −0.01). Chart.js has no
 * symlog scale, so the charts plot y' = symlog(y) on a linear axis and label the ticks with y.
 * No DOM here.
 */
export interface Symlog {
  c: number;
  f(y: number): number;
  inv(v: number): number;
  /** Tick positions (in transformed units) with their labels' values: 0, ±c·10^k, within [lo, hi] (transformed). */
  ticks(lo: number, hi: number): number[];
}

/** A symlog whose linear range c is the decade below the smallest non-zero |value| (bounded to 1e-6 of the largest). */
export function symlogFor(values: number[]): Symlog {
  const abs = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  const max = abs.length ? Math.max(...abs) : 1;
  const min = abs.length ? Math.min(...abs) : 1;
  const c = Math.pow(10, Math.floor(Math.log10(Math.max(min, max * 1e-6))));
  return symlog(c);
}

export function symlog(c: number): Symlog {
  const f = (y: number) => Math.sign(y) * Math.log10(1 + Math.abs(y) / c);
  const inv = (v: number) => Math.sign(v) * c * (Math.pow(10, Math.abs(v)) - 1);
  return {
    c, f, inv,
    ticks(lo, hi) {
      // 0, then decades c·10^k, then 5·and 2·c·10^k, each kept when it is at least a ninth of
      // the axis away from the ticks already kept (no crowding next to 0, sub-decade ticks when
      // the axis spans few decades).
      const minGap = (hi - lo) / 9;
      const out: number[] = [];
      const tryAdd = (t: number) => {
        if (t < lo - 1e-9 || t > hi + 1e-9) return;
        if (out.every((u) => Math.abs(u - t) >= minGap - 1e-9)) out.push(t);
      };
      tryAdd(0);
      const reach = Math.max(Math.abs(lo), Math.abs(hi));
      for (const mult of [1, 5, 2]) {
        for (let k = 0; k < 40; k++) {
          const t = f(mult * c * Math.pow(10, k));
          if (t > reach + 1e-9) break;
          tryAdd(t); tryAdd(-t);
        }
      }
      return out.sort((p, q) => p - q);
    },
  };
}

/** Tick label of a symlog axis: 3 significant digits, exponents without padding (1e-4, 2e-5, −0.1). */
export function fmtSym(v: number): string {
  if (v === 0) return '0';
  const r = Number(v.toPrecision(3));
  const a = Math.abs(r);
  const s = a >= 1e4 || a < 1e-3 ? r.toExponential().replace('e+', 'e') : String(r);
  return s.replace('-', '−');
}
