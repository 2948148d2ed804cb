/**
 * interpolate (Goodfellow, Vinyals & Saxe 2015): J((1−α)θ_a + αθ_b) along the line from θ₀ to
 * θ_T — or between the solutions of two seeds (`seed2`): train and test loss and accuracy,
 * monotone on [0,1]?, the barrier above the chord. Points may be shared with a second process
 * (ev.splitLine); each point's values are the same wherever computed.
 */
import { alphaGrid } from '../grid';
import { interpolate, lineSummary } from '../interpolate';
import type { InterpolateResult, LinePoint } from '../../protocol';
import { alignedLine, alignmentResult } from '../align/aligned-line';
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
    const align = options.align && options.align !== 'none' ? options.align : undefined;
    if (align && !r2) throw new Error(`align '${align}' permutes a second solution onto the first: give seed2 (--seed2 N) or, for a loaded model, compareTo`);
    const line = {
      thetaA: r2 ? rec.thetaT : rec.theta0, thetaB: r2 ? r2.thetaT : rec.thetaT,
      stateA: r2 ? rec.stateT : rec.state0, stateB: r2 ? r2.stateT : rec.stateT, alpha,
    };
    const sets = { train: evalTrain, test: evalTest };
    const deferred = await ev.deferGrid?.({ kind: 'line', line, sets });
    let done = 0;
    const report = async (i: number, p: Pick<LinePoint, 'trainLoss' | 'testLoss' | 'trainAccuracy' | 'testAccuracy'>) => {
      ev.progress?.('probe', ++done, alpha.length);
      await ev.curvePoint?.(i, alpha[i], p.trainLoss, p.testLoss, p.trainAccuracy, p.testAccuracy, alpha.length);
    };
    const split = deferred ? undefined : await ev.splitLine?.(line, sets, report);
    const r = await phase('probe', () => interpolate({
      model, spec, layout: rec.layout, ...line,
      sets, fastFirstLayer: options.fastFirstLayer,
      bn: options.bn, bnSet: bnSet(data.train.x), indices: deferred ? [] : split?.indices,
      onPoint: (i, _a, tr, te) => report(i, { trainLoss: tr.loss, testLoss: te?.loss ?? NaN, trainAccuracy: tr.accuracy, testAccuracy: te?.accuracy ?? null }),
    }));
    if (split) {
      // the other process's points (reported as they arrived)
      for (const [i, p] of await phase('probe', () => split.others)) fillPoint(r, i, p);
      // the verdicts again on the whole line: the first ones saw the other process's points as
      // NaN (and listed them in nonFinite, which a finite line's summary does not overwrite)
      delete r.nonFinite;
      Object.assign(r, lineSummary(alpha, r.trainLoss));
      notes.push('line points split over 2 processes');
    }
    const { fast, fastReason, ...interp } = r;
    interp.endpoints = second?.from ? { a: 'θ_T loaded', b: 'compareTo' }
      : second ? { a: `θ_T (seed ${seed})`, b: `θ_T (seed ${second.seed})` } : { a: 'θ₀ init', b: 'θ_T trained' };
    notes.push(fast ? 'first-layer linearity trick used' : `straightforward evaluation (${fastReason})`);
    if (interp.bn) notes.push(BN_NOTE[interp.bn]);
    if (!align || !r2) return { interpolate: interp };
    if (deferred) { notes.push(`align '${align}' not applied: a plan's shards evaluate one line (run the probe without --plan for both)`); return { interpolate: interp }; }
    // the second line: θ_a → π(θ_b), the second solution's units permuted onto the first's
    const { aligned, line: after } = await phase('probe', () => alignedLine({
      model, spec, layout: rec.layout, method: align, a: { theta: rec.thetaT, state: rec.stateT }, b: { theta: r2.thetaT, state: r2.stateT },
      batch: bnSet(data.train.x), sets, alpha, bn: options.bn, bnSet: bnSet(data.train.x), fastFirstLayer: options.fastFirstLayer, seed,
    }));
    interp.aligned = { ...after, endpoints: { a: interp.endpoints.a, b: `π(${interp.endpoints.b})` } };
    notes.push(`${align === 'weights' ? 'weight' : 'activation'} matching: ${aligned.layers.length} hidden layer(s) permuted in ${aligned.seconds.toFixed(1)} s`
      + (rec.stateT.length ? '; BatchNorm statistics permuted with their units' : ''));
    return { interpolate: interp, alignment: alignmentResult(aligned, interp, after) };
  },
};

/** Puts a point computed elsewhere into the line's arrays. */
function fillPoint(r: InterpolateResult, i: number, p: LinePoint): void {
  r.trainLoss[i] = p.trainLoss; r.testLoss[i] = p.testLoss; r.trainLossSE[i] = p.trainLossSE;
  r.trainAccuracy[i] = p.trainAccuracy; r.testAccuracy[i] = p.testAccuracy;
  if (r.bnRecomputed) { r.bnRecomputed.trainLoss[i] = p.bnTrainLoss; r.bnRecomputed.testLoss[i] = p.bnTestLoss; }
}
