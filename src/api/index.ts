/**
 * The API a `*.landscape.ts` file imports as `loss-landscape`.
 *
 *   import * as tf from '@tensorflow/tfjs';
 *   import { landscape, datasets } from 'loss-landscape';
 *   export const mlp = landscape({ data: () => datasets.mnist({ train: 5000, test: 1000 }), ... });
 */
import type { LandscapeConfig, LandscapeDefinition } from './types';
import * as datasets from './datasets';
import * as inits from './inits';
import * as models from './models';
import { isSavedCheckpoints, isSavedModel } from './models';

export * from './types';
import * as layers from './layers';

export { datasets, inits, layers, models };
export { dataFiles, fingerprintFiles } from './files';

/** Declares a model whose loss landscape can be probed. Export the result from the file. */
export function landscape(config: LandscapeConfig): LandscapeDefinition {
  if (!config || typeof config !== 'object') throw new TypeError('landscape(config): config must be an object');
  const loaded = isSavedModel(config.model);
  for (const key of ['data', 'model', 'loss', ...(loaded ? [] : ['optimizer'] as const)] as const) {
    if (config[key] === undefined) throw new TypeError(`landscape(config): '${key}' is required`);
  }
  if (!loaded && typeof config.model !== 'function') throw new TypeError("landscape(config): 'model' must be a function returning a tf.LayersModel, or models.load('./model.json')");
  if (config.optimizer !== undefined && typeof config.optimizer !== 'function') throw new TypeError("landscape(config): 'optimizer' must be a function, e.g. () => tf.train.sgd(0.1)");
  if (config.compareTo !== undefined) {
    if (!isSavedModel(config.compareTo)) throw new TypeError("landscape(config): 'compareTo' must be models.load('./other/model.json')");
    if (!loaded) throw new TypeError("landscape(config): 'compareTo' goes with a loaded model: model: models.load('./model.json')");
  }
  if (config.checkpoints !== undefined) {
    if (!isSavedCheckpoints(config.checkpoints)) throw new TypeError("landscape(config): 'checkpoints' must be models.checkpoints('./folder')");
    if (!loaded) throw new TypeError("landscape(config): 'checkpoints' go with a loaded model: model: models.load('./model.json')");
  }
  return Object.freeze({ __lossLandscape: 1 as const, config });
}

export function isLandscapeDefinition(x: unknown): x is LandscapeDefinition {
  return !!x && typeof x === 'object' && (x as { __lossLandscape?: unknown }).__lossLandscape === 1;
}
