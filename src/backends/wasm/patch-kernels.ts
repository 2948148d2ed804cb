/**
 * Installs our wasm kernel fixes into tfjs's kernel registry (idempotent).
 *  - replacements wrap the original kernel function (kept for the cases it handles well);
 *  - missing kernels are only registered when tfjs has none for 'wasm'.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelImpl } from './wasm-internals';
import { fastBatchMatMul, fastFusedMatMul } from './fast-matmul';
import { conv2DBackpropFilter } from './conv2d-backprop-filter';
import { fastConv2DBackpropInput } from './conv2d-backprop-input';
import { depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput } from './depthwise-conv2d-backprop';
import { unsortedSegmentSum } from './unsorted-segment-sum';
import { einsum } from './einsum';
import { fixedMaxPoolGrad } from './max-pool-grad';
import { fastGatherV2, sharedIdentity } from './fast-gather';
import { fastTile } from './fast-tile';

/** Set on our kernel functions: patchWasmKernels leaves a kernel carrying it alone. */
export const MARK = '__lossLandscapePatch';
const originals = new Map<string, tf.KernelConfig>();

const replacements: Record<string, (orig: KernelImpl) => KernelImpl> = {
  BatchMatMul: fastBatchMatMul,
  _FusedMatMul: fastFusedMatMul,
  Conv2DBackpropInput: fastConv2DBackpropInput,
  MaxPoolGrad: fixedMaxPoolGrad,
  GatherV2: fastGatherV2,
  Identity: sharedIdentity,
  Tile: fastTile,
};

const additions: Record<string, KernelImpl> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dBackpropInput,
  UnsortedSegmentSum: unsortedSegmentSum,
  Einsum: einsum,
};

function isOurs(cfg: tf.KernelConfig | undefined): boolean {
  return !!cfg && (cfg.kernelFunc as unknown as Record<string, unknown>)[MARK] === true;
}

function mark(f: KernelImpl): tf.KernelFunc {
  const k = ((args: Parameters<KernelImpl>[0]) => f(args)) as unknown as tf.KernelFunc;
  (k as unknown as Record<string, unknown>)[MARK] = true;
  return k;
}

/** Names of the kernels patched or added by the last call (for logs and tests). */
export interface PatchReport { replaced: string[]; added: string[] }

export function patchWasmKernels(): PatchReport {
  const report: PatchReport = { replaced: [], added: [] };
  for (const [name, make] of Object.entries(replacements)) {
    const cur = tf.getKernel(name, 'wasm');
    if (!cur || isOurs(cur)) continue;
    const orig = cur.kernelFunc as unknown as KernelImpl;
    originals.set(name, cur);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      kernelName: name, backendName: 'wasm', kernelFunc: mark(make(orig)),
      setupFunc: cur.setupFunc, disposeFunc: cur.disposeFunc,
    });
    report.replaced.push(name);
  }
  for (const [name, impl] of Object.entries(additions)) {
    if (tf.getKernel(name, 'wasm')) continue;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: mark(impl) });
    report.added.push(name);
  }
  return report;
}

/** Restores the stock wasm kernels (for benchmarks and tests comparing against them). */
export function unpatchWasmKernels(): void {
  for (const name of Object.keys(replacements)) {
    const orig = originals.get(name);
    if (!orig || !isOurs(tf.getKernel(name, 'wasm'))) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(orig);
    originals.delete(name);
  }
  for (const name of Object.keys(additions)) {
    if (isOurs(tf.getKernel(name, 'wasm'))) tf.unregisterKernel(name, 'wasm');
  }
}
