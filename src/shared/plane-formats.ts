/**
 * Plane exports beside PNG/CSV/JSON, as pure functions (no DOM, no fs): bytes the host or the
 * webview writes to a file.
 *
 * - `.npy` (NumPy format 1.0): `planeToNpy(plane)` is the loss grid as float64 of shape
 *   (len(b), len(a)) — rows of b, columns of a, like PlaneResult.loss — for `np.load`;
 *   `encodeNpy` writes any array (e.g. the axes a and b).
 * - `.vtp` (VTK XML PolyData, ParaView): `planeToVtp(plane)` is the surface z = loss(a, b) as
 *   quads over the grid, with the loss (and test loss) as point data, and the projected
 *   training path as a polyline lying on the surface — what Li et al.'s `h52vtp` gives their
 *   users to render 3-D landscapes. Optional log scale and z clipping as there.
 */
import type { PlaneResult } from '../protocol';

export type NpyDtype = '<f8' | '<f4' | '<i4';

/**
 * NumPy .npy (format version 1.0) bytes: magic, header dict padded with spaces and ending in a
 * newline so the data starts at a multiple of 64 bytes, then the values little-endian, C order.
 */
export function encodeNpy(values: ArrayLike<number>, shape: number[], dtype: NpyDtype = '<f8'): Uint8Array {
  const count = shape.reduce((p, s) => p * s, 1);
  if (count !== values.length) throw new Error(`encodeNpy: shape ${JSON.stringify(shape)} holds ${count} values, got ${values.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pre = 10; // magic (6) + version (2) + header length (2)
  const headerLen = Math.ceil((pre + dict.length + 1) / 64) * 64 - pre;
  const header = dict.padEnd(headerLen - 1, ' ') + '\n';
  const itemSize = dtype === '<f8' ? 8 : 4;
  const out = new Uint8Array(pre + headerLen + count * itemSize);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY v1.0
  const view = new DataView(out.buffer);
  view.setUint16(8, headerLen, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  const at = pre + headerLen;
  for (let i = 0; i < count; i++) {
    const v = Number(values[i]);
    if (dtype === '<f8') view.setFloat64(at + 8 * i, v, true);
    else if (dtype === '<f4') view.setFloat32(at + 4 * i, v, true);
    else view.setInt32(at + 4 * i, v, true);
  }
  return out;
}

/** The plane's loss grid (or test loss) as .npy float64, shape (len(b), len(a)); missing cells are NaN. */
export function planeToNpy(plane: Pick<PlaneResult, 'a' | 'b' | 'loss' | 'testLoss'>, field: 'loss' | 'testLoss' = 'loss'): Uint8Array {
  const grid = plane[field];
  if (!grid) throw new Error(`planeToNpy: the plane has no ${field}`);
  const na = plane.a.length, nb = plane.b.length;
  const flat = new Float64Array(na * nb);
  for (let i = 0; i < nb; i++) for (let j = 0; j < na; j++) {
    const v = grid[i]?.[j];
    flat[i * na + j] = typeof v === 'number' ? v : NaN;
  }
  return encodeNpy(flat, [nb, na], '<f8');
}

export interface VtpOptions {
  /** z = log(loss) instead of loss (default false). */
  log?: boolean;
  /** Clip z at this value (default: no clipping); non-finite cells get the largest finite z. */
  zMax?: number;
  /** Add the training path as a polyline on the surface (default true when the plane has one). */
  path?: boolean;
}

const fmt = (v: number) => (Number.isFinite(v) ? String(Math.fround(v)) : '0');

/** Bilinear value of the grid at (a, b), clamped to it (for path heights). */
function sample(grid: number[][], a: number[], b: number[], x: number, y: number): number {
  const locate = (axis: number[], v: number): [number, number] => {
    const n = axis.length;
    if (n === 1 || v <= axis[0]) return [0, 0];
    if (v >= axis[n - 1]) return [n - 2, 1];
    let k = 0;
    while (k < n - 2 && axis[k + 1] < v) k++;
    return [k, (v - axis[k]) / (axis[k + 1] - axis[k])];
  };
  const [j, tx] = locate(a, x), [i, ty] = locate(b, y);
  const g = (r: number, c: number) => grid[Math.min(r, b.length - 1)][Math.min(c, a.length - 1)];
  return (g(i, j) * (1 - tx) + g(i, j + 1) * tx) * (1 - ty) + (g(i + 1, j) * (1 - tx) + g(i + 1, j + 1) * tx) * ty;
}

/**
 * The plane as VTK XML PolyData (ASCII): len(a)·len(b) grid points (a, b, z) in row order
 * (b outer, a inner), (len(a)−1)(len(b)−1) quads, point data `loss` (and `test_loss`), then
 * the path's points and one polyline through them. Open in ParaView (File → Open, .vtp).
 */
export function planeToVtp(plane: Pick<PlaneResult, 'a' | 'b' | 'loss' | 'testLoss' | 'trajectory'>, options: VtpOptions = {}): string {
  const { a, b } = plane;
  const na = a.length, nb = b.length;
  if (na < 2 || nb < 2) throw new Error('planeToVtp: the grid needs at least 2×2 points');
  const zOf = (v: number) => (options.log ? Math.log(v) : v);
  let zFill = -Infinity;
  for (const row of plane.loss) for (const v of row) { const z = zOf(v); if (Number.isFinite(z)) zFill = Math.max(zFill, z); }
  if (options.zMax !== undefined) zFill = Math.min(zFill, options.zMax);
  if (!Number.isFinite(zFill)) zFill = 0;
  const z = (v: number) => { const t = zOf(v); return Number.isFinite(t) ? (options.zMax !== undefined ? Math.min(t, options.zMax) : t) : zFill; };
  const grid = plane.loss.map((row) => row.map((v) => z(v)));
  let lossFill = 0;
  for (const row of plane.loss) for (const v of row) if (Number.isFinite(v)) lossFill = Math.max(lossFill, v);
  const lossOf = (v: number) => fmt(Number.isFinite(v) ? v : lossFill); // ParaView reads no NaN in ASCII arrays

  const traj = plane.trajectory;
  const withPath = (options.path ?? true) && traj && traj.a.length >= 2;
  const pathN = withPath ? traj.a.length : 0;
  const points: string[] = [], loss: string[] = [], test: string[] = [];
  for (let i = 0; i < nb; i++) for (let j = 0; j < na; j++) {
    points.push(`${fmt(a[j])} ${fmt(b[i])} ${fmt(grid[i][j])}`);
    loss.push(lossOf(plane.loss[i][j]));
    if (plane.testLoss) test.push(fmt(plane.testLoss[i]?.[j] ?? NaN));
  }
  for (let k = 0; k < pathN; k++) {
    const h = sample(grid, a, b, traj.a[k], traj.b[k]);
    points.push(`${fmt(traj.a[k])} ${fmt(traj.b[k])} ${fmt(h)}`);
    const l = sample(plane.loss, a, b, traj.a[k], traj.b[k]);
    loss.push(lossOf(l));
    if (plane.testLoss) test.push(fmt(sample(plane.testLoss, a, b, traj.a[k], traj.b[k])));
  }
  const conn: number[] = [], offs: number[] = [];
  for (let i = 0; i + 1 < nb; i++) for (let j = 0; j + 1 < na; j++) {
    const p = i * na + j;
    conn.push(p, p + 1, p + na + 1, p + na);
    offs.push(conn.length);
  }
  const nPolys = (na - 1) * (nb - 1);
  const base = na * nb;
  const lines = withPath
    ? `      <Lines>
        <DataArray type="Int32" Name="connectivity" format="ascii">${Array.from({ length: pathN }, (_, k) => base + k).join(' ')}</DataArray>
        <DataArray type="Int32" Name="offsets" format="ascii">${pathN}</DataArray>
      </Lines>
`
    : '';
  const testArray = plane.testLoss
    ? `        <DataArray type="Float32" Name="test_loss" format="ascii">${test.join(' ')}</DataArray>\n` : '';
  return `<?xml version="1.0"?>
<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian">
  <PolyData>
    <Piece NumberOfPoints="${base + pathN}" NumberOfVerts="0" NumberOfLines="${withPath ? 1 : 0}" NumberOfStrips="0" NumberOfPolys="${nPolys}">
      <PointData Scalars="loss">
        <DataArray type="Float32" Name="loss" format="ascii">${loss.join(' ')}</DataArray>
${testArray}      </PointData>
      <Points>
        <DataArray type="Float32" NumberOfComponents="3" format="ascii">${points.join(' ')}</DataArray>
      </Points>
${lines}      <Polys>
        <DataArray type="Int32" Name="connectivity" format="ascii">${conn.join(' ')}</DataArray>
        <DataArray type="Int32" Name="offsets" format="ascii">${offs.join(' ')}</DataArray>
      </Polys>
    </Piece>
  </PolyData>
</VTKFile>
`;
}
