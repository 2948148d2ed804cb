/**
 * θ₀ for an ONNX graph with PyTorch's default initializations (torch 1.13 `reset_parameters`),
 * drawn from Math.random (which the engine seeds with the definition's seed):
 *   Conv, Linear (Gemm, or MatMul + Add on 3-D inputs) weights: kaiming_uniform(a = √5), i.e.
 *     U(±1/√fan_in); their biases U(±1/√fan_in) with the weight's fan_in;
 *   BatchNorm / LayerNorm: weight 1, bias 0; running mean 0, running variance 1;
 *   MultiheadAttention: in_proj weight xavier_uniform, in_proj and out_proj biases 0.
 * A parameter read by no such node keeps the file's values (listed in `kept`).
 */
import type { OnnxNode } from './proto';
import type { PreparedGraph } from './graph';
import type { GraphWeights } from './layer';

const uniform = (size: number, bound: number, rng: () => number) => {
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = (2 * rng() - 1) * bound;
  return a;
};
const filled = (size: number, v: number) => new Float32Array(size).fill(v);

/** fan_in of a weight as the node uses it, or undefined when the node is not a Conv/Gemm/MatMul weight slot. */
function fanIn(node: OnnxNode, slot: number, shape: number[]): number | undefined {
  if (node.opType === 'Conv' && slot === 1) return shape.slice(1).reduce((a, b) => a * b, 1);
  if (node.opType === 'Gemm' && slot === 1) return node.attrs.transB === 1 ? shape[1] : shape[0];
  if (node.opType === 'MatMul' && slot === 1 && shape.length === 2) return shape[0];
  return undefined;
}

export function pytorchInit(prep: PreparedGraph, rng: () => number): GraphWeights & { kept: string[] } {
  const byOutput = new Map<string, OnnxNode>();
  for (const n of prep.nodes) for (const o of n.outputs) byOutput.set(o, n);
  const shapeOf = new Map(prep.params.map((p) => [p.name, p.shape]));
  const weightFan = (node: OnnxNode): number | undefined => {
    const w = node.inputs[1];
    const s = shapeOf.get(w);
    return s ? fanIn(node, 1, s) : undefined;
  };
  const kept: string[] = [];
  const params = prep.params.map((p) => {
    const size = p.data.length;
    if (/in_proj_bias$|out_proj\.bias$/.test(p.name)) return filled(size, 0);
    const uses = prep.consumers.get(p.name) ?? [];
    for (const { node, slot } of uses) {
      const attention = /in_proj_weight$/.test(p.name) || (node.opType === 'MatMul' && /self_attn\/MatMul$/.test(node.name) && p.shape[1] === 3 * p.shape[0]);
      if (attention) return uniform(size, Math.sqrt(6 / (p.shape[0] + p.shape[1])), rng);
      const fan = fanIn(node, slot, p.shape);
      if (fan !== undefined) return uniform(size, 1 / Math.sqrt(fan), rng);
      if ((node.opType === 'Conv' || node.opType === 'Gemm') && slot === 2) {
        const f = weightFan(node);
        if (f !== undefined) return uniform(size, 1 / Math.sqrt(f), rng);
      }
      if (node.opType === 'BatchNormalization' || node.opType === 'LayerNormalization') {
        if (slot === 1) return filled(size, 1);
        if (slot === 2) return filled(size, 0);
      }
      if (node.opType === 'Add' && p.shape.length === 1) {
        // Linear on a 3-D input: MatMul(x, Wᵀ) then Add(bias, ·)
        const other = byOutput.get(node.inputs[1 - slot]);
        const f = other && other.opType === 'MatMul' ? weightFan(other) : undefined;
        if (f !== undefined) return uniform(size, 1 / Math.sqrt(f), rng);
      }
    }
    kept.push(p.name);
    return p.data.slice() as Float32Array;
  });
  const state = prep.state.map((s) => {
    const bn = (prep.consumers.get(s.name) ?? []).find((u) => u.node.opType === 'BatchNormalization');
    return filled(s.data.length, bn?.slot === 4 ? 1 : 0);
  });
  return { params, state, kept };
}
