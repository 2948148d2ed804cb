/**
 * Conv2DBackpropFilter for the wasm backend (missing in tfjs-backend-wasm 4.22; needed to train
 * any conv layer). Computed as an im2col product that runs on XNNPACK's fast matmul:
 *
 *   dW[(fh,fw,ci), co] = Σ_p Pᵀ[(fh,fw,ci), p] · dy[p, co],   p = (b, oh, ow)
 *   Pᵀ[(fh,fw,ci), p]  = x[b, oh·sh + fh − padTop, ow·sw + fw − padLeft, ci]   (0 outside)
 *
 * Pᵀ is filled directly in its transposed layout from a channel-major copy of x (so each row is
 * a sequential copy), in chunks of the batch (and of taps if one image is too big) that stay
 * within a bounded scratch size. dy's chunk is the matmul's right operand; it stays the same
 * tensor across the tap chunks of a batch chunk, so XNNPACK packs it only once per batch chunk.
 */
import * as tf from '@tensorflow/tfjs';
import {
  KernelArgs, TensorInfo, WasmBackend, asWasm, callKernel, f32, free, makeView, releaseView, withShape, zeros,
} from './wasm-internals';

/** Max float32 elements of one im2col chunk (4 MB; measured: 1M beats 256K and 4M-16M). */
const SCRATCH_ELEMS = 1 << 20;

export interface Conv2DGeometry {
  batch: number; inH: number; inW: number; inC: number;
  outH: number; outW: number; outC: number;
  fH: number; fW: number; sH: number; sW: number; dH: number; dW: number;
  padTop: number; padLeft: number;
}

export function geometry(info: tf.backend_util.Conv2DInfo): Conv2DGeometry {
  return {
    batch: info.batchSize, inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels,
    fH: info.filterHeight, fW: info.filterWidth, sH: info.strideHeight, sW: info.strideWidth,
    dH: info.dilationHeight, dW: info.dilationWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

/**
 * Writes taps [q0, q1) (q = fh·fW + fw) of Pᵀ for batches [b0, b1) into `P`, laid out as
 * [(q − q0)·inC + ci, p] with p = ((b − b0)·outH + oh)·outW + ow. `xc` is x channel-major,
 * [inC, batch, inH, inW], so each output row is written sequentially from one input row.
 */
function fillIm2colT(
  P: Float32Array, xc: Float32Array, g: Conv2DGeometry, q0: number, q1: number, b0: number, b1: number,
): void {
  const { batch, inH, inW, inC, outH, outW, fW, sH, sW, dH, dW, padTop, padLeft } = g;
  let o = 0;
  for (let q = q0; q < q1; q++) {
    const fh = Math.floor(q / fW), fw = q % fW;
    const w0 = fw * dW - padLeft; // iw = ow·sW + w0
    // Valid ow range: 0 <= ow·sW + w0 < inW.
    const owLo = Math.min(outW, Math.max(0, Math.ceil(-w0 / sW)));
    const owHi = Math.max(owLo, Math.min(outW, Math.floor((inW - 1 - w0) / sW) + 1));
    for (let c = 0; c < inC; c++) {
      for (let b = b0; b < b1; b++) {
        const plane = (c * batch + b) * inH;
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * sH + fh * dH - padTop;
          if (ih < 0 || ih >= inH) { P.fill(0, o, o + outW); o += outW; continue; }
          const row = (plane + ih) * inW + w0;
          let ow = 0;
          for (; ow < owLo; ow++) P[o++] = 0;
          if (sW === 1) for (; ow < owHi; ow++) P[o++] = xc[row + ow];
          else for (; ow < owHi; ow++) P[o++] = xc[row + ow * sW];
          for (; ow < outW; ow++) P[o++] = 0;
        }
      }
    }
  }
}

/** dW = im2col(x)ᵀ · dy for NHWC tensors; returns a new [fH, fW, inC, outC] tensor. */
export function filterGradNHWC(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, g: Conv2DGeometry): TensorInfo {
  const { batch, outH, outW, outC, fH, fW, inC } = g;
  const taps = fH * fW;
  const perImage = outH * outW;
  const out = zeros(backend, [fH, fW, inC, outC]);
  const xc = callKernel('Transpose', backend, { x }, { perm: [3, 0, 1, 2] }); // [inC, batch, inH, inW]
  // Chunks: whole images with all taps when they fit, else single images split by taps.
  const bStep = Math.max(1, Math.min(batch, Math.floor(SCRATCH_ELEMS / (taps * inC * perImage))));
  for (let b0 = 0; b0 < batch; b0 += bStep) {
    const b1 = Math.min(batch, b0 + bStep);
    const npos = (b1 - b0) * perImage;
    const dyChunk = bStep >= batch ? withShape(dy, [npos, outC]) : makeView(backend, dy, b0 * perImage * outC, [npos, outC]);
    const qStep = Math.max(1, Math.min(taps, Math.floor(SCRATCH_ELEMS / (inC * npos))));
    for (let q0 = 0; q0 < taps; q0 += qStep) {
      const q1 = Math.min(taps, q0 + qStep);
      const rows = (q1 - q0) * inC;
      const P = backend.makeOutput([rows, npos], 'float32');
      fillIm2colT(f32(backend, P), f32(backend, xc), g, q0, q1, b0, b1);
      const part = callKernel('BatchMatMul', backend, { a: P, b: dyChunk }, { transposeA: false, transposeB: false });
      free(backend, P);
      const src = f32(backend, part), dst = f32(backend, out);
      const off = q0 * inC * outC;
      for (let i = 0; i < src.length; i++) dst[off + i] += src[i];
      free(backend, part);
    }
    if (dyChunk.dataId !== dy.dataId) releaseView(backend, dyChunk);
  }
  free(backend, xc);
  return out;
}

export function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as {
    strides: [number, number] | number; pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC');
  if (fmt !== 'channelsLast') {
    throw new Error(`Conv2DBackpropFilter (wasm): dataFormat ${dataFormat} is not supported; use NHWC.`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, fmt);
  return filterGradNHWC(backend, x, dy, geometry(info));
}
