/**
 * What the backend in use can do, as the engine needs to know it: the engine reads this instead
 * of asking which backend it runs on (lint: no `tf.getBackend()` in src/engine). `initBackend`
 * returns it with its choice; `backendCapabilities()` says it again at any time (a test may switch
 * backends or switches between two calls).
 */
import * as tf from '@tensorflow/tfjs';
import { setting } from '../shared/switchboard';
import { activeBlas } from './blas/install';
import { AXPY_KERNEL } from './blas/vector-kernels';

export interface BackendCapabilities {
  /** Points evaluated between two awaited reads: a read is a GPU round trip on WebGPU, free on the CPU. */
  pointsPerRead: number;
  /** Several points per pass (a stacked MLP) pays off here. */
  stacking: boolean;
  /** A plane or a line may be split over a second process (not with one GPU). */
  processSplit: boolean;
  /** Dense stacks' steps, points and Hessian-vector products may run on the BLAS (wasm with a BLAS). */
  densePaths: boolean;
  /** y + α·x is one kernel (AXPY_KERNEL, the BLAS path on wasm), not Multiply then Add. */
  fusedAxpy: boolean;
}

export function backendCapabilities(): BackendCapabilities {
  const gpu = tf.getBackend() === 'webgpu';
  return {
    pointsPerRead: setting('POINTS_PER_READ') ?? (gpu ? 32 : 1),
    stacking: setting('STACK') ?? gpu,
    processSplit: !gpu,
    densePaths: activeBlas() != null,
    fusedAxpy: tf.getKernel(AXPY_KERNEL, tf.getBackend()) != null,
  };
}
