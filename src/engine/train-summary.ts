/** The TrainSummary of a recorded training: losses per epoch and per step (≤ 500 points), finals. */
import type { TrainSummary } from '../protocol';
import type { TrainRecord } from './train';

export function summarizeTraining(rec: TrainRecord, epochs: number, fin: { loss: number; accuracy: number | null },
  finTest?: { loss: number; accuracy: number | null }): TrainSummary {
  const stride = Math.max(1, Math.ceil(rec.steps / 500));
  const lossPerStep = { step: [] as number[], loss: [] as number[] };
  for (let s = 0; s < rec.steps; s += stride) {
    let sum = 0, k = 0;
    for (let t = s; t < Math.min(rec.steps, s + stride); t++, k++) sum += rec.lossPerStep[t];
    lossPerStep.step.push(s + k); lossPerStep.loss.push(sum / k);
  }
  return {
    epochs, steps: rec.steps, lossPerEpoch: rec.lossPerEpoch, lossPerStep,
    finalTrainLoss: fin.loss, finalTestLoss: finTest?.loss ?? NaN,
    finalTrainAccuracy: fin.accuracy, finalTestAccuracy: finTest?.accuracy ?? null,
    parameters: rec.layout.total, snapshots: rec.snapshots.length, stepsOn: rec.stepsOn,
  };
}
