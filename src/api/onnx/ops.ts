/**
 * The ONNX operators we run, each as TF.js ops (differentiable, every backend): what
 * `torch.onnx.export` emits at opsets 13–17 for MLPs, CNNs, ResNets and small transformers.
 * Shape arithmetic on `Host` values stays in JavaScript (./values). Activations between the
 * layout-aware operators (LAYOUT_AWARE: Conv, pools, BatchNormalization, elementwise) stay in
 * TF.js's NHWC layout; any other operator reads them in ONNX's NCHW (one transpose).
 * Semantics follow https://onnx.ai/onnx/operators/ and PyTorch where ONNX leaves a choice
 * (BatchNorm's running variance is updated with the unbiased batch variance, as PyTorch does).
 */
import * as tf from '@tensorflow/tfjs';
import type { Attr, OnnxNode, OnnxTensor } from './proto';
import {
  floatTensor, host, Host, hostBinary, hostConcat, hostGather, hostOf, hostSlice, isHost, isNhwc, Nhwc, sliceBounds, toTensor, Value,
} from './values';
import { conv, pool } from './conv';

export interface OpContext {
  training: boolean;
  opset: number;
  /** Writes a state variable (BatchNorm's running statistics), in training mode. */
  updateState(name: string, value: tf.Tensor): void;
}

export type Op = (ins: (Value | undefined)[], node: OnnxNode, ctx: OpContext) => Value[];

const int = (a: Attr, d: number) => (typeof a === 'number' ? a : d);
const ints = (a: Attr, d: number[]) => (Array.isArray(a) ? a : d);
const float = (a: Attr, d: number) => (typeof a === 'number' ? a : d);

/** A host value an operator needs to know before it runs (a shape, axes, pads). */
export function need(v: Value | undefined, what: string): Host {
  if (v === undefined) throw new Error(`its ${what} input is missing`);
  if (!isHost(v)) throw new Error(`its ${what} is computed from the data at run time; only shapes known from the graph are supported (export with constant folding)`);
  return v;
}
const tensorIn = (v: Value | undefined, what: string): tf.Tensor => {
  if (v === undefined) throw new Error(`its ${what} input is missing`);
  return floatTensor(v);
};
const axisOf = (a: number, rank: number) => (a < 0 ? a + rank : a);

function binary(tfOp: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, js: (x: number, y: number) => number, intJs = js): Op {
  return ([a, b]) => {
    if (isHost(a) && isHost(b)) {
      const dtype = a.dtype === 'int' && b.dtype === 'int' ? 'int' : 'float32';
      return [hostBinary(a, b, dtype === 'int' ? intJs : js, dtype)];
    }
    // NHWC activations: with each other, or with a scalar, the result keeps the layout
    const scalar = (v: Value | undefined) => !!v && !isNhwc(v) && (isHost(v) ? v.data.length === 1 : v.size === 1);
    if (isNhwc(a) && (isNhwc(b) || scalar(b))) return [new Nhwc(tfOp(a.t, isNhwc(b) ? b.t : tf.reshape(tensorIn(b, 'second'), [])) as tf.Tensor4D)];
    if (isNhwc(b) && scalar(a)) return [new Nhwc(tfOp(tf.reshape(tensorIn(a, 'first'), []), b.t) as tf.Tensor4D)];
    return [tfOp(tensorIn(a, 'first'), tensorIn(b, 'second'))];
  };
}
/** An elementwise operator: an NHWC activation stays NHWC. */
const unary = (f: (t: tf.Tensor) => tf.Tensor): Op => ([x]) => [isNhwc(x) ? new Nhwc(f(x.t) as tf.Tensor4D) : f(tensorIn(x, 'data'))];

/** Runs `f` on the last axis after moving `axis` there (TF.js softmax works on the last axis only). */
function onAxis(x: tf.Tensor, axis: number, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const ax = axisOf(axis, x.rank);
  if (ax === x.rank - 1) return f(x);
  const perm = [...Array(x.rank).keys()].filter((i) => i !== ax).concat(ax);
  const inv = perm.map((_, i) => perm.indexOf(i));
  return tf.transpose(f(tf.transpose(x, perm)), inv);
}

function softmaxLike(f: (t: tf.Tensor) => tf.Tensor): Op {
  return ([xv], node, ctx) => {
    const x = tensorIn(xv, 'data');
    if (ctx.opset >= 13) return [onAxis(x, int(node.attrs.axis, -1), f)];
    // before opset 13: the input is coerced to 2-D at `axis` (default 1)
    const ax = axisOf(int(node.attrs.axis, 1), x.rank);
    const rows = x.shape.slice(0, ax).reduce((a, b) => a * b, 1);
    return [tf.reshape(f(tf.reshape(x, [rows, -1])), x.shape)];
  };
}

/** Axes from the attribute (older opsets) or the second input (newer ones). */
function axesOf(node: OnnxNode, input: Value | undefined): number[] | undefined {
  if (Array.isArray(node.attrs.axes)) return node.attrs.axes;
  return input === undefined ? undefined : need(input, 'axes').data;
}

function unsqueezeShape(shape: number[], axes: number[]): number[] {
  const rank = shape.length + axes.length;
  const norm = new Set(axes.map((a) => axisOf(a, rank)));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(norm.has(i) ? 1 : shape[k++]);
  return out;
}

function reshapeValue(v: Value, shape: number[]): Value {
  return isHost(v) ? host(v.dtype, shape, v.data) : tf.reshape(toTensor(v), shape);
}

function batchNorm(ins: (Value | undefined)[], node: OnnxNode, ctx: OpContext): Value[] {
  const nhwc = isNhwc(ins[0]);
  const x = isNhwc(ins[0]) ? ins[0].t : tensorIn(ins[0], 'data');
  const [scale, bias, mean, variance] = ins.slice(1).map((v, i) => tensorIn(v, ['scale', 'B', 'input_mean', 'input_var'][i]));
  const eps = float(node.attrs.epsilon, 1e-5), momentum = float(node.attrs.momentum, 0.9);
  const channel = nhwc ? 3 : 1;
  const shape = x.shape.map((d, i) => (i === channel ? d : 1));
  const out = (y: tf.Tensor) => (nhwc ? new Nhwc(y as tf.Tensor4D) : y);
  // channels last (NHWC, or [N, C]): TF.js's fused kernel; else the per-channel vectors broadcast along axis 1
  const lastAxis = channel === x.rank - 1;
  const norm = (mu: tf.Tensor, v: tf.Tensor) => {
    if (lastAxis) return tf.batchNorm(x, mu, v, bias, scale, eps);
    const c = (t: tf.Tensor) => tf.reshape(t, shape);
    return tf.add(tf.mul(tf.div(tf.sub(x, c(mu)), tf.sqrt(tf.add(c(v), eps))), c(scale)), c(bias));
  };
  if (!ctx.training) return [out(norm(mean, variance))];
  const axes = [...Array(x.rank).keys()].filter((i) => i !== channel);
  const m = tf.moments(x, axes);
  const count = x.size / (x.shape[channel] as number);
  const y = out(norm(m.mean, m.variance));
  const [meanName, varName] = [node.inputs[3], node.inputs[4]];
  const bm = m.mean, bv = m.variance; // a variable write carries no gradient
  ctx.updateState(meanName, tf.add(tf.mul(mean, momentum), tf.mul(bm, 1 - momentum)));
  ctx.updateState(varName, tf.add(tf.mul(variance, momentum), tf.mul(bv, (1 - momentum) * count / Math.max(1, count - 1))));
  return [y, mean, variance];
}

function layerNorm([xv, sv, bv]: (Value | undefined)[], node: OnnxNode): Value[] {
  const x = tensorIn(xv, 'data');
  const ax = axisOf(int(node.attrs.axis, -1), x.rank);
  const axes = [...Array(x.rank).keys()].slice(ax);
  const m = tf.moments(x, axes, true);
  let y = tf.div(tf.sub(x, m.mean), tf.sqrt(tf.add(m.variance, float(node.attrs.epsilon, 1e-5))));
  y = tf.mul(y, tensorIn(sv, 'scale'));
  if (bv !== undefined) y = tf.add(y, tensorIn(bv, 'B'));
  return [y];
}

function gemm([a, b, c]: (Value | undefined)[], node: OnnxNode): Value[] {
  let y = tf.matMul(tensorIn(a, 'A'), tensorIn(b, 'B'), int(node.attrs.transA, 0) === 1, int(node.attrs.transB, 0) === 1);
  const alpha = float(node.attrs.alpha, 1), beta = float(node.attrs.beta, 1);
  if (alpha !== 1) y = tf.mul(y, alpha);
  if (c !== undefined) y = tf.add(y, beta === 1 ? tensorIn(c, 'C') : tf.mul(tensorIn(c, 'C'), beta));
  return [y];
}

function matMul([av, bv]: (Value | undefined)[]): Value[] {
  const a = tensorIn(av, 'A'), b = tensorIn(bv, 'B');
  if (a.rank > 2 && b.rank === 2) {
    const y = tf.matMul(tf.reshape(a, [-1, a.shape[a.rank - 1]]), b);
    return [tf.reshape(y, [...a.shape.slice(0, -1), b.shape[1] as number])];
  }
  if (a.rank === 1 || b.rank === 1) throw new Error('MatMul with a 1-D operand is not supported');
  return [tf.matMul(a, b)];
}

function constant(_: (Value | undefined)[], node: OnnxNode): Value[] {
  const a = node.attrs;
  if (a.value && typeof a.value === 'object' && !Array.isArray(a.value)) return [hostOf(a.value as OnnxTensor)];
  if (typeof a.value_float === 'number') return [host('float32', [], [a.value_float])];
  if (Array.isArray(a.value_floats)) return [host('float32', [a.value_floats.length], a.value_floats)];
  if (typeof a.value_int === 'number') return [host('int', [], [a.value_int])];
  if (Array.isArray(a.value_ints)) return [host('int', [a.value_ints.length], a.value_ints)];
  throw new Error('a Constant without a value, value_float(s) or value_int(s) attribute');
}

function slice(ins: (Value | undefined)[], node: OnnxNode, ctx: OpContext): Value[] {
  const x = ins[0]!;
  const shape = isHost(x) ? x.shape : (x as tf.Tensor).shape;
  const starts = ctx.opset >= 10 ? need(ins[1], 'starts').data : ints(node.attrs.starts, []);
  const ends = ctx.opset >= 10 ? need(ins[2], 'ends').data : ints(node.attrs.ends, []);
  const axes = ctx.opset >= 10 ? (ins[3] ? need(ins[3], 'axes').data : starts.map((_, i) => i)) : ints(node.attrs.axes, starts.map((_, i) => i));
  const steps = ctx.opset >= 10 && ins[4] ? need(ins[4], 'steps').data : starts.map(() => 1);
  const b = shape.map(() => 0), e = [...shape], s = shape.map(() => 1);
  axes.forEach((a, k) => {
    const d = axisOf(a, shape.length);
    [b[d], e[d]] = sliceBounds(starts[k], ends[k], steps[k], shape[d]);
    s[d] = steps[k];
  });
  if (isHost(x)) return [hostSlice(x, b, e, s)];
  // tf.slice and tf.gather have gradients (tf.stridedSlice has none)
  let t = tf.slice(x as tf.Tensor, b.map((v, d) => (s[d] === 1 ? v : 0)), b.map((v, d) => (s[d] === 1 ? Math.max(0, e[d] - v) : shape[d])));
  s.forEach((step, d) => {
    if (step === 1) return;
    const idx: number[] = [];
    for (let i = b[d]; step > 0 ? i < e[d] : i > e[d]; i += step) idx.push(i);
    t = tf.gather(t, tf.tensor1d(idx, 'int32'), d);
  });
  return [t];
}

function gather([data, indices]: (Value | undefined)[], node: OnnxNode): Value[] {
  const axis = int(node.attrs.axis, 0);
  const idx = need(indices, 'indices');
  if (isHost(data)) return [hostGather(data, idx, axis)];
  const t = tensorIn(data, 'data');
  const ax = axisOf(axis, t.rank);
  const norm = idx.data.map((i) => (i < 0 ? i + t.shape[ax] : i));
  return [tf.gather(t, tf.tensor(norm, idx.shape, 'int32'), ax)];
}

function concat(ins: (Value | undefined)[], node: OnnxNode): Value[] {
  const parts = ins.filter((v): v is Value => v !== undefined);
  const axis = int(node.attrs.axis, 0);
  if (parts.every(isHost)) return [hostConcat(parts, axis)];
  const ts = parts.map(toTensor);
  return [tf.concat(ts, axisOf(axis, ts[0].rank))];
}

function reshape([x, s]: (Value | undefined)[]): Value[] {
  const shapeIn = isHost(x) ? x.shape : (x as tf.Tensor).shape;
  const target = need(s, 'shape').data.map((d, i) => (d === 0 ? shapeIn[i] : d));
  return [reshapeValue(x!, target)];
}

function flatten([x]: (Value | undefined)[], node: OnnxNode): Value[] {
  const shape = isHost(x) ? x.shape : (x as tf.Tensor).shape;
  const ax = axisOf(int(node.attrs.axis, 1), shape.length);
  const rows = shape.slice(0, ax).reduce((a, b) => a * b, 1);
  return [reshapeValue(x!, [rows, shape.slice(ax).reduce((a, b) => a * b, 1)])];
}

function transpose([x]: (Value | undefined)[], node: OnnxNode): Value[] {
  const t = toTensor(x!);
  return [tf.transpose(t, ints(node.attrs.perm, [...Array(t.rank).keys()].reverse()))];
}

function squeeze([x, a]: (Value | undefined)[], node: OnnxNode): Value[] {
  const shape = isHost(x) ? x.shape : (x as tf.Tensor).shape;
  const axes = (axesOf(node, a) ?? shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((ax) => axisOf(ax, shape.length));
  return [reshapeValue(x!, shape.filter((_, i) => !axes.includes(i)))];
}

function unsqueeze([x, a]: (Value | undefined)[], node: OnnxNode): Value[] {
  const shape = isHost(x) ? x.shape : (x as tf.Tensor).shape;
  return [reshapeValue(x!, unsqueezeShape(shape, axesOf(node, a) ?? []))];
}

function cast([x]: (Value | undefined)[], node: OnnxNode): Value[] {
  const to = int(node.attrs.to, 1);
  const toFloat = to === 1 || to === 10 || to === 11 || to === 16;
  if (isHost(x)) return [host(toFloat ? 'float32' : 'int', x.shape, toFloat ? x.data : x.data.map(Math.trunc))];
  return [tf.cast(x as tf.Tensor, toFloat ? 'float32' : to === 9 ? 'bool' : 'int32')];
}

function shape([x]: (Value | undefined)[], node: OnnxNode): Value[] {
  const s = isHost(x) ? x.shape : (x as tf.Tensor).shape;
  const start = int(node.attrs.start, 0), end = int(node.attrs.end, s.length);
  const [b, e] = sliceBounds(start, end, 1, s.length);
  const dims = s.slice(b, e);
  return [host('int', [dims.length], dims)];
}

function reduceMean([x, a]: (Value | undefined)[], node: OnnxNode): Value[] {
  const t = tensorIn(x, 'data');
  const axes = axesOf(node, a) ?? [...Array(t.rank).keys()];
  return [tf.mean(t, axes.map((ax) => axisOf(ax, t.rank)), int(node.attrs.keepdims, 1) === 1)];
}

function clip([x, lo, hi]: (Value | undefined)[], node: OnnxNode, ctx: OpContext): Value[] {
  const bound = (v: Value | undefined, attr: Attr, d: number) => (ctx.opset >= 11 ? (v === undefined ? d : need(v, 'bound').data[0]) : float(attr, d));
  return [tf.clipByValue(tensorIn(x, 'data'), bound(lo, node.attrs.min, -3.4e38), bound(hi, node.attrs.max, 3.4e38))];
}

function pad([x, p, cv]: (Value | undefined)[], node: OnnxNode, ctx: OpContext): Value[] {
  const t = tensorIn(x, 'data');
  const pads = ctx.opset >= 11 ? need(p, 'pads').data : ints(node.attrs.pads, []);
  const value = ctx.opset >= 11 ? (cv === undefined ? 0 : need(cv, 'constant_value').data[0]) : float(node.attrs.value, 0);
  const r = t.rank;
  const pairs = [...Array(r).keys()].map((i) => [pads[i], pads[i + r]] as [number, number]);
  if (pairs.some(([a, b]) => a < 0 || b < 0)) throw new Error('negative pads (cropping) are not supported');
  const mode = typeof node.attrs.mode === 'string' ? node.attrs.mode : 'constant';
  if (mode === 'constant') return [tf.pad(t, pairs, value)];
  if (mode === 'reflect') return [tf.mirrorPad(t, pairs, 'reflect')];
  throw new Error(`Pad mode '${mode}' is not supported (constant and reflect are)`);
}

function split([x, s]: (Value | undefined)[], node: OnnxNode, ctx: OpContext): Value[] {
  const t = tensorIn(x, 'data');
  const ax = axisOf(int(node.attrs.axis, 0), t.rank);
  const sizes = ctx.opset >= 13 ? (s === undefined ? undefined : need(s, 'split').data) : (Array.isArray(node.attrs.split) ? node.attrs.split : undefined);
  return tf.split(t, sizes ?? node.outputs.length, ax);
}

const idInt = (x: number, y: number) => Math.trunc(x / y);

/** An activation as it comes: NHWC kept, anything else as a float tensor (NCHW). */
const activation = (v: Value | undefined, what: string): tf.Tensor | Nhwc => (isNhwc(v) ? v : tensorIn(v, what));

/** Every supported operator, by its ONNX op type. */
export const OPS: Record<string, Op> = {
  Add: binary(tf.add, (x, y) => x + y),
  Sub: binary(tf.sub, (x, y) => x - y),
  Mul: binary(tf.mul, (x, y) => x * y),
  Div: binary(tf.div, (x, y) => x / y, idInt),
  Pow: binary(tf.pow, (x, y) => x ** y),
  Gemm: gemm,
  MatMul: matMul,
  Relu: unary(tf.relu),
  LeakyRelu: (ins, node, ctx) => unary((t) => tf.leakyRelu(t, float(node.attrs.alpha, 0.01)))(ins, node, ctx),
  Sigmoid: unary(tf.sigmoid),
  Tanh: unary(tf.tanh),
  Sqrt: unary(tf.sqrt),
  Erf: unary(tf.erf),
  Exp: unary(tf.exp),
  Neg: unary(tf.neg),
  Softmax: softmaxLike((t) => tf.softmax(t)),
  LogSoftmax: softmaxLike((t) => tf.logSoftmax(t)),
  Conv: (ins, node) => [conv(activation(ins[0], 'X'), tensorIn(ins[1], 'W'), ins[2] === undefined ? undefined : tensorIn(ins[2], 'B'), node)],
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  MaxPool: ([x], node) => [pool(activation(x, 'X'), node, 'max')],
  AveragePool: ([x], node) => [pool(activation(x, 'X'), node, 'avg')],
  GlobalAveragePool: ([x]) => {
    if (isNhwc(x)) { const [n, , , c] = x.t.shape; return [tf.reshape(tf.mean(x.t, [1, 2]), [n, c, 1, 1])]; }
    const t = tensorIn(x, 'X');
    return [tf.mean(t, [...Array(t.rank).keys()].slice(2), true)];
  },
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Identity: ([x]) => [x!],
  Dropout: ([x]) => [x!],
  Constant: constant,
  Shape: shape,
  Gather: gather,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Slice: slice,
  ReduceMean: reduceMean,
  Clip: clip,
  Cast: cast,
  Pad: pad,
};

export const SUPPORTED = Object.keys(OPS).sort();

/** The operators that read NHWC activations (values.ts's Nhwc) as they are; every other one gets NCHW. */
export const LAYOUT_AWARE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Conv', 'BatchNormalization',
  'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Identity', 'Dropout']);
