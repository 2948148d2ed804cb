/**
 * Small row-wise helpers shared by the BLAS kernels under TF.js (./matmul.ts,
 * ./vector-kernels.ts) and the Dense-stack code written on the BLAS (./dense-*.ts).
 */
import { BlasLibrary, ROW_MAJOR, TRANS } from './library';

/** Every row of `out` (row-major, rows of row.length) ← `row`: log2(rows) doubling copies, not one per row. */
export function fillRows(out: Float32Array, row: Float32Array): void {
  out.set(row, 0);
  for (let filled = row.length; filled < out.length; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, out.length - filled));
}

const ones = new Map<number, Float32Array>();
/** A vector of n ones (kept for up to 64 lengths). */
export function onesOf(n: number): Float32Array {
  let o = ones.get(n);
  if (!o) { o = new Float32Array(n).fill(1); if (ones.size < 64) ones.set(n, o); }
  return o;
}

/** C ← α·op(A)·op(B) + β·C (row-major), on every BLAS thread only for big products (threadsFor). */
export function gemm(blas: BlasLibrary, tA: number, tB: number, M: number, N: number, K: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number): void {
  blas.threadsFor(M * N * K);
  blas.sgemm(ROW_MAJOR, tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
}

/** out[j] += α·Σ_r d[r, j] over a [rows, units] matrix (sgemv with a vector of ones where exported). */
export function addColumnSums(blas: BlasLibrary, d: Float32Array, rows: number, units: number, alpha: number, out: Float32Array): void {
  if (blas.sgemv) {
    blas.sgemv(ROW_MAJOR, TRANS, rows, units, alpha, d, units, onesOf(rows), 1, 1, out, 1);
    return;
  }
  for (let j = 0; j < units; j++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += d[r * units + j];
    out[j] += alpha * s;
  }
}
