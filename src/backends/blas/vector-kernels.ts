/**
 * Two memory-bound kernels of a training step on the BLAS (wasm heap, in place, no copy):
 *  - Sum over the leading axis of a float32 matrix (the bias gradients: Σ over the batch), or
 *    over all axes but the last (a conv's bias, BatchNorm's γ/β gradients over [N, H, W]), as
 *    Aᵀ·1 with sgemv; the stock kernel transposes first (0.58 ms for [128, 1024]).
 *    Other reductions go to the stock kernel.
 *  - AXPY_KERNEL (ours, no TF.js op): y + α·x in one pass (copy, then saxpy), for SGD's update
 *    θ − lr·g, which TF.js does as Multiply then Add (two passes, one temporary).
 */
import * as tf from '@tensorflow/tfjs';
import { KernelImpl, TensorInfo, asWasm, f32, sizeOf } from '../wasm/wasm-internals';
import { BlasLibrary, ROW_MAJOR, TRANS } from './library';
import { onesOf } from './rows';

export const AXPY_KERNEL = 'LossLandscapeAxpy';

/**
 * Sum over every axis but the last of a float32 tensor (axis 0 of a matrix; [0, 1, 2] of NHWC,
 * BatchNorm's gradients) through sgemv on its [rows, last] view; anything else: `fallback`.
 */
export function blasSum(blas: BlasLibrary, fallback: KernelImpl): KernelImpl {
  return (args) => {
    const backend = asWasm(args.backend);
    const { x } = args.inputs as Record<string, TensorInfo>;
    const attrs = args.attrs ?? {};
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const r = x.shape.length,
      N = x.shape[r - 1];
    const leading = axes.length === r - 1 && [...axes].sort((a, b) => a - b).every((a, i) => a === i);
    if (!blas.sgemv || x.dtype !== 'float32' || r < 2 || !leading || N === 0 || sizeOf(x.shape) / N < 2) return fallback(args);
    const M = sizeOf(x.shape) / N;
    const out = backend.makeOutput(attrs.keepDims ? [...x.shape.slice(0, -1).map(() => 1), N] : [N], 'float32');
    blas.threadsFor(1);
    blas.sgemv(ROW_MAJOR, TRANS, M, N, 1, f32(backend, x), N, onesOf(M), 1, 0, f32(backend, out), 1);
    return out;
  };
}

/** y + alpha·x for float32 tensors of one shape. */
export function blasAxpy(blas: BlasLibrary): KernelImpl {
  return (args) => {
    const backend = asWasm(args.backend);
    const { x, y } = args.inputs as Record<string, TensorInfo>;
    const alpha = Number(args.attrs?.alpha);
    if (x.dtype !== 'float32' || y.dtype !== 'float32' || !tf.util.arraysEqual(x.shape, y.shape) || !Number.isFinite(alpha)) {
      throw new Error(`${AXPY_KERNEL}: needs two float32 tensors of one shape and a finite alpha`);
    }
    const out = backend.makeOutput(y.shape, 'float32');
    const n = sizeOf(y.shape);
    if (n === 0) return out;
    const o = f32(backend, out);
    o.set(f32(backend, y));
    blas.threadsFor(1);
    blas.saxpy!(n, alpha, f32(backend, x), 1, o, 1);
    return out;
  };
}
