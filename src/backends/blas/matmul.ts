/**
 * BatchMatMul and _FusedMatMul for the TF.js wasm backend computed by the system BLAS:
 * `cblas_sgemm` reads the operands and writes the result in place on the wasm heap (no copy),
 * one call per batch slice, transposes passed to the BLAS as flags (nothing materialised).
 *
 * _FusedMatMul: a bias of N values (or one) is written into C first and the product accumulated
 * onto it (beta = 1); other bias shapes go to the fallback kernel. The activation runs
 * after the product, with the wasm backend's own kernels (Relu, Relu6, Elu, Sigmoid, LeakyRelu,
 * Prelu), i.e. the same arithmetic as the wasm path.
 * Products smaller than `minMacs` multiply-adds (and anything unusual: other dtypes, empty
 * shapes, unknown activations) go to the kernel that was registered before (XNNPACK via our
 * wasm fixes), which is faster there.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelArgs, KernelImpl, TensorInfo, WasmBackend, asWasm, callKernel, f32, free, sizeOf } from '../wasm/wasm-internals';
import { broadcastIndex } from '../wasm/fast-matmul';
import { BlasLibrary, NO_TRANS, ROW_MAJOR, TRANS } from './library';
import { fillRows } from './rows';

export const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu']);

/** A bias we can write into C: one value, or N values along the last axis. */
export function rowBias(bias: TensorInfo, N: number): boolean {
  const n = sizeOf(bias.shape);
  return n === 1 || (n === N && bias.shape[bias.shape.length - 1] === N);
}

/** Writes `bias` (see rowBias) into every row of C. */
export function fillBias(backend: WasmBackend, c: Float32Array, bias: TensorInfo): void {
  if (sizeOf(bias.shape) === 1) { c.fill(f32(backend, bias)[0]); return; }
  fillRows(c, f32(backend, bias));
}

export function activate(backend: WasmBackend, out: TensorInfo, act: string, args: KernelArgs): TensorInfo {
  if (act === 'linear') return out;
  const x = out;
  let y: TensorInfo;
  // The wasm backend's (XNNPACK, SIMD) kernels: a JS loop over the heap took 8–10 ms per
  // million values (branch mispredictions on the signs), the Relu kernel ≈ 1 ms.
  if (act === 'relu') y = callKernel('Relu', backend, { x });
  else if (act === 'relu6') y = callKernel('Relu6', backend, { x });
  else if (act === 'elu') y = callKernel('Elu', backend, { x });
  else if (act === 'sigmoid') y = callKernel('Sigmoid', backend, { x });
  else if (act === 'leakyrelu') y = callKernel('LeakyRelu', backend, { x }, { alpha: (args.attrs?.leakyreluAlpha as number) ?? 0.2 });
  else y = callKernel('Prelu', backend, { x, alpha: args.inputs.preluActivationWeights as TensorInfo });
  free(backend, x);
  return y;
}

export interface BlasMatMulOptions {
  /** Products (all slices together) below this many multiply-adds use the fallback kernel. */
  minMacs: number;
}

export function blasMatMul(blas: BlasLibrary, fallback: KernelImpl, fused: boolean, opts: BlasMatMulOptions): KernelImpl {
  return (args) => {
    const backend = asWasm(args.backend);
    const { a, b, bias } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs ?? {};
    const act = fused ? String(attrs.activation ?? 'linear') : 'linear';
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2
      || (bias && bias.dtype !== 'float32') || !ACTIVATIONS.has(act)) {
      return fallback(args);
    }
    const tA = !!attrs.transposeA, tB = !!attrs.transposeB;
    const ra = a.shape[a.shape.length - 2], ca = a.shape[a.shape.length - 1];
    const rb = b.shape[b.shape.length - 2], cb = b.shape[b.shape.length - 1];
    const M = tA ? ca : ra, K = tA ? ra : ca, N = tB ? rb : cb;
    if (K !== (tB ? cb : rb) || M === 0 || N === 0 || K === 0) return fallback(args);
    const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
    let outer: number[];
    try { outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB); } catch { return fallback(args); }
    const bA = sizeOf(outerA), bB = sizeOf(outerB), bOut = sizeOf(outer);
    if (bOut * M * N * K < opts.minMacs || (bias && !rowBias(bias, N))) return fallback(args);

    const out = backend.makeOutput([...outer, M, N], 'float32');
    // Views only now: makeOutput may have grown (and so replaced) the heap.
    const A = f32(backend, a), B = f32(backend, b), C = f32(backend, out);
    if (bias) fillBias(backend, C, bias);
    const beta = bias ? 1 : 0;
    const opA = tA ? TRANS : NO_TRANS, opB = tB ? TRANS : NO_TRANS;
    blas.threadsFor(M * N * K);
    for (let o = 0; o < bOut; o++) {
      const ia = bA === bOut ? o : bA === 1 ? 0 : broadcastIndex(o, outer, outerA);
      const ib = bB === bOut ? o : bB === 1 ? 0 : broadcastIndex(o, outer, outerB);
      const sa = bOut === 1 ? A : A.subarray(ia * M * K, (ia + 1) * M * K);
      const sb = bOut === 1 ? B : B.subarray(ib * K * N, (ib + 1) * K * N);
      const sc = bOut === 1 ? C : C.subarray(o * M * N, (o + 1) * M * N);
      blas.sgemm(ROW_MAJOR, opA, opB, M, N, K, 1, sa, ca, sb, cb, beta, sc, N);
    }
    return activate(backend, out, act, args);
  };
}
