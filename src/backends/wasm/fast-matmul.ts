/**
 * Faster BatchMatMul / _FusedMatMul for tfjs-backend-wasm 4.22.
 *
 * The wasm backend only takes its XNNPACK fast path for a plain 2-D product (no transposes,
 * batch 1). Everything else (transposeA/B, batch > 1) goes to a naive blocked loop that is
 * 10-60x slower. Training hits that loop on every backward pass (dX = g·Wᵀ, dW = xᵀ·g).
 *
 * Here every product is rewritten so that only the fast path runs:
 *  - transposes are materialised with the (fast) Transpose kernel, choosing between
 *      S1: C = op(A)·op(B) with the transposed operands materialised, and
 *      S2: C = (op(B)ᵀ·op(A)ᵀ)ᵀ, which needs no transpose of an operand that already comes
 *          transposed, e.g. g·Wᵀ = (W·gᵀ)ᵀ transposes the small g and the small result instead
 *          of the big W;
 *    by a cost model: transposed elements + elements of the right operand (which XNNPACK
 *    re-packs whenever it is a new tensor).
 *  - a batch whose right operand is shared is flattened into one 2-D product;
 *  - other batches are split into per-slice 2-D products on zero-copy views.
 * Only tiny products (where our extra kernel calls cost more) still use the original loop, and
 * never with a bias: that loop adds bias[N−1] instead of bias[j] to every row but the first.
 */
import * as tf from '@tensorflow/tfjs';
import {
  KernelImpl, TensorInfo, WasmBackend, asWasm, copyElems, free, makeView, releaseView, sizeOf, transposeLast2,
  withShape,
} from './wasm-internals';

/** Below these many multiply-adds the original loop beats our extra kernel calls (measured). */
const MIN_SLICE_MACS = 16384;
const MIN_TRANSPOSED_MACS = 4096;

interface Extras {
  /** Extra inputs of _FusedMatMul (bias, preluActivationWeights); empty for BatchMatMul. */
  inputs: tf.NamedTensorInfoMap;
  /** Attributes other than the transposes (activation, leakyreluAlpha). */
  attrs: tf.NamedAttrMap;
  /** Whether C may be computed as a transposed product (no per-column bias / prelu weights). */
  transposable: boolean;
  /**
   * Whether the original's slow loop may be used for small products: not with a bias, which
   * that loop applies wrongly (row i > 0 gets bias[N−1]: it indexes the bias by i·N + j clamped).
   */
  slowLoopOk: boolean;
}

function runOrig(
  orig: KernelImpl, backend: WasmBackend, a: TensorInfo, b: TensorInfo, tA: boolean, tB: boolean, ex: Extras,
): TensorInfo {
  return orig({
    inputs: { ...ex.inputs, a, b }, backend,
    attrs: { ...ex.attrs, transposeA: tA, transposeB: tB },
  }) as TensorInfo;
}

/** One 2-D product; a is [1, ra, ca], b is [1, rb, cb]. Returns [1, M, N] (a new tensor). */
function product2d(
  orig: KernelImpl, backend: WasmBackend, a: TensorInfo, b: TensorInfo, tA: boolean, tB: boolean, ex: Extras,
): TensorInfo {
  if (!tA && !tB) return runOrig(orig, backend, a, b, false, false, ex);
  const M = tA ? a.shape[2] : a.shape[1];
  const K = tA ? a.shape[1] : a.shape[2];
  const N = tB ? b.shape[1] : b.shape[2];
  if (ex.slowLoopOk && M * K * N < MIN_TRANSPOSED_MACS) return runOrig(orig, backend, a, b, tA, tB, ex);
  const cost1 = (tA ? M * K : 0) + (tB ? K * N : 0) + K * N;
  const cost2 = (tA ? 0 : M * K) + (tB ? 0 : K * N) + M * N + K * M;
  if (ex.transposable && cost2 < cost1) {
    // Cᵀ = op(B)ᵀ · op(A)ᵀ: op(B)ᵀ is B itself when tB, op(A)ᵀ is A itself when tA.
    const x = tB ? b : transposeLast2(backend, b);
    const y = tA ? a : transposeLast2(backend, a);
    const ct = runOrig(orig, backend, x, y, false, false, ex);
    if (x !== b) free(backend, x);
    if (y !== a) free(backend, y);
    const c = transposeLast2(backend, ct);
    free(backend, ct);
    return c;
  }
  const x = tA ? transposeLast2(backend, a) : a;
  const y = tB ? transposeLast2(backend, b) : b;
  const c = runOrig(orig, backend, x, y, false, false, ex);
  if (x !== a) free(backend, x);
  if (y !== b) free(backend, y);
  return c;
}

/** Flat index into a batch of shape `inShape` for output batch index `o` (numpy broadcasting). */
export function broadcastIndex(o: number, outShape: number[], inShape: number[]): number {
  let idx = 0, stride = 1, rest = o;
  const off = outShape.length - inShape.length;
  for (let d = outShape.length - 1; d >= 0; d--) {
    const coord = rest % outShape[d];
    rest = Math.floor(rest / outShape[d]);
    const id = d - off;
    if (id >= 0) {
      if (inShape[id] !== 1) idx += coord * stride;
      stride *= inShape[id];
    }
  }
  return idx;
}

function matmul(orig: KernelImpl, args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }, fused: boolean): TensorInfo {
  const backend = asWasm(args.backend);
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
  const attrs = args.attrs ?? {};
  const tA = !!attrs.transposeA, tB = !!attrs.transposeB;
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
    return orig(args) as TensorInfo;
  }
  const ex: Extras = { inputs: {}, attrs: {}, transposable: true, slowLoopOk: true };
  if (fused) {
    if (bias) ex.inputs.bias = bias;
    if (preluActivationWeights) ex.inputs.preluActivationWeights = preluActivationWeights;
    ex.attrs = { activation: attrs.activation, leakyreluAlpha: attrs.leakyreluAlpha };
    ex.transposable = !bias && !preluActivationWeights;
    ex.slowLoopOk = !bias;
  }
  const ra = a.shape[a.shape.length - 2], ca = a.shape[a.shape.length - 1];
  const rb = b.shape[b.shape.length - 2], cb = b.shape[b.shape.length - 1];
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const bA = sizeOf(outerA), bB = sizeOf(outerB), bOut = sizeOf(outer);
  const M = tA ? ca : ra, K = tA ? ra : ca, N = tB ? rb : cb;
  if (K !== (tB ? cb : rb)) return orig(args) as TensorInfo; // let the original report the error
  const outShape = [...outer, M, N];
  const a3 = withShape(a, [bA, ra, ca]);
  const b3 = withShape(b, [bB, rb, cb]);

  if (bOut === 1) {
    const c = product2d(orig, backend, a3, b3, tA, tB, ex);
    return withShape(c, outShape);
  }
  if (bB === 1 && bA === bOut) {
    // Shared right operand: one [bA·M, K] × [K, N] product.
    const x = tA ? transposeLast2(backend, a3) : a3;
    const c = product2d(orig, backend, withShape(x, [1, bA * M, K]), b3, false, tB, ex);
    if (x !== a3) free(backend, x);
    return withShape(c, outShape);
  }
  // (The original loop also mishandles batches broadcast both ways, e.g. [2,1] with [1,3].)
  if (ex.slowLoopOk && bA === bB && M * K * N < MIN_SLICE_MACS) return orig(args) as TensorInfo;

  // General batch: per-slice 2-D products on views of the (pre-transposed) operands.
  const x = tA ? transposeLast2(backend, a3) : a3;
  const y = tB ? transposeLast2(backend, b3) : b3;
  const out = backend.makeOutput([bOut, M, N], 'float32');
  for (let o = 0; o < bOut; o++) {
    const ia = bA === bOut ? o : broadcastIndex(o, outer, outerA);
    const ib = bB === bOut ? o : broadcastIndex(o, outer, outerB);
    const va = makeView(backend, x, ia * M * K, [1, M, K]);
    const vb = makeView(backend, y, ib * K * N, [1, K, N]);
    const c = runOrig(orig, backend, va, vb, false, false, ex);
    releaseView(backend, va);
    releaseView(backend, vb);
    copyElems(backend, c, 0, out, o * M * N, M * N);
    free(backend, c);
  }
  if (x !== a3) free(backend, x);
  if (y !== b3) free(backend, y);
  return withShape(out, outShape);
}

export function fastBatchMatMul(orig: KernelImpl): KernelImpl {
  return (args) => matmul(orig, args, false);
}

export function fastFusedMatMul(orig: KernelImpl): KernelImpl {
  return (args) => matmul(orig, args, true);
}
