/**
 * Kernel fixes for tfjs-backend-webgpu 4.22, registered over (or next to) its own kernels once
 * the backend has started, as src/engine/wasm/patch_kernels.ts does for wasm. Every kernel that
 * training and the probes use exists on webgpu 4.22 (Conv2D/depthwise backprops, MaxPoolGrad,
 * AvgPoolGrad, UnsortedSegmentSum, Einsum, FusedBatchNorm, the LSTM's ops), and
 * test/unit/webgpu.test.ts compares each model family with wasm; a kernel found wrong there gets
 * its replacement listed in FIXES.
 */
import * as tf from '@tensorflow/tfjs';

interface Fix { kernelName: string; kernelFunc: tf.KernelConfig['kernelFunc']; why: string }

/** Replacements, by kernel name (none needed so far: see the file comment). */
const FIXES: Fix[] = [];

let patched = false;

/** Registers the fixes for the 'webgpu' backend (idempotent). */
export function patchWebGpuKernels(): { replaced: string[]; added: string[] } {
  if (patched) return { replaced: [], added: [] };
  patched = true;
  const replaced: string[] = [], added: string[] = [];
  for (const f of FIXES) {
    const had = tf.getKernel(f.kernelName, 'webgpu') != null;
    if (had) tf.unregisterKernel(f.kernelName, 'webgpu');
    tf.registerKernel({ kernelName: f.kernelName, backendName: 'webgpu', kernelFunc: f.kernelFunc });
    (had ? replaced : added).push(f.kernelName);
  }
  return { replaced, added };
}
