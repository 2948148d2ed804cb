/**
 * The straight line from θ_a to the aligned π(θ_b) beside the line to θ_b itself (interpolate and
 * connect with `align`): the alignment, the second line at the same α, and the barriers of both.
 */
import type * as tf from '@tensorflow/tfjs';
import type { AlignmentResult, InterpolateResult } from '../../protocol';
import type { LossSpec } from '../losses';
import type { EvalSet } from '../evaluate';
import type { ParamLayout } from '../params';
import { interpolate } from '../interpolate';
import { errorBarrier } from '../../shared/line-summary';
import { alignSolutions, type AlignMethod, type Aligned, type Solution } from './align';

export interface AlignedLineInput {
  model: tf.LayersModel;
  spec: LossSpec;
  layout: ParamLayout;
  method: AlignMethod;
  a: Solution;
  b: Solution;
  /** Inputs activation matching compares units on (the first 1000 training inputs). */
  batch: tf.Tensor;
  sets: { train: EvalSet; test?: EvalSet };
  alpha: number[];
  bn?: 'interpolate' | 'recompute' | 'both';
  bnSet?: tf.Tensor;
  fastFirstLayer?: boolean;
  seed?: number;
}

/** Aligns b onto a and evaluates the line a → π(b). */
export async function alignedLine(input: AlignedLineInput): Promise<{ aligned: Aligned; line: InterpolateResult }> {
  const aligned = await alignSolutions(input.model, input.method, input.a, input.b, { batch: input.batch, seed: input.seed });
  const r = await interpolate({
    model: input.model, spec: input.spec, layout: input.layout, thetaA: input.a.theta, thetaB: aligned.theta,
    stateA: input.a.state, stateB: aligned.state, sets: input.sets, alpha: input.alpha,
    fastFirstLayer: input.fastFirstLayer, bn: input.bn, bnSet: input.bnSet,
  });
  const { fast: _f, fastReason: _r, ...line } = r;
  return { aligned, line };
}

/** What result.json says of the alignment: the barriers of the line before and after it. */
export function alignmentResult(aligned: Aligned, before: Pick<InterpolateResult, 'alpha' | 'barrier' | 'testAccuracy' | 'trainAccuracy'>,
  after: Pick<InterpolateResult, 'alpha' | 'barrier' | 'testAccuracy' | 'trainAccuracy' | 'bn'>): AlignmentResult {
  const errorSet = before.testAccuracy.some((a) => a !== null) ? 'test' : 'train';
  const acc = (l: typeof before) => (errorSet === 'test' ? l.testAccuracy : l.trainAccuracy);
  return {
    method: aligned.method, layers: aligned.layers.map((l, k) => ({ ...l, moved: aligned.moved[k] })), seconds: aligned.seconds,
    barrierBefore: before.barrier, barrierAfter: after.barrier,
    errorBarrierBefore: errorBarrier(before.alpha, acc(before)), errorBarrierAfter: errorBarrier(after.alpha, acc(after)), errorSet,
    ...(aligned.sweeps !== undefined ? { sweeps: aligned.sweeps } : {}), ...(after.bn ? { bn: after.bn } : {}),
  };
}
