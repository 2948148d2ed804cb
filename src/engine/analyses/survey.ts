/**
 * survey (Swirszcz, Czarnecki & Pascanu 2016): many trainings from seeds and init schemes;
 * stuck runs, dead and saturated units, best ↔ stuck. Trains itself.
 */
import { lossSpec } from '../losses';
import { surveyAnalysis as survey } from '../survey';
import { summarizeTraining } from '../train-summary';
import { asTrainConfig } from '../loaded';
import { phase, type TrainsItself } from './context';

export const surveyAnalysis: TrainsItself<'survey'> = {
  kind: 'survey',
  trains: 'itself',
  withoutTraining: () => 'the survey trains the model from many seeds and initializations',
  async run({ config, options, ev, data, evalTrain, evalTest, examples }) {
    const r = await phase('train', () => survey({
      config: asTrainConfig(config), spec: () => lossSpec(config.loss, config.metrics), data, evalTrain, evalTest,
      runs: options.runs ?? 10, tolerance: options.tolerance, grid: options.grid, points: options.points,
      onRun: (i, total, run) => ev.surveyRun?.(i, total, run),
      onProgress: (done, total, message) => ev.progress?.('train', done, total, message),
    }));
    const { bestRecord, ...rest } = r;
    const best = rest.runs[rest.best];
    const train = summarizeTraining(bestRecord, config.epochs ?? 1, { loss: best.finalLoss, accuracy: best.finalAccuracy },
      best.finalTestLoss === null ? undefined : { loss: best.finalTestLoss, accuracy: null });
    ev.trained?.(train, examples);
    const notes = [`${rest.runs.length} trainings; stuck = final train loss > best + ${rest.tolerance.toPrecision(3)}`];
    if (examples.evalTrain < examples.train) notes.push(`losses estimated on the first ${examples.evalTrain} of ${examples.train} training examples`);
    return { part: { survey: rest }, train, notes };
  },
};
