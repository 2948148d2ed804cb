/**
 * Plane view drawing layers on a 2-D canvas, bottom to top: cells (heatmap), isolines, paths,
 * markers, highlight, axes, colour bar, legend entries. Stateless functions of the plane, its
 * geometry (plane-geometry.ts) and the theme; the view (plane-view.ts) calls them in order.
 */
import { drawRich } from './canvas-text';
import { viridisCss, type ColorScale } from './colormap';
import { fmtTick, niceTicks } from './format';
import { drawFinalMarker, drawInitMarker } from './glyphs';
import { colorbarTicks, directionLabels, drawOrder, presentFraction, type Cell, type ContourLine, type PlaneGeom, type RunPath } from './plane-geometry';
import type { PlaneData } from './state';
import { withAlpha, type Theme } from './theme';

export interface LegendItem { kind: 'traj' | 'walk' | 'other' | 'init' | 'final' | 'extra' | 'contour' | 'run'; label: string; color?: string }

/** What the markers need of the view's spec: the labels of θ₀ / θ_T and the extra points. */
export interface PlaneMarkerSpec {
  initLabel: string;
  finalLabel: string;
  extra?(p: PlaneData): { a: number; b: number; label: string }[];
}

/** The viridis colour of a loss value, or null for a missing / non-finite one. */
export function colorOf(scale: ColorScale | null, v: number | null): string | null {
  if (v === null || !Number.isFinite(v) || !scale) return null;
  return viridisCss(scale.t(v));
}

/** The heatmap: one rectangle per evaluated cell in the viridis colour of its loss (edges snapped to device pixels). */
export function drawCells(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom, dpr: number, theme: Theme, scale: ColorScale | null): void {
  const t = theme;
  c2.save();
  c2.fillStyle = withAlpha(t.fg, 0.07);
  c2.fillRect(g.plot.x, g.plot.y, g.plot.w, g.plot.h);
  // Snap cell edges to device pixels so neighbouring cells do not leave hairline seams.
  const snap = (v: number) => Math.round(v * dpr) / dpr;
  for (let i = 0; i < p.b.length; i++) {
    for (let j = 0; j < p.a.length; j++) {
      const col = colorOf(scale, p.loss[i]?.[j] ?? null);
      if (!col) continue;
      const r = g.cell(i, j);
      const x0 = snap(r.x), y0 = snap(r.y), x1 = snap(r.x + r.w), y1 = snap(r.y + r.h);
      c2.fillStyle = col;
      c2.fillRect(x0, y0, x1 - x0, y1 - y0);
    }
  }
  c2.restore();
}
/** The isolines (plane-geometry.ts contourLines), clipped to the evaluated cells, dark on light colours and light on dark ones. */
export function drawContours(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom, theme: Theme, s: ColorScale | null, lines: ContourLine[]): void {
  if (!s || !lines.length) return;
  const t = theme;
  c2.save();
  // Clip to the hull of the cell centres: outside it d3-contour's padded boundary bends the lines.
  const x0 = g.xOf(Math.min(p.a[0], p.a[p.a.length - 1])), x1 = g.xOf(Math.max(p.a[0], p.a[p.a.length - 1]));
  const y0 = g.yOf(Math.max(p.b[0], p.b[p.b.length - 1])), y1 = g.yOf(Math.min(p.b[0], p.b[p.b.length - 1]));
  c2.beginPath();
  c2.rect(x0, y0, x1 - x0, y1 - y0);
  c2.clip();
  if (presentFraction(p) < 1) {
    const clip = new Path2D();
    for (let i = 0; i < p.b.length; i++) for (let j = 0; j < p.a.length; j++) {
      if (p.loss[i]?.[j] === null) continue;
      const r = g.cell(i, j);
      clip.rect(r.x, r.y, r.w, r.h);
    }
    c2.clip(clip);
  }
  c2.lineWidth = t.hc ? 2 : 1;
  c2.lineJoin = 'round';
  const inside = (a: number, b: number) => a > g.aEdges[0] + 1e-9 && a < g.aEdges[g.aEdges.length - 1] - 1e-9 && b > g.bEdges[0] + 1e-9 && b < g.bEdges[g.bEdges.length - 1] - 1e-9;
  for (const line of lines) {
    const tt = s.t(line.level);
    c2.strokeStyle = tt > 0.62 ? 'rgba(0, 0, 0, 0.55)' : 'rgba(255, 255, 255, 0.6)';
    c2.beginPath();
    for (const ring of line.rings) {
      // Skip the ring's segments on the outer boundary of the grid (they are not isolines).
      let pen = false;
      for (let k = 0; k < ring.length; k++) {
        const [a, b] = ring[k];
        const prev = ring[k === 0 ? ring.length - 1 : k - 1];
        const onEdge = !inside(a, b) && !inside(prev[0], prev[1]);
        const x = g.xOf(a), y = g.yOf(b);
        if (!pen || onEdge) c2.moveTo(x, y); else c2.lineTo(x, y);
        pen = true;
      }
    }
    c2.stroke();
  }
  c2.restore();
}
function polyline(c2: CanvasRenderingContext2D, g: PlaneGeom, a: number[], b: number[]): void {
  c2.beginPath();
  for (let k = 0; k < a.length; k++) {
    const x = g.xOf(a[k]), y = g.yOf(b[k]);
    if (k === 0) c2.moveTo(x, y); else c2.lineTo(x, y);
  }
}
/** Colours and width of the paths: the trajectory, its halo, the random walk, the other path. */
export function trajStyle(theme: Theme) {
  const t = theme;
  // other: the survey's best run, light green (its counterpart in the histogram / table is "not stuck").
  return { color: t.red, halo: 'rgba(0, 0, 0, 0.55)', walk: '#ffffff', other: '#7cf29a', lw: 2 * t.lw };
}
/** The random-walk control, then the run paths (compare) or the other path and the trajectory with its dots. */
export function drawPaths(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom, theme: Theme, runs: RunPath[] | undefined): void {
  const st = trajStyle(theme);
  c2.save();
  c2.beginPath();
  c2.rect(g.plot.x, g.plot.y, g.plot.w, g.plot.h);
  c2.clip();
  c2.lineJoin = 'round';
  c2.lineCap = 'round';
  const rw = p.randomWalk;
  if (rw?.a?.length) {
    polyline(c2, g, rw.a, rw.b);
    c2.setLineDash([]);
    c2.strokeStyle = st.halo; c2.lineWidth = st.lw + 2; c2.stroke();
    c2.setLineDash([6, 4]);
    c2.strokeStyle = st.walk; c2.lineWidth = st.lw * 0.8; c2.stroke();
    c2.setLineDash([]);
  }
  if (runs) {
    // Run 0 (the plane's own trajectory) last, on top.
    for (const r of drawOrder(runs)) {
      if (!r.a.length) continue;
      const lw = r.top ? st.lw * 1.4 : st.lw;
      polyline(c2, g, r.a, r.b);
      c2.strokeStyle = r.faded ? 'rgba(0, 0, 0, 0.3)' : st.halo; c2.lineWidth = lw + 2; c2.stroke();
      c2.strokeStyle = r.faded ? withAlpha(r.color, 0.45) : r.color; c2.lineWidth = lw; c2.stroke();
    }
    c2.restore();
    return;
  }
  // The other path with small squares, then the trajectory with dots (at most ~40 of each).
  const dotted = (path: { a: number[]; b: number[] } | undefined, color: string, dot: (x: number, y: number) => void) => {
    if (!path?.a?.length) return;
    polyline(c2, g, path.a, path.b);
    c2.strokeStyle = st.halo; c2.lineWidth = st.lw + 2; c2.stroke();
    c2.strokeStyle = color; c2.lineWidth = st.lw; c2.stroke();
    const n = path.a.length;
    const every = Math.max(1, Math.ceil(n / 40));
    for (let k = 0; k < n; k += every) dot(g.xOf(path.a[k]), g.yOf(path.b[k]));
  };
  dotted(p.otherPath, st.other, (x, y) => otherDot(c2, theme, x, y));
  dotted(p.trajectory, st.color, (x, y) => {
    c2.beginPath();
    c2.arc(x, y, 2.4 * (theme.hc ? 1.3 : 1), 0, Math.PI * 2);
    c2.fillStyle = st.color; c2.fill();
    c2.lineWidth = 1; c2.strokeStyle = st.halo; c2.stroke();
  });
  c2.restore();
}
/** A point of the other path: a small square (the trajectory's are dots). */
function otherDot(c2: CanvasRenderingContext2D, theme: Theme, x: number, y: number): void {
  const st = trajStyle(theme);
  const h = 2.2 * (theme.hc ? 1.3 : 1);
  c2.beginPath();
  c2.rect(x - h, y - h, 2 * h, 2 * h);
  c2.fillStyle = st.other; c2.fill();
  c2.lineWidth = 1; c2.strokeStyle = st.halo; c2.stroke();
}
/** θ₀ and θ_T (or each run's θ_T) and the spec's extra points, labelled on the side away from the path. */
export function drawMarkers(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom, fs: number, theme: Theme, spec: PlaneMarkerSpec, runs: RunPath[] | undefined): void {
  const r = 5;
  c2.save();
  c2.beginPath();
  c2.rect(g.plot.x - r - 2, g.plot.y - r - 2, g.plot.w + 2 * r + 4, g.plot.h + 2 * r + 4);
  c2.clip();
  c2.font = `600 ${fs}px ${theme.fontFamily}`;
  c2.fillStyle = '#ffffff';
  c2.textBaseline = 'middle';
  const label = (text: string, x: number, y: number, below: boolean) => {
    c2.textAlign = x > g.plot.x + g.plot.w - 70 ? 'right' : x < g.plot.x + 40 ? 'left' : 'center';
    drawRich(c2, text, x, y + (below ? r + fs * 0.8 : -(r + fs * 0.8)), 'rgba(0, 0, 0, 0.75)', 3);
  };
  const [ia, ib] = p.init, [fa, fb] = p.final;
  const ix = g.xOf(ia), iy = g.yOf(ib), fx = g.xOf(fa), fy = g.yOf(fb);
  if (runs) {
    // Each run's θ_T: a star of its colour (the legend names them); θ₀ is shared.
    for (const rp of drawOrder(runs)) if (rp.a.length) drawFinalMarker(c2, g.xOf(rp.a[rp.a.length - 1]), g.yOf(rp.b[rp.b.length - 1]), r, rp.color);
    drawInitMarker(c2, ix, iy, r);
    const tr0 = runs[0];
    const below0 = tr0 && tr0.b.length > 1 ? Math.sign(g.yOf(tr0.b[Math.min(tr0.b.length - 1, 3)]) - iy) < 0 : false;
    label(spec.initLabel, ix, iy, below0 || iy < g.plot.y + fs * 2.5);
    c2.restore();
    return;
  }
  drawInitMarker(c2, ix, iy, r);
  drawFinalMarker(c2, fx, fy, r);
  // Put the labels on the side away from the trajectory's start / end direction.
  const tr = p.trajectory;
  const dirAt = (k0: number, k1: number) => (tr?.b?.length > 1 ? Math.sign(g.yOf(tr.b[k1]) - g.yOf(tr.b[k0])) : 0);
  const n = tr?.b?.length ?? 0;
  const initBelow = n > 1 ? dirAt(0, Math.min(n - 1, 3)) < 0 : false;
  const finalBelow = n > 1 ? dirAt(n - 1, Math.max(0, n - 4)) < 0 : true;
  label(spec.initLabel, ix, iy, initBelow || iy < g.plot.y + fs * 2.5);
  label(spec.finalLabel, fx, fy, finalBelow || fy < g.plot.y + fs * 2.5);
  const op = p.otherPath;
  for (const x of spec.extra?.(p) ?? []) {
    const ex = g.xOf(x.a), ey = g.yOf(x.b);
    drawFinalMarker(c2, ex, ey, r, trajStyle(theme).other);
    c2.fillStyle = '#ffffff';
    const m = op?.b?.length ?? 0;
    // Like θ_T's label: on the side the path does not come from.
    const below = m > 1 ? Math.sign(g.yOf(op!.b[Math.max(0, m - 4)]) - g.yOf(op!.b[m - 1])) < 0 : false;
    label(x.label, ex, ey, below || ey < g.plot.y + fs * 2.5);
  }
  c2.restore();
}
/** The pinned cell (focus colour) and the hovered one (white), outlined. */
export function drawHighlight(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom, theme: Theme, selected: Cell | undefined, hover: Cell | undefined): void {
  const t = theme;
  const draw = (cell: [number, number] | undefined, color: string, w: number) => {
    if (!cell || cell[0] >= p.b.length || cell[1] >= p.a.length) return;
    const r = g.cell(cell[0], cell[1]);
    c2.save();
    c2.lineWidth = w + 2; c2.strokeStyle = 'rgba(0,0,0,0.6)';
    c2.strokeRect(r.x, r.y, r.w, r.h);
    c2.lineWidth = w; c2.strokeStyle = color;
    c2.strokeRect(r.x, r.y, r.w, r.h);
    c2.restore();
  };
  draw(selected, t.focus, 2);
  draw(hover, '#ffffff', 1.5);
}
/** Plot frame, a / b ticks and the axis titles (the directions). */
export function drawAxes(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom, fs: number, theme: Theme): void {
  const t = theme;
  const { plot } = g;
  const lab = directionLabels(p.directions);
  c2.save();
  c2.strokeStyle = t.hc ? t.fg : withAlpha(t.fg, 0.5);
  c2.lineWidth = t.lw;
  c2.strokeRect(plot.x - 0.5, plot.y - 0.5, plot.w + 1, plot.h + 1);
  c2.fillStyle = t.fg;
  c2.font = `${fs}px ${t.fontFamily}`;
  // a ticks
  const aLo = g.aEdges[0], aHi = g.aEdges[g.aEdges.length - 1];
  const bLo = g.bEdges[0], bHi = g.bEdges[g.bEdges.length - 1];
  const maxATicks = Math.max(2, Math.floor(plot.w / 55));
  c2.textAlign = 'center';
  c2.textBaseline = 'top';
  for (const v of niceTicks(p.a[0], p.a[p.a.length - 1], Math.min(5, maxATicks)).filter((v) => v >= aLo && v <= aHi)) {
    const x = Math.round(g.xOf(v)) + 0.5;
    c2.beginPath(); c2.moveTo(x, plot.y + plot.h); c2.lineTo(x, plot.y + plot.h + 4); c2.stroke();
    c2.fillText(fmtTick(v), x, plot.y + plot.h + 6);
  }
  c2.textAlign = 'right';
  c2.textBaseline = 'middle';
  const maxBTicks = Math.max(2, Math.floor(plot.h / 35));
  for (const v of niceTicks(p.b[0], p.b[p.b.length - 1], Math.min(5, maxBTicks)).filter((v) => v >= bLo && v <= bHi)) {
    const y = Math.round(g.yOf(v)) + 0.5;
    c2.beginPath(); c2.moveTo(plot.x - 4, y); c2.lineTo(plot.x, y); c2.stroke();
    c2.fillText(fmtTick(v), plot.x - 6, y);
  }
  // axis titles
  c2.textAlign = 'center';
  c2.textBaseline = 'top';
  drawRich(c2, lab.a, plot.x + plot.w / 2, plot.y + plot.h + fs + 10);
  c2.save();
  c2.translate(fs * 0.2 + 2, plot.y + plot.h / 2);
  c2.rotate(-Math.PI / 2);
  c2.textBaseline = 'top';
  drawRich(c2, lab.b, 0, 0);
  c2.restore();
  c2.restore();
}
/** The colour bar with its ticks (lines across at the contour levels) and its rotated title. */
export function drawColorbar(c2: CanvasRenderingContext2D, g: PlaneGeom, fs: number, theme: Theme, s: ColorScale | null): void {
  if (!s) return;
  const t = theme;
  const cb = g.colorbar;
  const grad = c2.createLinearGradient(0, cb.y + cb.h, 0, cb.y);
  for (let k = 0; k <= 16; k++) grad.addColorStop(k / 16, viridisCss(k / 16));
  c2.save();
  c2.fillStyle = grad;
  c2.fillRect(cb.x, cb.y, cb.w, cb.h);
  c2.strokeStyle = t.hc ? t.fg : withAlpha(t.fg, 0.5);
  c2.lineWidth = t.lw;
  c2.strokeRect(cb.x - 0.5, cb.y - 0.5, cb.w + 1, cb.h + 1);
  c2.fillStyle = t.fg;
  c2.font = `${fs}px ${t.fontFamily}`;
  c2.textAlign = 'left';
  c2.textBaseline = 'middle';
  let lastY = Infinity;
  for (const v of colorbarTicks(s)) {
    const y = cb.y + cb.h - s.t(v) * cb.h;
    if (y < cb.y - 0.5 || y > cb.y + cb.h + 0.5) continue;
    c2.beginPath();
    c2.moveTo(cb.x + cb.w, Math.round(y) + 0.5); c2.lineTo(cb.x + cb.w + 4, Math.round(y) + 0.5);
    c2.stroke();
    c2.beginPath();
    c2.moveTo(cb.x, Math.round(y) + 0.5); c2.lineTo(cb.x + cb.w, Math.round(y) + 0.5);
    c2.strokeStyle = s.t(v) > 0.62 ? 'rgba(0,0,0,0.5)' : 'rgba(255,255,255,0.6)';
    c2.stroke();
    c2.strokeStyle = t.hc ? t.fg : withAlpha(t.fg, 0.5);
    if (Math.abs(lastY - y) < fs) continue;
    c2.fillText(fmtTick(v), cb.x + cb.w + 6, y);
    lastY = y;
  }
  // title, rotated, outside the labels
  const labelW = Math.max(...colorbarTicks(s).map((v) => c2.measureText(fmtTick(v)).width), 20);
  c2.translate(Math.min(g.width - 2, cb.x + cb.w + 6 + labelW + 6 + fs), cb.y + cb.h / 2);
  c2.rotate(-Math.PI / 2);
  c2.textAlign = 'center';
  c2.textBaseline = 'bottom';
  c2.fillText(`train loss${s.log ? ' (log scale)' : ''}`, 0, 0);
  c2.restore();
}
/** One legend entry: its swatch (as drawn on the map) and its label. */
export function drawLegendItem(c2: CanvasRenderingContext2D, theme: Theme, item: LegendItem, x: number, y: number, sw: number, fs: number): void {
  const t = theme;
  const st = trajStyle(theme);
  c2.save();
  c2.lineCap = 'round';
  switch (item.kind) {
    case 'traj':
      c2.beginPath(); c2.moveTo(x + 1, y); c2.lineTo(x + sw - 1, y);
      c2.strokeStyle = st.halo; c2.lineWidth = st.lw + 2; c2.stroke();
      c2.strokeStyle = st.color; c2.lineWidth = st.lw; c2.stroke();
      c2.beginPath(); c2.arc(x + sw / 2, y, 2.4, 0, Math.PI * 2); c2.fillStyle = st.color; c2.fill();
      c2.lineWidth = 1; c2.strokeStyle = st.halo; c2.stroke();
      break;
    case 'walk':
      c2.beginPath(); c2.moveTo(x + 1, y); c2.lineTo(x + sw - 1, y);
      c2.strokeStyle = st.halo; c2.lineWidth = st.lw + 2; c2.stroke();
      c2.setLineDash([6, 4]); c2.strokeStyle = st.walk; c2.lineWidth = st.lw * 0.8; c2.stroke();
      break;
    case 'init': drawInitMarker(c2, x + sw / 2, y, 5); break;
    case 'final': drawFinalMarker(c2, x + sw / 2, y, 5); break;
    case 'extra': drawFinalMarker(c2, x + sw / 2, y, 5, st.other); break;
    case 'other':
      c2.beginPath(); c2.moveTo(x + 1, y); c2.lineTo(x + sw - 1, y);
      c2.strokeStyle = st.halo; c2.lineWidth = st.lw + 2; c2.stroke();
      c2.strokeStyle = st.other; c2.lineWidth = st.lw; c2.stroke();
      otherDot(c2, theme, x + sw / 2, y);
      break;
    case 'run':
      c2.beginPath(); c2.moveTo(x + 1, y); c2.lineTo(x + sw - 1, y);
      c2.strokeStyle = st.halo; c2.lineWidth = st.lw + 2; c2.stroke();
      c2.strokeStyle = item.color ?? st.color; c2.lineWidth = st.lw; c2.stroke();
      drawFinalMarker(c2, x + sw - 5, y, 4, item.color ?? st.color);
      break;
    case 'contour':
      c2.fillStyle = viridisCss(0.35);
      c2.fillRect(x, y - 6, sw, 12);
      c2.beginPath(); c2.moveTo(x, y + 2); c2.bezierCurveTo(x + sw / 3, y - 6, x + (2 * sw) / 3, y + 6, x + sw, y - 2);
      c2.strokeStyle = 'rgba(255,255,255,0.7)'; c2.lineWidth = t.hc ? 2 : 1; c2.stroke();
      break;
  }
  c2.fillStyle = t.fg;
  c2.font = `${fs}px ${t.fontFamily}`;
  c2.textAlign = 'left';
  c2.textBaseline = 'middle';
  drawRich(c2, item.label, x + sw + 6, y);
  c2.restore();
}