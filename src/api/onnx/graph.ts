/**
 * An ONNX graph prepared to run: its operators checked against the table (./ops) before any
 * work, its initializers sorted into
 *   parameters  the float initializers (θ: trainable TF.js variables), in the order the graph
 *               first uses them;
 *   state       BatchNorm's running mean and variance (inputs 3 and 4 of BatchNormalization):
 *               non-trainable variables, the model's "state" like a TF.js BatchNormalization
 *               layer's moving statistics; updated in training mode, used in inference mode;
 *   constants   integer initializers (shapes, indices), host values.
 * torch.onnx.export shares initializers whose values are equal at export (a fresh model's zero
 * biases, its LayerNorm weights) and writes an `Identity` node for each copy: such a copy is
 * made its own parameter again, named by the Identity's output (PyTorch's name for it).
 */
import * as tf from '@tensorflow/tfjs';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './proto';
import { LAYOUT_AWARE, OPS, OpContext, SUPPORTED } from './ops';
import { Host, hostOf, isHost, isNhwc, materialize, Nhwc, toTensor, Value } from './values';

export interface PreparedGraph {
  graph: OnnxGraph;
  nodes: OnnxNode[];
  params: OnnxTensor[];
  state: OnnxTensor[];
  constants: Map<string, Value>;
  /** For each parameter, the nodes reading it (for the PyTorch initializations of ./init). */
  consumers: Map<string, { node: OnnxNode; slot: number }[]>;
}

/** Checks every operator and sorts the initializers; throws naming the file and node of the first unsupported one. */
export function prepareGraph(graph: OnnxGraph): PreparedGraph {
  const file = graph.file;
  for (const n of graph.nodes) {
    const known = (!n.domain || n.domain === 'ai.onnx') && Object.hasOwn(OPS, n.opType);
    if (!known) {
      throw new Error(`models.onnx: ${file}: unsupported operator ${n.domain ? `${n.domain}.` : ''}${n.opType} (node '${n.name}'); supported: ${SUPPORTED.join(', ')}`);
    }
  }
  if (graph.opset > 0 && (graph.opset < 9 || graph.opset > 18)) {
    throw new Error(`models.onnx: ${file}: opset ${graph.opset} is not supported (export with opset_version between 13 and 17)`);
  }
  const inits = new Map(graph.initializers);
  const nodes: OnnxNode[] = [];
  for (const n of graph.nodes) {
    const src = n.opType === 'Identity' ? inits.get(n.inputs[0]) : undefined;
    if (src && !inits.has(n.outputs[0])) {
      inits.set(n.outputs[0], { ...src, name: n.outputs[0], data: src.data.slice() });
      continue;
    }
    nodes.push(n);
  }
  const stateNames = new Set<string>();
  for (const n of nodes) if (n.opType === 'BatchNormalization') { stateNames.add(n.inputs[3]); stateNames.add(n.inputs[4]); }
  const params: OnnxTensor[] = [], state: OnnxTensor[] = [];
  const constants = new Map<string, Value>();
  const consumers = new Map<string, { node: OnnxNode; slot: number }[]>();
  const seen = new Set<string>();
  for (const n of nodes) {
    n.inputs.forEach((name, slot) => {
      const t = inits.get(name);
      if (!t) return;
      if (!consumers.has(name)) consumers.set(name, []);
      consumers.get(name)!.push({ node: n, slot });
      if (seen.has(name)) return;
      seen.add(name);
      if (t.dtype !== 'float32') constants.set(name, hostOf(t));
      else if (stateNames.has(name)) state.push(t);
      else params.push(t);
    });
  }
  if (params.length === 0) throw new Error(`models.onnx: ${file}: the graph has no float initializers: nothing to probe (was it exported with export_params=False?)`);
  return { graph, nodes, params, state, constants, consumers };
}

/** Whether examples of this shape ([n, ...]) enter the graph as they are or transposed from NHWC; else an error naming the file. */
export function inputLayout(g: OnnxGraph, shape: readonly number[]): 'as-is' | 'nhwc' {
  const want = g.inputs[0].shape;
  const fits = (s: readonly number[]) => s.length === want.length && s.every((d, i) => i === 0 || want[i] === null || want[i] === d);
  if (fits(shape)) return 'as-is';
  const [n, h, w, c] = shape;
  if (shape.length === 4 && fits([n, c, h, w])) return 'nhwc';
  const dims = want.map((d, i) => (d === null ? (i === 0 ? 'batch' : '?') : String(d))).join(', ');
  throw new Error(`models.onnx: ${g.file}: the data's examples have shape [${shape.slice(1)}] but the graph's input '${g.inputs[0].name}' is [${dims}]` +
    (want.length === 4 ? ' (NCHW; NHWC data is transposed)' : ''));
}

/**
 * Runs the graph on x (call inside tf.tidy). `vars` holds every parameter and state tensor by
 * initializer name; `updateState` receives BatchNorm's new running statistics in training mode.
 * With `until`, stops as soon as that value is computed and returns it.
 */
export function runGraph(p: PreparedGraph, x: tf.Tensor, vars: Map<string, tf.Tensor>, training: boolean, updateState: OpContext['updateState'],
  until?: string): tf.Tensor {
  const values = new Map<string, Value>(p.constants);
  for (const [k, v] of vars) values.set(k, v);
  // NHWC images stay NHWC for the layout-aware operators (no transpose before a first Conv)
  values.set(p.graph.inputs[0].name, inputLayout(p.graph, x.shape) === 'nhwc' ? new Nhwc(x as tf.Tensor4D) : x);
  const nchw = new Map<Nhwc, tf.Tensor | Host>();
  const inOnnxLayout = (v: Value) => {
    if (!isNhwc(v)) return v;
    let m = nchw.get(v);
    if (!m) { m = materialize(v); nchw.set(v, m); }
    return m;
  };
  const ctx: OpContext = { training, opset: p.graph.opset, updateState };
  for (const n of p.nodes) {
    const aware = LAYOUT_AWARE.has(n.opType);
    const ins = n.inputs.map((name) => {
      if (name === '') return undefined;
      const v = values.get(name);
      if (v === undefined) throw new Error(`models.onnx: ${p.graph.file}: node '${n.name}' (${n.opType}) reads '${name}', which no earlier node computes`);
      return aware ? v : inOnnxLayout(v);
    });
    let outs: Value[];
    try {
      outs = OPS[n.opType](ins, n, ctx);
    } catch (e) {
      throw new Error(`models.onnx: ${p.graph.file}: node '${n.name}' (${n.opType}): ${(e as Error).message}`);
    }
    n.outputs.forEach((name, i) => { if (name !== '' && outs[i] !== undefined) values.set(name, outs[i]); });
    if (until !== undefined && values.has(until)) break;
  }
  const out = values.get(until ?? p.graph.outputs[0].name);
  if (out === undefined) throw new Error(`models.onnx: ${p.graph.file}: the graph output '${p.graph.outputs[0].name}' is never computed`);
  const t = toTensor(inOnnxLayout(out));
  return isHost(out) || t.dtype !== 'float32' ? tf.cast(t, 'float32') : t;
}
