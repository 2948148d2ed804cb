/** connect (Garipov et al. 2018): a trained quadratic Bézier curve between two seeds' solutions. */
import { connectAnalysis as trainCurve } from '../connect';
import { hasBatchNorm } from '../batchnorm';
import { alignSolutions } from '../align/align';
import { alignmentResult } from '../align/aligned-line';
import { interpolate } from '../interpolate';
import { lineSummary } from '../../shared/line-summary';
import { bnSet, phase, type ProbesTraining } from './context';

export const connectAnalysis: ProbesTraining<'connect'> = {
  kind: 'connect',
  trains: 'once',
  secondSeed: (o, seed) => o.seed2 ?? seed + 1,
  acceptsCompareTo: true,
  withoutTraining: (_o, hasCompareTo) => (hasCompareTo ? undefined : 'connect needs a second solution (give compareTo: models.load(...) to connect two saved models)'),
  async probe({ model, spec, rec, second, options, evalTest, data, ev, notes, seed }) {
    const align = options.align && options.align !== 'none' ? options.align : undefined;
    const b = { theta: second!.rec.thetaT, state: second!.rec.stateT };
    // align: the curve is trained between θ_a and π(θ_b), the second solution's units permuted onto the first's
    const aligned = align ? await phase('probe', () => alignSolutions(model, align, { theta: rec.thetaT, state: rec.stateT }, b, { batch: bnSet(data.train.x), seed })) : undefined;
    const r = await phase('probe', () => trainCurve({
      model, spec, layout: rec.layout, thetaA: rec.thetaT, thetaB: aligned?.theta ?? b.theta, stateA: rec.stateT,
      bnSet: hasBatchNorm(model) ? bnSet(data.train.x) : undefined,
      // the bend is trained on the whole training set (a subset overfits the curve's middle)
      train: data.train, test: evalTest, points: Math.max(31, options.points), seed,
      onProgress: (done, total, message) => ev.progress?.('probe', done, total, message),
    }));
    const between = second!.from ? `the loaded model and ${second!.from}` : `the solutions of seeds ${seed} and ${second!.seed}`;
    notes.push(`quadratic Bézier curve between ${between}, bend trained ${r.trainSeconds.toFixed(1)} s`);
    if (!aligned) return { connect: { ...r, seeds: [seed, second!.seed] } };
    // the straight line to θ_b itself, at the same t, for the barrier before alignment
    const before = await phase('probe', () => interpolate({ model, spec, layout: rec.layout, thetaA: rec.thetaT, thetaB: b.theta, stateA: rec.stateT, stateB: rec.stateT,
      sets: { train: data.train, test: evalTest }, alpha: r.t, bn: hasBatchNorm(model) ? 'recompute' : undefined, bnSet: bnSet(data.train.x) }));
    notes.push(`${align === 'weights' ? 'weight' : 'activation'} matching before the curve: ${aligned.layers.length} hidden layer(s) permuted in ${aligned.seconds.toFixed(1)} s`);
    const after = { alpha: r.t, barrier: lineSummary(r.t, r.lineTrainLoss).barrier, trainAccuracy: r.lineTrainAccuracy, testAccuracy: r.lineTestAccuracy,
      ...(hasBatchNorm(model) ? { bn: 'recompute' as const } : {}) };
    return {
      connect: { ...r, seeds: [seed, second!.seed], unaligned: { lineTrainLoss: before.trainLoss, lineTestLoss: before.testLoss, lineTrainAccuracy: before.trainAccuracy, lineTestAccuracy: before.testAccuracy } },
      alignment: alignmentResult(aligned, before, after),
    };
  },
};
