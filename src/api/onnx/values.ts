/**
 * The values an ONNX graph passes between nodes. Tensors that carry data are TF.js tensors (so
 * the forward pass is differentiable); the small integer tensors of shape arithmetic
 * (Shape → Gather → Unsqueeze → Concat → Reshape, what `x.view(x.size(0), -1)` exports as) and
 * the graph's Constant nodes are `Host` values, computed in JavaScript: their numbers are known
 * without reading anything back from the backend (which would block on WebGPU).
 */
import * as tf from '@tensorflow/tfjs';
import type { OnnxTensor } from './proto';

export interface Host {
  readonly host: true;
  dtype: 'float32' | 'int';
  shape: number[];
  data: number[];
}

/**
 * A 4-D activation kept in TF.js's NHWC layout between the operators that accept it (Conv, the
 * pools, BatchNormalization, elementwise ones): ONNX's NCHW is only materialized, by one
 * transpose, where an operator that needs it reads the value (see LAYOUT_AWARE in ./ops).
 */
export class Nhwc {
  constructor(readonly t: tf.Tensor4D) {}
  /** The ONNX (NCHW) shape. */
  get shape(): number[] { const [n, h, w, c] = this.t.shape; return [n, c, h, w]; }
}

export type Value = tf.Tensor | Host | Nhwc;

export const isHost = (v: Value | undefined): v is Host => !!v && (v as Host).host === true;
export const isNhwc = (v: Value | undefined): v is Nhwc => v instanceof Nhwc;

/** The value in ONNX's layout: an Nhwc activation transposed back to NCHW. */
export function materialize(v: Value): tf.Tensor | Host {
  return isNhwc(v) ? tf.transpose(v.t, [0, 3, 1, 2]) : v;
}

export function host(dtype: Host['dtype'], shape: number[], data: number[]): Host {
  return { host: true, dtype, shape, data };
}

export function hostOf(t: OnnxTensor): Host {
  return host(t.dtype, t.shape, Array.from(t.data));
}

/** A host value as a tensor (int32 for integers), or the tensor itself. */
export function toTensor(v: Value): tf.Tensor {
  if (isNhwc(v)) return materialize(v) as tf.Tensor;
  if (!isHost(v)) return v;
  return tf.tensor(v.data, v.shape, v.dtype === 'int' ? 'int32' : 'float32');
}

/** A float tensor: host values and int32 tensors are converted (ONNX's float arithmetic on them). */
export function floatTensor(v: Value): tf.Tensor {
  const t = toTensor(v);
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}

const strides = (shape: number[]) => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
};

/** Numpy broadcasting of the shapes, or undefined when they do not broadcast. */
export function broadcastShape(a: number[], b: number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** An elementwise binary operation on host values, broadcast. */
export function hostBinary(a: Host, b: Host, f: (x: number, y: number) => number, dtype: Host['dtype']): Host {
  const shape = broadcastShape(a.shape, b.shape);
  if (!shape) throw new Error(`shapes [${a.shape}] and [${b.shape}] do not broadcast`);
  const size = shape.reduce((p, q) => p * q, 1);
  const sa = strides(a.shape), sb = strides(b.shape), so = strides(shape);
  const data = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    let ia = 0, ib = 0;
    for (let d = 0; d < shape.length; d++) {
      const k = Math.floor(i / so[d]) % shape[d];
      const da = d - (shape.length - a.shape.length), db = d - (shape.length - b.shape.length);
      if (da >= 0 && a.shape[da] !== 1) ia += k * sa[da];
      if (db >= 0 && b.shape[db] !== 1) ib += k * sb[db];
    }
    data[i] = f(a.data[ia], b.data[ib]);
  }
  return host(dtype, shape, data);
}

/** Gathers along an axis on host values (indices may be negative). */
export function hostGather(data: Host, indices: Host, axis: number): Host {
  const ax = axis < 0 ? axis + data.shape.length : axis;
  const outer = data.shape.slice(0, ax).reduce((p, q) => p * q, 1);
  const dim = data.shape[ax];
  const inner = data.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of indices.data) {
      const i = raw < 0 ? raw + dim : raw;
      if (i < 0 || i >= dim) throw new Error(`index ${raw} is out of range for an axis of size ${dim}`);
      for (let k = 0; k < inner; k++) out.push(data.data[(o * dim + i) * inner + k]);
    }
  }
  return host(data.dtype, [...data.shape.slice(0, ax), ...indices.shape, ...data.shape.slice(ax + 1)], out);
}

/** Concatenates host values along an axis. */
export function hostConcat(parts: Host[], axis: number): Host {
  const rank = parts[0].shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  const outer = parts[0].shape.slice(0, ax).reduce((p, q) => p * q, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = p.shape.slice(ax).reduce((a, b) => a * b, 1);
      for (let k = 0; k < chunk; k++) out.push(p.data[o * chunk + k]);
    }
  }
  const shape = [...parts[0].shape];
  shape[ax] = parts.reduce((s, p) => s + p.shape[ax], 0);
  return host(parts[0].dtype, shape, out);
}

/** Slices a host value (ONNX Slice semantics, one axis at a time). */
export function hostSlice(v: Host, begins: number[], ends: number[], steps: number[]): Host {
  let cur = v;
  for (let d = 0; d < v.shape.length; d++) {
    const dim = cur.shape[d];
    if (begins[d] === 0 && ends[d] === dim && steps[d] === 1) continue;
    const idx: number[] = [];
    for (let i = begins[d]; steps[d] > 0 ? i < ends[d] : i > ends[d]; i += steps[d]) idx.push(i);
    cur = hostGather(cur, host('int', [idx.length], idx), d);
  }
  return cur;
}

/** Python-style clamp of Slice bounds for one axis. */
export function sliceBounds(start: number, end: number, step: number, dim: number): [number, number] {
  const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) { s = clamp(s, 0, dim); e = clamp(e, 0, dim); } else { s = clamp(s, 0, dim - 1); e = clamp(e, -1, dim - 1); }
  return [s, e];
}
