/**
 * Puts the BLAS kernels (./matmul.ts, ./vector-kernels.ts, ./conv2d.ts) in front of the wasm backend's
 * BatchMatMul, _FusedMatMul (already our fixed versions, see ../wasm/patch_kernels.ts), Sum,
 * Conv2D, FusedConv2D and Conv2DBackpropFilter (unless LOSS_LANDSCAPE_BLAS_CONV=off),
 * which stay as the fallback for small products and other cases, and registers AXPY_KERNEL
 * (y + α·x in one pass; the engine uses it only where it is registered). Idempotent;
 * `uninstallBlas` restores the wasm kernels.
 * The library is loaded once per process.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelImpl } from '../wasm/wasm-internals';
import { MARK } from '../wasm/patch-kernels';
import { BlasLibrary, BlasLoad, Dgemv, loadBlas } from './library';
import { blasMatMul } from './matmul';
import { AXPY_KERNEL, blasAxpy, blasSum } from './vector-kernels';
import { setting } from '../../shared/switchboard';
import { blasConv2D, blasConv2DBackpropFilter } from './conv2d';

const BLAS_MARK = '__lossLandscapeBlas';
type Make = (lib: BlasLibrary, fallback: KernelImpl | undefined) => KernelImpl | null;
/** The kernels put on the BLAS: each wraps the registered one (its fallback), or is new. */
const KERNELS: Record<string, Make> = {
  BatchMatMul: (lib, fb) => blasMatMul(lib, fb!, false, { minMacs: MIN_BLAS_MACS }),
  _FusedMatMul: (lib, fb) => blasMatMul(lib, fb!, true, { minMacs: MIN_BLAS_MACS }),
  Sum: (lib, fb) => (lib.sgemv ? blasSum(lib, fb!) : null),
  [AXPY_KERNEL]: (lib) => (lib.saxpy ? blasAxpy(lib) : null),
  // convolutions (./conv2d.ts); Conv2DBackpropInput reaches the BLAS through Conv2D / BatchMatMul
  Conv2D: (lib, fb) => (convOnBlas() ? blasConv2D(lib, fb!, false, { minMacs: MIN_BLAS_MACS }) : null),
  FusedConv2D: (lib, fb) => (convOnBlas() ? blasConv2D(lib, fb!, true, { minMacs: MIN_BLAS_MACS }) : null),
  Conv2DBackpropFilter: (lib, fb) => (convOnBlas() ? blasConv2DBackpropFilter(lib, fb!, { minMacs: MIN_BLAS_MACS }) : null),
};

/** LOSS_LANDSCAPE_BLAS_CONV=off keeps convolutions on the wasm kernels (matrix products stay on the BLAS). */
export function convOnBlas(): boolean {
  return setting('BLAS_CONV');
}

/**
 * Below this many multiply-adds the wasm kernels are used (LOSS_LANDSCAPE_BLAS_MIN_MACS overrides).
 * Measured on the 2-core bench machine (loaded, so rough): the BLAS took 0.2–0.4× the wasm time
 * from 64³ up (0.04× where the wasm path transposes), about the same at 16³, both ≈ 0.1 ms at 32³.
 */
export const MIN_BLAS_MACS = setting('BLAS_MIN_MACS');

let loaded: BlasLoad | undefined;
const previous = new Map<string, tf.KernelConfig>();

/** What the runner reports (result.json, CLI summary, status line). */
export interface BlasInfo { library: string; threads: number }

function isBlas(cfg: tf.KernelConfig | undefined): boolean {
  return !!cfg && (cfg.kernelFunc as unknown as Record<string, unknown>)[BLAS_MARK] === true;
}

/** The loaded library (loading it on the first call), or why there is none. */
export function blasLibrary(): BlasLoad {
  loaded ??= loadBlas();
  return loaded;
}

/** Registers the BLAS kernels for 'wasm'; returns the library, or the reason it is not used. */
export function installBlas(): BlasLoad {
  const load = blasLibrary();
  if (!load.ok) return load;
  for (const [name, make] of Object.entries(KERNELS)) {
    const cur = tf.getKernel(name, 'wasm');
    if (isBlas(cur) || (!cur && name !== AXPY_KERNEL)) continue;
    const impl = make(load.lib, cur?.kernelFunc as unknown as KernelImpl | undefined);
    if (!impl) continue;
    if (cur) previous.set(name, cur);
    const kernelFunc = ((args: Parameters<KernelImpl>[0]) => impl(args)) as unknown as tf.KernelFunc;
    // MARK: patchWasmKernels must not wrap this kernel again.
    Object.assign(kernelFunc, { [BLAS_MARK]: true, [MARK]: true });
    if (cur) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, setupFunc: cur?.setupFunc, disposeFunc: cur?.disposeFunc });
  }
  return load;
}

/** Puts back the kernels that were registered before `installBlas`. */
export function uninstallBlas(): void {
  for (const name of Object.keys(KERNELS)) {
    if (!isBlas(tf.getKernel(name, 'wasm'))) continue;
    tf.unregisterKernel(name, 'wasm');
    const prev = previous.get(name);
    if (prev) tf.registerKernel(prev);
    previous.delete(name);
  }
}

export function blasInstalled(): boolean {
  return isBlas(tf.getKernel('BatchMatMul', 'wasm'));
}

/**
 * The BLAS's double-precision matrix-vector product while the BLAS path is on (installed on the
 * wasm backend and the backend in use), else null: for the engine's Float64 linear algebra
 * (Lanczos' reorthogonalization), which keeps a JS fallback.
 */
export function activeDgemv(): Dgemv | null {
  return activeBlas()?.dgemv ?? null;
}

/** The BLAS while the BLAS path is on (see activeDgemv), else null. */
export function activeBlas(): BlasLibrary | null {
  if (!loaded?.ok || tf.getBackend() !== 'wasm' || !blasInstalled()) return null;
  return loaded.lib;
}

export function blasInfo(lib: BlasLibrary): BlasInfo {
  return { library: lib.library, threads: lib.threads };
}
