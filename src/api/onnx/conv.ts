/**
 * ONNX Conv, MaxPool and AveragePool (1-D or 2-D) on TF.js's NHWC kernels: an NCHW input is
 * transposed to NHWC (an NHWC activation is taken as it is), padded explicitly (ONNX pads may
 * differ at both ends) and the 2-D result stays NHWC for the next operator (values.ts's Nhwc). Grouped convolutions are a depthwise convolution when each
 * group has one input channel, else one convolution per group.
 */
import * as tf from '@tensorflow/tfjs';
import type { Attr, OnnxNode } from './proto';
import { Nhwc } from './values';

const ints = (a: Attr, d: number[]) => (Array.isArray(a) ? a : d);
const int = (a: Attr, d: number) => (typeof a === 'number' ? a : d);

interface Window { kernel: number[]; strides: number[]; dilations: number[]; begin: number[]; end: number[] }

/** Kernel, strides, dilations and the explicit pads of each spatial axis, auto_pad resolved. */
function windowOf(node: OnnxNode, spatial: number[], kernel: number[]): Window {
  const n = spatial.length;
  const strides = ints(node.attrs.strides, Array(n).fill(1));
  const dilations = ints(node.attrs.dilations, Array(n).fill(1));
  const pads = ints(node.attrs.pads, Array(2 * n).fill(0));
  let begin = pads.slice(0, n), end = pads.slice(n, 2 * n);
  const auto = typeof node.attrs.auto_pad === 'string' ? node.attrs.auto_pad : 'NOTSET';
  if (auto === 'VALID') { begin = Array(n).fill(0); end = Array(n).fill(0); }
  else if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    const total = spatial.map((L, i) => Math.max(0, (Math.ceil(L / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - L));
    const small = total.map((t) => Math.floor(t / 2));
    begin = auto === 'SAME_UPPER' ? small : total.map((t, i) => t - small[i]);
    end = total.map((t, i) => t - begin[i]);
  }
  return { kernel, strides, dilations, begin, end };
}

/** [N, C, L] ↔ [N, C, 1, L]: 1-D operators run as 2-D ones. */
function as2d(w: Window): Window {
  return { kernel: [1, ...w.kernel], strides: [1, ...w.strides], dilations: [1, ...w.dilations], begin: [0, ...w.begin], end: [0, ...w.end] };
}

const toNHWC = (x: tf.Tensor) => tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
const toNCHW = (x: tf.Tensor) => tf.transpose(x, [0, 3, 1, 2]);

function padNHWC(x: tf.Tensor4D, w: Window, value: number): tf.Tensor4D {
  if (w.begin.every((p) => p === 0) && w.end.every((p) => p === 0)) return x;
  return tf.pad(x, [[0, 0], [w.begin[0], w.end[0]], [w.begin[1], w.end[1]], [0, 0]], value);
}

function spatialRank(x: tf.Tensor): number {
  const r = x.rank - 2;
  if (r !== 1 && r !== 2) throw new Error(`${r}-D inputs are not supported (1-D and 2-D are)`);
  return r;
}

/** An [O, I, kh, kw] kernel with d − 1 zeros between its taps along each axis (differentiable: pad, reshape, slice). */
function dilateKernel(w: tf.Tensor, dilations: number[]): tf.Tensor {
  let out = w;
  for (const axis of [2, 3]) {
    const d = dilations[axis - 2];
    if (d === 1) continue;
    const shape = out.shape as number[];
    const k = shape[axis];
    const spread = tf.pad(tf.expandDims(out, axis + 1), shape.map(() => [0, 0] as [number, number]).concat([[0, 0]]).map((p, i) => (i === axis + 1 ? [0, d - 1] : p)));
    const flat = tf.reshape(spread, [...shape.slice(0, axis), k * d, ...shape.slice(axis + 1)]);
    out = tf.slice(flat, shape.map(() => 0), shape.map((s, i) => (i === axis ? (k - 1) * d + 1 : s)));
  }
  return out;
}

/** An activation (NCHW tensor, or NHWC already) as the NHWC 4-D tensor the kernels take; 1-D inputs get H = 1. */
function enter(x: tf.Tensor | Nhwc): { xh: tf.Tensor4D; r: number; shape: number[] } {
  if (x instanceof Nhwc) return { xh: x.t, r: 2, shape: x.shape };
  const r = spatialRank(x);
  return { xh: toNHWC(r === 1 ? tf.expandDims(x, 2) : x), r, shape: x.shape };
}
/** The kernel's NHWC output: kept NHWC for 2-D (the next layout-aware operator reads it as is), NCHW for 1-D. */
const leave = (y: tf.Tensor4D, r: number): tf.Tensor | Nhwc => (r === 2 ? new Nhwc(y) : tf.squeeze(toNCHW(y), [2]));

export function conv(x: tf.Tensor | Nhwc, weight: tf.Tensor, bias: tf.Tensor | undefined, node: OnnxNode): tf.Tensor | Nhwc {
  const { xh: input, r, shape } = enter(x);
  const group = int(node.attrs.group, 1);
  let win = windowOf(node, shape.slice(2), weight.shape.slice(2));
  let w4 = weight;
  if (r === 1) { win = as2d(win); w4 = tf.expandDims(weight, 2); }
  const [cout, cinPerGroup] = w4.shape as number[];
  const cin = shape[1];
  if (cinPerGroup * group !== cin) throw new Error(`the input has ${cin} channels but the weight [${weight.shape}] with group=${group} expects ${cinPerGroup * group}`);
  const strides = win.strides as [number, number];
  const explicit: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [win.begin[0], win.end[0]], [win.begin[1], win.end[1]], [0, 0]];
  // TF.js has no gradient for dilated convolutions: the kernel is dilated instead (zeros between its taps)
  if (win.dilations.some((d) => d > 1)) w4 = dilateKernel(w4, win.dilations);
  const dil: [number, number] = [1, 1];
  let y: tf.Tensor4D;
  // one group: the kernel pads (explicit padding); grouped: padded first
  const xh = group === 1 ? input : padNHWC(input, win, 0);
  if (group === 1) {
    const filter = tf.transpose(w4, [2, 3, 1, 0]) as tf.Tensor4D;
    if (bias) return leave(tf.fused.conv2d({ x: xh, filter, strides, pad: explicit, dataFormat: 'NHWC', dilations: dil, bias }), r);
    y = tf.conv2d(xh, filter, strides, explicit, 'NHWC', dil);
  } else if (cinPerGroup === 1 && cout % cin === 0) {
    const f = tf.transpose(tf.reshape(w4, [cin, cout / cin, w4.shape[2] as number, w4.shape[3] as number]), [2, 3, 0, 1]) as tf.Tensor4D;
    y = tf.depthwiseConv2d(xh, f, strides, 'valid', 'NHWC', dil);
  } else {
    const xs = tf.split(xh, group, 3);
    const fs = tf.split(tf.transpose(w4, [2, 3, 1, 0]) as tf.Tensor4D, group, 3);
    y = tf.concat(xs.map((xi, g) => tf.conv2d(xi as tf.Tensor4D, fs[g] as tf.Tensor4D, strides, 'valid', 'NHWC', dil)), 3);
  }
  if (bias) y = tf.add(y, tf.reshape(bias, [1, 1, 1, cout]));
  return leave(y, r);
}

/** The extra padding at the end of each axis that ceil_mode needs (PyTorch's rule: no window starts in the end padding). */
function ceilExtra(w: Window, spatial: number[]): number[] {
  return spatial.map((L, i) => {
    const span = (w.kernel[i] - 1) * w.dilations[i] + 1;
    const padded = L + w.begin[i] + w.end[i];
    let out = Math.ceil((padded - span) / w.strides[i]) + 1;
    if ((out - 1) * w.strides[i] >= L + w.begin[i]) out--;
    return Math.max(0, (out - 1) * w.strides[i] + span - padded);
  });
}

export function pool(x: tf.Tensor | Nhwc, node: OnnxNode, kind: 'max' | 'avg'): tf.Tensor | Nhwc {
  const { xh, r, shape } = enter(x);
  let win = windowOf(node, shape.slice(2), ints(node.attrs.kernel_shape, []));
  if (win.kernel.length !== r) throw new Error(`kernel_shape [${win.kernel}] does not fit a ${r}-D input`);
  if (r === 1) win = as2d(win);
  const spatial = [xh.shape[1], xh.shape[2]];
  const extra = int(node.attrs.ceil_mode, 0) === 1 ? ceilExtra(win, spatial) : [0, 0];
  const full: Window = { ...win, end: win.end.map((e, i) => e + extra[i]) };
  const run = (t: tf.Tensor4D, type: 'max' | 'avg') => {
    if (win.dilations.every((d) => d === 1)) {
      return type === 'max' ? tf.maxPool(t, win.kernel as [number, number], win.strides as [number, number], 'valid')
        : tf.avgPool(t, win.kernel as [number, number], win.strides as [number, number], 'valid');
    }
    return tf.pool(t, win.kernel as [number, number], type, 'valid', win.dilations as [number, number], win.strides as [number, number]) as tf.Tensor4D;
  };
  let y: tf.Tensor4D;
  if (kind === 'max') {
    y = run(padNHWC(xh, full, -3.4e38), 'max');
  } else {
    y = run(padNHWC(xh, full, 0), 'avg');
    const includePad = int(node.attrs.count_include_pad, 0) === 1;
    const padded = full.begin.some((p) => p > 0) || full.end.some((p) => p > 0);
    if (padded) {
      // the mean over the cells that count: the explicit pads when count_include_pad, never the ceil_mode overflow
      const ones = tf.ones([1, spatial[0], spatial[1], 1]) as tf.Tensor4D;
      const counted = padNHWC(includePad ? padNHWC(ones, win, 1) : ones, includePad ? { ...win, begin: [0, 0], end: extra } : full, 0);
      y = tf.div(y, run(counted, 'avg'));
    }
  }
  return leave(y, r);
}
