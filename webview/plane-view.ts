/**
 * Plane view: heatmap of J(θ_c + a·u + b·v) on a canvas (columns a, rows b), log colour scale with a
 * colour bar, d3-contour isolines, the SGD trajectory and the random-walk control, θ₀ / θ_T markers,
 * axes, legend, hover / click / keyboard read-out, and the 3-D surface beside or instead of the map.
 * Redrawn on resize (ResizeObserver). This file holds the DOM and the interaction; the pure geometry
 * is plane-geometry.ts, the canvas layers plane-layers.ts.
 */
import { measureRich, plainText } from './canvas-text';
import { colorScale, viridis, type ColorScale } from './colormap';
import { el, type Child } from './dom';
import { fmt, fmtInt, niceTicks } from './format';
import {
  cellAtPoint, cellText, colorbarTicks, contourLines, directionLabels, drawOrder, legendRows, lossExtremes, planeFontSize, planeLayout,
  stepSelection, type ContourLine, type PlaneGeom, type RunPath,
} from './plane-geometry';
import {
  drawAxes, drawCells, drawColorbar, drawContours, drawHighlight, drawLegendItem, drawMarkers, drawPaths, trajStyle, type LegendItem,
} from './plane-layers';
import type { PlaneData, RunModel } from './state';
import { Surface3D, type SurfaceMarker, type SurfacePath } from './surface-3d';
import { withAlpha } from './theme';
import type { PngSection } from './exporter';
import type { AnalysisView, PlaneMode, ViewContext } from './view';

/** Width from which "auto" shows the contour map and the 3-D surface side by side. */
const SIDE_BY_SIDE = 2 * 360 + 14;

export type { PlaneGeom, RunPath };

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
  private contourCache?: { key: string; lines: ContourLine[] };
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
      this.tip3d.textContent = cellText(p, cell[0], cell[1]);
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
    const rows = legendRows(items, 10, width - 6, sw, (label) => measureRich(c2, label));
    const legendHeight = rows.length * rowH + 6;
    const sideBySide = this.mode() === 'both' && !this.wrap.hidden && Math.abs(this.wrap.offsetTop - this.wrap3d.offsetTop) < 2 && this.geom;
    const maxH = Math.max(220, (typeof innerHeight === 'number' ? innerHeight : 800) * 0.75);
    const height = sideBySide ? this.geom!.height : Math.round(Math.min(maxH, width * 0.7) + legendHeight);
    const st = trajStyle(t);
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
        z: colorbarTicks(s).filter((v) => v >= s.lo * (1 - 1e-9) && v <= s.hi * (1 + 1e-9)),
      },
      legendHeight,
      drawLegend: (cc, top) => rows.forEach((row, r) => {
        const y = top + r * rowH + rowH / 2;
        cc.font = `${fs}px ${t.fontFamily}`;
        for (const { item, x } of row) drawLegendItem(cc, t, item, x, y, sw, fs);
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
    const fs = planeFontSize(t.fontSize, width);
    c2.font = `${fs}px ${t.fontFamily}`;
    const g = planeLayout(p, width, fs, (s) => c2.measureText(s).width, this.scale, typeof innerHeight === 'number' ? innerHeight : 800);
    // legend layout (rows that fit the width)
    this.ensureContours(p);
    const items = this.legendItems(p);
    const sw = 26, rowH = fs + 8;
    const rows = legendRows(items, g.plot.x, width - 6, sw, (label) => measureRich(c2, label));
    const height = Math.ceil(g.legendTop + rows.length * rowH + 4);
    g.height = height;
    this.geom = g;
    this.sizeCanvas(width, height, dpr);
    c2.setTransform(dpr, 0, 0, dpr, 0, 0);
    c2.clearRect(0, 0, width, height);
    c2.font = `${fs}px ${t.fontFamily}`;

    const s = this.scale;
    const runs = this.spec.runPaths?.(this.model, p);
    drawCells(c2, p, g, dpr, t, s);
    if (this.ctx.ui.contours) drawContours(c2, p, g, t, s, this.contourCache?.lines ?? []);
    if (this.ctx.ui.paths) drawPaths(c2, p, g, t, runs);
    drawMarkers(c2, p, g, fs, t, this.spec, runs);
    drawHighlight(c2, p, g, t, this.ctx.ui.selectedCell, this.hover);
    drawAxes(c2, p, g, fs, t);
    drawColorbar(c2, g, fs, t, s);
    // legend
    rows.forEach((row, r) => {
      const y = g.legendTop + r * rowH + rowH / 2;
      for (const { item, x: lx } of row) drawLegendItem(c2, t, item, lx, y, sw, fs);
    });
    this.canvas.setAttribute('aria-label', this.ariaText(p));
  }

  /** Isolines of the plane, recomputed only when the model, the scale or the grid changed. */
  private ensureContours(p: PlaneData): void {
    const s = this.scale;
    if (!s || !this.ctx.ui.contours) return;
    const key = `${this.model?.rev}|${s.log}|${s.lo}|${s.hi}|${p.a.length}x${p.b.length}`;
    if (this.contourCache?.key === key) return;
    this.contourCache = { key, lines: contourLines(p, s) };
  }

  private sizeCanvas(w: number, h: number, dpr: number): void {
    const W = Math.round(w * dpr), H = Math.round(h * dpr);
    if (this.canvas.width !== W) this.canvas.width = W;
    if (this.canvas.height !== H) this.canvas.height = H;
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
  }

  // ---- interaction ------------------------------------------------------------------------

  private cellAt(e: MouseEvent): [number, number] | undefined {
    const g = this.geom, p = this.data();
    if (!g || !p) return undefined;
    const r = this.canvas.getBoundingClientRect();
    return cellAtPoint(g, p, e.clientX - r.left, e.clientY - r.top);
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
    this.tip.textContent = cellText(p, c[0], c[1]);
    this.tip.hidden = false;
    const tw = this.tip.offsetWidth, th = this.tip.offsetHeight;
    this.tip.style.left = `${Math.max(0, Math.min(r.width - tw, x + 12))}px`;
    this.tip.style.top = `${y - th - 10 < 0 ? y + 16 : y - th - 10}px`;
    if (!same) { this.hover = c; this.drawHighlight3(); this.renderInfo(); }
  }

  private onKey(e: KeyboardEvent): boolean {
    const p = this.data();
    if (!p) return false;
    const next = stepSelection(p, this.ctx.ui.selectedCell, e.key);
    if (next === undefined) return false;
    if (next === 'clear') { this.ctx.ui.selectedCell = undefined; this.ctx.saveUi(); this.drawHighlight3(); this.renderInfo(); return true; }
    e.preventDefault();
    this.ctx.ui.selectedCell = next;
    this.ctx.saveUi();
    this.drawHighlight3();
    this.renderInfo();
    return true;
  }

  private renderInfo(): void {
    const p = this.data();
    if (!p) { this.info.textContent = ''; return; }
    const c = this.hover ?? this.ctx.ui.selectedCell;
    if (c && c[0] < p.b.length && c[1] < p.a.length) this.info.textContent = cellText(p, c[0], c[1]);
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
    const { n, min, max, argMin: mi, argMax: ma } = lossExtremes(p);
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
