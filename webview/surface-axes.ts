/**
 * The 3-D surface's axes: the floor with the a / b grid and ticks, the back walls and the loss axis,
 * drawn with the surface's projection (surface-geometry.ts) before and over the quads.
 */
import { drawRich } from './canvas-text';
import { fmtTick } from './format';
import { H, type SurfaceScene } from './surface-geometry';
import { withAlpha } from './theme';

/** The floor with the a / b grid and ticks, the back walls and the loss axis at the back corner. */
export function drawBox(c2: CanvasRenderingContext2D, s: SurfaceScene, project: (x: number, y: number, z: number) => [number, number, number],
  xmax: number, ymax: number, zFloor: number, zTop: number, _fs: number): void {
  const t = s.theme, p = s.p;
  const na = p.a.length, nb = p.b.length;
  // plane coordinate → world (the grid spans ±xmax / ±ymax)
  const aLo = Math.min(p.a[0], p.a[na - 1]), aHi = Math.max(p.a[0], p.a[na - 1]);
  const bLo = Math.min(p.b[0], p.b[nb - 1]), bHi = Math.max(p.b[0], p.b[nb - 1]);
  const wxOf = (a: number) => -xmax + ((a - aLo) / (aHi - aLo || 1)) * 2 * xmax;
  const wyOf = (b: number) => -ymax + ((b - bLo) / (bHi - bLo || 1)) * 2 * ymax;
  const corners: [number, number][] = [[-xmax, -ymax], [xmax, -ymax], [xmax, ymax], [-xmax, ymax]];
  const pc = corners.map(([x, y]) => project(x, y, zFloor));
  const line = (a: [number, number, number], b: [number, number, number]) => { c2.beginPath(); c2.moveTo(a[0], a[1]); c2.lineTo(b[0], b[1]); c2.stroke(); };
  c2.save();
  // floor
  c2.beginPath();
  pc.forEach((q, k) => (k ? c2.lineTo(q[0], q[1]) : c2.moveTo(q[0], q[1])));
  c2.closePath();
  c2.fillStyle = withAlpha(t.fg, 0.045);
  c2.fill();
  c2.strokeStyle = withAlpha(t.fg, t.hc ? 0.8 : 0.35);
  c2.lineWidth = t.lw;
  c2.stroke();
  c2.strokeStyle = withAlpha(t.fg, t.hc ? 0.4 : 0.12);
  for (const a of s.ticks.a) line(project(wxOf(a), -ymax, zFloor), project(wxOf(a), ymax, zFloor));
  for (const b of s.ticks.b) line(project(-xmax, wyOf(b), zFloor), project(xmax, wyOf(b), zFloor));
  // back corner (farthest from the camera) and its two walls
  let back = 0;
  for (let k = 1; k < 4; k++) if (pc[k][2] < pc[back][2]) back = k;
  const [bx, by] = corners[back];
  const zOf = (v: number) => H * (Math.max(0, Math.min(1, s.scale.t(v))) - 0.5);
  const nbrs = [corners[(back + 1) % 4], corners[(back + 3) % 4]];
  c2.strokeStyle = withAlpha(t.fg, t.hc ? 0.4 : 0.1);
  for (const v of s.ticks.z) {
    const z = zOf(v);
    for (const [nx, ny] of nbrs) line(project(nx, ny, z), project(bx, by, z));
  }
  c2.strokeStyle = withAlpha(t.fg, t.hc ? 0.6 : 0.2);
  for (const [nx, ny] of nbrs) line(project(nx, ny, zFloor), project(nx, ny, zTop));
  // a ticks on the front edge along a, b ticks on the front edge along b
  const frontY = project(0, -ymax, zFloor)[2] > project(0, ymax, zFloor)[2] ? -ymax : ymax;
  const frontX = project(-xmax, 0, zFloor)[2] > project(xmax, 0, zFloor)[2] ? -xmax : xmax;
  const off = 0.09;
  const label = (q: [number, number, number], text: string) => {
    c2.textAlign = 'center';
    c2.textBaseline = 'middle';
    drawRich(c2, text, q[0], q[1], t.bg);
  };
  c2.fillStyle = t.fg;
  for (const a of s.ticks.a) label(project(wxOf(a), frontY + Math.sign(frontY) * off, zFloor), fmtTick(a));
  for (const b of s.ticks.b) label(project(frontX + Math.sign(frontX) * off, wyOf(b), zFloor), fmtTick(b));
  const ta = project(0, frontY + Math.sign(frontY) * (off + 0.2), zFloor);
  const tb = project(frontX + Math.sign(frontX) * (off + 0.22), 0, zFloor);
  label(ta, s.labels.a);
  label(tb, s.labels.b);
  c2.restore();
}

/** The loss axis, drawn over the surface at the leftmost corner of the box, a little outside it. */
export function drawZAxis(c2: CanvasRenderingContext2D, s: SurfaceScene, project: (x: number, y: number, z: number) => [number, number, number],
  xmax: number, ymax: number, zFloor: number, zTop: number, fs: number): void {
  const t = s.theme;
  const corners: [number, number][] = [[-xmax, -ymax], [xmax, -ymax], [xmax, ymax], [-xmax, ymax]];
  let left = 0;
  const px = corners.map(([x, y]) => project(x, y, zFloor)[0]);
  for (let k = 1; k < 4; k++) if (px[k] < px[left]) left = k;
  const [cx0, cy0] = corners[left];
  const out = 0.1 / Math.hypot(cx0, cy0);
  const ax = cx0 * (1 + out), ay = cy0 * (1 + out);
  const zOf = (v: number) => H * (Math.max(0, Math.min(1, s.scale.t(v))) - 0.5);
  const base = project(ax, ay, zFloor), top = project(ax, ay, zTop);
  c2.save();
  c2.strokeStyle = withAlpha(t.fg, t.hc ? 1 : 0.6);
  c2.lineWidth = t.lw;
  c2.beginPath(); c2.moveTo(base[0], base[1]); c2.lineTo(top[0], top[1]); c2.stroke();
  c2.fillStyle = t.fg;
  c2.font = `${fs}px ${t.fontFamily}`;
  c2.textBaseline = 'middle';
  c2.textAlign = 'right';
  let lastY = Infinity;
  for (const v of s.ticks.z) {
    const q = project(ax, ay, zOf(v));
    if (Math.abs(q[1] - lastY) < fs * 1.3) continue;
    lastY = q[1];
    c2.beginPath(); c2.moveTo(q[0], q[1]); c2.lineTo(q[0] - 4, q[1]); c2.stroke();
    drawRich(c2, fmtTick(v), q[0] - 6, q[1], t.bg);
  }
  c2.textAlign = 'center';
  c2.textBaseline = 'bottom';
  drawRich(c2, s.labels.z, Math.max(top[0], 8 + c2.measureText(s.labels.z).width / 2), top[1] - 5, t.bg);
  c2.restore();
}