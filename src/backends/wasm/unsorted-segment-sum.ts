/**
 * UnsortedSegmentSum for the wasm backend (missing in tfjs-backend-wasm 4.22; needed for the
 * gradient of gather, i.e. of every Embedding layer).
 * out[s, ...] = Σ_{i : ids[i] = s} x[i, ...]; ids outside [0, numSegments) are dropped.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelArgs, TensorInfo, asWasm, sizeOf } from './wasm-internals';

export function unsortedSegmentSum(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (args.attrs?.numSegments as number) | 0;
  const idRank = segmentIds.shape.length;
  const inner = sizeOf(x.shape.slice(idRank));
  const outShape = [numSegments, ...x.shape.slice(idRank)];
  const dtype = x.dtype === 'int32' ? 'int32' : 'float32';
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm): unsupported dtype ${x.dtype}`);
  }
  const out = backend.makeOutput(outShape, dtype);
  // Views after the allocation (the heap may have grown).
  const o = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const xs = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = backend.typedArrayFromHeap({ ...segmentIds, dtype: 'int32' } as tf.TensorInfo) as Int32Array;
  o.fill(0);
  const n = ids.length;
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner, dst = s * inner;
    for (let j = 0; j < inner; j++) o[dst + j] += xs[src + j];
  }
  return out;
}
