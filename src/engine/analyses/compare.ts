/** compare: the definition's variants trained from the same θ₀, curves on one chart, paths on one plane. */
import { lossSpec } from '../losses';
import { compareAnalysis as compare } from '../compare';
import { summarizeTraining } from '../train-summary';
import { asTrainConfig } from '../loaded';
import { phase, type TrainsItself } from './context';

export const compareAnalysis: TrainsItself<'compare'> = {
  kind: 'compare',
  trains: 'itself',
  withoutTraining: () => 'compare trains variants of the model from the same initialization',
  async run({ config, options, ev, data, evalTrain, evalTest, examples }) {
    const spec = await phase('model', () => lossSpec(config.loss, config.metrics));
    const r = await phase('train', () => compare({ config: asTrainConfig(config), spec, data, evalTrain, evalTest, points: options.points, grid: options.grid,
      alphaRange: options.alphaRange, onProgress: (d, t, m) => ev.progress?.('train', d, t, m) }));
    const { first, ...result } = r;
    const r0 = result.runs[0];
    const train = summarizeTraining(first, config.epochs ?? 1, { loss: r0.finalTrainLoss, accuracy: null },
      r0.finalTestLoss === null ? undefined : { loss: r0.finalTestLoss, accuracy: r0.finalTestAccuracy });
    ev.trained?.(train, examples);
    return { part: { compare: result }, train,
      notes: [`${result.runs.length} runs from the same θ₀; plane: goodfellow directions of '${r0.name}'`] };
  },
};
