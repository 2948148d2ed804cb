/** connect (Garipov et al. 2018): a trained quadratic Bézier curve between two seeds' solutions. */
import { connectAnalysis as trainCurve } from '../connect';
import { hasBatchNorm } from '../batchnorm';
import { bnSet, phase, type ProbesTraining } from './context';

export const connectAnalysis: ProbesTraining<'connect'> = {
  kind: 'connect',
  trains: 'once',
  secondSeed: (o, seed) => o.seed2 ?? seed + 1,
  acceptsCompareTo: true,
  withoutTraining: (_o, hasCompareTo) => (hasCompareTo ? undefined : 'connect needs a second solution (give compareTo: models.load(...) to connect two saved models)'),
  async probe({ model, spec, rec, second, options, evalTest, data, ev, notes, seed }) {
    const r = await phase('probe', () => trainCurve({
      model, spec, layout: rec.layout, thetaA: rec.thetaT, thetaB: second!.rec.thetaT, stateA: rec.stateT,
      bnSet: hasBatchNorm(model) ? bnSet(data.train.x) : undefined,
      // the bend is trained on the whole training set (a subset overfits the curve's middle)
      train: data.train, test: evalTest, points: Math.max(31, options.points), seed,
      onProgress: (done, total, message) => ev.progress?.('probe', done, total, message),
    }));
    const between = second!.from ? `the loaded model and ${second!.from}` : `the solutions of seeds ${seed} and ${second!.seed}`;
    notes.push(`quadratic Bézier curve between ${between}, bend trained ${r.trainSeconds.toFixed(1)} s`);
    return { connect: { ...r, seeds: [seed, second!.seed] } };
  },
};
