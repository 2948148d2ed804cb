import type * as tf from '@tensorflow/tfjs';

/** Numbers as a tensor, or as nested plain arrays (rows = examples). */
export type TensorLike = tf.Tensor | number[] | number[][] | number[][][] | number[][][][];

/** A dataset: training inputs/targets and optional held-out test inputs/targets. */
export interface Data {
  /** Training inputs, first dimension = examples. */
  x: TensorLike;
  /** Training targets (one-hot for categoricalCrossentropy), first dimension = examples. */
  y: TensorLike;
  /** Test inputs (optional; without them test curves are omitted). */
  xTest?: TensorLike;
  /** Test targets. */
  yTest?: TensorLike;
  /** A human-readable name shown in the panel. */
  name?: string;
}

/** The built-in losses, by the names `model.compile` uses. */
export type LossName =
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy'
  | 'binaryCrossentropy'
  | 'meanSquaredError'
  | 'meanAbsoluteError'
  /** PyTorch's F.cross_entropy: softmax cross-entropy on logits, integer class labels [n] (or one-hot). */
  | 'crossEntropy'
  /** PyTorch's F.mse_loss: the mean of the squared errors over every element. */
  | 'mse';

/** A loss: a built-in name, or a function returning the mean loss of a batch as a scalar. */
export type Loss = LossName | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar);

/** Accuracy-style metrics computed along the probes (besides the loss). */
export type MetricName = 'accuracy' | 'none';

/** Defaults for the probes of this definition (the panel's and CLI's options override them). */
export interface ProbeDefaults {
  /** Number of α values along the line (default 41). */
  points?: number;
  /** α range of the line (default [-0.5, 1.5]). */
  alphaRange?: [number, number];
  /** Plane grid size N (N×N, default 21). */
  grid?: number;
  /** Plane directions (default 'goodfellow'; 'hessian': the top two Hessian eigenvectors at θ_T). */
  directions?: 'goodfellow' | 'random' | 'pca' | 'hessian';
  /** Evaluate on the first N train and test examples only (0 = all). */
  examples?: number;
  /** Interpolate between the solutions of `seed` and of this second seed instead of θ₀ → θ_T. */
  seed2?: number;
  /** BatchNorm statistics along probes: 'interpolate' (default), 'recompute' (update_bn) or 'both'. */
  bn?: 'interpolate' | 'recompute' | 'both';
  /** Curvature: the operator, the Hessian (default) or the generalized Gauss–Newton matrix 'ggn'. */
  operator?: 'hessian' | 'ggn';
  /** Curvature: the trace estimator, 'hutch++' (default) or 'hutchinson'. */
  traceMethod?: 'hutch++' | 'hutchinson';
  /** Curvature: the trace samples until its relative standard error is at most this (default 0.01). */
  traceError?: number;
  /** With a second solution (seed2, compareTo, connect): permute its hidden units onto the first's ('weights', 'activations'; default 'none'). */
  align?: 'weights' | 'activations' | 'none';
  /** instability: spawn points, epochs and steps with a suffix s, e.g. '0,1,2,5,10' or '0,100s,500s'. */
  spawn?: string;
}

export interface LandscapeConfig {
  /** The data, or a function returning it (called once per run; may be async). */
  data: Data | (() => Data | Promise<Data>);
  /**
   * Builds a fresh, uncompiled tf.LayersModel (tf.sequential(...) or tf.model(...)); called once
   * per run. Or a model trained elsewhere, `models.load('./trained/model.json')`: then nothing
   * is trained, the loaded weights are θ_T and `optimizer`/`epochs` are not needed.
   */
  model: (() => tf.LayersModel) | SavedModel;
  /** The training loss. */
  loss: Loss;
  /** The optimizer, e.g. `() => tf.train.sgd(0.1)` (a fresh one per run). Not needed for a loaded model. */
  optimizer?: () => tf.Optimizer;
  /**
   * Saved checkpoints of the loaded model's training, `models.checkpoints('./checkpoints')`:
   * they become the trajectory drawn on planes and the PCA directions (only with `models.load`).
   */
  checkpoints?: SavedCheckpoints;
  /**
   * A second saved model of the same architecture, `models.load('./other/model.json')` (only with
   * a loaded `model`): interpolate then runs from the loaded weights to these, and connect trains
   * a Bézier curve between the two.
   */
  compareTo?: SavedModel;
  /** Passes over the training data (default 1). */
  epochs?: number;
  /** Mini-batch size (default 32). */
  batchSize?: number;
  /** Seed for weight initialization, shuffling and dropout (default 1). Same seed ⇒ same run. */
  seed?: number;
  /** 'accuracy' (default for crossentropy losses) or 'none'. */
  metrics?: MetricName;
  /** Shuffle the training examples every epoch with the seed (default true). */
  shuffle?: boolean;
  /** Defaults for the probes of this definition. */
  probe?: ProbeDefaults;
  /** Settings of the survey analysis. */
  survey?: SurveyConfig;
  /**
   * Variants for the compare analysis: each trains the same model from the same θ₀ with other
   * settings (optimizer, epochs, batch size); their paths are drawn on one plane and their
   * θ₀ → θ_T curves on one chart. Keys are the names shown.
   */
  compare?: Record<string, CompareVariant>;
}

export interface CompareVariant {
  optimizer?: () => tf.Optimizer;
  epochs?: number;
  batchSize?: number;
}

/**
 * A named initialization scheme for the survey: changes the freshly built model's weights in
 * place (e.g. scale them up to saturate sigmoid units). `rng` is seeded per run.
 */
export type InitScheme = (model: tf.LayersModel, rng: () => number) => void;

/** Settings of the survey analysis (many trainings; Swirszcz, Czarnecki & Pascanu 2016). */
export interface SurveyConfig {
  /** Trainings per init scheme (default 10); seeds are seed, seed+1, ... */
  runs?: number;
  /** Named init schemes; the survey runs each (and 'default', the model's own init, unless `skipDefault`). */
  inits?: Record<string, InitScheme>;
  skipDefault?: boolean;
  /** A run is stuck when its final train loss exceeds the best by more than this (default 0.01 + 10 % of the best). */
  tolerance?: number;
}

/** A definition that trains its model: `model` is a function and `optimizer` is given. */
export type TrainConfig = LandscapeConfig & { model: () => tf.LayersModel; optimizer: () => tf.Optimizer };

/**
 * A TF.js Layers model saved on disk (`model.json` + weight files, as `model.save()` or
 * `tensorflowjs_converter` write them), from `models.load(path)`. Nothing is read until a run
 * asks for it.
 */
export interface SavedModel {
  readonly __lossLandscapeSavedModel: 1;
  /** Absolute path of the model.json. */
  readonly path: string;
  /** The model with its saved weights. */
  load(): Promise<tf.LayersModel>;
  /** The same architecture freshly initialized (initializers draw from Math.random: seed it). */
  fresh(): Promise<tf.LayersModel>;
}

/** One checkpoint of a folder of saved models. */
export interface CheckpointEntry {
  /** The entry's name in the folder (sub-folder or .json file). */
  name: string;
  /** Absolute path of its model.json. */
  path: string;
  /** The last number in the name (an epoch or step), when it has one. */
  step?: number;
}

/** A folder of saved models, one per sub-folder or .json file, from `models.checkpoints(folder)`. */
export interface SavedCheckpoints {
  readonly __lossLandscapeCheckpoints: 1;
  /** Absolute path of the folder. */
  readonly folder: string;
  /** The checkpoints in trajectory order: by the number in the name when every name has one, else by name. */
  list(): CheckpointEntry[];
  /**
   * Loads one checkpoint's model (weights included). `model` is the definition's model: a
   * `.safetensors` state_dict is mapped onto the graph of its `models.onnx` file.
   */
  load(entry: CheckpointEntry, model?: SavedModel): Promise<tf.LayersModel>;
}

/** What `landscape(...)` returns; export it from a `*.landscape.ts` file. */
export interface LandscapeDefinition {
  readonly __lossLandscape: 1;
  readonly config: LandscapeConfig;
}
