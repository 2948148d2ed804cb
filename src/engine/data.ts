/** Turns the user's `data` (tensors or plain arrays, or a function returning them) into tensors. */
import * as tf from '@tensorflow/tfjs';
import type { Data, LandscapeConfig, TensorLike } from '../api/types';
import type { EvalSet } from './evaluate';

export interface Dataset { train: EvalSet; test?: EvalSet; name: string }

function toTensor(v: TensorLike, what: string): tf.Tensor {
  if (v instanceof tf.Tensor) return v.dtype === 'float32' ? v : tf.cast(v, 'float32');
  if (Array.isArray(v)) {
    try { return tf.tensor(v as number[], undefined, 'float32'); } catch (e) { throw new Error(`data.${what}: ${(e as Error).message}`); }
  }
  throw new Error(`data.${what} must be a tf.Tensor or an array of numbers, got ${v === null ? 'null' : typeof v}`);
}

export async function loadData(config: LandscapeConfig): Promise<Dataset> {
  const raw: Data = typeof config.data === 'function' ? await config.data() : config.data;
  if (!raw || typeof raw !== 'object') throw new Error('data must be { x, y, xTest?, yTest? } or a function returning it');
  if (raw.x === undefined || raw.y === undefined) throw new Error("data needs 'x' and 'y'");
  const x = toTensor(raw.x, 'x'), y = toTensor(raw.y, 'y');
  if (x.shape[0] !== y.shape[0]) throw new Error(`data: x has ${x.shape[0]} examples but y has ${y.shape[0]}`);
  let test: EvalSet | undefined;
  if (raw.xTest !== undefined && raw.yTest !== undefined) {
    test = { x: toTensor(raw.xTest, 'xTest'), y: toTensor(raw.yTest, 'yTest') };
    if (test.x.shape[0] !== test.y.shape[0]) throw new Error(`data: xTest has ${test.x.shape[0]} examples but yTest has ${test.y.shape[0]}`);
  }
  return { train: { x, y }, test, name: raw.name ?? `${x.shape[0]} examples` };
}

/** The first n examples (n ≤ 0 or ≥ size: all). */
export function head(set: EvalSet, n: number): EvalSet {
  const size = set.x.shape[0];
  if (!n || n <= 0 || n >= size) return set;
  return { x: tf.slice(set.x, 0, n), y: tf.slice(set.y, 0, n) };
}
