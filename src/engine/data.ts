/** Turns the user's `data` (tensors or plain arrays, or a function returning them) into tensors. */
import * as tf from '@tensorflow/tfjs';
import type { Data, LandscapeConfig, TensorLike } from '../api/types';
import type { EvalSet } from './evaluate';

export interface Dataset { train: EvalSet; test?: EvalSet; name: string }

function toTensor(v: TensorLike, what: string): tf.Tensor {
  if (v instanceof tf.Tensor) return v.dtype === 'float32' ? v : tf.cast(v, 'float32');
  if (Array.isArray(v)) {
    try { return tf.tensor(v as number[], undefined, 'float32'); } catch (e) { throw new DataError(`data.${what}: ${(e as Error).message}`); }
  }
  throw new DataError(`data.${what} must be a tf.Tensor or an array of numbers, got ${v === null ? 'null' : typeof v}`);
}

/** Bad data (empty, mismatched, not finite): a user error about `data`, never a meaningless answer. */
export class DataError extends Error {
  constructor(message: string) { super(message); this.name = 'DataError'; }
}

/** A model that checks the data's shape itself before any work (a models.onnx graph): its refusal is a DataError. */
export function checkModelInput(model: tf.LayersModel, x: tf.Tensor): void {
  const first = model.layers[0] as { checkInput?: (shape: readonly number[]) => void } | undefined;
  if (first?.checkInput) { // a graph layer (models.onnx) knows the layouts it takes
    try { first.checkInput(x.shape); } catch (e) { throw new DataError((e as Error).message); }
    return;
  }
  checkModelInputs(model.inputs, x);
}

/** [i, j, …] of flat index k in a row-major tensor of `shape`. */
function position(k: number, shape: number[]): number[] {
  const at: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) { at.unshift(k % shape[d]); k = Math.floor(k / shape[d]); }
  return at;
}

/** Throws a DataError naming how many values of `what` are not finite and where the first is. */
export async function assertFinite(t: tf.Tensor, what: string): Promise<void> {
  const v = await t.data();
  let count = 0, first = -1;
  for (let k = 0; k < v.length; k++) if (!Number.isFinite(v[k])) { if (first < 0) first = k; count++; }
  if (!count) return;
  const at = position(first, t.shape);
  throw new DataError(`data.${what}: ${count} value${count > 1 ? 's are' : ' is'} not finite; the first, ${v[first]}, is at example ${at[0]}` +
    `${at.length > 1 ? ` (${what}[${at.join('][')}])` : ''}`);
}

function assertExamples(x: tf.Tensor, y: tf.Tensor, xs: string, ys: string): void {
  if (x.rank === 0 || y.rank === 0) throw new DataError(`data.${x.rank === 0 ? xs : ys} must have one row per example (got a scalar)`);
  if (x.shape[0] === 0) throw new DataError(`data.${xs} has 0 examples: nothing to train or evaluate on`);
  if (x.shape[0] !== y.shape[0]) throw new DataError(`data: ${xs} has ${x.shape[0]} examples but ${ys} has ${y.shape[0]}`);
}

export async function loadData(config: LandscapeConfig): Promise<Dataset> {
  const raw: Data = typeof config.data === 'function' ? await config.data() : config.data;
  if (!raw || typeof raw !== 'object') throw new DataError('data must be { x, y, xTest?, yTest? } or a function returning it');
  if (raw.x === undefined || raw.y === undefined) throw new DataError("data needs 'x' and 'y'");
  const x = toTensor(raw.x, 'x'), y = toTensor(raw.y, 'y');
  assertExamples(x, y, 'x', 'y');
  await assertFinite(x, 'x'); await assertFinite(y, 'y');
  let test: EvalSet | undefined;
  if ((raw.xTest === undefined) !== (raw.yTest === undefined)) throw new DataError(`data has ${raw.xTest === undefined ? 'yTest but no xTest' : 'xTest but no yTest'}`);
  if (raw.xTest !== undefined && raw.yTest !== undefined) {
    test = { x: toTensor(raw.xTest, 'xTest'), y: toTensor(raw.yTest, 'yTest') };
    assertExamples(test.x, test.y, 'xTest', 'yTest');
    await assertFinite(test.x, 'xTest'); await assertFinite(test.y, 'yTest');
  }
  return { train: { x, y }, test, name: raw.name ?? `${x.shape[0]} examples` };
}

/** The first n examples (n ≤ 0 or ≥ size: all). */
export function head(set: EvalSet, n: number): EvalSet {
  const size = set.x.shape[0];
  if (!n || n <= 0 || n >= size) return set;
  return { x: tf.slice(set.x, 0, n), y: tf.slice(set.y, 0, n) };
}

/**
 * The model takes what the data gives: one input whose shape (but for the batch axis) is that of
 * an example of x. Checked before any training, so a mismatch is the user's error about the data
 * and the model, not TF.js's "Input 0 is incompatible" from wherever the first pass happens.
 */
export function checkModelInputs(inputs: ReadonlyArray<{ shape: Array<number | null> }>, x: tf.Tensor): void {
  const example = x.shape.slice(1);
  if (inputs.length !== 1) {
    throw new DataError(`the model has ${inputs.length} inputs but the data gives one x (examples of shape [${example.join(', ')}]): a landscape probes models of one input`);
  }
  const want = inputs[0].shape.slice(1);
  if (want.length !== example.length || want.some((d, i) => d != null && d !== example[i])) {
    const show = (s: Array<number | null>) => `[${s.map((d) => d ?? 'any').join(', ')}]`;
    throw new DataError(`the model's input takes examples of shape ${show(want)} but the data's x has examples of shape ${show(example)} ` +
      `(x is ${show(x.shape)}): make the model's inputShape match the data, or the data the model`);
  }
}
