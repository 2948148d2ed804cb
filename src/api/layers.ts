/**
 * Layers TF.js lacks. `maxout({units, pieces})` (Goodfellow et al. 2013): each unit is the
 * maximum of `pieces` affine functions of the input — the maxout networks of Goodfellow,
 * Vinyals & Saxe (2015).
 */
import * as tf from '@tensorflow/tfjs';

export interface MaxoutArgs { units: number; pieces?: number; inputShape?: number[]; name?: string }

export class Maxout extends tf.layers.Layer {
  static className = 'Maxout';
  readonly units: number;
  readonly pieces: number;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  constructor(args: MaxoutArgs) {
    super({ inputShape: args.inputShape, name: args.name } as never);
    this.units = args.units;
    this.pieces = args.pieces ?? 2;
  }
  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inDim = shape[shape.length - 1]!;
    this.kernel = this.addWeight('kernel', [inDim, this.units * this.pieces], 'float32', tf.initializers.glorotUniform({}));
    this.bias = this.addWeight('bias', [this.units * this.pieces], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.units];
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const z = tf.add(tf.matMul(x as tf.Tensor2D, this.kernel.read() as tf.Tensor2D), this.bias.read());
      return tf.max(tf.reshape(z, [-1, this.units, this.pieces]), -1);
    });
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, pieces: this.pieces };
  }
}
tf.serialization.registerClass(Maxout);

export function maxout(args: MaxoutArgs): Maxout { return new Maxout(args); }
