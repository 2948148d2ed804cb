/**
 * Aligns a second solution θ_B onto θ_A (weight or activation matching) and returns π(θ_B) with
 * its non-trainable state permuted the same way: the same function as θ_B, its units in θ_A's order.
 */
import type * as tf from '@tensorflow/tfjs';
import { permutationSpec, permuteParams } from './permute';
import { weightMatching } from './weight-matching';
import { activationMatching } from './activation-matching';

export type AlignMethod = 'weights' | 'activations';

export interface Solution { theta: Float32Array; state: Float32Array }

export interface Aligned extends Solution {
  method: AlignMethod;
  /** The permuted hidden layers: name and units. */
  layers: Array<{ name: string; units: number }>;
  seconds: number;
  /** Weight matching: coordinate-descent sweeps over the layers. */
  sweeps?: number;
  /** Units each layer moved (perm[i] ≠ i). */
  moved: number[];
}

/** `batch`: the inputs activation matching compares units on. */
export async function alignSolutions(model: tf.LayersModel, method: AlignMethod, a: Solution, b: Solution,
  opts: { batch?: tf.Tensor; seed?: number } = {}): Promise<Aligned> {
  const started = Date.now();
  const spec = permutationSpec(model);
  let perms: Int32Array[], sweeps: number | undefined;
  if (method === 'weights') {
    const r = await weightMatching(spec, a.theta, b.theta, { seed: opts.seed });
    perms = r.perms; sweeps = r.sweeps;
  } else {
    if (!opts.batch) throw new Error('activation matching needs a batch of inputs');
    perms = await activationMatching(model, spec, opts.batch, a, b);
  }
  const p = permuteParams(spec, b.theta, b.state, perms);
  return {
    ...p, method, layers: spec.groups.map((g) => ({ name: g.name, units: g.size })), seconds: (Date.now() - started) / 1000,
    ...(sweeps !== undefined ? { sweeps } : {}), moved: perms.map((q) => q.filter((j, i) => j !== i).length),
  };
}
