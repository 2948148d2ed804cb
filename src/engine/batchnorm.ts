/**
 * BatchNorm-aware probes (the `update_bn` step of the mode-connectivity code, Garipov et al.
 * 2018): at a probed θ the moving statistics of every BatchNormalization layer are recomputed
 * from a fixed set of examples — the mean and (biased) variance of the layer's input over that
 * set, layer after layer — instead of interpolating the statistics of the endpoints.
 */
import * as tf from '@tensorflow/tfjs';

/** A layer that holds BatchNorm nodes itself and recomputes their statistics (a models.onnx graph). */
interface RecomputingLayer { hasBatchNorm(): boolean; recomputeBatchNorm(x: tf.Tensor, batchSize: number): void }
const recomputing = (l: tf.layers.Layer): l is tf.layers.Layer & RecomputingLayer =>
  typeof (l as Partial<RecomputingLayer>).recomputeBatchNorm === 'function';

export function hasBatchNorm(model: tf.LayersModel): boolean {
  return model.layers.some((l) => l.getClassName() === 'BatchNormalization' || (recomputing(l) && l.hasBatchNorm()));
}

type BN = tf.layers.Layer & { movingMean: tf.LayerVariable; movingVariance: tf.LayerVariable; getConfig(): { axis?: number | number[] } };

/** Recomputes every BatchNormalization layer's moving mean/variance on `x` (Sequential models). */
export function recomputeBatchNorm(model: tf.LayersModel, x: tf.Tensor, batchSize = 1000): void {
  if (model.layers.length === 1 && recomputing(model.layers[0])) { model.layers[0].recomputeBatchNorm(x, batchSize); return; }
  if (!(model instanceof tf.Sequential)) throw new Error('recomputing BatchNorm statistics needs a tf.sequential model');
  const n = x.shape[0];
  let inputs: tf.Tensor[] = [];
  for (let s = 0; s < n; s += batchSize) inputs.push(tf.slice(x, s, Math.min(batchSize, n - s)));
  for (const layer of model.layers) {
    if (layer.getClassName() === 'BatchNormalization') {
      const bn = layer as BN;
      const rank = inputs[0].rank;
      const cfgAxis = (bn.getConfig().axis as number | undefined) ?? -1;
      const axis = cfgAxis < 0 ? rank + cfgAxis : cfgAxis;
      const reduce = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis);
      const [mean, variance] = tf.tidy(() => {
        // two passes for a numerically sound variance
        let sum: tf.Tensor = tf.zeros([inputs[0].shape[axis]!]);
        let count = 0;
        for (const h of inputs) { sum = tf.add(sum, tf.sum(h, reduce)); count += h.size / h.shape[axis]!; }
        const mu = tf.div(sum, count);
        const shape = inputs[0].shape.map((d, i) => (i === axis ? d : 1));
        let sq: tf.Tensor = tf.zeros([inputs[0].shape[axis]!]);
        for (const h of inputs) sq = tf.add(sq, tf.sum(tf.square(tf.sub(h, tf.reshape(mu, shape))), reduce));
        return [mu, tf.div(sq, count)];
      });
      bn.movingMean.write(mean); bn.movingVariance.write(variance);
      tf.dispose([mean, variance]);
    }
    const next = inputs.map((h) => tf.tidy(() => layer.apply(h, { training: false }) as tf.Tensor));
    tf.dispose(inputs);
    inputs = next;
  }
  tf.dispose(inputs);
}
