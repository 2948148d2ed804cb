/**
 * Plane view: heatmap of J(θ_c + a·u + b·v) on a canvas (columns a, rows b), log colour scale with a
 * colour bar, d3-contour isolines, the SGD trajectory and the random-walk control, θ₀ / θ_T markers,
 * axes, legend, hover / click / keyboard read-out. Redrawn on resize (ResizeObserver).
 */
import { contours as d3contours } from 'd3-contour';
import { drawRich, measureRich, plainText } from './canvas-text';
import { colorScale, viridis, viridisCss, type ColorScale } from './colormap';
import { el, type Child } from './dom';
import { drawFinalMarker, drawInitMarker } from './glyphs';
import { fmt, fmtInt, fmtTick, logTicks, niceTicks } from './format';
import type { PlaneData, RunModel } from './state';
import { Surface3D, type SurfaceMarker, type SurfacePath } from './surface-3d';
import { withAlpha } from './theme';
import type { PngSection } from './exporter';
import type { AnalysisView, PlaneMode, ViewContext } from './view';

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

interface LegendItem { kind: 'traj' | 'walk' | 'other' | 'init' | 'final' | 'extra' | 'contour' | 'run'; label: string; color?: string }

/** A coloured path of its own (compare: one per run) with its end marked by a star of its colour. */
export interface RunPath { a: number[]; b: number[]; label: string; color: string; top?: boolean; faded?: boolean }

/** Drawing order of run paths: run 0 (the plane's own) on top, unless one is selected (`top`). */
function drawOrder(runs: RunPath[]): RunPath[] {
  const out = runs.slice().reverse();
  const k = out.findIndex((r) => r.top);
  if (k >= 0) out.push(...out.splice(k, 1));
  return out;
}

/** Width from which "auto" shows the contour map and the 3-D surface side by side. */
const SIDE_BY_SIDE = 2 * 360 + 14;

/** What the view shows: which plane of the model, and how its points and paths are named. */
export interface PlaneSpec {
  heading: () => Child[];
  ariaLabel: string;
  plane(m: RunModel): PlaneData | undefined;
  /** Labels (canvas rich text) of the θ₀ and θ_T markers and of the trajectory. */
  initLabel: string;
  finalLabel: string;
  trajLabel(m: RunModel | undefined): string;
  pathsTitle: string;
  /** More labelled points (drawn as stars in the other path's colour), e.g. the survey's θ_T best at (0, 1). */
  extra?(p: PlaneData): { a: number; b: number; label: string }[];
  /** Replaces the first part of the line under the plot (directions and norms). */
  meta?(p: PlaneData): string;
  /** Text while there is no plane yet. */
  waiting(m: RunModel | undefined): string;
  /** Paths drawn instead of the trajectory and the other path, each in its colour (compare: every run's). */
  runPaths?(m: RunModel | undefined, p: PlaneData): RunPath[];
}

/** The plane of the run (analysis 'plane'). */
export const mainPlaneSpec: PlaneSpec = {
  heading: () => ['Loss plane ', el('span', { class: 'll-formula' }, 'J(θ + a·u + b·v)')],
  ariaLabel: 'Loss plane',
  plane: (m) => m.plane,
  initLabel: 'θ₀ init',
  finalLabel: 'θ_T final',
  trajLabel: () => 'SGD trajectory',
  pathsTitle: 'SGD trajectory and random-walk control',
  waiting: (m) => (m?.status === 'training' || m?.status === 'loading' ? 'The plane is probed once training is done…' : 'No plane yet.'),
};

function edges(v: number[]): number[] {
  const n = v.length;
  if (n === 1) return [v[0] - 0.5, v[0] + 0.5];
  const e = [v[0] - (v[1] - v[0]) / 2];
  for (let k = 0; k < n - 1; k++) e.push((v[k] + v[k + 1]) / 2);
  e.push(v[n - 1] + (v[n - 1] - v[n - 2]) / 2);
  return e;
}

/** Fractional grid index → coordinate (linear inside, extrapolated at the ends). */
function coordAt(v: number[], f: number): number {
  const n = v.length;
  if (n === 1) return v[0] + f;
  if (f <= 0) return v[0] + f * (v[1] - v[0]);
  if (f >= n - 1) return v[n - 1] + (f - n + 1) * (v[n - 1] - v[n - 2]);
  const k = Math.floor(f);
  return v[k] + (f - k) * (v[k + 1] - v[k]);
}

/** Index of the cell whose extent contains x (edges increasing), or -1. */
function cellIndex(e: number[], x: number): number {
  if (x < e[0] || x > e[e.length - 1]) return -1;
  for (let k = 0; k < e.length - 1; k++) if (x <= e[k + 1]) return k;
  return e.length - 2;
}

export function directionLabels(kind: PlaneData['directions']): { a: string; b: string; u: string } {
  switch (kind) {
    case 'goodfellow': return { a: 'a  (along u = θ_T − θ₀)', b: 'b  (along v ⟂ u)', u: 'u = θ_T − θ₀' };
    case 'pca': return { a: 'a  (along u = PC 1 of the trajectory)', b: 'b  (along v = PC 2)', u: 'u = PC 1' };
    case 'survey': return { a: 'a  (toward θ_T stuck)', b: 'b  (toward θ_T best)', u: 'u = θ_T stuck − θ₀ stuck' };
    default: return { a: 'a  (along random direction u)', b: 'b  (along random direction v)', u: 'u random' };
  }
}

export class PlaneView implements AnalysisView {
  readonly el: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private wrap: HTMLElement;
  private tip: HTMLElement;
  private info: HTMLElement;
  private meta: HTMLElement;
  private boxes: Record<'planeLog' | 'contours' | 'paths', HTMLElement & { checked: boolean }>;
  private ro: ResizeObserver;
  private views: HTMLElement;
  private wrap3d: HTMLElement;
  private tip3d: HTMLElement;
  private hint3d: HTMLElement;
  private modeButtons: Record<PlaneMode, HTMLButtonElement>;
  /** The 3-D surface (drawn when the mode shows it). */
  readonly surface: Surface3D;
  private model?: RunModel;
  private lastKey = '';
  private hover?: [number, number];
  private scale: ColorScale | null = null;
  private contourCache?: { key: string; lines: { level: number; rings: [number, number][][] }[] };
  geom?: PlaneGeom;
  private frame = 0;

  constructor(private ctx: ViewContext, readonly spec: PlaneSpec = mainPlaneSpec) {
    this.canvas = el('canvas', { class: 'll-plane-canvas', role: 'img', tabindex: '0', 'aria-label': 'Loss plane heatmap (no data yet)' });
    this.tip = el('div', { class: 'll-tip', 'aria-hidden': 'true' });
    this.tip.hidden = true;
    this.wrap = el('div', { class: 'll-plane-wrap' }, this.canvas, this.tip);
    this.surface = new Surface3D({
      onHover: (cell, at) => this.onSurfaceHover(cell, at),
      onClick: (cell) => this.toggleSelected(cell),
      onKey: (e) => this.onKey(e),
    });
    this.tip3d = el('div', { class: 'll-tip', 'aria-hidden': 'true' });
    this.tip3d.hidden = true;
    this.hint3d = el('div', { class: 'll-surface-hint ll-muted' }, 'Drag (or Shift+arrow keys) to rotate · wheel to zoom · double-click to reset · the point under the pointer is marked on the contour map too');
    this.wrap3d = el('div', { class: 'll-plane-wrap ll-surface-wrap' }, this.surface.canvas, this.tip3d, this.hint3d);
    this.views = el('div', { class: 'll-plane-views' }, this.wrap, this.wrap3d);
    const modeBtn = (mode: PlaneMode, label: string, title: string) => {
      const b = el('button', { type: 'button', class: 'll-seg-btn', title, 'aria-pressed': 'false', 'data-mode': mode }, label);
      b.addEventListener('click', () => { ctx.ui.planeMode = mode; ctx.saveUi(); this.draw(); });
      return b;
    };
    this.modeButtons = {
      '2d': modeBtn('2d', '2-D', 'Contour map'),
      '3d': modeBtn('3d', '3-D', 'Rotatable 3-D surface (drag to rotate, wheel to zoom)'),
      both: modeBtn('both', 'Both', 'Contour map and 3-D surface, side by side when the panel is wide'),
    };
    this.info = el('div', { class: 'll-point-info', 'aria-live': 'polite' }, '');
    this.meta = el('div', { class: 'll-plane-meta ll-muted' });
    const box = (key: 'planeLog' | 'contours' | 'paths', label: string, title: string) => {
      const b = el('vscode-checkbox', { label, title }) as HTMLElement & { checked: boolean };
      b.checked = ctx.ui[key];
      b.addEventListener('change', () => { ctx.ui[key] = !!b.checked; ctx.saveUi(); this.draw(); });
      return b;
    };
    this.boxes = {
      planeLog: box('planeLog', 'log colour', 'Logarithmic colour scale'),
      contours: box('contours', 'contours', 'Isolines at the colour-bar ticks'),
      paths: box('paths', 'paths', spec.pathsTitle),
    };
    this.el = el('section', { class: 'll-view ll-plane', 'aria-label': spec.ariaLabel },
      el('div', { class: 'll-view-head' },
        el('h2', {}, ...spec.heading()),
        el('div', { class: 'll-view-tools' },
          el('div', { class: 'll-seg', role: 'group', 'aria-label': 'Contour map or 3-D surface' },
            this.modeButtons['2d'], this.modeButtons['3d'], this.modeButtons.both),
          this.boxes.planeLog, this.boxes.contours, this.boxes.paths)),
      this.views, this.info, this.meta);

    this.ro = new ResizeObserver(() => this.schedule());
    this.ro.observe(this.views);
    this.canvas.addEventListener('mousemove', (e) => this.onMove(e));
    this.canvas.addEventListener('mouseleave', () => { this.hover = undefined; this.tip.hidden = true; this.drawHighlight3(); this.renderInfo(); });
    this.canvas.addEventListener('click', (e) => this.toggleSelected(this.cellAt(e)));
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** Pin a cell (click on either view); clicking the pinned cell again unpins it. */
  private toggleSelected(c: [number, number] | undefined): void {
    this.ctx.ui.selectedCell = c && !(this.ctx.ui.selectedCell?.[0] === c[0] && this.ctx.ui.selectedCell?.[1] === c[1]) ? c : undefined;
    this.ctx.saveUi();
    this.drawHighlight3();
    this.renderInfo();
  }

  /**
   * Hover / selection changed: the map is redrawn (cheap), the 3-D surface only repaints its
   * highlight over the kept picture (a 201×201 surface takes tens of ms to draw).
   */
  private drawHighlight3(): void {
    this.draw2d();
    if (!this.wrap3d.hidden) this.surface.setHighlight(this.hover, this.ctx.ui.selectedCell);
  }

  /** The 2-D / 3-D / both choice; "auto" (nothing chosen): both when the view is wide enough. */
  mode(): PlaneMode {
    const m = this.ctx.ui.planeMode;
    if (m === '2d' || m === '3d' || m === 'both') return m;
    return (this.views.clientWidth || 0) >= SIDE_BY_SIDE ? 'both' : '2d';
  }

  /** The cell highlighted on both views (hover on either). */
  hoverCell(): [number, number] | undefined { return this.hover; }

  private onSurfaceHover(cell: [number, number] | undefined, at?: { x: number; y: number }): void {
    const p = this.data();
    if (cell && p && at) {
      this.tip3d.textContent = this.cellText(p, cell[0], cell[1]);
      this.tip3d.hidden = false;
      const w = this.surface.canvas.clientWidth;
      const tw = this.tip3d.offsetWidth, th = this.tip3d.offsetHeight;
      this.tip3d.style.left = `${Math.max(0, Math.min(w - tw, at.x + 12))}px`;
      this.tip3d.style.top = `${at.y - th - 10 < 0 ? at.y + 16 : at.y - th - 10}px`;
    } else this.tip3d.hidden = true;
    const same = cell && this.hover && cell[0] === this.hover[0] && cell[1] === this.hover[1];
    if (same || (!cell && !this.hover)) return;
    this.hover = cell;
    this.drawHighlight3();
    this.renderInfo();
  }

  canvases(): HTMLCanvasElement[] {
    return [this.wrap.hidden ? null : this.canvas, this.wrap3d.hidden ? null : this.surface.canvas].filter((c): c is HTMLCanvasElement => !!c);
  }

  sections(m: RunModel): PngSection[] {
    return [{ title: `Loss plane (${this.spec.plane(m)?.directions ?? 'goodfellow'} directions)`, canvases: this.canvases() }];
  }

  /** The plane shown (per the spec), if any. */
  data(): PlaneData | undefined { return this.model ? this.spec.plane(this.model) : undefined; }

  /** Drop the hover highlight before the canvas is copied into an export (the pinned cell stays). */
  prepareExport(): void {
    if (!this.hover) return;
    this.hover = undefined;
    this.tip.hidden = true;
    this.tip3d.hidden = true;
    this.draw();
  }

  destroy(): void { this.ro.disconnect(); cancelAnimationFrame(this.frame); this.surface.destroy(); this.el.remove(); }

  private schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  }

  update(m: RunModel, force = false): void {
    this.model = m;
    const key = `${m.rev}`;
    if (!force && key === this.lastKey) return;
    this.lastKey = key;
    this.draw();
    this.renderInfo();
    this.renderMeta();
  }

  applyTheme(): void { this.contourCache = undefined; this.draw(); }

  // ---- geometry ---------------------------------------------------------------------------

  private layout(p: PlaneData, width: number, ctx2d: CanvasRenderingContext2D): PlaneGeom {
    const t = this.ctx.theme;
    const small = width < 420;
    const fs = Math.round(t.fontSize * (small ? 0.8 : 0.85));
    ctx2d.font = `${fs}px ${t.fontFamily}`;
    const cbTicks = this.scale ? this.cbTicks(this.scale) : [];
    const cbLabelW = Math.max(24, ...cbTicks.map((v) => ctx2d.measureText(fmtTick(v)).width));
    const bTicks = niceTicks(p.b[0], p.b[p.b.length - 1], 5);
    const bLabelW = Math.max(18, ...bTicks.map((v) => ctx2d.measureText(fmtTick(v)).width));
    const left = Math.round(fs + 8 + bLabelW + 8);
    const cbW = small ? 10 : 14, cbGap = small ? 10 : 16;
    const right = Math.round(cbGap + cbW + 5 + cbLabelW + 6 + fs + 4);
    const top = Math.round(fs * 0.6) + 2;
    const plotW = Math.max(60, width - left - right);
    const aE = edges(p.a), bE = edges(p.b);
    const spanA = aE[aE.length - 1] - aE[0], spanB = bE[bE.length - 1] - bE[0];
    const maxH = Math.max(160, (typeof innerHeight === 'number' ? innerHeight : 800) * 0.72);
    // Square cells when they fit; otherwise as tall as allowed.
    const plotH = Math.round(Math.min(maxH, plotW * (p.b.length / p.a.length), plotW * 1.2));
    const plot = { x: left, y: top, w: plotW, h: plotH };
    const xOf = (a: number) => plot.x + ((a - aE[0]) / spanA) * plot.w;
    const yOf = (b: number) => plot.y + plot.h - ((b - bE[0]) / spanB) * plot.h;
    const ascA = p.a[p.a.length - 1] >= p.a[0], ascB = p.b[p.b.length - 1] >= p.b[0];
    const aEdges = ascA ? aE : aE.slice().reverse(), bEdges = ascB ? bE : bE.slice().reverse();
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

  private cbTicks(s: ColorScale): number[] {
    return s.log ? logTicks(s.lo, s.hi, 10, 6) : niceTicks(s.lo, s.hi, 7);
  }

  private legendItems(p: PlaneData): LegendItem[] {
    const items: LegendItem[] = [];
    const runs = this.spec.runPaths?.(this.model, p);
    if (this.ctx.ui.paths) {
      if (runs) for (const r of runs) items.push({ kind: 'run', label: r.label, color: r.color });
      else {
        if (p.trajectory?.a?.length) items.push({ kind: 'traj', label: this.spec.trajLabel(this.model) });
        if (p.otherPath?.a?.length) items.push({ kind: 'other', label: p.otherPath.label || 'other path' });
      }
      if (p.randomWalk?.a?.length) items.push({ kind: 'walk', label: 'random walk (control)' });
    }
    items.push({ kind: 'init', label: this.spec.initLabel });
    if (!runs) items.push({ kind: 'final', label: this.spec.finalLabel });
    for (const x of this.spec.extra?.(p) ?? []) items.push({ kind: 'extra', label: x.label });
    if (this.ctx.ui.contours && this.contourCache?.lines.length) items.push({ kind: 'contour', label: 'isolines at colour-bar ticks' });
    return items;
  }

  // ---- drawing ----------------------------------------------------------------------------

  draw(): void {
    const mode = this.mode();
    this.views.className = `ll-plane-views ll-mode-${mode}`;
    this.wrap.hidden = mode === '3d';
    this.wrap3d.hidden = mode === '2d';
    for (const [k, b] of Object.entries(this.modeButtons)) b.setAttribute('aria-pressed', String(k === mode));
    this.draw2d();
    if (mode !== '2d') this.draw3d();
  }

  /** Legend rows that fit `maxX`, starting at x0 (continuation rows start at min(x0, 8)). */
  private legendRows(c2: CanvasRenderingContext2D, items: LegendItem[], x0: number, maxX: number, sw: number): { item: LegendItem; x: number }[][] {
    const gapItem = 16;
    const rows: { item: LegendItem; x: number }[][] = [[]];
    let x = x0;
    for (const item of items) {
      const w = sw + 6 + measureRich(c2, item.label);
      if (x + w > maxX && rows[rows.length - 1].length) { rows.push([]); x = Math.min(x0, 8); }
      rows[rows.length - 1].push({ item, x });
      x += w + gapItem;
    }
    return rows;
  }

  private draw3d(): void {
    const p = this.data();
    const s = this.scale;
    const t = this.ctx.theme;
    const c2 = this.surface.canvas.getContext('2d');
    const width = Math.max(200, Math.floor(this.wrap3d.clientWidth || 500));
    if (!p || !s || !c2) {
      this.surface.canvas.width = 0;
      this.surface.canvas.style.height = '0px';
      return;
    }
    const fs = Math.round(t.fontSize * (width < 420 ? 0.8 : 0.85));
    c2.font = `${fs}px ${t.fontFamily}`;
    const sw = 26, rowH = fs + 8;
    const items = this.legendItems(p).filter((it) => it.kind !== 'walk' && it.kind !== 'contour');
    const rows = this.legendRows(c2, items, 10, width - 6, sw);
    const legendHeight = rows.length * rowH + 6;
    const sideBySide = this.mode() === 'both' && !this.wrap.hidden && Math.abs(this.wrap.offsetTop - this.wrap3d.offsetTop) < 2 && this.geom;
    const maxH = Math.max(220, (typeof innerHeight === 'number' ? innerHeight : 800) * 0.75);
    const height = sideBySide ? this.geom!.height : Math.round(Math.min(maxH, width * 0.7) + legendHeight);
    const st = this.trajStyle();
    const paths: SurfacePath[] = [];
    const markers: SurfaceMarker[] = [{ a: p.init[0], b: p.init[1], kind: 'init', label: this.spec.initLabel }];
    const runs = this.spec.runPaths?.(this.model, p);
    if (this.ctx.ui.paths) {
      if (runs) for (const r of drawOrder(runs)) paths.push({ a: r.a, b: r.b, color: r.faded ? withAlpha(r.color, 0.45) : r.color, halo: r.faded ? 'rgba(0, 0, 0, 0.3)' : st.halo, lw: r.top ? st.lw * 1.4 : st.lw });
      else {
        if (p.otherPath?.a?.length) paths.push({ a: p.otherPath.a, b: p.otherPath.b, color: st.other, halo: st.halo, lw: st.lw });
        if (p.trajectory?.a?.length) paths.push({ a: p.trajectory.a, b: p.trajectory.b, color: st.color, halo: st.halo, lw: st.lw });
      }
    }
    if (runs) for (const r of drawOrder(runs)) { if (r.a.length) markers.push({ a: r.a[r.a.length - 1], b: r.b[r.b.length - 1], kind: 'final', fill: r.color }); }
    else markers.push({ a: p.final[0], b: p.final[1], kind: 'final', label: this.spec.finalLabel });
    for (const x of this.spec.extra?.(p) ?? []) markers.push({ a: x.a, b: x.b, kind: 'final', fill: st.other, label: x.label });
    const aLo = Math.min(p.a[0], p.a[p.a.length - 1]), aHi = Math.max(p.a[0], p.a[p.a.length - 1]);
    const bLo = Math.min(p.b[0], p.b[p.b.length - 1]), bHi = Math.max(p.b[0], p.b[p.b.length - 1]);
    this.surface.render({
      p, scale: s, theme: t, paths, markers,
      highlight: this.hover, selected: this.ctx.ui.selectedCell,
      labels: { a: 'a', b: 'b', z: `train loss${s.log ? ' (log)' : ''}` },
      ticks: {
        a: niceTicks(aLo, aHi, 4).filter((v) => v >= aLo && v <= aHi),
        b: niceTicks(bLo, bHi, 4).filter((v) => v >= bLo && v <= bHi),
        z: this.cbTicks(s).filter((v) => v >= s.lo * (1 - 1e-9) && v <= s.hi * (1 + 1e-9)),
      },
      legendHeight,
      drawLegend: (cc, top) => rows.forEach((row, r) => {
        const y = top + r * rowH + rowH / 2;
        cc.font = `${fs}px ${t.fontFamily}`;
        for (const { item, x } of row) this.drawLegendItem(cc, item, x, y, sw, fs);
      }),
    }, width, height);
  }

  private draw2d(): void {
    const m = this.model;
    const p = this.data();
    const t = this.ctx.theme;
    const c2 = this.canvas.getContext('2d');
    if (!c2) return;
    const width = Math.max(200, Math.floor(this.wrap.clientWidth || 500));
    const dpr = Math.max(1, window.devicePixelRatio || 1);
    if (!p) {
      const h = 120;
      this.sizeCanvas(width, h, dpr);
      c2.setTransform(dpr, 0, 0, dpr, 0, 0);
      c2.clearRect(0, 0, width, h);
      c2.fillStyle = t.muted;
      c2.font = `${t.fontSize}px ${t.fontFamily}`;
      c2.textAlign = 'center';
      c2.textBaseline = 'middle';
      c2.fillText(this.spec.waiting(m), width / 2, h / 2);
      this.geom = undefined;
      return;
    }
    const log = this.ctx.ui.planeLog;
    this.scale = colorScale((function* () { for (const row of p.loss) yield* row; })(), log);
    const g = this.layout(p, width, c2);
    // legend layout (rows that fit the width)
    const fs = Math.round(t.fontSize * (width < 420 ? 0.8 : 0.85));
    c2.font = `${fs}px ${t.fontFamily}`;
    this.ensureContours(p);
    const items = this.legendItems(p);
    const sw = 26, rowH = fs + 8;
    const rows = this.legendRows(c2, items, g.plot.x, width - 6, sw);
    const height = Math.ceil(g.legendTop + rows.length * rowH + 4);
    g.height = height;
    this.geom = g;
    this.sizeCanvas(width, height, dpr);
    c2.setTransform(dpr, 0, 0, dpr, 0, 0);
    c2.clearRect(0, 0, width, height);
    c2.font = `${fs}px ${t.fontFamily}`;

    this.drawCells(c2, p, g, dpr);
    if (this.ctx.ui.contours) this.drawContours(c2, p, g);
    if (this.ctx.ui.paths) this.drawPaths(c2, p, g);
    this.drawMarkers(c2, p, g, fs);
    this.drawHighlight(c2, p, g);
    this.drawAxes(c2, p, g, fs);
    this.drawColorbar(c2, g, fs);
    // legend
    rows.forEach((row, r) => {
      const y = g.legendTop + r * rowH + rowH / 2;
      for (const { item, x: lx } of row) this.drawLegendItem(c2, item, lx, y, sw, fs);
    });
    this.canvas.setAttribute('aria-label', this.ariaText(p));
  }

  private sizeCanvas(w: number, h: number, dpr: number): void {
    const W = Math.round(w * dpr), H = Math.round(h * dpr);
    if (this.canvas.width !== W) this.canvas.width = W;
    if (this.canvas.height !== H) this.canvas.height = H;
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
  }

  private colorOf(v: number | null): string | null {
    if (v === null || !Number.isFinite(v) || !this.scale) return null;
    return viridisCss(this.scale.t(v));
  }

  private drawCells(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom, dpr: number): void {
    const t = this.ctx.theme;
    c2.save();
    c2.fillStyle = withAlpha(t.fg, 0.07);
    c2.fillRect(g.plot.x, g.plot.y, g.plot.w, g.plot.h);
    // Snap cell edges to device pixels so neighbouring cells do not leave hairline seams.
    const snap = (v: number) => Math.round(v * dpr) / dpr;
    for (let i = 0; i < p.b.length; i++) {
      for (let j = 0; j < p.a.length; j++) {
        const col = this.colorOf(p.loss[i]?.[j] ?? null);
        if (!col) continue;
        const r = g.cell(i, j);
        const x0 = snap(r.x), y0 = snap(r.y), x1 = snap(r.x + r.w), y1 = snap(r.y + r.h);
        c2.fillStyle = col;
        c2.fillRect(x0, y0, x1 - x0, y1 - y0);
      }
    }
    c2.restore();
  }

  private presentFraction(p: PlaneData): number {
    let n = 0;
    for (const row of p.loss) for (const v of row) if (v !== null && Number.isFinite(v)) n++;
    return n / Math.max(1, p.a.length * p.b.length);
  }

  private ensureContours(p: PlaneData): void {
    const s = this.scale;
    if (!s || !this.ctx.ui.contours) return;
    const frac = this.presentFraction(p);
    const key = `${this.model?.rev}|${s.log}|${s.lo}|${s.hi}|${p.a.length}x${p.b.length}`;
    if (this.contourCache?.key === key) return;
    if (frac < 0.5 || p.a.length < 3 || p.b.length < 3) { this.contourCache = { key, lines: [] }; return; }
    const na = p.a.length, nb = p.b.length;
    const f = (v: number) => (s.log ? Math.log10(v) : v);
    // Missing cells take the value of a nearest present cell (multi-source BFS, O(cells)); the drawing
    // is clipped to the present cells, so the filled values only keep the lines continuous.
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
    const levels = this.cbTicks(s).filter((v) => v > s.lo && v < s.hi);
    const gen = d3contours().size([na, nb]).thresholds(levels.map(f));
    const polys = gen(Array.from(vals));
    this.contourCache = {
      key,
      lines: polys.map((mp, k) => ({
        level: levels[k],
        rings: mp.coordinates.flatMap((poly) => poly.map((ring) => ring.map(([px, py]) => [coordAt(p.a, px - 0.5), coordAt(p.b, py - 0.5)] as [number, number]))),
      })),
    };
  }

  private drawContours(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom): void {
    const s = this.scale;
    if (!s || !this.contourCache?.lines.length) return;
    const t = this.ctx.theme;
    c2.save();
    // Clip to the hull of the cell centres: outside it d3-contour's padded boundary bends the lines.
    const x0 = g.xOf(Math.min(p.a[0], p.a[p.a.length - 1])), x1 = g.xOf(Math.max(p.a[0], p.a[p.a.length - 1]));
    const y0 = g.yOf(Math.max(p.b[0], p.b[p.b.length - 1])), y1 = g.yOf(Math.min(p.b[0], p.b[p.b.length - 1]));
    c2.beginPath();
    c2.rect(x0, y0, x1 - x0, y1 - y0);
    c2.clip();
    if (this.presentFraction(p) < 1) {
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
    for (const line of this.contourCache.lines) {
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

  private polyline(c2: CanvasRenderingContext2D, g: PlaneGeom, a: number[], b: number[]): void {
    c2.beginPath();
    for (let k = 0; k < a.length; k++) {
      const x = g.xOf(a[k]), y = g.yOf(b[k]);
      if (k === 0) c2.moveTo(x, y); else c2.lineTo(x, y);
    }
  }

  private trajStyle() {
    const t = this.ctx.theme;
    // other: the survey's best run, light green (its counterpart in the histogram / table is "not stuck").
    return { color: t.red, halo: 'rgba(0, 0, 0, 0.55)', walk: '#ffffff', other: '#7cf29a', lw: 2 * t.lw };
  }

  private drawPaths(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom): void {
    const st = this.trajStyle();
    c2.save();
    c2.beginPath();
    c2.rect(g.plot.x, g.plot.y, g.plot.w, g.plot.h);
    c2.clip();
    c2.lineJoin = 'round';
    c2.lineCap = 'round';
    const rw = p.randomWalk;
    if (rw?.a?.length) {
      this.polyline(c2, g, rw.a, rw.b);
      c2.setLineDash([]);
      c2.strokeStyle = st.halo; c2.lineWidth = st.lw + 2; c2.stroke();
      c2.setLineDash([6, 4]);
      c2.strokeStyle = st.walk; c2.lineWidth = st.lw * 0.8; c2.stroke();
      c2.setLineDash([]);
    }
    const runs = this.spec.runPaths?.(this.model, p);
    if (runs) {
      // Run 0 (the plane's own trajectory) last, on top.
      for (const r of drawOrder(runs)) {
        if (!r.a.length) continue;
        const lw = r.top ? st.lw * 1.4 : st.lw;
        this.polyline(c2, g, r.a, r.b);
        c2.strokeStyle = r.faded ? 'rgba(0, 0, 0, 0.3)' : st.halo; c2.lineWidth = lw + 2; c2.stroke();
        c2.strokeStyle = r.faded ? withAlpha(r.color, 0.45) : r.color; c2.lineWidth = lw; c2.stroke();
      }
      c2.restore();
      return;
    }
    const op = p.otherPath;
    if (op?.a?.length) {
      this.polyline(c2, g, op.a, op.b);
      c2.strokeStyle = st.halo; c2.lineWidth = st.lw + 2; c2.stroke();
      c2.strokeStyle = st.other; c2.lineWidth = st.lw; c2.stroke();
      const n = op.a.length;
      const every = Math.max(1, Math.ceil(n / 40));
      for (let k = 0; k < n; k += every) this.otherDot(c2, g.xOf(op.a[k]), g.yOf(op.b[k]));
    }
    const tr = p.trajectory;
    if (tr?.a?.length) {
      this.polyline(c2, g, tr.a, tr.b);
      c2.strokeStyle = st.halo; c2.lineWidth = st.lw + 2; c2.stroke();
      c2.strokeStyle = st.color; c2.lineWidth = st.lw; c2.stroke();
      const n = tr.a.length;
      const every = Math.max(1, Math.ceil(n / 40));
      for (let k = 0; k < n; k += every) {
        const x = g.xOf(tr.a[k]), y = g.yOf(tr.b[k]);
        c2.beginPath();
        c2.arc(x, y, 2.4 * (this.ctx.theme.hc ? 1.3 : 1), 0, Math.PI * 2);
        c2.fillStyle = st.color; c2.fill();
        c2.lineWidth = 1; c2.strokeStyle = st.halo; c2.stroke();
      }
    }
    c2.restore();
  }

  /** A point of the other path: a small square (the trajectory's are dots). */
  private otherDot(c2: CanvasRenderingContext2D, x: number, y: number): void {
    const st = this.trajStyle();
    const h = 2.2 * (this.ctx.theme.hc ? 1.3 : 1);
    c2.beginPath();
    c2.rect(x - h, y - h, 2 * h, 2 * h);
    c2.fillStyle = st.other; c2.fill();
    c2.lineWidth = 1; c2.strokeStyle = st.halo; c2.stroke();
  }

  private drawInitMarker(c2: CanvasRenderingContext2D, x: number, y: number, r: number): void { drawInitMarker(c2, x, y, r); }

  private drawFinalMarker(c2: CanvasRenderingContext2D, x: number, y: number, r: number, fill = '#ffffff'): void { drawFinalMarker(c2, x, y, r, fill); }

  private drawMarkers(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom, fs: number): void {
    const r = 5;
    c2.save();
    c2.beginPath();
    c2.rect(g.plot.x - r - 2, g.plot.y - r - 2, g.plot.w + 2 * r + 4, g.plot.h + 2 * r + 4);
    c2.clip();
    c2.font = `600 ${fs}px ${this.ctx.theme.fontFamily}`;
    c2.fillStyle = '#ffffff';
    c2.textBaseline = 'middle';
    const label = (text: string, x: number, y: number, below: boolean) => {
      c2.textAlign = x > g.plot.x + g.plot.w - 70 ? 'right' : x < g.plot.x + 40 ? 'left' : 'center';
      drawRich(c2, text, x, y + (below ? r + fs * 0.8 : -(r + fs * 0.8)), 'rgba(0, 0, 0, 0.75)', 3);
    };
    const [ia, ib] = p.init, [fa, fb] = p.final;
    const ix = g.xOf(ia), iy = g.yOf(ib), fx = g.xOf(fa), fy = g.yOf(fb);
    const runs = this.spec.runPaths?.(this.model, p);
    if (runs) {
      // Each run's θ_T: a star of its colour (the legend names them); θ₀ is shared.
      for (const rp of drawOrder(runs)) if (rp.a.length) this.drawFinalMarker(c2, g.xOf(rp.a[rp.a.length - 1]), g.yOf(rp.b[rp.b.length - 1]), r, rp.color);
      this.drawInitMarker(c2, ix, iy, r);
      const tr0 = runs[0];
      const below0 = tr0 && tr0.b.length > 1 ? Math.sign(g.yOf(tr0.b[Math.min(tr0.b.length - 1, 3)]) - iy) < 0 : false;
      label(this.spec.initLabel, ix, iy, below0 || iy < g.plot.y + fs * 2.5);
      c2.restore();
      return;
    }
    this.drawInitMarker(c2, ix, iy, r);
    this.drawFinalMarker(c2, fx, fy, r);
    // Put the labels on the side away from the trajectory's start / end direction.
    const tr = p.trajectory;
    const dirAt = (k0: number, k1: number) => (tr?.b?.length > 1 ? Math.sign(g.yOf(tr.b[k1]) - g.yOf(tr.b[k0])) : 0);
    const n = tr?.b?.length ?? 0;
    const initBelow = n > 1 ? dirAt(0, Math.min(n - 1, 3)) < 0 : false;
    const finalBelow = n > 1 ? dirAt(n - 1, Math.max(0, n - 4)) < 0 : true;
    label(this.spec.initLabel, ix, iy, initBelow || iy < g.plot.y + fs * 2.5);
    label(this.spec.finalLabel, fx, fy, finalBelow || fy < g.plot.y + fs * 2.5);
    const op = p.otherPath;
    for (const x of this.spec.extra?.(p) ?? []) {
      const ex = g.xOf(x.a), ey = g.yOf(x.b);
      this.drawFinalMarker(c2, ex, ey, r, this.trajStyle().other);
      c2.fillStyle = '#ffffff';
      const m = op?.b?.length ?? 0;
      // Like θ_T's label: on the side the path does not come from.
      const below = m > 1 ? Math.sign(g.yOf(op!.b[Math.max(0, m - 4)]) - g.yOf(op!.b[m - 1])) < 0 : false;
      label(x.label, ex, ey, below || ey < g.plot.y + fs * 2.5);
    }
    c2.restore();
  }

  private drawHighlight(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom): void {
    const t = this.ctx.theme;
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
    draw(this.ctx.ui.selectedCell, t.focus, 2);
    draw(this.hover, '#ffffff', 1.5);
  }

  private drawAxes(c2: CanvasRenderingContext2D, p: PlaneData, g: PlaneGeom, fs: number): void {
    const t = this.ctx.theme;
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

  private drawColorbar(c2: CanvasRenderingContext2D, g: PlaneGeom, fs: number): void {
    const s = this.scale;
    if (!s) return;
    const t = this.ctx.theme;
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
    for (const v of this.cbTicks(s)) {
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
    const labelW = Math.max(...this.cbTicks(s).map((v) => c2.measureText(fmtTick(v)).width), 20);
    c2.translate(Math.min(g.width - 2, cb.x + cb.w + 6 + labelW + 6 + fs), cb.y + cb.h / 2);
    c2.rotate(-Math.PI / 2);
    c2.textAlign = 'center';
    c2.textBaseline = 'bottom';
    c2.fillText(`train loss${s.log ? ' (log scale)' : ''}`, 0, 0);
    c2.restore();
  }

  private drawLegendItem(c2: CanvasRenderingContext2D, item: LegendItem, x: number, y: number, sw: number, fs: number): void {
    const t = this.ctx.theme;
    const st = this.trajStyle();
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
      case 'init': this.drawInitMarker(c2, x + sw / 2, y, 5); break;
      case 'final': this.drawFinalMarker(c2, x + sw / 2, y, 5); break;
      case 'extra': this.drawFinalMarker(c2, x + sw / 2, y, 5, st.other); break;
      case 'other':
        c2.beginPath(); c2.moveTo(x + 1, y); c2.lineTo(x + sw - 1, y);
        c2.strokeStyle = st.halo; c2.lineWidth = st.lw + 2; c2.stroke();
        c2.strokeStyle = st.other; c2.lineWidth = st.lw; c2.stroke();
        this.otherDot(c2, x + sw / 2, y);
        break;
      case 'run':
        c2.beginPath(); c2.moveTo(x + 1, y); c2.lineTo(x + sw - 1, y);
        c2.strokeStyle = st.halo; c2.lineWidth = st.lw + 2; c2.stroke();
        c2.strokeStyle = item.color ?? st.color; c2.lineWidth = st.lw; c2.stroke();
        this.drawFinalMarker(c2, x + sw - 5, y, 4, item.color ?? st.color);
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

  // ---- interaction ------------------------------------------------------------------------

  private cellAt(e: MouseEvent): [number, number] | undefined {
    const g = this.geom, p = this.data();
    if (!g || !p) return undefined;
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
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

  private cellText(p: PlaneData, i: number, j: number): string {
    const v = p.loss[i]?.[j];
    const tv = p.testLoss?.[i]?.[j];
    let s = `a = ${fmt(p.a[j])}, b = ${fmt(p.b[i])}: loss ${v === null || v === undefined ? 'not yet evaluated' : fmt(v, 4)}`;
    if (tv !== undefined) s += ` (test ${fmt(tv, 4)})`;
    return s;
  }

  private onMove(e: MouseEvent): void {
    const p = this.data();
    const c = this.cellAt(e);
    const same = c && this.hover && c[0] === this.hover[0] && c[1] === this.hover[1];
    if (!p || !c) {
      if (this.hover) { this.hover = undefined; this.tip.hidden = true; this.drawHighlight3(); this.renderInfo(); }
      return;
    }
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    this.tip.textContent = this.cellText(p, c[0], c[1]);
    this.tip.hidden = false;
    const tw = this.tip.offsetWidth, th = this.tip.offsetHeight;
    this.tip.style.left = `${Math.max(0, Math.min(r.width - tw, x + 12))}px`;
    this.tip.style.top = `${y - th - 10 < 0 ? y + 16 : y - th - 10}px`;
    if (!same) { this.hover = c; this.drawHighlight3(); this.renderInfo(); }
  }

  private onKey(e: KeyboardEvent): boolean {
    const p = this.data();
    if (!p) return false;
    const cur = this.ctx.ui.selectedCell ?? [Math.floor(p.b.length / 2), Math.floor(p.a.length / 2)];
    let [i, j] = cur;
    const ascB = p.b[p.b.length - 1] >= p.b[0], ascA = p.a[p.a.length - 1] >= p.a[0];
    switch (e.key) {
      case 'ArrowLeft': j += ascA ? -1 : 1; break;
      case 'ArrowRight': j += ascA ? 1 : -1; break;
      case 'ArrowUp': i += ascB ? 1 : -1; break;
      case 'ArrowDown': i += ascB ? -1 : 1; break;
      case 'Escape': this.ctx.ui.selectedCell = undefined; this.ctx.saveUi(); this.drawHighlight3(); this.renderInfo(); return true;
      default: return false;
    }
    e.preventDefault();
    i = Math.max(0, Math.min(p.b.length - 1, i));
    j = Math.max(0, Math.min(p.a.length - 1, j));
    this.ctx.ui.selectedCell = [i, j];
    this.ctx.saveUi();
    this.drawHighlight3();
    this.renderInfo();
    return true;
  }

  private renderInfo(): void {
    const p = this.data();
    if (!p) { this.info.textContent = ''; return; }
    const c = this.hover ?? this.ctx.ui.selectedCell;
    if (c && c[0] < p.b.length && c[1] < p.a.length) this.info.textContent = this.cellText(p, c[0], c[1]);
    else this.info.textContent = 'Hover or click a cell (arrow keys move the selection) for its values.';
  }

  private renderMeta(): void {
    const p = this.data();
    if (!p) { this.meta.textContent = ''; return; }
    const parts: string[] = [];
    if (this.spec.meta) parts.push(this.spec.meta(p));
    else if (p.norms) parts.push(`${p.directions} directions, ‖u‖ = ${fmt(p.norms[0])}, ‖v‖ = ${fmt(p.norms[1])}`);
    else parts.push(`${p.directions} directions`);
    if (typeof p.explained === 'number' && Number.isFinite(p.explained)) parts.push(`the plane holds ${Math.round(p.explained * 100)}% of the trajectory's displacement`);
    parts.push(`grid ${p.a.length}×${p.b.length} = ${fmtInt(p.a.length * p.b.length)} points`);
    if (this.scale) parts.push(`loss ${fmt(this.scale.lo)} … ${fmt(this.scale.hi)}`);
    this.meta.textContent = parts.join(' · ');
  }

  private ariaText(p: PlaneData): string {
    let min = Infinity, max = -Infinity, mi = [0, 0], ma = [0, 0], n = 0;
    p.loss.forEach((row, i) => row.forEach((v, j) => {
      if (v === null || !Number.isFinite(v)) return;
      n++;
      if (v < min) { min = v; mi = [i, j]; }
      if (v > max) { max = v; ma = [i, j]; }
    }));
    const lab = directionLabels(p.directions);
    let s = `Heatmap of the train loss on the plane spanned by ${plainText(lab.u)} (a, horizontal) and v (b, vertical), ` +
      `${p.a.length} by ${p.b.length} grid, ${n} of ${p.a.length * p.b.length} cells evaluated, ${this.scale?.log ? 'logarithmic' : 'linear'} colour scale.`;
    if (n) s += ` Lowest loss ${fmt(min)} at a = ${fmt(p.a[mi[1]])}, b = ${fmt(p.b[mi[0]])}; highest ${fmt(max)} at a = ${fmt(p.a[ma[1]])}, b = ${fmt(p.b[ma[0]])}.`;
    const sp = this.spec;
    if (sp === mainPlaneSpec) s += ` θ0 (init) at (${fmt(p.init[0])}, ${fmt(p.init[1])}), θT (final) at (${fmt(p.final[0])}, ${fmt(p.final[1])}).`;
    else s += ` ${plainText(sp.initLabel)} at (${fmt(p.init[0])}, ${fmt(p.init[1])}), ${plainText(sp.finalLabel)} at (${fmt(p.final[0])}, ${fmt(p.final[1])}).`;
    for (const x of sp.extra?.(p) ?? []) s += ` ${plainText(x.label)} at (${fmt(x.a)}, ${fmt(x.b)}).`;
    const lines: string[] = [];
    if (p.trajectory?.a?.length) lines.push(`the ${plainText(sp.trajLabel(this.model))} (${p.trajectory.a.length} points)`);
    if (p.otherPath?.a?.length) lines.push(`the ${p.otherPath.label} (${p.otherPath.a.length} points)`);
    if (p.randomWalk?.a?.length) lines.push('a random-walk control');
    if (lines.length) s += ` ${lines.join(' and ').replace(/^t/, 'T')} ${lines.length > 1 ? 'are' : 'is'} drawn as ${lines.length > 1 ? 'lines' : 'a line'}.`;
    return s;
  }

  /** Expected colour of a cell (for tests): [r, g, b]. */
  cellColor(i: number, j: number): [number, number, number] | null {
    const v = this.data()?.loss[i]?.[j];
    if (v === null || v === undefined || !this.scale) return null;
    return viridis(this.scale.t(v));
  }
}
