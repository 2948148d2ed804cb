/**
 * Conv2D, FusedConv2D and Conv2DBackpropFilter for the TF.js wasm backend on the system BLAS
 * (im2col + sgemm, on every BLAS thread for big products). NHWC, float32; anything else
 * (NCHW, other dtypes, products below `minMacs`, unknown activations or bias shapes) goes to the
 * kernel registered before (XNNPACK's conv, our wasm filter gradient).
 *
 *   P[p, (fh, fw, ci)] = x[b, oh·sH + fh·dH − padTop, ow·sW + fw·dW − padLeft, ci]  (0 outside),
 *   p = (b, oh, ow);  the filter [fH, fW, inC, outC] is already the matrix W[(fh, fw, ci), co];
 *   forward:  y[p, co] = Σ_k P[p, k] · W[k, co]        (sgemm, bias written into y first, β = 1)
 *   filter:   dW[k, co] = Σ_p P[p, k] · dy[p, co]      (sgemm with Pᵀ as a flag, chunks summed by β = 1)
 *
 * P is a scratch tensor on the wasm heap, filled with native copies of the runs of fW·inC floats
 * that one filter row reads (copyWithin; short runs by a loop), in chunks of whole images of at
 * most SCRATCH_ELEMS floats. A 1×1 stride-1 unpadded conv uses x itself as P. Small forward
 * convolutions stay on XNNPACK (MIN_OUT_CHANNELS, MIN_WINDOW). The input gradient
 * (Conv2DBackpropInput, ../wasm/conv2d-backprop-input.ts) reaches the BLAS through these: at
 * stride 1 it is a Conv2D (ours), else a BatchMatMul (../blas/matmul.ts) and a col2im.
 * The activation of FusedConv2D runs after the product with the wasm backend's own kernels, as
 * in ./matmul.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelArgs, KernelImpl, TensorInfo, WasmBackend, asWasm, f32, free, heapOffset } from '../wasm/wasm-internals';
import { Conv2DGeometry, geometry } from '../wasm/conv2d-backprop-filter';
import { BlasLibrary, NO_TRANS, ROW_MAJOR, TRANS } from './library';
import { ACTIVATIONS, activate, fillBias, rowBias } from './matmul';

/**
 * Forward convolutions (Conv2D, FusedConv2D; also the stride-1 input gradient, a Conv2D) with
 * fewer output channels or a shorter window fH·fW·inC than these stay on XNNPACK's direct
 * convolution: measured per layer on the 2-core bench machine (loaded; FusedConv2D + relu, BLAS
 * time / XNNPACK time): window 9 (first layers, one input channel) 1.3–2.2, window 72–144 with 8–16
 * outputs 1.2–1.35, window ≥ 144 with ≥ 32 outputs 0.55–0.95. The filter gradient has no XNNPACK
 * kernel (../wasm/conv2d-backprop-filter.ts is an im2col product too) and always takes the BLAS.
 */
export const MIN_OUT_CHANNELS = 32, MIN_WINDOW = 64;

/** Max float32 elements of one im2col chunk (16 MiB). */
const SCRATCH_ELEMS = 4 << 20;
/** Runs at least this long are copied natively (copyWithin), shorter ones by a loop. */
const NATIVE_RUN = 24;

/** Time in im2col and in sgemm while `on` (bench/ours.ts profile; off otherwise). */
export const convProfile = { on: false, im2colMs: 0, gemmMs: 0, calls: 0 };

export interface BlasConvOptions {
  /** Convolutions (all images together) below this many multiply-adds use the fallback kernel. */
  minMacs: number;
}

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
interface ConvAttrs {
  strides: [number, number] | number; pad: Pad; dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number; dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string; leakyreluAlpha?: number; filterShape?: [number, number, number, number];
}

/** The conv's geometry, or null when it is not NHWC. */
function convGeometry(xShape: number[], filterShape: number[], a: ConvAttrs): Conv2DGeometry | null {
  const fmt = tf.backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC');
  if (fmt !== 'channelsLast' || xShape.length !== 4 || filterShape.length !== 4) return null;
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number],
    filterShape as [number, number, number, number], a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, false, fmt);
  return geometry(info);
}

const macsOf = (g: Conv2DGeometry) => g.batch * g.outH * g.outW * g.outC * g.fH * g.fW * g.inC;

/** x is its own im2col matrix: 1×1 filter, stride 1, no padding. */
const isPointwise = (g: Conv2DGeometry) => g.fH === 1 && g.fW === 1 && g.sH === 1 && g.sW === 1
  && g.padTop === 0 && g.padLeft === 0 && g.outH === g.inH && g.outW === g.inW;

function copyRun(h: Float32Array, dst: number, src: number, n: number): void {
  if (n >= NATIVE_RUN) { h.copyWithin(dst, src, src + n); return; }
  for (let k = 0; k < n; k++) h[dst + k] = h[src + k];
}
function zeroRun(h: Float32Array, dst: number, n: number): void {
  if (n >= NATIVE_RUN) { h.fill(0, dst, dst + n); return; }
  for (let k = 0; k < n; k++) h[dst + k] = 0;
}

/**
 * Writes P (see the file comment) for images [b0, b1) at element `p` of the heap view `h`,
 * reading x at element `x`. Exported for the tests.
 */
export function im2col(h: Float32Array, x: number, p: number, g: Conv2DGeometry, b0: number, b1: number): void {
  const { inH, inW, inC, outH, outW, fH, fW, sH, sW, dH, dW, padTop, padLeft } = g;
  const run = fW * inC, rowLen = inW * inC;
  let o = p;
  for (let b = b0; b < b1; b++) {
    const img = x + b * inH * rowLen;
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * sH - padTop;
      for (let ow = 0; ow < outW; ow++) {
        const iw0 = ow * sW - padLeft;
        // the fW taps of a filter row are one run of fW·inC floats when inside and undilated
        const whole = dW === 1 && iw0 >= 0 && iw0 + fW <= inW;
        for (let fh = 0; fh < fH; fh++) {
          const ih = ih0 + fh * dH;
          if (ih < 0 || ih >= inH) { zeroRun(h, o, run); o += run; continue; }
          const row = img + ih * rowLen;
          if (whole) { copyRun(h, o, row + iw0 * inC, run); o += run; continue; }
          for (let fw = 0; fw < fW; fw++, o += inC) {
            const iw = iw0 + fw * dW;
            if (iw < 0 || iw >= inW) zeroRun(h, o, inC); else copyRun(h, o, row + iw * inC, inC);
          }
        }
      }
    }
  }
}

/** Images per im2col chunk (at least one). */
function chunkImages(g: Conv2DGeometry): number {
  const perImage = g.outH * g.outW * g.fH * g.fW * g.inC;
  return Math.max(1, Math.min(g.batch, Math.floor(SCRATCH_ELEMS / Math.max(1, perImage))));
}

/** Heap view of the whole wasm memory (taken after the last allocation). */
const heapF32 = (backend: WasmBackend) => new Float32Array(backend.wasm.HEAPU8.buffer);
const elem = (backend: WasmBackend, t: TensorInfo) => heapOffset(backend, t) >> 2;

/**
 * P chunk by chunk of whole images into one scratch tensor; `gemm` gets the heap view (valid
 * for the whole loop), P's rows for images [b0, b1), and their count M.
 */
function overChunks(backend: WasmBackend, x: TensorInfo, g: Conv2DGeometry,
  gemm: (h: Float32Array, P: Float32Array, b0: number, b1: number, M: number) => void): void {
  const K = g.fH * g.fW * g.inC, perImage = g.outH * g.outW, step = chunkImages(g);
  const scratch = backend.makeOutput([step * perImage, K], 'float32');
  const h = heapF32(backend);
  const xe = elem(backend, x), pe = elem(backend, scratch);
  for (let b0 = 0; b0 < g.batch; b0 += step) {
    const b1 = Math.min(g.batch, b0 + step), M = (b1 - b0) * perImage;
    if (!convProfile.on) {
      im2col(h, xe, pe, g, b0, b1);
      gemm(h, h.subarray(pe, pe + M * K), b0, b1, M);
      continue;
    }
    const t0 = performance.now();
    im2col(h, xe, pe, g, b0, b1);
    const t1 = performance.now();
    gemm(h, h.subarray(pe, pe + M * K), b0, b1, M);
    convProfile.im2colMs += t1 - t0; convProfile.gemmMs += performance.now() - t1; convProfile.calls++;
  }
  free(backend, scratch);
}

/** y = conv(x, W) (+ bias) on the BLAS into `out` (NHWC). */
function convForward(blas: BlasLibrary, backend: WasmBackend, x: TensorInfo, filter: TensorInfo, bias: TensorInfo | undefined,
  out: TensorInfo, g: Conv2DGeometry): void {
  const K = g.fH * g.fW * g.inC, N = g.outC, perImage = g.outH * g.outW;
  if (bias) fillBias(backend, f32(backend, out), bias);
  const beta = bias ? 1 : 0;
  if (isPointwise(g)) {
    const M = g.batch * perImage;
    blas.threadsFor(M * N * K);
    blas.sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, M, N, K, 1, f32(backend, x), K, f32(backend, filter), N, beta, f32(backend, out), N);
    return;
  }
  const oe = elem(backend, out), we = elem(backend, filter);
  overChunks(backend, x, g, (h, P, b0, b1, M) => {
    blas.threadsFor(M * N * K);
    const C = h.subarray(oe + b0 * perImage * N, oe + b1 * perImage * N);
    blas.sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, M, N, K, 1, P, K, h.subarray(we, we + K * N), N, beta, C, N);
  });
}

/** Conv2D (fused = false) or FusedConv2D (bias + activation) on the BLAS. */
export function blasConv2D(blas: BlasLibrary, fallback: KernelImpl, fused: boolean, opts: BlasConvOptions): KernelImpl {
  return (args: KernelArgs) => {
    const backend = asWasm(args.backend);
    const { x, filter, bias } = args.inputs as Record<string, TensorInfo | undefined>;
    const a = (args.attrs ?? {}) as unknown as ConvAttrs;
    const act = fused ? String(a.activation ?? 'linear') : 'linear';
    if (!x || !filter || x.dtype !== 'float32' || filter.dtype !== 'float32' || (bias && bias.dtype !== 'float32') || !ACTIVATIONS.has(act)) {
      return fallback(args);
    }
    const g = convGeometry(x.shape, filter.shape, a);
    if (!g || g.inC !== filter.shape[2] || macsOf(g) < opts.minMacs || macsOf(g) === 0 || (bias && !rowBias(bias, g.outC))
      || g.outC < MIN_OUT_CHANNELS || g.fH * g.fW * g.inC < MIN_WINDOW) return fallback(args);
    const out = backend.makeOutput([g.batch, g.outH, g.outW, g.outC], 'float32');
    convForward(blas, backend, x, filter, bias, out, g);
    return activate(backend, out, act, args);
  };
}

/** Conv2DBackpropFilter on the BLAS: dW = Pᵀ · dy, summed over image chunks. */
export function blasConv2DBackpropFilter(blas: BlasLibrary, fallback: KernelImpl, opts: BlasConvOptions): KernelImpl {
  return (args: KernelArgs) => {
    const backend = asWasm(args.backend);
    const { x, dy } = args.inputs as Record<string, TensorInfo>;
    const a = (args.attrs ?? {}) as unknown as ConvAttrs;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32' || !a.filterShape) return fallback(args);
    const g = convGeometry(x.shape, a.filterShape, a);
    if (!g || macsOf(g) < opts.minMacs || macsOf(g) === 0) return fallback(args);
    const K = g.fH * g.fW * g.inC, N = g.outC, perImage = g.outH * g.outW;
    const out = backend.makeOutput(a.filterShape.slice(), 'float32');
    if (isPointwise(g)) {
      const M = g.batch * perImage;
      blas.threadsFor(M * N * K);
      blas.sgemm(ROW_MAJOR, TRANS, NO_TRANS, K, N, M, 1, f32(backend, x), K, f32(backend, dy), N, 0, f32(backend, out), N);
      return out;
    }
    const de = elem(backend, dy), oe = elem(backend, out);
    overChunks(backend, x, g, (h, P, b0, b1, M) => {
      blas.threadsFor(M * N * K);
      blas.sgemm(ROW_MAJOR, TRANS, NO_TRANS, K, N, M, 1, P, K,
        h.subarray(de + b0 * perImage * N, de + b1 * perImage * N), N, b0 === 0 ? 0 : 1, h.subarray(oe, oe + K * N), N);
    });
    return out;
  };
}

