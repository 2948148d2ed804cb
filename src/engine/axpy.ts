/**
 * y + α·x: one kernel pass where the backend registers AXPY_KERNEL (the BLAS path on wasm,
 * see backends/blas/vector-kernels.ts), else TF.js's Multiply then Add. The two differ only by
 * the rounding of the fused multiply-add.
 */
import * as tf from '@tensorflow/tfjs';
import { AXPY_KERNEL } from '../backends/blas/vector-kernels';
import { backendCapabilities } from '../backends';

export function hasFusedAxpy(): boolean {
  return backendCapabilities().fusedAxpy;
}

export function axpyTensor(y: tf.Tensor, alpha: number, x: tf.Tensor): tf.Tensor {
  if (hasFusedAxpy() && x.dtype === 'float32' && y.dtype === 'float32' && tf.util.arraysEqual(x.shape, y.shape)) {
    return tf.engine().runKernel(AXPY_KERNEL, { x, y }, { alpha }) as tf.Tensor;
  }
  return tf.add(y, tf.mul(x, alpha));
}
