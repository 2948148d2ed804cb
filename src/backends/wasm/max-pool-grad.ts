/**
 * MaxPoolGrad for the wasm backend. tfjs-backend-wasm 4.22's kernel seeds its running max with
 * FLT_MIN (the smallest *positive* float) instead of −∞, so for any window whose values are all
 * ≤ 0 it sends the gradient to element 0 of the whole tensor; it is also slow (~40 ms for a
 * [64, 24, 24, 64] input). This replacement routes dy[b, oh, ow, c] to the first maximum of its
 * window, as the cpu backend does (NaN / −∞-only windows get no gradient). NHWC.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelArgs, KernelImpl, TensorInfo, asWasm, f32, zeros } from './wasm-internals';

export function fixedMaxPoolGrad(orig: KernelImpl): KernelImpl {
  return (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const backend = asWasm(args.backend);
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    if (input.dtype !== 'float32' || dy.dtype !== 'float32') return orig(args);
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as {
      filterSize: [number, number] | number; strides: [number, number] | number;
      pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding; dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
    const { strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW } = info;
    const fH = info.effectiveFilterHeight, fW = info.effectiveFilterWidth;
    const { top, left } = info.padInfo;
    const out = zeros(backend, input.shape.slice());
    const dx = f32(backend, out), xs = f32(backend, input), dys = f32(backend, dy);
    const best = new Float32Array(C), pos = new Int32Array(C);
    for (let b = 0; b < batchSize; b++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          best.fill(-Infinity);
          pos.fill(-1);
          for (let fh = 0; fh < fH; fh += dH) {
            const ih = oh * sH - top + fh;
            if (ih < 0 || ih >= H) continue;
            for (let fw = 0; fw < fW; fw += dW) {
              const iw = ow * sW - left + fw;
              if (iw < 0 || iw >= W) continue;
              const base = ((b * H + ih) * W + iw) * C;
              for (let c = 0; c < C; c++) {
                const v = xs[base + c];
                if (v > best[c]) { best[c] = v; pos[c] = base + c; }
              }
            }
          }
          const dyBase = ((b * OH + oh) * OW + ow) * C;
          for (let c = 0; c < C; c++) if (pos[c] >= 0) dx[pos[c]] += dys[dyBase + c];
        }
      }
    }
    return out;
  };
}
