/**
 * Parameters as one flat Float32Array θ over the model's trainable weights, in layer order,
 * plus the non-trainable state (BatchNorm moving statistics) as a second flat vector.
 */
import * as tf from '@tensorflow/tfjs';
import { stackedSum } from './stacked';
import { readFlatDirect } from '../backends';
import { axpyTensor } from './axpy';

export interface ParamEntry {
  name: string;
  shape: number[];
  size: number;
  offset: number;
  /** 'kernel' (≥ 2-D weights, filters along the last axis), 'bias' (1-D), or 'embedding'. */
  kind: 'kernel' | 'bias' | 'embedding';
  layer: string;
}

export interface ParamLayout {
  entries: ParamEntry[];
  total: number;
}

type Var = tf.LayerVariable;

function layoutOfVars(model: tf.LayersModel, vars: Var[]): ParamLayout {
  const owner = new Map<string, string>();
  for (const layer of model.layers) for (const w of layer.weights) owner.set(w.name, layer.getClassName());
  let offset = 0;
  const entries = vars.map((v) => {
    const shape = v.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const layer = owner.get(v.name) ?? '';
    const kind: ParamEntry['kind'] = v.shape.length <= 1 ? 'bias' : layer === 'Embedding' ? 'embedding' : 'kernel';
    const e = { name: v.name, shape: [...shape], size, offset, kind, layer };
    offset += size;
    return e;
  });
  return { entries, total: offset };
}

export function trainableVars(model: tf.LayersModel): Var[] { return model.trainableWeights; }
export function stateVars(model: tf.LayersModel): Var[] { return model.nonTrainableWeights; }
export function paramLayout(model: tf.LayersModel): ParamLayout { return layoutOfVars(model, trainableVars(model)); }
export function stateLayout(model: tf.LayersModel): ParamLayout { return layoutOfVars(model, stateVars(model)); }

/** The variables as one flat tensor on the backend (caller disposes). */
export function flatTensor(vars: Var[]): tf.Tensor1D {
  return tf.tidy(() => (vars.length === 0 ? tf.zeros([0]) : tf.concat(vars.map((v) => tf.reshape(v.read(), [-1]))))) as tf.Tensor1D;
}

/** Reads variables into one flat vector (a copy), awaited: never blocks on WebGPU. */
export async function readFlat(vars: Var[]): Promise<Float32Array> {
  if (vars.length === 0) return new Float32Array(0);
  const direct = readFlatNow(vars);
  if (direct) return direct;
  const t = flatTensor(vars);
  try { return (await t.data()) as Float32Array; } finally { t.dispose(); } // a copy on every backend
}

/** The same, at once, where the backend keeps tensors in memory we can copy from (wasm); else null. */
export function readFlatNow(vars: Var[], into?: Float32Array): Float32Array | null {
  return readFlatDirect(vars.map((v) => v.read()), into);
}

export const readParams = (model: tf.LayersModel) => readFlat(trainableVars(model));
export const readState = (model: tf.LayersModel) => readFlat(stateVars(model));

/** Splits a flat vector into per-variable tensors (caller disposes). */
export function splitFlat(flat: Float32Array, layout: ParamLayout): tf.Tensor[] {
  return layout.entries.map((e) => tf.tensor(flat.subarray(e.offset, e.offset + e.size), e.shape));
}

/** Writes a flat vector into the variables. */
export function writeFlat(vars: Var[], flat: Float32Array, layout: ParamLayout): void {
  if (flat.length !== layout.total) throw new Error(`parameter vector has ${flat.length} values, the model ${layout.total}`);
  const ts = splitFlat(flat, layout);
  vars.forEach((v, k) => v.write(ts[k]));
  tf.dispose(ts);
}

export const writeParams = (model: tf.LayersModel, flat: Float32Array) => writeFlat(trainableVars(model), flat, paramLayout(model));
export const writeState = (model: tf.LayersModel, flat: Float32Array) => writeFlat(stateVars(model), flat, stateLayout(model));

/**
 * θ = base + Σ_k c_k · dir_k kept on the backend, one tensor per variable: moving to a new
 * point costs one fused multiply-add per variable and no copy through JavaScript.
 */
export class AffineParams {
  private base: tf.Tensor[];
  private dirs: tf.Tensor[][];
  constructor(private vars: Var[], layout: ParamLayout, base: Float32Array, dirs: Float32Array[]) {
    this.base = splitFlat(base, layout);
    this.dirs = dirs.map((d) => splitFlat(d, layout));
  }
  /** Writes base + Σ c_k dir_k into the variables. */
  set(coeffs: number[], skip?: Set<number>): void {
    this.vars.forEach((v, i) => {
      if (skip?.has(i)) return;
      const t = tf.tidy(() => {
        let acc = this.base[i];
        coeffs.forEach((c, k) => { if (c !== 0) acc = axpyTensor(acc, c, this.dirs[k][i]); });
        return acc === this.base[i] ? tf.clone(acc) : acc;
      });
      v.write(t);
      t.dispose();
    });
  }
  /** Variable i at K points at once, [K, ...shape], built on the backend (see ./stacked). */
  stacked(i: number, coeffs: number[][]): tf.Tensor {
    return stackedSum(this.base[i], this.dirs.map((d) => d[i]), coeffs);
  }
  dispose(): void {
    tf.dispose(this.base);
    this.dirs.forEach((d) => tf.dispose(d));
  }
}

// ---- flat-vector linear algebra (Float64 accumulation) ----------------------------------

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
export const norm = (a: Float32Array) => Math.sqrt(dot(a, a));
/** ‖a − b‖² without the difference vector (the same sum as dot(sub(a, b), sub(a, b))). */
export function distanceSq(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) { const d = Math.fround(a[i] - b[i]); s += d * d; }
  return s;
}
export function sub(a: Float32Array, b: Float32Array): Float32Array {
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i] - b[i];
  return r;
}
export function axpy(y: Float32Array, alpha: number, x: Float32Array): Float32Array {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
  return y;
}
export function scale(a: Float32Array, s: number): Float32Array {
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i] * s;
  return r;
}
