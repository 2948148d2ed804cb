/**
 * Every layer weight a model builds in this runner is checked against the memory cap before it
 * is allocated (src/engine/cost.ts checkWeight): a Dense layer of 400 million units is refused
 * with its size in milliseconds, from inside model() (so the message points at the user's line).
 */
import * as tf from '@tensorflow/tfjs';
import { checkWeight, memoryLimitBytes } from '../engine/cost';

type AddWeight = (this: tf.layers.Layer, name: string, shape: number[], ...rest: unknown[]) => unknown;

let installed = false;

export function guardLayerWeights(limit = memoryLimitBytes()): void {
  if (installed) return;
  installed = true;
  const proto = tf.layers.Layer.prototype as unknown as { addWeight: AddWeight };
  const addWeight = proto.addWeight;
  proto.addWeight = function (this: tf.layers.Layer, name: string, shape: number[], ...rest: unknown[]) {
    checkWeight(this.name, name, shape, limit);
    return addWeight.call(this, name, shape, ...rest);
  };
}
