/**
 * Runs: one forked runner process (dist/runner.js, started by runner/client.ts) per probe.
 * Messages come back over IPC and are forwarded with their runId; anything that arrives after
 * a run was cancelled or superseded is dropped. Cancel = `{type:'cancel'}`, SIGKILL after 1 s.
 * A runner that exits without `result`/`error` (crash, OOM, killed) becomes an error.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ProbeResult, RunnerMessage, RunRequest, UserError } from '../protocol';
import { blasLabel } from '../shared/labels';
import { startRunner, type RunnerHandle } from '../client/runner-client';
import type { Log } from './log';

export type RunOutcome =
  | { status: 'done'; result: ProbeResult }
  | { status: 'error'; error: UserError }
  | { status: 'cancelled' };

export interface RunHandle {
  readonly runId: string;
  readonly request: RunRequest;
  readonly done: Promise<RunOutcome>;
  /** pid of the runner process (undefined if it could not be started) */
  readonly pid: number | undefined;
  cancel(): void;
}

let counter = 0;
export function newRunId(): string {
  return `${Date.now().toString(36)}-${(++counter).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

export class RunManager implements vscode.Disposable {
  private readonly active = new Map<string, RunHandle>();

  constructor(private readonly runnerPath: string, private readonly log: Log) {}

  get running(): readonly RunHandle[] {
    return [...this.active.values()];
  }

  /** Forks the runner for `request`; `onMessage` sees only this run's messages, never after cancel. */
  start(request: RunRequest, onMessage: (m: RunnerMessage) => void): RunHandle {
    const { runId } = request;
    let settled = false;
    let runner: RunnerHandle | undefined;
    let resolve!: (o: RunOutcome) => void;
    const done = new Promise<RunOutcome>((r) => (resolve = r));
    const finish = (o: RunOutcome) => {
      if (settled) return;
      settled = true;
      this.active.delete(runId);
      resolve(o);
    };
    const fail = (error: UserError) => {
      if (settled) return;
      onMessage({ type: 'error', runId, error });
      finish({ status: 'error', error });
    };

    const handle: RunHandle = {
      runId,
      request,
      done,
      get pid() {
        return runner?.pid;
      },
      cancel: () => {
        if (settled) return;
        this.log.info(`run ${runId}: cancel (runner pid ${runner?.pid})`);
        finish({ status: 'cancelled' });
        runner?.cancel(); // {type:'cancel'}, SIGKILL after 1 s
      },
    };
    this.active.set(runId, handle);

    if (!existsSync(this.runnerPath)) {
      queueMicrotask(() => fail({ kind: 'internal', message: `The runner is missing (${this.runnerPath}). Run \`npm run build\`.` }));
      return handle;
    }

    const t0 = Date.now();
    try {
      runner = startRunner(request, {
        runnerPath: this.runnerPath,
        onStderr: (line) => this.log.warn(`[runner ${runner?.pid}] ${line}`),
        onStdout: (line) => this.log.info(`[${request.definition ?? 'output'}] ${line}`),
        onMessage: (m) => {
          if (settled || !m || m.runId !== runId) return; // cancelled / stale
          if (m.type === 'log') this.log[m.level === 'warn' ? 'warn' : 'info'](`[runner] ${m.message}`);
          onMessage(m);
          if (m.type === 'result') {
            this.log.info(`run ${runId}: result in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
            finish({ status: 'done', result: m.result });
          } else if (m.type === 'error') {
            this.log.warn(`run ${runId}: ${m.error.kind} error: ${m.error.message}${m.error.line ? ` (line ${m.error.line})` : ''}`);
            finish({ status: 'error', error: m.error });
          }
        },
      });
    } catch (e) {
      queueMicrotask(() => fail({ kind: 'internal', message: `Could not start the runner: ${(e as Error).message}` }));
      return handle;
    }
    this.log.info(`run ${runId}: runner pid ${runner.pid}: ${request.options.analysis} ${request.definition ?? ''} ${request.file}`);
    void runner.done.then((status) => {
      this.log.info(`run ${runId}: runner ${runner?.pid} exited (${status})`);
      // startRunner reports a crash as an error message; this is a last resort.
      if (!settled) fail({ kind: 'crash', message: 'The runner stopped without a result.' });
    });
    return handle;
  }

  cancelAll(): void {
    for (const h of [...this.active.values()]) h.cancel();
  }

  dispose(): void {
    this.cancelAll();
  }
}

/** Progress notification with Cancel for one run; resolves when the run ends. */
export function showRunProgress(title: string, handle: RunHandle, progressOf: (listener: (m: RunnerMessage) => void) => void): void {
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      token.onCancellationRequested(() => handle.cancel());
      let reported = 0; // 0..100
      let curveDone = 0;
      const to = (pct: number, message: string) => {
        const inc = Math.max(0, pct - reported);
        reported = Math.max(reported, pct);
        progress.report({ increment: inc, message });
      };
      to(0, 'starting…');
      progressOf((m) => {
        switch (m.type) {
          case 'loaded':
            to(5, `loaded ${m.definition} (${m.backend}${blasLabel(m.blas)})`);
            break;
          case 'progress': {
            const f = m.total > 0 ? Math.min(1, m.done / m.total) : 0;
            const [lo, hi] = m.phase === 'load' ? [0, 5] : m.phase === 'train' ? [5, 50] : [50, 100];
            to(lo + (hi - lo) * f, m.message ?? `${m.phase} ${m.done}/${m.total}`);
            break;
          }
          case 'trainEpoch':
            to(reported, `training: epoch ${m.epoch}, loss ${m.loss.toPrecision(4)}`);
            break;
          case 'trained':
            to(50, `trained: loss ${m.train.finalTrainLoss.toPrecision(4)}`);
            break;
          case 'planePoints':
            to(50 + 50 * (m.done / Math.max(1, m.total)), `plane: ${m.done}/${m.total} points`);
            break;
          case 'curvePoints':
            curveDone += m.index.length;
            to(50 + 50 * (curveDone / Math.max(1, m.total)), `interpolate: ${curveDone}/${m.total} points`);
            break;
          default:
            break;
        }
      });
      await handle.done;
    },
  );
}
