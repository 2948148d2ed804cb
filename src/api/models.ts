/**
 * Models trained elsewhere. `models.load('./trained/model.json')` reads a TF.js Layers model
 * saved as `model.json` + weight files — what `model.save()` writes and what
 * `tensorflowjs_converter` produces from a Keras model — straight from disk (no tfjs-node):
 * `fileIO(path)` is a small tf.io.IOHandler reading and writing those files.
 * `models.checkpoints('./checkpoints')` is a folder of such models, one per training epoch or
 * step, drawn as the training trajectory; `models.checkpointCallback(folder)` writes that folder
 * from a user's own `model.fit()` script. Relative paths resolve against the definition's file.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readUserFile, recordFile, resolveUserPath } from './files';
import type { CheckpointEntry, SavedCheckpoints, SavedModel } from './types';
import { isOnnxModel, loadOnnxFile } from './onnx';

export { onnx } from './onnx';
export type { OnnxModel, OnnxOptions } from './onnx';

type ModelJSON = tf.io.ModelJSON;

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

const GRAPH_MODELS = 'graph models cannot be probed: they have no layers to set weights on. Convert the Keras .h5/SavedModel with ' +
  'tensorflowjs_converter --output_format=tfjs_layers_model, or save the TF.js model with model.save()';

/** The model.json a path names: the path itself, or `model.json` inside a folder. */
function modelJsonPath(abs: string): string {
  try { if (statSync(abs).isDirectory()) return join(abs, 'model.json'); } catch { /* reported when read */ }
  return abs;
}

function readModelJson(path: string, what: string): ModelJSON {
  const text = readUserFile(path, what).toString('utf8');
  let json: ModelJSON;
  try { json = JSON.parse(text) as ModelJSON; } catch (e) { throw new Error(`${what}: ${path} is not valid JSON: ${(e as Error).message}`); }
  if (!json || typeof json !== 'object' || !json.modelTopology) {
    throw new Error(`${what}: ${path} has no modelTopology: not a TF.js Layers model.json (${GRAPH_MODELS})`);
  }
  const topology = json.modelTopology as { node?: unknown; class_name?: unknown };
  if (json.format === 'graph-model' || (topology.node !== undefined && topology.class_name === undefined)) {
    throw new Error(`${what}: ${path} is a graph model (format 'graph-model'): ${GRAPH_MODELS}`);
  }
  return json;
}

/** Reads every weight shard the manifest lists (paths relative to the model.json) and checks the byte count. */
function readWeights(path: string, json: ModelJSON, what: string): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths) {
      const b = readUserFile(join(dirname(path), p), what);
      buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    }
    specs.push(...group.weights);
  }
  const data = tf.io.concatenateArrayBuffers(buffers);
  let expected = 0;
  for (const s of specs) {
    if (s.dtype === 'string') return { specs, data };
    const size = s.shape.reduce((a, b) => a * b, 1);
    expected += size * (BYTES[s.quantization?.dtype ?? s.dtype] ?? 4);
  }
  if (expected !== data.byteLength) {
    throw new Error(`${what}: ${path}: the weight files hold ${data.byteLength} bytes but its weightsManifest describes ${expected}`);
  }
  return { specs, data };
}

/** Saved weights that are NaN or ±Infinity would only give losses of NaN: refused, naming the file and the first. */
function refuseNonFinite(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer, path: string, what: string): void {
  let offset = 0, bad = 0, total = 0, first: string | undefined;
  for (const s of specs) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const bytes = size * (BYTES[s.quantization?.dtype ?? s.dtype] ?? 4);
    if (s.dtype === 'float32' && !s.quantization) {
      const v = offset % 4 === 0 ? new Float32Array(data, offset, size) : new Float32Array(data.slice(offset, offset + bytes));
      for (let i = 0; i < size; i++) {
        if (!Number.isFinite(v[i])) { bad++; first ??= `${v[i]} in ${s.name} ${JSON.stringify(s.shape)} at index ${i}`; }
      }
      total += size;
    }
    offset += bytes;
  }
  if (bad) throw new Error(`${what}: the weights of ${path} are not finite: ${bad.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} values are NaN or ±Infinity (the first, ${first}); a probe of them would only give losses of NaN`);
}

async function buildModel(json: ModelJSON, path: string, what: string): Promise<tf.LayersModel> {
  try {
    return await tf.models.modelFromJSON({ modelTopology: json.modelTopology } as never);
  } catch (e) {
    throw new Error(`${what}: cannot build the architecture in ${path}: ${(e as Error).message}`);
  }
}

/** Loads a Layers model from its model.json and weight files; errors name the path. */
export async function loadModelFile(path: string, what = 'models.load'): Promise<tf.LayersModel> {
  const json = readModelJson(path, what);
  const { specs, data } = readWeights(path, json, what);
  const model = await buildModel(json, path, what);
  refuseNonFinite(specs, data, path, what);
  const weights = tf.io.decodeWeights(data, specs);
  // optimizer state saved with includeOptimizer is not part of the model
  for (const s of specs) if (s.group === 'optimizer') { weights[s.name]?.dispose(); delete weights[s.name]; }
  try {
    model.loadWeights(weights, true);
  } catch (e) {
    const mine = model.weights.map((w) => `${w.originalName} ${JSON.stringify(w.shape)}`);
    model.dispose();
    throw new Error(`${what}: the weights in ${path} do not match its architecture: ${(e as Error).message}` +
      ` (the architecture has ${mine.length} weights: ${mine.slice(0, 6).join(', ')}${mine.length > 6 ? ', …' : ''})`);
  } finally {
    tf.dispose(Object.values(weights));
  }
  return model;
}

/**
 * A tf.io.IOHandler on the local disk. `load()` reads `model.json` and its weight shards;
 * `save()` writes `model.json` + `weights.bin` (the layout `model.save('file://…')` of tfjs-node
 * writes). `path` is a folder (model.json inside it) or the model.json itself.
 */
export function fileIO(path: string): tf.io.IOHandler {
  const abs = resolveUserPath(path, 'models.fileIO');
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const p = modelJsonPath(abs);
      const json = readModelJson(p, 'models.fileIO');
      const { specs, data } = readWeights(p, json, 'models.fileIO');
      return tf.io.getModelArtifactsForJSONSync(json, specs, data);
    },
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('models.fileIO: saving binary (graph) topologies is not supported');
      const jsonPath = abs.endsWith('.json') ? abs : join(abs, 'model.json');
      const dir = dirname(jsonPath);
      mkdirSync(dir, { recursive: true });
      const weightsFile = `${basename(jsonPath, '.json')}.weights.bin`.replace(/^model\.weights\.bin$/, 'weights.bin');
      const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const json: ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      writeFileSync(join(dir, weightsFile), new Uint8Array(data));
      writeFileSync(jsonPath, JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** A model saved with `model.save()` or converted by `tensorflowjs_converter`, to probe without training. */
export function load(path: string): SavedModel {
  const abs = modelJsonPath(resolveUserPath(path, 'models.load'));
  return Object.freeze({
    __lossLandscapeSavedModel: 1 as const,
    path: abs,
    load: () => loadModelFile(abs),
    fresh: () => buildModel(readModelJson(abs, 'models.load'), abs, 'models.load'),
  });
}

export function isSavedModel(x: unknown): x is SavedModel {
  return !!x && typeof x === 'object' && (x as { __lossLandscapeSavedModel?: unknown }).__lossLandscapeSavedModel === 1;
}
export function isSavedCheckpoints(x: unknown): x is SavedCheckpoints {
  return !!x && typeof x === 'object' && (x as { __lossLandscapeCheckpoints?: unknown }).__lossLandscapeCheckpoints === 1;
}

const lastNumber = (name: string): number | undefined => {
  const m = /(\d+)(?!.*\d)/.exec(name);
  return m ? Number(m[1]) : undefined;
};

/** Checkpoint files: TF.js model.json files, ONNX exports, PyTorch state_dicts as safetensors. */
const CHECKPOINT_FILE = /\.(json|onnx|safetensors)$/;

/** The checkpoints of a folder in trajectory order (see SavedCheckpoints.list). */
export function listCheckpoints(folder: string, what = 'models.checkpoints'): CheckpointEntry[] {
  let names;
  try { names = readdirSync(folder, { withFileTypes: true }); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${what}: cannot read the folder ${folder}: ${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (e as Error).message}`);
  }
  recordFile(folder);
  const entries: CheckpointEntry[] = [];
  for (const d of names) {
    if (d.isDirectory()) {
      const p = join(folder, d.name, 'model.json');
      try { if (statSync(p).isFile()) entries.push({ name: d.name, path: p, step: lastNumber(d.name) }); } catch { /* not a checkpoint */ }
    } else if (d.isFile() && CHECKPOINT_FILE.test(d.name)) {
      entries.push({ name: d.name, path: join(folder, d.name), step: lastNumber(d.name.replace(CHECKPOINT_FILE, '')) });
    }
  }
  if (entries.length === 0) throw new Error(`${what}: no saved models in ${folder} (expected sub-folders holding a model.json, or .json, .onnx or .safetensors files)`);
  const kinds = new Set(entries.map((e) => (CHECKPOINT_FILE.exec(e.path)?.[0] ?? '.json')));
  if (kinds.size > 1) throw new Error(`${what}: ${folder} mixes checkpoint formats (${[...kinds].join(', ')}): keep one kind per folder`);
  const numbered = entries.every((e) => e.step !== undefined);
  entries.sort((a, b) => (numbered && a.step !== b.step ? a.step! - b.step! : a.name.localeCompare(b.name, 'en', { numeric: true })));
  if (!numbered) for (const e of entries) delete e.step;
  return entries;
}

/** A folder of saved models — one per epoch or step — that becomes the trajectory of a loaded model. */
export function checkpoints(folder: string): SavedCheckpoints {
  const abs = resolveUserPath(folder, 'models.checkpoints');
  return Object.freeze({
    __lossLandscapeCheckpoints: 1 as const,
    folder: abs,
    list: () => listCheckpoints(abs),
    load: async (entry: CheckpointEntry, model?: SavedModel) => {
      const what = `models.checkpoints (${entry.name})`;
      if (entry.path.endsWith('.onnx')) return loadOnnxFile(entry.path, what);
      if (entry.path.endsWith('.safetensors')) {
        if (!isOnnxModel(model)) throw new Error(`${what}: ${entry.path} is a PyTorch state_dict: it goes with model: models.onnx('./model.onnx'), whose graph it fills`);
        return model.withStateDict(entry.path);
      }
      return loadModelFile(entry.path, what);
    },
  });
}

export interface CheckpointCallbackOptions {
  /** Save every N epochs (default 1). */
  every?: number;
  /** Also save the initial weights, before the first epoch, as epoch-0000 (default true). */
  initial?: boolean;
}

/**
 * A callback for your own `model.fit()` script that writes a checkpoint folder:
 * `folder/epoch-0000/model.json` (the initial weights), `epoch-0001/`, … — exactly what
 * `models.checkpoints(folder)` reads.
 *
 *   await model.fit(x, y, { epochs: 10, callbacks: [models.checkpointCallback('./checkpoints')] });
 */
export function checkpointCallback(folder: string, options: CheckpointCallbackOptions = {}): tf.Callback {
  const abs = resolveUserPath(folder, 'models.checkpointCallback');
  const every = Math.max(1, Math.floor(options.every ?? 1));
  const name = (epoch: number) => join(abs, `epoch-${String(epoch).padStart(4, '0')}`);
  class CheckpointWriter extends tf.Callback {
    async onTrainBegin(): Promise<void> {
      if (options.initial !== false) await (this.model as tf.LayersModel).save(fileIO(name(0)));
    }
    async onEpochEnd(epoch: number): Promise<void> {
      if ((epoch + 1) % every === 0) await (this.model as tf.LayersModel).save(fileIO(name(epoch + 1)));
    }
  }
  return new CheckpointWriter();
}
