/**
 * `models.onnx('./net.onnx')`: a network exported from PyTorch with `torch.onnx.export`, probed
 * like a TF.js model. The file is read and checked when a run asks for the model (every
 * operator supported, else an error naming the op, the node and the file); the graph runs with
 * TF.js ops (./graph, ./ops) inside a one-layer tf.sequential (./layer).
 *   default            the file's weights are θ_T and nothing is trained (like models.load);
 *                      θ₀ is PyTorch's default initialization (./init), or the first checkpoint;
 *   { weights: 'init' } a function building the graph at PyTorch's default initialization, so
 *                      the definition's optimizer trains it (every analysis, survey included).
 */
import type * as tf from '@tensorflow/tfjs';
import { readUserFile, resolveUserPath } from '../files';
import type { SavedModel } from '../types';
import { parseOnnx } from './proto';
import { prepareGraph, PreparedGraph } from './graph';
import { fileWeights, graphModel } from './layer';
import { pytorchInit } from './init';
import { readSafetensors, weightsFromStateDict } from './safetensors';

export interface OnnxOptions {
  /**
   * 'file' (default): the file's weights are the trained θ_T, probed without training.
   * 'init': the graph freshly initialized as PyTorch would (seeded), trained by the
   * definition's `optimizer`.
   */
  weights?: 'file' | 'init';
}

/** A models.onnx model: a SavedModel that also maps a PyTorch state_dict onto its graph. */
export interface OnnxModel extends SavedModel {
  readonly onnx: true;
  /** The graph with the weights of a `.safetensors` state_dict (names mapped, shapes checked). */
  withStateDict(path: string, what?: string): Promise<tf.LayersModel>;
}

/** Reads, parses and checks an ONNX file (errors name it). */
export function readOnnx(abs: string, what = 'models.onnx'): PreparedGraph {
  return prepareGraph(parseOnnx(readUserFile(abs, what), abs));
}

/** The model of an ONNX file with its own weights. */
export function loadOnnxFile(abs: string, what = 'models.onnx'): tf.LayersModel {
  const prep = readOnnx(abs, what);
  return graphModel(prep, fileWeights(prep));
}

/** The graph at PyTorch's default initialization, drawn from Math.random. */
export function freshOnnx(prep: PreparedGraph): tf.LayersModel {
  return graphModel(prep, pytorchInit(prep, Math.random));
}

export function onnx(path: string, options: { weights: 'init' }): () => tf.LayersModel;
export function onnx(path: string, options?: { weights?: 'file' }): OnnxModel;
export function onnx(path: string, options: OnnxOptions = {}): OnnxModel | (() => tf.LayersModel) {
  const abs = resolveUserPath(path, 'models.onnx');
  if (options.weights !== undefined && options.weights !== 'file' && options.weights !== 'init') {
    throw new TypeError(`models.onnx: weights must be 'file' or 'init', got ${JSON.stringify(options.weights)}`);
  }
  if (options.weights === 'init') return () => freshOnnx(readOnnx(abs));
  return Object.freeze({
    __lossLandscapeSavedModel: 1 as const,
    onnx: true as const,
    path: abs,
    load: async () => loadOnnxFile(abs),
    fresh: async () => freshOnnx(readOnnx(abs)),
    withStateDict: async (file: string, what = 'models.checkpoints') => {
      const prep = readOnnx(abs);
      return graphModel(prep, weightsFromStateDict(prep, readSafetensors(readUserFile(file, what), file), file));
    },
  });
}

export function isOnnxModel(x: unknown): x is OnnxModel {
  return !!x && typeof x === 'object' && (x as { onnx?: unknown }).onnx === true && (x as SavedModel).__lossLandscapeSavedModel === 1;
}
