/**
 * What a probe will cost, estimated before any training: arithmetic (forward passes of the
 * model over the examples at every point) and memory (θ snapshots, directions, the grid).
 * Work that cannot fit in the runner's memory is refused with its size and what to change;
 * long work is announced with an estimate from a measured forward pass on the probe's backend
 * (./calibrate.ts), and again from the probe's first points (probeWatch).
 */
import { totalmem } from 'node:os';
import type { AnalysisKind } from '../protocol';
import { setting } from '../shared/switchboard';

/**
 * The memory cap of a runner: LOSS_LANDSCAPE_MAX_MEMORY_MB, else 60 % of RAM, at most 8 GiB
 * (a runner's legitimate ceiling: a 4 GiB JavaScript heap plus the wasm backend's 4 GiB).
 */
export function memoryLimitBytes(): number {
  const mb = setting('MAX_MEMORY_MB');
  if (mb !== undefined) return mb * 2 ** 20;
  return Math.min(0.6 * totalmem(), 8 * 2 ** 30);
}

/** A probe too big for this machine: a user error naming the size and the knob to turn. */
export class ResourceError extends Error {
  constructor(message: string) { super(message); this.name = 'ResourceError'; }
}

export interface CostInput {
  analysis: AnalysisKind;
  parameters: number;
  /** non-trainable state (BatchNorm statistics) */
  state: number;
  trainExamples: number;
  evalTrain: number;
  evalTest: number;
  epochs: number;
  points: number;
  grid: number;
  /** θ snapshots the training keeps */
  snapshots: number;
}

export interface Cost {
  /** floating-point operations, roughly */
  flops: number;
  /** bytes the probe needs beyond the model and data */
  bytes: number;
  /** at the rate given (measured, or nominal) */
  seconds: number;
  /** what dominates, for messages: e.g. "441 cells × 2,000 examples" */
  what: string;
}

/** Nominal single-core rate of the wasm backend (bench: 20–30 GFLOP/s on big products). */
export const NOMINAL_FLOPS = 20e9;
/** Above this estimated time a warning is shown before the work starts. */
export const WARN_SECONDS = 300;

const n = (x: number) => Math.round(x).toLocaleString('en-US');
export const formatBytes = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${(b / 2 ** 20).toFixed(0)} MiB`);
export function formatSeconds(s: number): string {
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${Math.round(s / 86400)} days`;
}

/**
 * How fast this machine runs the model: seconds per example of a forward pass, measured on the
 * backend the probe runs on (./calibrate.ts), and where that number comes from, for messages.
 * Without a measurement: FLOPs at NOMINAL_FLOPS.
 */
export interface Rate { perExample: number; source: string }

/** The nominal rate: 2 FLOPs per parameter per example at NOMINAL_FLOPS. */
export const nominalRate = (parameters: number): Rate => ({ perExample: (2 * parameters) / NOMINAL_FLOPS, source: `the model's size at a nominal ${NOMINAL_FLOPS / 1e9} GFLOP/s` });

export function estimateCost(c: CostInput, rate: Rate = nominalRate(c.parameters)): Cost {
  const perExample = 2 * c.parameters; // one forward pass ≈ 2 FLOPs per weight
  const train = 3 * perExample * c.trainExamples * c.epochs;
  const vec = 4 * (c.parameters + c.state);
  let probe = 0, bytes = vec * (c.snapshots + 4), what = `${n(c.epochs)} epoch(s) over ${n(c.trainExamples)} examples`;
  switch (c.analysis) {
    case 'interpolate':
      probe = c.points * (c.evalTrain + c.evalTest) * perExample;
      bytes += c.points * 64;
      what = `${n(c.points)} points × ${n(c.evalTrain + c.evalTest)} examples × ${n(c.parameters)} parameters`;
      break;
    case 'plane':
      probe = c.grid * c.grid * c.evalTrain * perExample;
      bytes += 3 * vec + c.grid * c.grid * 16;
      what = `${n(c.grid * c.grid)} cells (grid ${c.grid}×${c.grid}) × ${n(c.evalTrain)} examples × ${n(c.parameters)} parameters`;
      break;
    case 'curvature':
      probe = 60 * 4 * perExample * Math.min(c.evalTrain, 2000) + c.points * c.evalTrain * perExample;
      bytes += 60 * vec;
      break;
    case 'connect':
      probe = 2 * train + c.points * (c.evalTrain + c.evalTest) * perExample;
      bytes += 4 * vec;
      break;
    default:
      break;
  }
  const flops = train + probe;
  // forward passes over one example: a FLOP count over 2 per parameter
  return { flops, bytes, seconds: (flops / Math.max(1, perExample)) * rate.perExample, what };
}

/**
 * The least memory a probe needs per parameter: the weights, their gradient, θ₀, θ_T, two
 * snapshots and two directions, as float32 (estimateCost's bytes at its fewest snapshots).
 */
export const BYTES_PER_PARAMETER = 8 * 4;

/**
 * One weight of a layer, checked before it is allocated (the runner calls this from TF.js's
 * Layer.addWeight): a layer that cannot be probed within `memoryLimit` is refused with its size
 * at once, instead of filling memory for a minute and failing in a typed array.
 */
export function checkWeight(layer: string, name: string, shape: number[], memoryLimit: number): void {
  const size = shape.reduce((a, b) => a * b, 1);
  const bytes = size * BYTES_PER_PARAMETER;
  if (bytes > memoryLimit) {
    throw new ResourceError(`the layer ${layer}'s ${name} [${shape.map(n).join(', ')}] has ${n(size)} parameters: a probe needs about ${formatBytes(bytes)} for it ` +
      `(${BYTES_PER_PARAMETER} bytes per parameter: the weights, their gradient, θ₀, θ_T, snapshots and directions), ` +
      `more than the runner's limit of ${formatBytes(memoryLimit)}: use a smaller layer, or raise LOSS_LANDSCAPE_MAX_MEMORY_MB`);
  }
}

/**
 * Refuses work that cannot fit in `memoryLimit` bytes (ResourceError), returns a warning for
 * work that will take long, else undefined.
 */
export function checkCost(c: CostInput, memoryLimit: number, rate: Rate = nominalRate(c.parameters)): string | undefined {
  const cost = estimateCost(c, rate);
  if (cost.bytes > memoryLimit) {
    throw new ResourceError(`this probe needs about ${formatBytes(cost.bytes)} of memory (${cost.what}; ${n(c.snapshots)} weight snapshots of ${n(c.parameters)} parameters), ` +
      `more than the runner's limit of ${formatBytes(memoryLimit)}: use a smaller grid or fewer points, or raise LOSS_LANDSCAPE_MAX_MEMORY_MB`);
  }
  if (cost.seconds > WARN_SECONDS) {
    return `this probe is big: ${cost.what} ≈ ${(cost.flops / 1e12).toFixed(1)} TFLOP, roughly ${formatSeconds(cost.seconds)} ` +
      `(estimated from ${rate.source}); ${FASTER}`;
  }
  return undefined;
}

const FASTER = '--examples N (setting lossLandscape.examples) or a smaller grid / fewer points make it faster';

/**
 * The estimate again from the probe's own first points (whatever its per-point overheads, its
 * backend, its split over processes): returns a progress callback that, once it has timed the
 * points done over `settleSeconds`, calls `warn` if the whole probe will take longer than
 * WARN_SECONDS. Once only, and not at all when `warned` (the estimate before training did).
 */
export function probeWatch(warn: (message: string) => void, warned: boolean, settleSeconds = 2, now = () => Date.now()) {
  let decided = warned, t0: number | undefined, d0 = 0;
  return (done: number, total: number): void => {
    if (decided) return;
    if (t0 === undefined) { t0 = now(); d0 = done; return; }
    const elapsed = (now() - t0) / 1000;
    if (done <= d0 || (elapsed < settleSeconds && done < total)) return;
    decided = true;
    const each = elapsed / (done - d0), rest = each * (total - done);
    if (each * total > WARN_SECONDS) {
      warn(`this probe is big: ${n(total)} points, roughly ${formatSeconds(rest)} more (estimated from the first ${n(done - d0)} point(s) timed: ` +
        `${each >= 1 ? `${each.toFixed(1)} s` : `${(each * 1000).toFixed(1)} ms`} each); ${FASTER}`);
    }
  };
}
