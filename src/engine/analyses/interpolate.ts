/**
 * interpolate (Goodfellow, Vinyals & Saxe 2015): J((1−α)θ_a + αθ_b) along the line from θ₀ to
 * θ_T — or between the solutions of two seeds (`seed2`): train and test loss and accuracy,
 * monotone on [0,1]?, the barrier above the chord.
 */
import { alphaGrid } from '../grid';
import { interpolate } from '../interpolate';
import { bnSet, phase, type ProbesTraining } from './context';

const BN_NOTE = {
  interpolate: 'BatchNorm statistics interpolated between the endpoints (bn: recompute or both recomputes them at each α)',
  recompute: 'BatchNorm statistics recomputed at each α on the first 1000 training examples',
  both: 'BatchNorm statistics interpolated (main curves) and recomputed at each α on the first 1000 training examples (bnRecomputed)',
};

export const interpolateAnalysis: ProbesTraining<'interpolate'> = {
  kind: 'interpolate',
  trains: 'once',
  secondSeed: (o) => o.seed2,
  acceptsCompareTo: true,
  withoutTraining: (o) => (o.seed2 !== undefined ? 'interpolating between the solutions of two seeds (seed2) trains a second model' : undefined),
  async probe({ model, spec, rec, second, options, evalTrain, evalTest, data, ev, notes, seed }) {
    const alpha = alphaGrid(options.alphaRange[0], options.alphaRange[1], options.points);
    const r2 = second?.rec;
    const line = {
      thetaA: r2 ? rec.thetaT : rec.theta0, thetaB: r2 ? r2.thetaT : rec.thetaT,
      stateA: r2 ? rec.stateT : rec.state0, stateB: r2 ? r2.stateT : rec.stateT, alpha,
    };
    const deferred = await ev.deferGrid?.({ kind: 'line', line, sets: { train: evalTrain, test: evalTest } });
    const r = await phase('probe', () => interpolate({
      model, spec, layout: rec.layout, ...line,
      sets: { train: evalTrain, test: evalTest }, fastFirstLayer: options.fastFirstLayer,
      bn: options.bn, bnSet: bnSet(data.train.x), indices: deferred ? [] : undefined,
      onPoint: async (i, a, tr, te, done) => {
        ev.progress?.('probe', done, alpha.length);
        await ev.curvePoint?.(i, a, tr.loss, te?.loss ?? NaN, tr.accuracy, te?.accuracy ?? null, alpha.length);
      },
    }));
    const { fast, fastReason, ...interp } = r;
    interp.endpoints = second?.from ? { a: 'θ_T loaded', b: 'compareTo' }
      : second ? { a: `θ_T (seed ${seed})`, b: `θ_T (seed ${second.seed})` } : { a: 'θ₀ init', b: 'θ_T trained' };
    notes.push(fast ? 'first-layer linearity trick used' : `straightforward evaluation (${fastReason})`);
    if (interp.bn) notes.push(BN_NOTE[interp.bn]);
    return { interpolate: interp };
  },
};
