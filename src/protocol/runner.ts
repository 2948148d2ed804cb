/**
 * Runner (child process) ↔ host (the extension host or the CLI): the request, the messages back.
 * Data flows one way: runner → host → webview. Every message carries the `runId` of the run
 * it belongs to so that stale chunks of a cancelled run are dropped by the receiver.
 * Numeric payloads are plain number arrays (they cross a JSON IPC channel and postMessage).
 * Types only (the watchdog's stderr marker is WATCHDOG_MARKER in src/shared/wire.ts).
 */
import type { BackendName, ProbeOptions } from './options';
import type { BlasReport, ExampleCounts, PlaneResult, ProbeResult, SurveyRun, TrainSummary } from './result';
import type { RunnerToWorker, WorkerToRunner } from './worker';

/** A `landscape(...)` export found in the user's file. */
export interface DefinitionInfo {
  name: string;
  /** 1-based line of the `landscape(` call in the user's file, when known. */
  line?: number;
}

export interface RunRequest {
  runId: string;
  /** Absolute path of the user's `.landscape.ts` file. */
  file: string;
  /** Export name; default: the only / first definition. */
  definition?: string;
  options: ProbeOptions;
  /**
   * Beyond one machine (loss-landscape plan / probe --plan): `plan` trains, fixes the grid and
   * writes it into `out` instead of evaluating it; `shard` evaluates shard `shard` of `of` of the
   * plan in `plan` (no training), appending its cells to a file in `out`. Absent: a normal probe.
   */
  mode?: { kind: 'plan'; out: string; shards: number } | { kind: 'shard'; plan: string; shard: number; of: number; out: string };
}

export interface UserError {
  /** `backend`: the backend asked for cannot start on this machine (a usage error: no file, no line). */
  kind: 'syntax' | 'load' | 'definition' | 'options' | 'data' | 'train' | 'probe' | 'nan' | 'resources' | 'output' | 'backend' | 'cancelled' | 'crash' | 'internal';
  message: string;
  file?: string;
  /** 1-based */
  line?: number;
  /** 1-based */
  column?: number;
  stack?: string;
}

/** Runner → host (and host → webview, re-sent unchanged). */
export type RunnerMessage =
  | { type: 'loaded'; runId: string; definitions: DefinitionInfo[]; definition: string; backend: BackendName; blas?: BlasReport | null; /** WebGPU: the adapter. */ adapter?: string }
  | { type: 'progress'; runId: string; phase: 'load' | 'train' | 'probe'; done: number; total: number; message?: string }
  /** `epoch` counts from 0; `steps` is cumulative (steps done so far); `loss` is the epoch's mean batch loss. */
  | { type: 'trainEpoch'; runId: string; epoch: number; loss: number; steps: number }
  | { type: 'trained'; runId: string; train: TrainSummary; examples: ExampleCounts }
  | { type: 'curvePoints'; runId: string; index: number[]; alpha: number[]; trainLoss: number[]; testLoss: number[];
      trainAccuracy: (number | null)[]; testAccuracy: (number | null)[]; total: number }
  /** A worker runner's point of a split line, to the runner that forked it (never to a host). */
  | WorkerToRunner
  | { type: 'planeSetup'; runId: string; directions: PlaneResult['directions']; a: number[]; b: number[];
      trajectory: PlaneResult['trajectory']; randomWalk: PlaneResult['randomWalk']; init: [number, number]; final: [number, number] }
  /** Cells of the grid: `i` is the row (index into b), `j` the column (index into a), as in `loss[i][j]`. */
  | { type: 'planePoints'; runId: string; i: number[]; j: number[]; loss: number[]; done: number; total: number }
  | { type: 'surveyRun'; runId: string; index: number; total: number; run: SurveyRun }
  | { type: 'result'; runId: string; result: ProbeResult }
  /** A plan or shard run (RunRequest.mode) ended well: what to tell the user, the files written. */
  | { type: 'finished'; runId: string; lines: string[]; files: string[] }
  | { type: 'error'; runId: string; error: UserError }
  | { type: 'log'; runId: string; level: 'info' | 'warn'; message: string };

/** Host → runner (and a runner → its worker runner: RunnerToWorker). */
export type HostToRunner =
  | { type: 'run'; request: RunRequest }
  | RunnerToWorker
  | { type: 'cancel'; runId: string };
