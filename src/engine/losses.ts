/**
 * Per-example losses and accuracies, the same formulas `model.compile(...)` uses, so that a
 * probe at θ equals `model.evaluate()` at θ. A user loss function gives only batch means.
 */
import * as tf from '@tensorflow/tfjs';
import type { Loss, MetricName } from '../api/types';
import { EPSILON } from './dense/maths';

export interface LossSpec {
  /** Per-example loss [n], or undefined when only the batch mean is known (user function). */
  perExample?: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor1D;
  /** Mean loss of a batch (scalar); what training minimizes. */
  mean: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;
  /** Per-example accuracy in {0,1} [n], or undefined. */
  accuracy?: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor1D;
  name: string;
  /** The loss's name when it is one of ours (a string in the definition); absent for a user function. */
  builtin?: string;
}


function sparseCategoricalCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const labels = tf.cast(tf.reshape(yTrue, [-1]), 'int32');
    const p = tf.clipByValue(yPred.div(yPred.sum(-1, true)), EPSILON, 1 - EPSILON);
    const depth = p.shape[p.shape.length - 1];
    return tf.neg(tf.sum(tf.mul(tf.oneHot(labels, depth), tf.log(p)), -1)) as tf.Tensor1D;
  });
}

/** Integer class labels ([n] or [n, 1]) rather than one-hot or probability rows. */
const isLabels = (yTrue: tf.Tensor, yPred: tf.Tensor) => yTrue.rank === 1 || (yTrue.rank === 2 && yTrue.shape[1] === 1 && (yPred.shape[1] ?? 1) > 1);

/** PyTorch's F.cross_entropy on logits: integer labels, or class probabilities of the logits' shape. */
function crossEntropy(yTrue: tf.Tensor, logits: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const target = isLabels(yTrue, logits) ? tf.oneHot(tf.cast(tf.reshape(yTrue, [-1]), 'int32'), logits.shape[logits.rank - 1]) : yTrue;
    return tf.neg(tf.sum(tf.mul(target, logp), -1)) as tf.Tensor1D;
  });
}

/** PyTorch's F.mse_loss: per example, the mean of its squared errors over every element. */
function mse(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.mean(tf.reshape(tf.squaredDifference(tf.reshape(yTrue, yPred.shape), yPred), [yPred.shape[0], -1]), 1) as tf.Tensor1D);
}

const perExampleLosses: Record<string, (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor> = {
  categoricalCrossentropy: (t, p) => tf.metrics.categoricalCrossentropy(t, p),
  binaryCrossentropy: (t, p) => tf.metrics.binaryCrossentropy(t, p),
  meanSquaredError: (t, p) => tf.metrics.meanSquaredError(t, p),
  meanAbsoluteError: (t, p) => tf.metrics.meanAbsoluteError(t, p),
  sparseCategoricalCrossentropy,
  crossEntropy,
  mse,
};

function flat1d(t: tf.Tensor): tf.Tensor1D {
  return (t.rank === 1 ? t : tf.reshape(t, [t.shape[0]])) as tf.Tensor1D;
}

export function lossSpec(loss: Loss, metrics: MetricName | undefined): LossSpec {
  let perExample: LossSpec['perExample'];
  let mean: LossSpec['mean'];
  let name: string;
  if (typeof loss === 'string') {
    const f = perExampleLosses[loss];
    if (!f) throw new Error(`unknown loss '${loss}'; use one of ${Object.keys(perExampleLosses).join(', ')} or a function (yTrue, yPred) => tf.Scalar`);
    perExample = (t, p) => tf.tidy(() => flat1d(f(t, p)));
    mean = (t, p) => tf.tidy(() => tf.mean(f(t, p)) as tf.Scalar);
    name = loss;
  } else if (typeof loss === 'function') {
    mean = (t, p) => {
      const r = loss(t, p);
      if (!(r instanceof tf.Tensor) || r.rank !== 0) {
        const shape = r instanceof tf.Tensor ? `a tensor of shape [${r.shape}]` : typeof r;
        throw new Error(`the loss function must return a scalar tf.Tensor (the batch mean), got ${shape}`);
      }
      return r;
    };
    name = loss.name || 'custom loss';
  } else {
    throw new Error(`'loss' must be a loss name or a function, got ${typeof loss}`);
  }
  const wantAccuracy = metrics === 'accuracy' || (metrics === undefined && typeof loss === 'string' && /Crossentropy$|^crossEntropy$/.test(loss));
  let accuracy: LossSpec['accuracy'];
  if (wantAccuracy) {
    accuracy = (t, p) => tf.tidy(() => {
      const classes = p.shape[p.shape.length - 1] ?? 1;
      if (loss === 'sparseCategoricalCrossentropy' || (loss === 'crossEntropy' && isLabels(t, p))) {
        return tf.cast(tf.equal(tf.cast(tf.reshape(t, [-1]), 'int32'), tf.argMax(p, -1)), 'float32') as tf.Tensor1D;
      }
      if (classes === 1 || p.rank === 1) return flat1d(tf.metrics.binaryAccuracy(t, p));
      return flat1d(tf.metrics.categoricalAccuracy(t, p));
    });
  }
  return { perExample, mean, accuracy, name, builtin: typeof loss === 'string' ? loss : undefined };
}
