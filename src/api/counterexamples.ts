/**
 * Datasets and initializations after Swirszcz, Czarnecki & Pascanu (2016), "Local minima in
 * training of neural networks": finite datasets on which gradient training of small networks
 * gets stuck. Each construction is documented where it is defined; the examples in
 * examples/swirszcz-*.landscape.ts survey them and tests assert the stuck rates.
 */
import * as tf from '@tensorflow/tfjs';
import type { Data, InitScheme } from './types';

/**
 * Blind spots of ReLU networks. Two clusters of 2-D points, left (x₁ ≈ −1) and right
 * (x₁ ≈ +1), each spread along x₂; the target is +x₂ on the left and −x₂ on the right, so a
 * network must have hidden units active on *both* sides to fit it. A ReLU unit relu(w·x + b)
 * initialized with its weight pointing right is inactive on the whole left cluster; when every
 * hidden unit of a narrow layer starts that way, the left cluster is a blind spot: no unit
 * passes it any gradient, and training can only fit its mean with the output bias (a bad
 * local minimum with loss ≈ half the target variance). With 2 hidden units this happens for a
 * sizeable share of random initializations; with many units practically never.
 */
export function blindSpot(options: { perCluster?: number } = {}): Data {
  const n = options.perCluster ?? 8;
  const x: number[][] = [], y: number[][] = [];
  for (const side of [-1, 1]) {
    for (let i = 0; i < n; i++) {
      const t = -1 + (2 * i) / (n - 1);
      x.push([side * (1 + 0.1 * Math.abs(t)), 0.5 * t]);
      y.push([-side * t]);
    }
  }
  return { x, y, xTest: x, yTest: y, name: `blind spots (${2 * n} points)` };
}

/**
 * Shifts the biases of the first layer by `shift` (negative: every ReLU unit starts inactive on
 * the points where w·x < −shift). `blindSpotInit(-2)` makes all data a blind spot of the first
 * layer — the extreme case of the construction above.
 */
export function biasShift(shift: number): InitScheme {
  return (model) => {
    const bias = model.layers[0].weights.find((w) => w.shape.length === 1);
    if (!bias) throw new Error('biasShift: the first layer has no bias');
    const t = tf.tidy(() => tf.add(bias.read(), shift));
    bias.write(t); t.dispose();
  };
}

/**
 * Saturated sigmoid units. A linearly separable 2-D set (labels by the sign of x₁ + x₂). With
 * the "saturating" initialization below (first-layer biases +8 and weights scaled small), every
 * sigmoid hidden unit outputs ≈ 1 on every data point: σ'(z) < 4·10⁻⁴ there, so the first layer
 * receives almost no gradient and the output layer sees a constant feature — it can only learn
 * the class prior (loss ≈ log 2 for balanced classes), although the default initialization
 * solves the problem.
 */
export function separable(options: { n?: number } = {}): Data {
  const n = options.n ?? 40;
  const x: number[][] = [], y: number[][] = [];
  for (let i = 0; i < n; i++) {
    // deterministic, well spread points (golden-angle spiral)
    const r = Math.sqrt((i + 0.5) / n), th = i * 2.399963229728653;
    const p = [r * Math.cos(th), r * Math.sin(th)];
    if (Math.abs(p[0] + p[1]) < 0.1) p[0] += p[0] + p[1] >= 0 ? 0.15 : -0.15;
    x.push(p); y.push([p[0] + p[1] > 0 ? 1 : 0]);
  }
  return { x, y, xTest: x, yTest: y, name: `separable (${n} points)` };
}

/** Saturating init: first-layer kernel × `scale`, first-layer biases set to `bias`. */
export function saturating(options: { bias?: number; scale?: number } = {}): InitScheme {
  const bias = options.bias ?? 8, scale = options.scale ?? 0.1;
  return (model) => {
    for (const w of model.layers[0].weights) {
      const t = tf.tidy(() => (w.shape.length === 1 ? tf.fill(w.shape as number[], bias) : tf.mul(w.read(), scale)));
      w.write(t); t.dispose();
    }
  };
}

/**
 * Ten points on which a 2-2-1 sigmoid network (MSE) has a bad local minimum. Labels: 1 when
 * 0.5 < x₁ + x₂ < 1.5 (an XOR-like band), else 0. The point `tenPointsSolution` exhibits,
 * h₁ = σ(20(x₁+x₂) − 10), h₂ = σ(20(x₁+x₂) − 30), ŷ = σ(20h₁ − 20h₂ − 10), reaches a loss
 * below 10⁻³, while gradient training from random initializations often ends on a plateau /
 * local minimum that fits only part of the band (loss ≥ 0.1).
 */
export function tenPoints(): Data {
  const pts: Array<[number, number, number]> = [
    [0, 0, 0], [1, 1, 0], [1, 0, 1], [0, 1, 1], [0.2, 0.1, 0],
    [0.9, 0.8, 0], [0.8, 0.1, 1], [0.1, 0.7, 1], [0.5, 0.5, 1], [0.9, 0.9, 0],
  ];
  const x = pts.map(([a, b]) => [a, b]), y = pts.map(([, , c]) => [c]);
  return { x, y, xTest: x, yTest: y, name: 'ten points (XOR-like band)' };
}

/** Sets a 2-2-1 network to the exhibited solution of `tenPoints` (see there). */
export const tenPointsSolution: InitScheme = (model) => {
  const values = [[[20, 20], [20, 20]], [-10, -30], [[20], [-20]], [-10]];
  const ws = model.trainableWeights;
  if (ws.length !== 4) throw new Error('tenPointsSolution expects a 2-2-1 network with biases');
  ws.forEach((w, i) => { const t = tf.tidy(() => tf.reshape(tf.tensor(values[i] as number[]), w.shape as number[])); w.write(t); t.dispose(); });
};
