/**
 * 3-D view of a loss plane: the grid J(a_j, b_i) as a shaded surface (height = the colour scale's
 * position, i.e. log-scaled loss when the colour scale is logarithmic; colour = the same viridis
 * map as the contour map), the training paths drawn on the surface, θ₀ / θ_T markers, a floor with
 * the a / b ticks and a loss axis at the back corner — the 3-D figures of Goodfellow et al. (2015)
 * and Li et al. (2018). Drag rotates, the wheel zooms, double-click resets; hovering reports the
 * grid point under the pointer so the contour map can highlight the same (a, b).
 *
 * Why a hand-written canvas-2D renderer (orthographic rotation + mild perspective, painter's
 * ordering of the quads) rather than WebGL / three.js / plotly:
 *  - the grids are small (21×21 … 41×41 by default, ≤ 201×201): sorting and filling ≤ 1 600 quads
 *    (40 000 at most) per frame is a few milliseconds in canvas 2D, so there is nothing for a GPU to win;
 *  - no dependency and ~15 KB of source instead of three.js (~600 KB) or plotly (~3.5 MB): the panel
 *    bundle and the static report.html (which inlines it) stay small;
 *  - it is CSP-safe by construction (no eval / new Function, no inline styles, no workers or blob
 *    URLs), works in the webview's strict policy and in headless Chromium without a GPU (WebGL
 *    may be unavailable under --disable-gpu or in remote sessions);
 *  - the same text helpers, markers, colours and theme as the 2-D map, exported to PNG alike.
 * Painter's ordering is exact for a height field seen from above (every quad is drawn after the
 * quads behind it); path pieces are sorted with the quads, so hills hide the parts of a path
 * behind them.
 */
import { drawRich } from './canvas-text';
import { el } from './dom';
import { drawFinalMarker, drawInitMarker } from './glyphs';
import { withAlpha } from './theme';
import { drawBox, drawZAxis } from './surface-axes';
import {
  DEFAULT_YAW, meshKey, projector, surfaceMesh, surfacePoint, type SurfaceMarker, type SurfaceMesh, type SurfacePath, type SurfaceScene,
} from './surface-geometry';

export type { SurfaceMarker, SurfacePath, SurfaceScene };

export interface SurfaceHandlers {
  /** The grid point under the pointer (undefined: none), with the pointer position in CSS px of the canvas. */
  onHover(cell: [number, number] | undefined, at?: { x: number; y: number }): void;
  onClick(cell: [number, number] | undefined): void;
  /** Keys not used for the view (arrows without Shift): return true when handled. */
  onKey?(e: KeyboardEvent): boolean;
}

const DEFAULT_PITCH = 0.62;
/** Size of the screen buckets for hit tests (CSS px). */
const BUCKET = 16;
/** Cells per side of the coarse mesh drawn during a drag / zoom of a large grid. */
const LOD_CELLS = 64;

/** Fractional index of v in a monotone coordinate array (linear between grid points), NaN outside. */
function fracIndex(arr: number[], v: number): number {
  const n = arr.length;
  if (n < 2 || !Number.isFinite(v)) return NaN;
  const asc = arr[n - 1] >= arr[0];
  const lo = asc ? arr[0] : arr[n - 1], hi = asc ? arr[n - 1] : arr[0];
  const tol = (hi - lo) * 1e-9;
  if (v < lo - tol || v > hi + tol) return NaN;
  for (let k = 0; k < n - 1; k++) {
    const a0 = arr[k], a1 = arr[k + 1];
    if ((v >= Math.min(a0, a1) - tol && v <= Math.max(a0, a1) + tol)) return a1 === a0 ? k : k + (v - a0) / (a1 - a0);
  }
  return NaN;
}

export class Surface3D {
  readonly canvas: HTMLCanvasElement;
  yaw = DEFAULT_YAW;
  pitch = DEFAULT_PITCH;
  zoom = 1;
  private scene?: SurfaceScene;
  private width = 0;
  private height = 0;
  private frame = 0;
  private drag?: { x: number; y: number; yaw: number; pitch: number; moved: boolean; id: number };
  /** Per frame: screen positions of the vertices and the quads in drawing order (for picking). */
  private sx = new Float64Array(0);
  private sy = new Float64Array(0);
  private order: number[] = [];
  /** Corners (grid indices) of the quads of the last frame, 4 per quad. */
  private qc = new Int32Array(0);
  /** Coarse mesh while a drag / zoom is in progress. */
  private lod = false;
  private lodTimer = 0;
  private qdepth = new Float64Array(0);
  /** Screen buckets of BUCKET px holding the quads whose bounding box overlaps them (hit tests). */
  private buckets: number[][] = [];
  private bucketCols = 0;
  private na = 0;
  private nb = 0;
  /** Per scene: world coordinates and the quads' colours. */
  private cache?: SurfaceMesh;
  /** The picture without the highlight marks, and what drawing the marks needs. */
  private base?: HTMLCanvasElement;
  private marks?: { project: (x: number, y: number, z: number) => [number, number, number]; zFloor: number };
  /** Last grid point reported under the pointer. */
  hover?: [number, number];

  /** The grid point drawn highlighted (hover on either view), for tests. */
  get highlighted(): [number, number] | undefined { return this.scene?.highlight; }

  constructor(private handlers: SurfaceHandlers) {
    this.canvas = el('canvas', {
      class: 'll-surface-canvas', role: 'img', tabindex: '0',
      'aria-label': '3-D surface of the loss (no data yet)',
    });
    const c = this.canvas;
    c.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      c.setPointerCapture?.(e.pointerId);
      this.drag = { x: e.clientX, y: e.clientY, yaw: this.yaw, pitch: this.pitch, moved: false, id: e.pointerId };
    });
    c.addEventListener('pointermove', (e) => {
      const d = this.drag;
      if (d) {
        const dx = e.clientX - d.x, dy = e.clientY - d.y;
        if (!d.moved && Math.hypot(dx, dy) < 3) return;
        if (!d.moved) { d.moved = true; this.lod = true; this.setHover(undefined); }
        this.yaw = d.yaw + dx * 0.01;
        this.pitch = Math.max(0.08, Math.min(1.5, d.pitch + dy * 0.008));
        this.schedule();
        return;
      }
      const r = c.getBoundingClientRect();
      const x = e.clientX - r.left, y = e.clientY - r.top;
      this.setHover(this.pick(x, y), { x, y });
    });
    const end = (e: PointerEvent) => {
      const d = this.drag;
      if (!d) return;
      this.drag = undefined;
      c.releasePointerCapture?.(d.id);
      if (d.moved) { this.lod = false; this.schedule(); }
      if (!d.moved && e.type === 'pointerup') {
        const r = c.getBoundingClientRect();
        this.handlers.onClick(this.pick(e.clientX - r.left, e.clientY - r.top));
      }
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener('pointerleave', () => { if (!this.drag) this.setHover(undefined); });
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.zoom = Math.max(0.4, Math.min(6, this.zoom * Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015))));
      this.lod = true;
      clearTimeout(this.lodTimer);
      this.lodTimer = window.setTimeout(() => { this.lod = false; this.schedule(); }, 160);
      this.schedule();
    }, { passive: false });
    c.addEventListener('dblclick', () => this.reset());
    c.addEventListener('keydown', (e) => this.onKey(e));
  }

  reset(): void {
    this.yaw = DEFAULT_YAW; this.pitch = DEFAULT_PITCH; this.zoom = 1;
    this.schedule();
  }

  private setHover(cell: [number, number] | undefined, at?: { x: number; y: number }): void {
    this.hover = cell;
    this.handlers.onHover(cell, at);
  }

  private onKey(e: KeyboardEvent): void {
    if (!e.shiftKey && this.handlers.onKey?.(e)) return;
    const step = 0.12;
    switch (e.key) {
      case 'ArrowLeft': this.yaw -= step; break;
      case 'ArrowRight': this.yaw += step; break;
      case 'ArrowUp': this.pitch = Math.min(1.5, this.pitch + step); break;
      case 'ArrowDown': this.pitch = Math.max(0.08, this.pitch - step); break;
      case '+': case '=': this.zoom = Math.min(6, this.zoom * 1.15); break;
      case '-': case '_': this.zoom = Math.max(0.4, this.zoom / 1.15); break;
      case '0': case 'Home': this.reset(); return;
      default: return;
    }
    e.preventDefault();
    this.schedule();
  }

  private schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  }

  destroy(): void { cancelAnimationFrame(this.frame); clearTimeout(this.lodTimer); }

  /** New data / highlight / size; draws now. */
  render(scene: SurfaceScene, width: number, height: number): void {
    this.scene = scene;
    this.width = width;
    this.height = height;
    this.draw();
  }

  // ---- geometry -------------------------------------------------------------------------------

  /** The mesh of the scene, recomputed when the plane, the scale or the theme changed. */
  private mesh(s: SurfaceScene): SurfaceMesh {
    const c = this.cache;
    const key = meshKey(s);
    if (c && c.key.every((v, k) => v === key[k])) return c;
    return (this.cache = surfaceMesh(s));
  }




  // ---- drawing --------------------------------------------------------------------------------

  private sizeCanvas(dpr: number): void {
    const W = Math.round(this.width * dpr), Hh = Math.round(this.height * dpr);
    if (this.canvas.width !== W) this.canvas.width = W;
    if (this.canvas.height !== Hh) this.canvas.height = Hh;
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
  }

  draw(): void {
    const s = this.scene;
    const c2 = this.canvas.getContext('2d');
    if (!s || !c2 || this.width <= 0) return;
    const dpr = Math.max(1, window.devicePixelRatio || 1);
    this.sizeCanvas(dpr);
    c2.setTransform(dpr, 0, 0, dpr, 0, 0);
    c2.clearRect(0, 0, this.width, this.height);
    const p = s.p, t = s.theme;
    this.na = p.a.length; this.nb = p.b.length;
    if (this.na < 2 || this.nb < 2) return;
    const cache = this.mesh(s);
    const { project, xmax, ymax, zFloor, zTop } = projector(this.scene!, this.width, this.height, this.yaw, this.pitch, this.zoom);
    const fs = Math.round(t.fontSize * 0.85);
    c2.font = `${fs}px ${t.fontFamily}`;
    c2.lineJoin = 'round';
    c2.lineCap = 'round';

    // vertices
    const n = this.na * this.nb;
    if (this.sx.length !== n) { this.sx = new Float64Array(n); this.sy = new Float64Array(n); }
    const vz = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const [x, y, z] = project(cache.wx[k], cache.wy[k], Number.isFinite(cache.wz[k]) ? cache.wz[k] : zFloor);
      this.sx[k] = x; this.sy[k] = y; vz[k] = z;
    }

    drawBox(c2, s, project, xmax, ymax, zFloor, zTop, fs);

    // quads, back to front (painter's ordering); while dragging / zooming a large grid, a coarser
    // mesh (every st-th grid line) keeps the interaction fluid; the full mesh is drawn at the end.
    const na = this.na, nb = this.nb;
    const st = this.lod ? Math.max(1, Math.ceil(Math.max(na, nb) / LOD_CELLS)) : 1;
    const qc: number[] = [], qk: number[] = [];
    if (st === 1) for (const k of cache.quads) { qc.push(k, k + 1, k + na + 1, k + na); qk.push(k); }
    else {
      for (let i = 0; i < nb - 1; i += st) {
        for (let j = 0; j < na - 1; j += st) {
          const i2 = Math.min(i + st, nb - 1), j2 = Math.min(j + st, na - 1);
          const c = [i * na + j, i * na + j2, i2 * na + j2, i2 * na + j];
          if (!cache.fill[i * na + j] || c.some((kk) => !Number.isFinite(cache.wz[kk]))) continue;
          qc.push(...c); qk.push(i * na + j);
        }
      }
    }
    const Q = qk.length;
    const depth = new Float64Array(Q);
    for (let q = 0; q < Q; q++) depth[q] = (vz[qc[4 * q]] + vz[qc[4 * q + 1]] + vz[qc[4 * q + 2]] + vz[qc[4 * q + 3]]) / 4;
    const order = Array.from({ length: Q }, (_, q) => q).sort((u, v) => depth[u] - depth[v]);
    this.qc = Int32Array.from(qc);
    this.order = order;
    this.qdepth = depth;
    this.buildBuckets();
    const big = Q < 2500;
    for (const q of order) {
      const c0 = qc[4 * q], c1 = qc[4 * q + 1], c2i = qc[4 * q + 2], c3 = qc[4 * q + 3];
      c2.beginPath();
      c2.moveTo(this.sx[c0], this.sy[c0]);
      c2.lineTo(this.sx[c1], this.sy[c1]);
      c2.lineTo(this.sx[c2i], this.sy[c2i]);
      c2.lineTo(this.sx[c3], this.sy[c3]);
      c2.closePath();
      c2.fillStyle = cache.fill[qk[q]];
      c2.fill();
      // A thin edge in a darker tone: a mesh you can read the shape from, and no seams between quads.
      c2.lineWidth = big ? 0.7 : 0.5;
      c2.strokeStyle = big ? cache.edge[qk[q]] : cache.fill[qk[q]];
      c2.stroke();
    }

    // Paths on the surface: cut in pieces of ≤ ½ cell; a piece is drawn when no quad in front of it
    // covers its midpoint (a hill between it and the eye hides it). Visible runs are stroked as
    // polylines, halo then colour, so the line stays clean where pieces join or paths overlap.
    const cell = (2 * st) / Math.max(1, Math.max(this.na, this.nb) - 1);
    const lift = 0.012;
    for (const path of s.paths) {
      const runs: [number, number][][] = [];
      let run: [number, number][] | null = null;
      let prev: [number, number] | null = null;
      const flush = () => { if (run && run.length > 1) runs.push(run); run = null; };
      for (let q = 0; q < path.a.length; q++) {
        const fj = fracIndex(p.a, path.a[q]), fi = fracIndex(p.b, path.b[q]);
        const cur: [number, number] | null = Number.isNaN(fi) || Number.isNaN(fj) ? null : [fi, fj];
        if (!cur) { flush(); prev = null; continue; }
        if (prev) {
          const m = Math.max(1, Math.ceil(Math.max(Math.abs(cur[0] - prev[0]), Math.abs(cur[1] - prev[1])) * 2));
          let last = surfacePoint(this.cache!, this.na, this.nb, prev[0], prev[1]);
          for (let r = 1; r <= m; r++) {
            const w = surfacePoint(this.cache!, this.na, this.nb, prev[0] + ((cur[0] - prev[0]) * r) / m, prev[1] + ((cur[1] - prev[1]) * r) / m);
            if (last && w) {
              const a = project(last[0], last[1], last[2] + lift), b = project(w[0], w[1], w[2] + lift);
              const front = this.frontAt((a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
              const visible = !front || (a[2] + b[2]) / 2 >= front.depth - cell * 0.6;
              if (visible) {
                if (!run) run = [[a[0], a[1]]];
                run.push([b[0], b[1]]);
              } else flush();
            } else flush();
            last = w;
          }
        }
        prev = cur;
      }
      flush();
      const stroke = (color: string, w: number) => {
        c2.beginPath();
        for (const rr of runs) rr.forEach(([x, y], k) => (k ? c2.lineTo(x, y) : c2.moveTo(x, y)));
        c2.strokeStyle = color; c2.lineWidth = w; c2.stroke();
      };
      stroke(path.halo, path.lw + 2);
      stroke(path.color, path.lw);
    }

    drawZAxis(c2, s, project, xmax, ymax, zFloor, zTop, fs);
    // markers and highlight on top
    const at = (a: number, b: number): [number, number] | null => {
      const fj = fracIndex(p.a, a), fi = fracIndex(p.b, b);
      if (Number.isNaN(fi) || Number.isNaN(fj)) return null;
      const w = surfacePoint(this.cache!, this.na, this.nb, fi, fj);
      if (!w) return null;
      const q = project(w[0], w[1], w[2] + 0.015);
      return [q[0], q[1]];
    };
    c2.font = `600 ${fs}px ${t.fontFamily}`;
    for (const mk of s.markers) {
      const q = at(mk.a, mk.b);
      if (!q) continue;
      if (mk.kind === 'init') drawInitMarker(c2, q[0], q[1], 5); else drawFinalMarker(c2, q[0], q[1], 5, mk.fill);
      if (mk.label) {
        c2.fillStyle = '#ffffff';
        c2.textAlign = 'center';
        c2.textBaseline = 'bottom';
        drawRich(c2, mk.label, q[0], q[1] - 9, 'rgba(0, 0, 0, 0.75)', 3);
      }
    }
    if (s.drawLegend && s.legendHeight > 0) s.drawLegend(c2, this.height - s.legendHeight, this.width);
    // Keep this picture: a hover only redraws the highlight over it (setHighlight).
    if (!this.base) this.base = document.createElement('canvas');
    this.base.width = this.canvas.width; this.base.height = this.canvas.height;
    this.base.getContext('2d')?.drawImage(this.canvas, 0, 0);
    this.marks = { project, zFloor };
    this.drawMarks(c2);
    this.canvas.setAttribute('aria-label',
      `3-D surface of the ${s.labels.z} over the plane (a, b), ${p.a.length} by ${p.b.length} grid, height and colour ${s.scale.log ? 'log-scaled' : 'linear'}; ` +
      `viewed from azimuth ${Math.round((this.yaw * 180) / Math.PI)}°, elevation ${Math.round((this.pitch * 180) / Math.PI)}°. ` +
      'Drag or Shift+arrow keys to rotate, wheel or +/− to zoom, arrow keys move the highlighted grid point.');
  }

  private drawMarks(c2: CanvasRenderingContext2D): void {
    const s = this.scene, m = this.marks;
    if (!s || !m) return;
    if (s.selected) this.drawCellMark(c2, s.selected, s.theme.focus, m.project, m.zFloor);
    if (s.highlight) this.drawCellMark(c2, s.highlight, '#ffffff', m.project, m.zFloor);
  }

  /** New hover / selection on an unchanged picture: repaint the kept picture and the marks only. */
  setHighlight(highlight: [number, number] | undefined, selected: [number, number] | undefined): void {
    const s = this.scene;
    const c2 = this.canvas.getContext('2d');
    if (!s || !c2) return;
    s.highlight = highlight;
    s.selected = selected;
    if (!this.base || !this.marks || this.base.width !== this.canvas.width || this.base.height !== this.canvas.height) { this.draw(); return; }
    c2.setTransform(1, 0, 0, 1, 0, 0);
    c2.clearRect(0, 0, this.canvas.width, this.canvas.height);
    c2.drawImage(this.base, 0, 0);
    const dpr = this.canvas.width / Math.max(1, this.width);
    c2.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.drawMarks(c2);
  }

  /** A grid point: ring on the surface, its cell's outline, a drop line to the floor. */
  private drawCellMark(c2: CanvasRenderingContext2D, cell: [number, number], color: string,
    project: (x: number, y: number, z: number) => [number, number, number], zFloor: number): void {
    const [i, j] = cell;
    if (i < 0 || j < 0 || i >= this.nb || j >= this.na) return;
    const cache = this.cache!;
    const k = i * this.na + j;
    if (!Number.isFinite(cache.wz[k])) return;
    const v = project(cache.wx[k], cache.wy[k], cache.wz[k] + 0.01);
    const f = project(cache.wx[k], cache.wy[k], zFloor);
    c2.save();
    c2.setLineDash([3, 3]);
    c2.lineWidth = 1;
    c2.strokeStyle = withAlpha(this.scene!.theme.fg, 0.7);
    c2.beginPath(); c2.moveTo(f[0], f[1]); c2.lineTo(v[0], v[1]); c2.stroke();
    c2.setLineDash([]);
    // the cell of the contour map: (i ± ½, j ± ½), following the surface
    const ring: [number, number][] = [];
    const corners: [number, number][] = [[-0.5, -0.5], [-0.5, 0.5], [0.5, 0.5], [0.5, -0.5]];
    for (let e = 0; e < 4; e++) {
      const [di0, dj0] = corners[e], [di1, dj1] = corners[(e + 1) % 4];
      for (let s = 0; s < 4; s++) {
        const fi = Math.max(0, Math.min(this.nb - 1, i + di0 + ((di1 - di0) * s) / 4));
        const fj = Math.max(0, Math.min(this.na - 1, j + dj0 + ((dj1 - dj0) * s) / 4));
        const w = surfacePoint(this.cache!, this.na, this.nb, fi, fj);
        if (w) { const q = project(w[0], w[1], w[2] + 0.01); ring.push([q[0], q[1]]); }
      }
    }
    if (ring.length > 2) {
      c2.beginPath();
      ring.forEach(([x, y], n) => (n ? c2.lineTo(x, y) : c2.moveTo(x, y)));
      c2.closePath();
      c2.lineWidth = 3.5; c2.strokeStyle = 'rgba(0, 0, 0, 0.6)'; c2.stroke();
      c2.lineWidth = 1.8; c2.strokeStyle = color; c2.stroke();
    }
    c2.beginPath(); c2.arc(v[0], v[1], 3, 0, Math.PI * 2);
    c2.fillStyle = color; c2.fill();
    c2.lineWidth = 1.2; c2.strokeStyle = 'rgba(0, 0, 0, 0.8)'; c2.stroke();
    c2.restore();
  }

  // ---- picking --------------------------------------------------------------------------------

  private buildBuckets(): void {
    const cols = Math.max(1, Math.ceil(this.width / BUCKET)), rows = Math.max(1, Math.ceil(this.height / BUCKET));
    const b: number[][] = Array.from({ length: cols * rows }, () => []);
    for (const k of this.order) {
      const ks = this.corners(k);
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (const kk of ks) { x0 = Math.min(x0, this.sx[kk]); x1 = Math.max(x1, this.sx[kk]); y0 = Math.min(y0, this.sy[kk]); y1 = Math.max(y1, this.sy[kk]); }
      const c0 = Math.max(0, Math.floor(x0 / BUCKET)), c1 = Math.min(cols - 1, Math.floor(x1 / BUCKET));
      const r0 = Math.max(0, Math.floor(y0 / BUCKET)), r1 = Math.min(rows - 1, Math.floor(y1 / BUCKET));
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) b[r * cols + c].push(k);
    }
    this.buckets = b;
    this.bucketCols = cols;
  }

  /** Grid indices of the 4 corners of quad q (of the last frame). */
  private corners(q: number): number[] {
    const c = this.qc;
    return [c[4 * q], c[4 * q + 1], c[4 * q + 2], c[4 * q + 3]];
  }

  private inside(k: number, x: number, y: number): boolean {
    const ks = this.corners(k);
    let inside = false;
    for (let a = 0, b = 3; a < 4; b = a++) {
      const xa = this.sx[ks[a]], ya = this.sy[ks[a]], xb = this.sx[ks[b]], yb = this.sy[ks[b]];
      if ((ya > y) !== (yb > y) && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside;
    }
    return inside;
  }

  /** The front-most quad covering (x, y), with its depth. */
  private frontAt(x: number, y: number): { k: number; depth: number } | undefined {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || !this.buckets.length) return undefined;
    const list = this.buckets[Math.floor(y / BUCKET) * this.bucketCols + Math.floor(x / BUCKET)];
    let best: { k: number; depth: number } | undefined;
    for (const k of list ?? []) {
      const d = this.qdepth[k];
      if ((!best || d > best.depth) && this.inside(k, x, y)) best = { k, depth: d };
    }
    return best;
  }

  /** The grid point under (x, y) (CSS px of the canvas): nearest corner of the front-most quad hit. */
  pick(x: number, y: number): [number, number] | undefined {
    const na = this.na;
    const hit = na ? this.frontAt(x, y) : undefined;
    if (!hit) return undefined;
    let best = -1, bd = Infinity;
    for (const kk of this.corners(hit.k)) {
      const d = Math.hypot(this.sx[kk] - x, this.sy[kk] - y);
      if (d < bd) { bd = d; best = kk; }
    }
    return [Math.floor(best / na), best % na];
  }

  /** Screen position (CSS px of the canvas) of grid point (i, j), for tests and tooltips. */
  screenOf(i: number, j: number): { x: number; y: number } | undefined {
    const k = i * this.na + j;
    if (!this.na || k < 0 || k >= this.sx.length) return undefined;
    return { x: this.sx[k], y: this.sy[k] };
  }
}
