/**
 * Plane view geometry, pure (no DOM, unit-tested in test/unit/webview-plane-geometry.test.ts):
 * cell edges and the grid → canvas mapping, the canvas layout, colour-bar ticks and contour lines
 * (d3-contour over the grid, missing cells filled), pointer → cell and arrow keys → cell, the
 * read-out text, legend rows and the drawing order of run paths.
 */
import { contours as d3contours } from 'd3-contour';
import type { ColorScale } from './colormap';
import { fmt, fmtTick, logTicks, niceTicks } from './format';
import type { PlaneData } from './state';

/** Layout of the canvas, in CSS pixels. */
export interface PlaneGeom {
  width: number;
  height: number;
  plot: { x: number; y: number; w: number; h: number };
  colorbar: { x: number; y: number; w: number; h: number };
  /** Cell edges along a (na + 1 values, increasing) and b (nb + 1 values, increasing). */
  aEdges: number[];
  bEdges: number[];
  xOf(a: number): number;
  yOf(b: number): number;
  /** Cell rectangle of grid point (i, j) in CSS px. */
  cell(i: number, j: number): { x: number; y: number; w: number; h: number };
  legendTop: number;
}

/** A grid cell [i (row, b), j (column, a)]. */
export type Cell = [number, number];

/** A coloured path of its own (compare: one per run) with its end marked by a star of its colour. */
export interface RunPath { a: number[]; b: number[]; label: string; color: string; top?: boolean; faded?: boolean }

/** Drawing order of run paths: run 0 (the plane's own) on top, unless one is selected (`top`). */
export function drawOrder(runs: RunPath[]): RunPath[] {
  const out = runs.slice().reverse();
  const k = out.findIndex((r) => r.top);
  if (k >= 0) out.push(...out.splice(k, 1));
  return out;
}

/** Cell edges of grid coordinates v (midpoints, the ends extended by half a step). */
export function edges(v: number[]): number[] {
  const n = v.length;
  if (n === 1) return [v[0] - 0.5, v[0] + 0.5];
  const e = [v[0] - (v[1] - v[0]) / 2];
  for (let k = 0; k < n - 1; k++) e.push((v[k] + v[k + 1]) / 2);
  e.push(v[n - 1] + (v[n - 1] - v[n - 2]) / 2);
  return e;
}

/** Fractional grid index → coordinate (linear inside, extrapolated at the ends). */
export function coordAt(v: number[], f: number): number {
  const n = v.length;
  if (n === 1) return v[0] + f;
  if (f <= 0) return v[0] + f * (v[1] - v[0]);
  if (f >= n - 1) return v[n - 1] + (f - n + 1) * (v[n - 1] - v[n - 2]);
  const k = Math.floor(f);
  return v[k] + (f - k) * (v[k + 1] - v[k]);
}

/** Index of the cell whose extent contains x (edges increasing), or -1. */
export function cellIndex(e: number[], x: number): number {
  if (x < e[0] || x > e[e.length - 1]) return -1;
  for (let k = 0; k < e.length - 1; k++) if (x <= e[k + 1]) return k;
  return e.length - 2;
}

export function directionLabels(kind: PlaneData['directions']): { a: string; b: string; u: string } {
  switch (kind) {
    case 'goodfellow': return { a: 'a  (along u = θ_T − θ₀)', b: 'b  (along v ⟂ u)', u: 'u = θ_T − θ₀' };
    case 'pca': return { a: 'a  (along u = PC 1 of the trajectory)', b: 'b  (along v = PC 2)', u: 'u = PC 1' };
    case 'hessian': return { a: 'a  (along u = top Hessian eigenvector at θ_T)', b: 'b  (along v = 2nd eigenvector)', u: 'u = v₁ of the Hessian' };
    case 'survey': return { a: 'a  (toward θ_T stuck)', b: 'b  (toward θ_T best)', u: 'u = θ_T stuck − θ₀ stuck' };
    default: return { a: 'a  (along random direction u)', b: 'b  (along random direction v)', u: 'u random' };
  }
}

/** Ticks of the colour bar (1-2-5 decades on a log scale); the contour levels are those inside the range. */
export function colorbarTicks(s: ColorScale): number[] {
  return s.log ? logTicks(s.lo, s.hi, 10, 6) : niceTicks(s.lo, s.hi, 7);
}

/** Font size of the map's labels for a canvas `width` CSS px wide. */
export function planeFontSize(fontSize: number, width: number): number {
  return Math.round(fontSize * (width < 420 ? 0.8 : 0.85));
}

/**
 * The canvas layout for plane `p` at `width` CSS px: the plot (square cells when they fit, at most
 * `viewportHeight` × 0.72 tall), the colour bar right of it, the legend's top. `measure` gives a
 * text's width at font size `fs`; `height` is left 0 (it depends on the legend rows).
 */
export function planeLayout(p: PlaneData, width: number, fs: number, measure: (s: string) => number,
  scale: ColorScale | null, viewportHeight = 800): PlaneGeom {
  const small = width < 420;
  const cbTicks = scale ? colorbarTicks(scale) : [];
  const cbLabelW = Math.max(24, ...cbTicks.map((v) => measure(fmtTick(v))));
  const bTicks = niceTicks(p.b[0], p.b[p.b.length - 1], 5);
  const bLabelW = Math.max(18, ...bTicks.map((v) => measure(fmtTick(v))));
  const left = Math.round(fs + 8 + bLabelW + 8);
  const cbW = small ? 10 : 14, cbGap = small ? 10 : 16;
  const right = Math.round(cbGap + cbW + 5 + cbLabelW + 6 + fs + 4);
  const top = Math.round(fs * 0.6) + 2;
  const plotW = Math.max(60, width - left - right);
  const aE = edges(p.a), bE = edges(p.b);
  const ascA = p.a[p.a.length - 1] >= p.a[0], ascB = p.b[p.b.length - 1] >= p.b[0];
  const aEdges = ascA ? aE : aE.slice().reverse(), bEdges = ascB ? bE : bE.slice().reverse();
  // a grows to the right and b upwards whatever the grid's order (cellAtPoint assumes so too).
  const aLo = aEdges[0], bLo = bEdges[0];
  const spanA = aEdges[aEdges.length - 1] - aLo, spanB = bEdges[bEdges.length - 1] - bLo;
  const maxH = Math.max(160, viewportHeight * 0.72);
  // Square cells when they fit; otherwise as tall as allowed.
  const plotH = Math.round(Math.min(maxH, plotW * (p.b.length / p.a.length), plotW * 1.2));
  const plot = { x: left, y: top, w: plotW, h: plotH };
  const xOf = (a: number) => plot.x + ((a - aLo) / spanA) * plot.w;
  const yOf = (b: number) => plot.y + plot.h - ((b - bLo) / spanB) * plot.h;
  const cell = (i: number, j: number) => {
    const a0 = aE[j], a1 = aE[j + 1], b0 = bE[i], b1 = bE[i + 1];
    const x0 = xOf(Math.min(a0, a1)), x1 = xOf(Math.max(a0, a1));
    const y0 = yOf(Math.max(b0, b1)), y1 = yOf(Math.min(b0, b1));
    return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  };
  const legendTop = plot.y + plot.h + fs + 6 + fs + 10;
  return {
    width, height: 0, plot, colorbar: { x: plot.x + plot.w + cbGap, y: plot.y, w: cbW, h: plot.h },
    aEdges, bEdges, xOf, yOf, cell, legendTop,
  };
}

/** The grid cell under canvas point (x, y) in CSS px, or undefined outside the plot. */
export function cellAtPoint(g: PlaneGeom, p: PlaneData, x: number, y: number): Cell | undefined {
  if (x < g.plot.x || x > g.plot.x + g.plot.w || y < g.plot.y || y > g.plot.y + g.plot.h) return undefined;
  const aE = g.aEdges, bE = g.bEdges;
  const a = aE[0] + ((x - g.plot.x) / g.plot.w) * (aE[aE.length - 1] - aE[0]);
  const b = bE[0] + ((g.plot.y + g.plot.h - y) / g.plot.h) * (bE[bE.length - 1] - bE[0]);
  // Map back to grid indices (grids may be given in decreasing order).
  const jj = cellIndex(aE, a), ii = cellIndex(bE, b);
  if (jj < 0 || ii < 0) return undefined;
  const j = p.a[p.a.length - 1] >= p.a[0] ? jj : p.a.length - 1 - jj;
  const i = p.b[p.b.length - 1] >= p.b[0] ? ii : p.b.length - 1 - ii;
  return [i, j];
}

/**
 * The selection after an arrow key (moving on screen: right = larger a when the grid ascends),
 * starting from `cur` or the middle cell; 'clear' for Escape, undefined for other keys.
 */
export function stepSelection(p: PlaneData, cur: Cell | undefined, key: string): Cell | 'clear' | undefined {
  let [i, j] = cur ?? [Math.floor(p.b.length / 2), Math.floor(p.a.length / 2)];
  const ascB = p.b[p.b.length - 1] >= p.b[0], ascA = p.a[p.a.length - 1] >= p.a[0];
  switch (key) {
    case 'ArrowLeft': j += ascA ? -1 : 1; break;
    case 'ArrowRight': j += ascA ? 1 : -1; break;
    case 'ArrowUp': i += ascB ? 1 : -1; break;
    case 'ArrowDown': i += ascB ? -1 : 1; break;
    case 'Escape': return 'clear';
    default: return undefined;
  }
  return [Math.max(0, Math.min(p.b.length - 1, i)), Math.max(0, Math.min(p.a.length - 1, j))];
}

/** Read-out of a cell: "a = …, b = …: loss … (test …)". */
export function cellText(p: PlaneData, i: number, j: number): string {
  const v = p.loss[i]?.[j];
  const tv = p.testLoss?.[i]?.[j];
  let s = `a = ${fmt(p.a[j])}, b = ${fmt(p.b[i])}: loss ${v === null || v === undefined ? 'not yet evaluated' : fmt(v, 4)}`;
  if (tv !== undefined) s += ` (test ${fmt(tv, 4)})`;
  return s;
}

/** Fraction of the grid evaluated (finite values). */
export function presentFraction(p: PlaneData): number {
  let n = 0;
  for (const row of p.loss) for (const v of row) if (v !== null && Number.isFinite(v)) n++;
  return n / Math.max(1, p.a.length * p.b.length);
}

/** Lowest and highest evaluated loss with their cells, and how many cells are evaluated. */
export function lossExtremes(p: PlaneData): { n: number; min: number; max: number; argMin: Cell; argMax: Cell } {
  let min = Infinity, max = -Infinity, n = 0;
  let argMin: Cell = [0, 0], argMax: Cell = [0, 0];
  p.loss.forEach((row, i) => row.forEach((v, j) => {
    if (v === null || !Number.isFinite(v)) return;
    n++;
    if (v < min) { min = v; argMin = [i, j]; }
    if (v > max) { max = v; argMax = [i, j]; }
  }));
  return { n, min, max, argMin, argMax };
}

export interface ContourLine { level: number; rings: [number, number][][] }

/**
 * Isolines at the colour-bar ticks inside the scale's range, as rings in plane coordinates (a, b).
 * None until half of the grid is evaluated or when it is smaller than 3 × 3. Missing cells take the
 * value of a nearest present cell (multi-source BFS, O(cells)); the drawing is clipped to the
 * present cells, so the filled values only keep the lines continuous.
 */
export function contourLines(p: PlaneData, s: ColorScale): ContourLine[] {
  if (presentFraction(p) < 0.5 || p.a.length < 3 || p.b.length < 3) return [];
  const na = p.a.length, nb = p.b.length;
  const f = (v: number) => (s.log ? Math.log10(v) : v);
  const vals = new Float64Array(na * nb).fill(NaN);
  const queue: number[] = [];
  for (let i = 0; i < nb; i++) for (let j = 0; j < na; j++) {
    const v = p.loss[i]?.[j];
    if (v !== null && v !== undefined && Number.isFinite(v) && (!s.log || v > 0)) { vals[i * na + j] = f(v); queue.push(i * na + j); }
  }
  for (let q = 0; q < queue.length; q++) {
    const k = queue[q], i = Math.floor(k / na), j = k - i * na;
    for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
      const ii = i + di, jj = j + dj;
      if (ii < 0 || ii >= nb || jj < 0 || jj >= na) continue;
      const kk = ii * na + jj;
      if (Number.isNaN(vals[kk])) { vals[kk] = vals[k]; queue.push(kk); }
    }
  }
  const levels = colorbarTicks(s).filter((v) => v > s.lo && v < s.hi);
  const gen = d3contours().size([na, nb]).thresholds(levels.map(f));
  const polys = gen(Array.from(vals));
  return polys.map((mp, k) => ({
    level: levels[k],
    rings: mp.coordinates.flatMap((poly) => poly.map((ring) => ring.map(([px, py]) => [coordAt(p.a, px - 0.5), coordAt(p.b, py - 0.5)] as [number, number]))),
  }));
}

/** Legend rows that fit `maxX`, starting at x0 (continuation rows start at min(x0, 8)); `width` of an item's label. */
export function legendRows<T extends { label: string }>(items: T[], x0: number, maxX: number, sw: number, width: (label: string) => number): { item: T; x: number }[][] {
  const gapItem = 16;
  const rows: { item: T; x: number }[][] = [[]];
  let x = x0;
  for (const item of items) {
    const w = sw + 6 + width(item.label);
    if (x + w > maxX && rows[rows.length - 1].length) { rows.push([]); x = Math.min(x0, 8); }
    rows[rows.length - 1].push({ item, x });
    x += w + gapItem;
  }
  return rows;
}
