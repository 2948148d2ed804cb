/**
 * The 3-D surface's geometry, pure (no DOM): the scene the plane view hands over, the mesh (world
 * coordinates and shaded quad colours), points on the surface, and the world → screen projection
 * (orthographic rotation + mild perspective, fitted to the canvas at the default azimuth).
 */
import { viridis, type ColorScale } from './colormap';
import type { PlaneData } from './state';
import type { Theme } from './theme';

export const DEFAULT_YAW = -0.62;
/** Camera distance (world units): mild perspective. */
const D = 7;

export interface SurfaceMesh { key: unknown[]; wx: Float64Array; wy: Float64Array; wz: Float64Array; t: Float64Array; fill: string[]; edge: string[]; quads: number[] }

export interface SurfacePath { a: number[]; b: number[]; color: string; halo: string; lw: number }
export interface SurfaceMarker { a: number; b: number; kind: 'init' | 'final'; fill?: string; label?: string }

export interface SurfaceScene {
  p: PlaneData;
  scale: ColorScale;
  theme: Theme;
  paths: SurfacePath[];
  markers: SurfaceMarker[];
  /** Grid point [i (row, b), j (column, a)] highlighted (hover) and pinned (selection). */
  highlight?: [number, number];
  selected?: [number, number];
  labels: { a: string; b: string; z: string };
  /** Tick values: a and b in plane units, z in loss units. */
  ticks: { a: number[]; b: number[]; z: number[] };
  /** Space kept free at the bottom of the canvas, and a callback that fills it (legend). */
  legendHeight: number;
  drawLegend?(c2: CanvasRenderingContext2D, top: number, width: number): void;
}

/** Height of the surface (world units; the longer side of the grid spans 2). */
export const H = 0.95;


/** What the mesh depends on (compared item by item: the plane's arrays by identity). */
export function meshKey(s: SurfaceScene): unknown[] {
  const p = s.p;
  return [p, p.loss, s.scale.lo, s.scale.hi, s.scale.log, s.theme.kind, (p as { done?: number }).done];
}

/**
 * World coordinates of the grid (the longer side spans 2, height = the colour scale's position) and
 * the quads' colours: the mean colour of their 4 corners, shaded by a light fixed in the world.
 * `key` tells the caller's cache when the scene changed.
 */
export function surfaceMesh(s: SurfaceScene): SurfaceMesh {
  const p = s.p;
  const key = meshKey(s);
  const na = p.a.length, nb = p.b.length;
  const M = Math.max(1, Math.max(na, nb) - 1);
  const ascA = p.a[na - 1] >= p.a[0], ascB = p.b[nb - 1] >= p.b[0];
  const wx = new Float64Array(na * nb), wy = new Float64Array(na * nb), wz = new Float64Array(na * nb), t = new Float64Array(na * nb);
  for (let i = 0; i < nb; i++) {
    for (let j = 0; j < na; j++) {
      const k = i * na + j;
      wx[k] = (2 * (ascA ? j : na - 1 - j) - (na - 1)) / M;
      wy[k] = (2 * (ascB ? i : nb - 1 - i) - (nb - 1)) / M;
      const v = p.loss[i]?.[j];
      const tt = v === null || v === undefined || !Number.isFinite(v) ? NaN : Math.max(0, Math.min(1, s.scale.t(v)));
      t[k] = tt;
      wz[k] = H * (tt - 0.5);
    }
  }
  // Quads: mean colour of the 4 corners, shaded by a light fixed in the world (from above, front-left).
  const L = [-0.35, -0.55, 1], ln = Math.hypot(L[0], L[1], L[2]);
  const fill: string[] = [], edge: string[] = [], quads: number[] = [];
  for (let i = 0; i < nb - 1; i++) {
    for (let j = 0; j < na - 1; j++) {
      const k = i * na + j, k1 = k + 1, k2 = k + na, k3 = k + na + 1;
      if (Number.isNaN(t[k] + t[k1] + t[k2] + t[k3])) continue;
      const d1 = [wx[k3] - wx[k], wy[k3] - wy[k], wz[k3] - wz[k]];
      const d2 = [wx[k2] - wx[k1], wy[k2] - wy[k1], wz[k2] - wz[k1]];
      const n = [d1[1] * d2[2] - d1[2] * d2[1], d1[2] * d2[0] - d1[0] * d2[2], d1[0] * d2[1] - d1[1] * d2[0]];
      const nn = Math.hypot(n[0], n[1], n[2]) || 1;
      const dot = Math.abs((n[0] * L[0] + n[1] * L[1] + n[2] * L[2]) / (nn * ln));
      const shade = 0.74 + 0.26 * dot;
      const [r, g, b] = viridis((t[k] + t[k1] + t[k2] + t[k3]) / 4);
      fill[k] = `rgb(${Math.round(r * shade)}, ${Math.round(g * shade)}, ${Math.round(b * shade)})`;
      const e = shade * 0.84;
      edge[k] = `rgb(${Math.round(r * e)}, ${Math.round(g * e)}, ${Math.round(b * e)})`;
      quads.push(k);
    }
  }
  return { key, wx, wy, wz, t, fill, edge, quads };
}

/** World position of the fractional grid point (fi row, fj column), on the surface (bilinear). */
export function surfacePoint(c: SurfaceMesh, na: number, nb: number, fi: number, fj: number): [number, number, number] | null {
  const i0 = Math.max(0, Math.min(nb - 2, Math.floor(fi))), j0 = Math.max(0, Math.min(na - 2, Math.floor(fj)));
  const u = fj - j0, v = fi - i0;
  const k = i0 * na + j0;
  const z00 = c.wz[k], z01 = c.wz[k + 1], z10 = c.wz[k + na], z11 = c.wz[k + na + 1];
  const z = (1 - v) * ((1 - u) * z00 + u * z01) + v * ((1 - u) * z10 + u * z11);
  if (!Number.isFinite(z)) return null;
  const x = (1 - u) * c.wx[k] + u * c.wx[k + 1];
  const y = (1 - v) * c.wy[k] + v * c.wy[k + na];
  return [x, y, z];
}

/** World → screen for a view of `s` at (yaw, pitch, zoom) on a width × height canvas. */
export function projector(s: SurfaceScene, width: number, height: number, yaw: number, pitch: number, zoom: number) {
  const p = s.p;
  const na = p.a.length, nb = p.b.length, M = Math.max(1, Math.max(na, nb) - 1);
  const xmax = (na - 1) / M, ymax = (nb - 1) / M;
  const cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch);
  const zFloor = -H / 2 - 0.1, zTop = H / 2;
  const fs = s.theme.fontSize;
  const padX = Math.round(fs * 3.4), padTop = Math.round(fs * 1.8), padBottom = Math.round(fs * 0.6) + s.legendHeight;
  const plotW = Math.max(60, width - 2 * padX), plotH = Math.max(60, height - padTop - padBottom);
  // Fit the box (with room for the tick labels around the floor) as seen at the default azimuth:
  // the scale stays put while turning (the default is near the widest view), the centre follows.
  const bbox = (yaw: number) => {
    const c = Math.cos(yaw), sn = Math.sin(yaw), m = 0.28;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const [x, y] of [[-xmax - m, -ymax - m], [xmax + m, -ymax - m], [xmax + m, ymax + m], [-xmax - m, ymax + m]]) {
      const u = x * c - y * sn, w = x * sn + y * c;
      for (const z of [zFloor, zTop]) {
        const vy = w * sp + z * cp, vz = -w * cp + z * sp, f = D / (D - vz);
        x0 = Math.min(x0, u * f); x1 = Math.max(x1, u * f); y0 = Math.min(y0, vy * f); y1 = Math.max(y1, vy * f);
      }
    }
    return { x0, x1, y0, y1 };
  };
  const fit = bbox(DEFAULT_YAW), now = bbox(yaw);
  const S = Math.min(plotW / (fit.x1 - fit.x0), plotH / (fit.y1 - fit.y0)) * zoom;
  const cx = padX + plotW / 2 - ((now.x0 + now.x1) / 2) * S, cyS = padTop + plotH / 2 + ((now.y0 + now.y1) / 2) * S;
  const project = (x: number, y: number, z: number): [number, number, number] => {
    const x1 = x * cy - y * sy, y1 = x * sy + y * cy;
    const vy = y1 * sp + z * cp, vz = -y1 * cp + z * sp;
    const f = D / (D - vz);
    return [cx + x1 * S * f, cyS - vy * S * f, vz];
  };
  return { project, xmax, ymax, zFloor, zTop, S };
}
