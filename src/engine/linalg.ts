/** Small dense linear algebra on plain arrays (matrices up to a few hundred rows). */
import * as tf from '@tensorflow/tfjs';

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations; descending order. */
export function symEig(a: number[][]): { values: number[]; vectors: number[][] } {
  const n = a.length;
  const m = a.map((r) => r.slice());
  const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p][q] * m[p][q];
    if (off < 1e-22 * Math.max(1, m.reduce((s, r, i) => s + r[i] * r[i], 0))) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(m[p][q]) < 1e-300) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k][p], mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq; m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k], mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk; m[q][k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq; v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[j][j] - m[i][i]);
  return { values: order.map((i) => m[i][i]), vectors: order.map((i) => v.map((row) => row[i])) };
}

/** Gram matrix G[i][j] = rows[i]·rows[j] computed with one matmul on the backend. */
export async function gram(rows: Float32Array[]): Promise<number[][]> {
  const k = rows.length, p = rows[0]?.length ?? 0;
  const data = new Float32Array(k * p);
  rows.forEach((r, i) => data.set(r, i * p));
  const g = tf.tidy(() => {
    const d = tf.tensor2d(data, [k, p]);
    return tf.matMul(d, d, false, true); // the transpose as a flag (a k × p Transpose kernel took ≈ 1.5 s for 197 × 269,322)
  });
  const flat = await g.data();
  g.dispose();
  return Array.from({ length: k }, (_, i) => Array.from(flat.subarray(i * k, (i + 1) * k)));
}

/**
 * The top `count` principal directions of the rows (uncentered: directions of largest
 * ‖projection‖² summed over rows), via the eigenvectors of the Gram matrix. Unit vectors.
 */
export async function principalDirections(rows: Float32Array[], count: number): Promise<{ dirs: Float32Array[]; explained: number[] }> {
  const g = await gram(rows);
  const { values, vectors } = symEig(g);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0) || 1;
  const p = rows[0].length;
  const dirs: Float32Array[] = [];
  const explained: number[] = [];
  for (let c = 0; c < count && c < rows.length; c++) {
    const d = new Float32Array(p);
    vectors[c].forEach((w, i) => { if (w !== 0) for (let k = 0; k < p; k++) d[k] += w * rows[i][k]; });
    let nn = 0;
    for (let k = 0; k < p; k++) nn += d[k] * d[k];
    const inv = nn > 0 ? 1 / Math.sqrt(nn) : 0;
    for (let k = 0; k < p; k++) d[k] *= inv;
    dirs.push(d);
    explained.push(Math.max(0, values[c]) / total);
  }
  return { dirs, explained };
}
