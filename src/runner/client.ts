/**
 * Starts a runner process for one request and relays its messages. Used by the CLI and the
 * extension host (never imports vscode). Cancel sends `cancel`, then SIGKILL after a grace
 * period; a runner that dies without `result`/`error` is reported as a crash.
 */
import { fork, ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RunnerMessage, RunRequest, UserError } from '../protocol';

export type RunStatus = 'done' | 'error' | 'cancelled';

export interface RunnerHandle {
  readonly pid: number | undefined;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly done: Promise<RunStatus>;
  cancel(): void;
}

export interface StartOptions {
  /** Path of dist/runner.js (default: next to this bundle). */
  runnerPath?: string;
  onMessage(msg: RunnerMessage): void;
  /** stderr of the runner, line by line (TF.js warnings, crashes). */
  onStderr?(line: string): void;
  /** Extra env for the child. */
  env?: NodeJS.ProcessEnv;
}

export function defaultRunnerPath(): string {
  return join(__dirname, 'runner.js');
}

export function startRunner(req: RunRequest, o: StartOptions): RunnerHandle {
  const child = fork(o.runnerPath ?? defaultRunnerPath(), [], {
    execArgv: ['--max-old-space-size=4096'],
    env: { ...process.env, ...o.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let finished: 'done' | 'error' | undefined;
  let cancelled = false;
  let stderrTail = '';
  child.stdout?.on('data', () => { /* TF.js banners; ignored */ });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderrTail = (stderrTail + d).slice(-4000);
    for (const line of d.split('\n')) if (line.trim()) o.onStderr?.(line);
  });
  child.on('message', (m: RunnerMessage) => {
    if (cancelled || m.runId !== req.runId) return;
    if (m.type === 'result') finished = 'done';
    if (m.type === 'error') finished = 'error';
    o.onMessage(m);
  });
  const done = new Promise<RunStatus>((resolve) => {
    const end = (code: number | null, signal: NodeJS.Signals | null) => {
      if (cancelled) return resolve('cancelled');
      if (finished) return resolve(finished);
      const error: UserError = {
        kind: 'crash', file: req.file,
        message: `the runner process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})` +
          (signal === 'SIGKILL' ? ': killed, possibly out of memory' : '') + (stderrTail.trim() ? `\n${stderrTail.trim().split('\n').slice(-8).join('\n')}` : ''),
      };
      o.onMessage({ type: 'error', runId: req.runId, error });
      resolve('error');
    };
    child.on('exit', end);
    child.on('error', (e) => {
      if (!finished && !cancelled) o.onMessage({ type: 'error', runId: req.runId, error: { kind: 'crash', message: `cannot start the runner: ${e.message}` } });
      finished ??= 'error';
    });
  });
  child.send({ type: 'run', request: req });
  return {
    get pid() { return child.pid; },
    child,
    done,
    cancel() {
      if (cancelled || child.exitCode !== null || child.signalCode !== null) return;
      cancelled = true;
      try { child.send({ type: 'cancel', runId: req.runId }); } catch { /* channel closed */ }
      const t = setTimeout(() => child.kill('SIGKILL'), 1000);
      child.once('exit', () => clearTimeout(t));
    },
  };
}
