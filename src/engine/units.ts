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

export async function unitCounts(model: tf.LayersModel, x: tf.Tensor): Promise<UnitCounts | null> {
  if (!(model instanceof tf.Sequential)) return null;
  const counts: UnitCounts = { deadUnits: 0, saturatedUnits: 0, reluUnits: 0, squashUnits: 0, blindExamples: 0 };
  const layers = model.layers;
  let firstRelu = true;
  // what each layer needs is kept on the backend and read once at the end (never a sync read)
  const parts: { kind: 'relu' | 'blind' | 'squash'; t: tf.Tensor }[] = [];
  tf.tidy(() => {
    let h = x;
    layers.forEach((layer, li) => {
      h = layer.apply(h, { training: false }) as tf.Tensor;
      if (li === layers.length - 1) return; // the output layer is not a hidden unit
      const act = activationOf(layer);
      if (!act) return;
      const flat = h.reshape([-1, h.shape[h.shape.length - 1]!]); // examples(×positions) × units
      if (act === 'relu' || act === 'relu6') {
        parts.push({ kind: 'relu', t: tf.keep(flat.max(0)) });
        if (firstRelu && h.rank === 2) {
          parts.push({ kind: 'blind', t: tf.keep(h.max(1).lessEqual(0).sum()) });
          firstRelu = false;
        }
      } else if (act === 'sigmoid' || act === 'tanh') {
        const lo = act === 'sigmoid' ? 0.01 : -0.99, hi = act === 'sigmoid' ? 0.99 : 0.99;
        parts.push({ kind: 'squash', t: tf.keep(flat.less(lo).logicalOr(flat.greater(hi)).cast('float32').min(0)) });
      }
    });
  });
  try {
    const values = await Promise.all(parts.map((p) => p.t.data()));
    parts.forEach((p, k) => {
      const v = Array.from(values[k] as ArrayLike<number>);
      if (p.kind === 'relu') { counts.reluUnits += v.length; counts.deadUnits += v.filter((u) => u <= 0).length; }
      else if (p.kind === 'blind') counts.blindExamples = v[0];
      else { counts.squashUnits += v.length; counts.saturatedUnits += v.filter((u) => u > 0).length; }
    });
  } finally {
    tf.dispose(parts.map((p) => p.t));
  }
  return counts;
}
