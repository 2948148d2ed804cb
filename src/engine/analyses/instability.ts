/** instability (Frankle et al. 2020): two copies spawned at θ_k, trained with different data orders; barriers per k. */
import { lossSpec } from '../losses';
import { instabilityAnalysis as spawnAndTrain } from '../instability';
import { summarizeTraining } from '../train-summary';
import { asTrainConfig } from '../loaded';
import { hasBatchNorm } from '../batchnorm';
import { parseSpawn } from '../../shared/options';
import { bnSet, phase, type TrainsItself } from './context';

/** The spawn points when none are given: epochs 0, 1, 2, 5, 10 before the end of training. */
const defaultSpawn = (epochs: number) => [0, 1, 2, 5, 10].filter((k) => k < epochs).join(',');

export const instabilityAnalysis: TrainsItself<'instability'> = {
  kind: 'instability',
  trains: 'itself',
  withoutTraining: () => 'the instability analysis trains copies of the model from points of its training',
  async run({ config, options, ev, data, evalTrain, evalTest, examples }) {
    const tc = asTrainConfig(config);
    const spec = await phase('model', () => lossSpec(config.loss, config.metrics));
    const spawn = parseSpawn(options.spawn ?? defaultSpawn(config.epochs ?? 1));
    if (typeof spawn === 'string') throw new Error(`spawn: ${spawn}`); // validated before: a definition's default only
    const probeModel = tc.model();
    const bn = hasBatchNorm(probeModel) ? options.bn : undefined;
    probeModel.dispose();
    const r = await phase('train', () => spawnAndTrain({
      config: tc, spec, data, evalTrain, evalTest, spawn, points: Math.min(options.points, 21), bn,
      bnSet: bn && bn !== 'interpolate' ? bnSet(data.train.x) : undefined,
      onProgress: (d, t, m) => ev.progress?.('train', d, t, m),
    }));
    const { first, ...instability } = r;
    const train = summarizeTraining(first, config.epochs ?? 1, instability.set === 'train' ? { loss: instability.loss[0][0], accuracy: 1 - instability.finalError[0][0] } : { loss: NaN, accuracy: null },
      evalTest ? { loss: instability.loss[0][0], accuracy: 1 - instability.finalError[0][0] } : undefined);
    ev.trained?.(train, examples);
    const notes = [`copies spawned at ${instability.spawn.join(', ')} trained to step ${instability.totalSteps}, each with a fresh optimizer (its state at θ_k is not copied) and its own data order`,
      `lines between the copies: ${instability.alpha.length} points of α on the ${instability.set} set; the training shown is the first copy of k = ${instability.spawn[0]}`];
    if (bn) notes.push(bn === 'interpolate' ? 'BatchNorm statistics interpolated between the copies along each line' : 'BatchNorm statistics recomputed at each α on the first 1000 training examples');
    return { part: { instability }, train, notes };
  },
};
