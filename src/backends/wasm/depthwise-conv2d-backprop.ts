/**
 * DepthwiseConv2dNativeBackpropFilter / ...BackpropInput for the wasm backend (both missing in
 * tfjs-backend-wasm 4.22; needed to train depthwise and separable conv layers).
 * Direct loops over the wasm heap (NHWC). Channel k = ci·chMul + m of dy pairs with input channel
 * ci and filter entry [fh, fw, ci, m], so the filter's last two dims flatten to dy's channels.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelArgs, TensorInfo, asWasm, f32, zeros } from './wasm-internals';
import { Conv2DGeometry, geometry } from './conv2d-backprop-filter';

interface DepthwiseAttrs {
  strides: [number, number] | number;
  dilations?: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function depthwiseGeometry(xShape: number[], filterShape: number[], a: DepthwiseAttrs): Conv2DGeometry & { chMul: number } {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  return { ...geometry(info), chMul: filterShape[3] };
}

/**
 * Every (output pixel, filter tap) pair whose input pixel lies inside the image: the offsets of
 * dy's channels at the output pixel, of x's at the input pixel and of the filter's at the tap.
 */
function forEachTap(g: ReturnType<typeof depthwiseGeometry>, visit: (dyo: number, xo: number, wo: number) => void): void {
  const { batch, inH, inW, inC, outH, outW, fH, fW, sH, sW, dH, dW, padTop, padLeft, chMul } = g;
  const K = inC * chMul;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const dyo = ((b * outH + oh) * outW + ow) * K;
        for (let fh = 0; fh < fH; fh++) {
          const ih = oh * sH + fh * dH - padTop;
          if (ih < 0 || ih >= inH) continue;
          for (let fw = 0; fw < fW; fw++) {
            const iw = ow * sW + fw * dW - padLeft;
            if (iw < 0 || iw >= inW) continue;
            const xo = ((b * inH + ih) * inW + iw) * inC;
            const wo = (fh * fW + fw) * K;
            visit(dyo, xo, wo);
          }
        }
      }
    }
  }
}

export function depthwiseConv2dBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  const g = depthwiseGeometry(x.shape, attrs.filterShape, attrs);
  const { inC, fH, fW, chMul } = g;
  const K = inC * chMul;
  const acc = new Float64Array(fH * fW * K);
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  const xs = f32(backend, x), dys = f32(backend, dy);
  forEachTap(g, (dyo, xo, wo) => {
    if (chMul === 1) {
      for (let k = 0; k < K; k++) acc[wo + k] += xs[xo + k] * dys[dyo + k];
    } else {
      for (let c = 0, k = 0; c < inC; c++) {
        const xv = xs[xo + c];
        for (let m = 0; m < chMul; m++, k++) acc[wo + k] += xv * dys[dyo + k];
      }
    }
  });
  f32(backend, out).set(acc);
  return out;
}

export function depthwiseConv2dBackpropInput(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  const g = depthwiseGeometry(attrs.inputShape, filter.shape, attrs);
  const { inC, chMul } = g;
  const out = zeros(backend, attrs.inputShape.slice());
  const dx = f32(backend, out), dys = f32(backend, dy), w = f32(backend, filter);
  forEachTap(g, (dyo, xo, wo) => {
    if (chMul === 1) {
      for (let c = 0; c < inC; c++) dx[xo + c] += dys[dyo + c] * w[wo + c];
    } else {
      for (let c = 0, k = 0; c < inC; c++) {
        let s = 0;
        for (let m = 0; m < chMul; m++, k++) s += dys[dyo + k] * w[wo + k];
        dx[xo + c] += s;
      }
    }
  });
  return out;
}
