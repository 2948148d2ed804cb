/**
 * Goodfellow, Vinyals & Saxe (2015): the loss along the straight line
 *   θ(α) = (1 − α)·θ_a + α·θ_b,
 * by default from the initialization θ₀ (α = 0) to the trained θ_T (α = 1). Non-trainable state
 * (BatchNorm moving statistics) is interpolated the same way.
 */
import * as tf from '@tensorflow/tfjs';
import type { InterpolateResult } from '../protocol';
import type { LossSpec } from './losses';
import { AffineEvaluator, EvalSet, Metrics, PendingMetrics, readAll } from './evaluate';
import { chunked, pointsPerRead } from './chunks';
import { AffineParams, ParamLayout, stateLayout, stateVars, sub, trainableVars } from './params';
import { coarseToFine } from './order';
import { hasBatchNorm } from './batchnorm';
import { lineSummary } from '../shared/line-summary';

export { lineSummary };

export interface LineInput {
  model: tf.LayersModel;
  spec: LossSpec;
  layout: ParamLayout;
  thetaA: Float32Array;
  thetaB: Float32Array;
  stateA: Float32Array;
  stateB: Float32Array;
  sets: { train: EvalSet; test?: EvalSet };
  alpha: number[];
  fastFirstLayer?: boolean;
  /** BatchNorm statistics: interpolated (default), recomputed on `bnSet`, or both curves. */
  bn?: 'interpolate' | 'recompute' | 'both';
  bnSet?: tf.Tensor;
  /** Only these indices of `alpha`, in this order (a shard of a plan); default all, coarse to fine. Others stay NaN. */
  indices?: number[];
  /** `recomputed`: with bn 'both', the losses with BatchNorm statistics recomputed at this α. */
  onPoint?: (index: number, alpha: number, train: Metrics, test: Metrics | undefined, done: number, recomputed?: { train: number; test: number }) => void | Promise<void>;
}

export async function interpolate(input: LineInput): Promise<InterpolateResult & { fast: boolean; fastReason: string }> {
  const { model, spec, layout, thetaA, thetaB, alpha } = input;
  const dir = sub(thetaB, thetaA);
  const params = new AffineParams(trainableVars(model), layout, thetaA, [dir]);
  const sLayout = stateLayout(model);
  const state = sLayout.total > 0 ? new AffineParams(stateVars(model), sLayout, input.stateA, [sub(input.stateB, input.stateA)]) : undefined;
  const sets: Record<string, EvalSet> = { train: input.sets.train, ...(input.sets.test ? { test: input.sets.test } : {}) };
  const bn = hasBatchNorm(model) ? input.bn ?? 'interpolate' : undefined;
  if (bn && bn !== 'interpolate' && !input.bnSet) throw new Error('recomputing BatchNorm statistics needs a batch set');
  const ev = new AffineEvaluator(model, spec, params, layout, thetaA, [dir], sets, {
    fastFirstLayer: input.fastFirstLayer, recomputeStatsOn: bn === 'recompute' ? input.bnSet : undefined });
  const rcTrain = new Array<number>(alpha.length).fill(NaN), rcTest = new Array<number>(alpha.length).fill(NaN);
  const n = alpha.length;
  const trainLoss = new Array<number>(n).fill(NaN), testLoss = new Array<number>(n).fill(NaN), trainSE = new Array<number>(n).fill(NaN);
  const trainAcc = new Array<number | null>(n).fill(null), testAcc = new Array<number | null>(n).fill(null);
  try {
    let done = 0;
    // points queued in chunks and read back together (one read per chunk: see ./chunks)
    for (const chunk of chunked(input.indices ?? coarseToFine(n), pointsPerRead())) {
      const pts = chunk.map((i) => [alpha[i]]);
      const stackedTr = !state && bn !== 'both' && ev.stacks ? ev.pendingMany(pts, 'train') : undefined; // K points per pass (GPU)
      const stackedTe = stackedTr && input.sets.test ? ev.pendingMany(pts, 'test') : undefined;
      const pending = stackedTr ? chunk.map((i, k) => ({ i, tr: stackedTr[k], te: stackedTe?.[k], rc: undefined })) : chunk.map((i) => {
        state?.set([alpha[i]]);
        const tr = ev.pendingAt([alpha[i]], 'train');
        const te = input.sets.test ? ev.pendingCurrent('test', [alpha[i]]) : undefined;
        let rc: [PendingMetrics, PendingMetrics | undefined] | undefined;
        if (bn === 'both') {
          ev.recomputeStats(input.bnSet!);
          rc = [ev.pendingCurrent('train', [alpha[i]]), input.sets.test ? ev.pendingCurrent('test', [alpha[i]]) : undefined];
        }
        return { i, tr, te, rc };
      });
      const flat = pending.flatMap((p) => [p.tr, ...(p.te ? [p.te] : []), ...(p.rc ? p.rc.filter((x): x is PendingMetrics => !!x) : [])]);
      const read = await readAll(flat);
      let k = 0;
      for (const p of pending) {
        const i = p.i;
        const tr = read[k++];
        const te = p.te ? read[k++] : undefined;
        trainLoss[i] = tr.loss; trainSE[i] = tr.lossSE ?? NaN; trainAcc[i] = tr.accuracy;
        testLoss[i] = te ? te.loss : NaN; testAcc[i] = te ? te.accuracy : null;
        if (p.rc) {
          rcTrain[i] = read[k++].loss;
          rcTest[i] = p.rc[1] ? read[k++].loss : NaN;
        }
        await input.onPoint?.(i, alpha[i], tr, te, ++done, p.rc ? { train: rcTrain[i], test: rcTest[i] } : undefined);
      }
    }
  } finally {
    ev.dispose(); params.dispose(); state?.dispose();
  }
  return { alpha, trainLoss, testLoss, trainAccuracy: trainAcc, testAccuracy: testAcc, trainLossSE: trainSE,
    ...lineSummary(alpha, trainLoss), fast: ev.fast, fastReason: ev.fastReason,
    ...(bn ? { bn } : {}), ...(bn === 'both' ? { bnRecomputed: { trainLoss: rcTrain, testLoss: rcTest } } : {}) };
}
