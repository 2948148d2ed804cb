/**
 * A runner → its own worker runner (a plane or a line split over two processes, src/runner/split.ts),
 * forked with structured-clone IPC, so the Float32Arrays travel as they are, no temp files.
 * Types only.
 */
import type { DirectionsKind } from './options';
import type { RunRequest } from './runner';

/** Everything interpolate computes at one α (a line's point from a shard or a worker runner). */
export interface LinePoint {
  trainLoss: number; testLoss: number; trainAccuracy: number | null; testAccuracy: number | null; trainLossSE: number;
  /** bn 'both': the losses with BatchNorm statistics recomputed (NaN otherwise). */
  bnTrainLoss: number; bnTestLoss: number;
}

/** A line's share of work for a worker runner: θ(α) = (1−α)·θ_a + α·θ_b, state likewise. */
export interface LineJobWire {
  thetaA: Float32Array; thetaB: Float32Array; stateA: Float32Array; stateB: Float32Array; alpha: number[];
}

/** A plane's share of work for a worker runner. */
export interface PlaneJobWire {
  kind: DirectionsKind;
  center: Float32Array; u: Float32Array; v: Float32Array; state: Float32Array;
  a: number[]; b: number[]; examples: number;
}

/** Runner → its worker runner. */
export type RunnerToWorker =
  /** Evaluate these rows of the plane θ_c + a·u + b·v. */
  | { type: 'planeRows'; request: RunRequest; job: PlaneJobWire; rows: number[] }
  /** The same for a line: evaluate these points (indices into job.alpha); answered by 'linePoint'. */
  | { type: 'lineIndices'; request: RunRequest; job: LineJobWire; indices: number[] };

/** Worker runner → the runner that forked it. */
export type WorkerToRunner = { type: 'linePoint'; runId: string; index: number; point: LinePoint };
