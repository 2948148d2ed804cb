/**
 * The cost estimate's rate, measured: a forward pass of the model on this backend over 1 and over
 * n (up to 512) training examples, best of 3 after a warm-up each; the slope is the time per
 * example (the fixed cost of a pass is left out: the probe's batched paths pay far less of it
 * than one `apply`, and probeWatch times the real points anyway). A few milliseconds.
 */
import * as tf from '@tensorflow/tfjs';
import { nominalRate, type Rate } from './cost';

async function timePass(model: tf.LayersModel, x: tf.Tensor): Promise<number> {
  let best = Infinity;
  for (let rep = 0; rep < 4; rep++) {
    const t0 = performance.now();
    const y = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
    await y.data(); // a read: also waits for the GPU on WebGPU
    y.dispose();
    const ms = performance.now() - t0;
    if (rep > 0 || ms > 1000) best = Math.min(best, ms);
    if (best !== Infinity && best > 250) break; // a slow model: one timing is enough
  }
  return best / 1000;
}

/** Seconds per example of a forward pass on `backend`; the nominal rate when x has too few examples to time. */
export async function measureRate(model: tf.LayersModel, x: tf.Tensor, parameters: number, backend: string): Promise<Rate> {
  const n = Math.min(512, x.shape[0]);
  if (n < 64) return nominalRate(parameters);
  const one = tf.slice(x, 0, 1), many = tf.slice(x, 0, n);
  try {
    const t1 = await timePass(model, one), tn = await timePass(model, many);
    const perExample = Math.max((tn - t1) / (n - 1), tn / n / 10, 1e-9);
    if (!Number.isFinite(perExample)) return nominalRate(parameters);
    const us = perExample * 1e6;
    return { perExample, source: `a measured forward pass: ${us >= 10 ? us.toFixed(0) : us.toPrecision(2)} µs per example on ${backend}` };
  } finally {
    tf.dispose([one, many]);
  }
}
