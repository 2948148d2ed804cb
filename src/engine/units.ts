/**
 * Unit diagnostics of Swirszcz, Czarnecki & Pascanu (2016):
 * - a dead ReLU unit outputs 0 on every example: it passes no gradient and cannot recover
 *   (a "blind spot" when some examples see no active unit at all);
 * - a saturated sigmoid/tanh unit sits on a flat tail on every example (σ' < 0.01 there,
 *   i.e. output outside [0.01, 0.99] for sigmoid, |output| > 0.99 for tanh): almost no gradient.
 * Counted per unit (per channel for convolutions) over hidden layers of a Sequential model.
 */
import * as tf from '@tensorflow/tfjs';

export interface UnitCounts {
  deadUnits: number;
  saturatedUnits: number;
  /** Units inspected (hidden ReLU units, hidden sigmoid/tanh units). */
  reluUnits: number;
  squashUnits: number;
  /** Examples on which every ReLU unit of the first ReLU layer is inactive (blind spots). */
  blindExamples: number;
}

function activationOf(layer: tf.layers.Layer): string | undefined {
  const cfg = layer.getConfig() as { activation?: string };
  if (layer.getClassName() === 'Activation' || typeof cfg.activation === 'string') return cfg.activation;
  if (layer.getClassName() === 'ReLU') return 'relu';
  return undefined;
}

export function unitCounts(model: tf.LayersModel, x: tf.Tensor): UnitCounts | null {
  if (!(model instanceof tf.Sequential)) return null;
  const counts: UnitCounts = { deadUnits: 0, saturatedUnits: 0, reluUnits: 0, squashUnits: 0, blindExamples: 0 };
  const layers = model.layers;
  let firstRelu = true;
  tf.tidy(() => {
    let h = x;
    layers.forEach((layer, li) => {
      h = layer.apply(h, { training: false }) as tf.Tensor;
      if (li === layers.length - 1) return; // the output layer is not a hidden unit
      const act = activationOf(layer);
      if (!act) return;
      const flat = h.reshape([-1, h.shape[h.shape.length - 1]!]); // examples(×positions) × units
      if (act === 'relu' || act === 'relu6') {
        const maxPerUnit = flat.max(0).dataSync();
        counts.reluUnits += maxPerUnit.length;
        counts.deadUnits += maxPerUnit.filter((v) => v <= 0).length;
        if (firstRelu && h.rank === 2) {
          counts.blindExamples = h.max(1).lessEqual(0).sum().dataSync()[0];
          firstRelu = false;
        }
      } else if (act === 'sigmoid' || act === 'tanh') {
        const lo = act === 'sigmoid' ? 0.01 : -0.99, hi = act === 'sigmoid' ? 0.99 : 0.99;
        const flatTail = flat.less(lo).logicalOr(flat.greater(hi)).cast('float32').min(0).dataSync();
        counts.squashUnits += flatTail.length;
        counts.saturatedUnits += flatTail.filter((v) => v > 0).length;
      }
    });
  });
  return counts;
}
