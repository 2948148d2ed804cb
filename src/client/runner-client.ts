/**
 * Starts a runner process for one request and relays its messages. Used by the CLI and the
 * extension host (never imports vscode). Cancel sends `cancel`, then SIGKILL after a grace
 * period; a runner that dies without `result`/`error` is reported as a crash, or as "out of
 * memory" when its watchdog or V8 said so. What the user's code prints is passed on, bounded.
 */
import { fork, ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RunnerMessage, RunRequest, UserError } from '../protocol';
import { WATCHDOG_MARKER } from '../shared/wire';
import { childEnv, setting } from '../shared/switchboard';


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
  /** stderr of the runner, line by line (TF.js warnings, crashes, the user's console.error). */
  onStderr?(line: string): void;
  /** stdout of the runner (the user's console.log), line by line, at most `maxOutputLines`. */
  onStdout?(line: string): void;
  /** Extra env for the child. */
  env?: NodeJS.ProcessEnv;
}

/** Lines of the user's output passed on per run (then one line saying how many were dropped). */
export const MAX_OUTPUT_LINES = 2000;
const MAX_LINE = 2000;

export function defaultRunnerPath(): string {
  return join(__dirname, 'runner.js'); // dist/: the bundles sit side by side
}

/** Splits a stream into lines, passes on at most MAX_OUTPUT_LINES, then says how many were dropped. */
function lineRelay(sink: ((line: string) => void) | undefined) {
  let buf = '', passed = 0, dropped = 0;
  const emit = (line: string) => {
    if (!sink) return;
    if (passed < MAX_OUTPUT_LINES) { passed++; sink(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}… (${line.length} characters)` : line); } else dropped++;
  };
  return {
    push(d: string) {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      if (buf.length > 64 * 1024) { lines.push(buf); buf = ''; }
      for (const l of lines) emit(l.replace(/\r$/, ''));
    },
    end() { if (buf) emit(buf); buf = ''; if (dropped && sink) sink(`… ${dropped} more line(s) of output not shown`); },
  };
}

/** What killed a runner, from its stderr and exit, in words. */
export function crashError(req: RunRequest, pid: number | undefined, code: number | null, signal: NodeJS.Signals | null, stderr: string, line?: number): UserError {
  // out of memory: the runner is killed where it stands; the definition's line (once loaded) says whose allocation it was
  const watchdog = stderr.split('\n').find((l) => l.startsWith(`${WATCHDOG_MARKER} out of memory`));
  if (watchdog) return { kind: 'resources', file: req.file, line, message: watchdog.slice(WATCHDOG_MARKER.length).trim() };
  if (/JavaScript heap out of memory|Reached heap limit|Allocation failed/.test(stderr)) {
    return { kind: 'resources', file: req.file, line,
      message: `out of memory: the runner's JavaScript heap is full (limit ${setting('HEAP_MB') !== undefined ? `${setting('HEAP_MB')} MiB` : '4 GiB'}); ` +
        'use fewer examples (--examples), a smaller model or grid, or set LOSS_LANDSCAPE_HEAP_MB' };
  }
  const how = signal ? `was killed (${signal}${signal === 'SIGKILL' ? ', from outside the runner: possibly out of memory' : ''})` : `exited with code ${code}`;
  const tail = stderr.trim() ? `\n${stderr.trim().split('\n').slice(-8).join('\n')}` : '';
  return { kind: 'crash', file: req.file, message: `the runner process${pid ? ` (pid ${pid})` : ''} ${how} before it finished${tail}` };
}

export function startRunner(req: RunRequest, o: StartOptions): RunnerHandle {
  const child = fork(o.runnerPath ?? defaultRunnerPath(), [], {
    // LOSS_LANDSCAPE_HEAP_MB: the runner's JavaScript heap (default 4096 MiB)
    execArgv: [`--max-old-space-size=${setting('HEAP_MB') ?? 4096}`],
    env: childEnv({ ...o.env, ELECTRON_RUN_AS_NODE: '1' }),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let finished: 'done' | 'error' | undefined;
  let cancelled = false;
  let stderrAll = '';
  let defLine: number | undefined;
  // the watchdog's own line becomes the error message: not relayed twice
  const out = lineRelay(o.onStdout), err = lineRelay(o.onStderr && ((l: string) => { if (!l.startsWith(WATCHDOG_MARKER)) o.onStderr!(l); }));
  child.stdout?.setEncoding('utf8').on('data', (d: string) => out.push(d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    // keep the head (V8's "heap out of memory" line comes before its stack) and the tail
    stderrAll = stderrAll.length < 64 * 1024 ? stderrAll + d : stderrAll.slice(0, 32 * 1024) + stderrAll.slice(-16 * 1024) + d;
    err.push(d);
  });
  child.on('message', (m: RunnerMessage) => {
    if (cancelled || m.runId !== req.runId) return;
    if (m.type === 'result' || m.type === 'finished') finished = 'done';
    if (m.type === 'error') finished = 'error';
    if (m.type === 'loaded') defLine = m.definitions.find((d) => d.name === m.definition)?.line;
    o.onMessage(m);
  });
  const done = new Promise<RunStatus>((resolve) => {
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      out.end(); err.end();
      if (cancelled) return resolve('cancelled');
      if (finished) return resolve(finished);
      o.onMessage({ type: 'error', runId: req.runId, error: crashError(req, child.pid, code, signal, stderrAll, defLine) });
      resolve('error');
    });
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
