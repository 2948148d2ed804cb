/**
 * An ONNX graph as a tf.LayersModel, so the engine probes it exactly like a TF.js model: one
 * custom layer holds the graph's parameters as trainable weights and BatchNorm's running
 * statistics as non-trainable ones (the engine's θ and state vectors), and its `call` runs the
 * graph with TF.js ops (./graph) — differentiable, so training, Hessian-vector products and
 * every probe work unchanged. The model is a one-layer tf.sequential whose input shape is the
 * graph's (NCHW for images; NHWC data is accepted too, see inputLayout and values.ts's Nhwc).
 */
import * as tf from '@tensorflow/tfjs';
import { inputLayout, PreparedGraph, runGraph } from './graph';

const safeName = (name: string, k: number) => `${k}_${name.replace(/[^-A-Za-z0-9._/]/g, '_').replace(/^[^A-Za-z0-9]+/, '')}`;

export interface GraphWeights {
  /** One array per parameter of the prepared graph, in its order. */
  params: Float32Array[];
  /** One array per state tensor (BatchNorm running statistics). */
  state: Float32Array[];
}

class OnnxGraphLayer extends tf.layers.Layer {
  static className = 'OnnxGraph';
  private vars = new Map<string, tf.LayerVariable>();
  constructor(private prep: PreparedGraph, private initial: GraphWeights, batchInputShape: (number | null)[]) {
    super({ name: 'onnx_graph', batchInputShape, dtype: 'float32' });
  }

  override build(): void {
    const add = (t: { name: string; shape: number[] }, k: number, data: Float32Array, trainable: boolean) => {
      const v = this.addWeight(safeName(t.name, k), t.shape, 'float32', tf.initializers.zeros(), undefined, trainable);
      const value = tf.tensor(data, t.shape, 'float32');
      v.write(value);
      value.dispose();
      this.vars.set(t.name, v);
    };
    this.prep.params.forEach((p, k) => add(p, k, this.initial.params[k], true));
    this.prep.state.forEach((s, k) => add(s, this.prep.params.length + k, this.initial.state[k], false));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const batch = (Array.isArray(inputShape[0]) ? (inputShape[0] as tf.Shape)[0] : inputShape[0]) as number | null;
    const out = this.prep.graph.outputs[0].shape;
    return [batch, ...out.slice(1)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      const reads = new Map<string, tf.Tensor>();
      for (const [name, v] of this.vars) reads.set(name, v.read());
      return runGraph(this.prep, x, reads, kwargs.training === true, (name, value) => this.vars.get(name)?.write(value));
    });
  }

  /** Throws (naming the file) when examples of this shape cannot enter the graph: called before any work. */
  checkInput(shape: readonly number[]): void { inputLayout(this.prep.graph, shape); }

  /** True when the graph has BatchNormalization nodes (the engine's BN-aware probes apply). */
  hasBatchNorm(): boolean { return this.prep.state.length > 0; }

  /**
   * update_bn on the graph (see engine/batchnorm.ts): node after node, each BatchNormalization's
   * running mean and (biased) variance become those of its input over all of x, with the earlier
   * nodes' statistics already recomputed.
   */
  recomputeBatchNorm(x: tf.Tensor, batchSize: number): void {
    const n = x.shape[0];
    const chunks: tf.Tensor[] = [];
    for (let s = 0; s < n; s += batchSize) chunks.push(tf.slice(x, s, Math.min(batchSize, n - s)));
    try {
      for (const node of this.prep.nodes.filter((d) => d.opType === 'BatchNormalization')) {
        const inputs = () => chunks.map((c) => {
          const reads = new Map<string, tf.Tensor>();
          for (const [name, v] of this.vars) reads.set(name, v.read());
          return runGraph(this.prep, c, reads, false, () => undefined, node.inputs[0]);
        });
        const [mean, variance] = tf.tidy(() => {
          const hs = inputs();
          const axes = [...Array(hs[0].rank).keys()].filter((i) => i !== 1);
          const count = hs.reduce((a, h) => a + h.size / (h.shape[1] as number), 0);
          const mu = tf.div(tf.addN(hs.map((h) => tf.sum(h, axes))), count);
          const shape = hs[0].shape.map((d, i) => (i === 1 ? d : 1));
          const sq = tf.addN(hs.map((h) => tf.sum(tf.square(tf.sub(h, tf.reshape(mu, shape))), axes)));
          return [mu, tf.div(sq, count)];
        });
        this.vars.get(node.inputs[3])!.write(mean);
        this.vars.get(node.inputs[4])!.write(variance);
        tf.dispose([mean, variance]);
      }
    } finally { tf.dispose(chunks); }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), file: this.prep.graph.file };
  }
}

/** The graph as a one-layer tf.sequential with the given weights. */
export function graphModel(prep: PreparedGraph, weights: GraphWeights): tf.LayersModel {
  const shape = prep.graph.inputs[0].shape;
  if (shape.length === 0) throw new Error(`models.onnx: ${prep.graph.file}: the graph's input '${prep.graph.inputs[0].name}' declares no shape`);
  const layer = new OnnxGraphLayer(prep, weights, [null, ...shape.slice(1)]);
  return tf.sequential({ layers: [layer], name: 'onnx' });
}

/** The file's own weights. */
export function fileWeights(prep: PreparedGraph): GraphWeights {
  return { params: prep.params.map((p) => p.data as Float32Array), state: prep.state.map((s) => s.data as Float32Array) };
}
