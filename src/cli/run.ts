/**
 * One request in a runner process, from the CLI: progress bar on stderr, the user's output to
 * stderr, Ctrl-C / SIGTERM / SIGHUP cancel; what it ended with, and its exit code.
 */
import { randomUUID } from 'node:crypto';
import type { ProbeResult, RunnerMessage, RunRequest, UserError } from '../protocol';
import { startRunner } from '../client/runner-client';
import { ProgressBar } from './progress';
import { whyNotWritable } from '../util/atomic-write';
import { EXIT } from './exit-codes';
import { formatError } from './outputs';

export interface RunnerOutcome {
  status: 'done' | 'error' | 'cancelled';
  result?: ProbeResult;
  finished?: { lines: string[]; files: string[] };
  error?: UserError;
}

/** Runs one request in a runner process: progress bar on stderr, the user's output to stderr, Ctrl-C cancels. */
export async function runRunner(request: Omit<RunRequest, 'runId'>): Promise<RunnerOutcome> {
  const bar = new ProgressBar();
  const userOutput = (line: string) => { bar.done(); process.stderr.write(`${line}\n`); };
  const o: RunnerOutcome = { status: 'error' };
  const handle = startRunner({ runId: randomUUID(), ...request }, {
    // the user's console.log/error: to stderr, so that stdout stays the summary or the JSON
    onStdout: userOutput,
    onStderr: userOutput,
    onMessage(m: RunnerMessage) {
      switch (m.type) {
        case 'progress': bar.update(m.phase, m.done, m.total, m.message); break;
        case 'log': if (m.level !== 'warn') break; bar.done(); process.stderr.write(`${m.level}: ${m.message}\n`); break;
        case 'result': o.result = m.result; break;
        case 'finished': o.finished = { lines: m.lines, files: m.files }; break;
        case 'error': o.error = m.error; break;
        default: break;
      }
    },
  });
  const stop = () => handle.cancel();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop); // the terminal closed
  o.status = await handle.done;
  bar.done();
  return o;
}

/** The exit code of a run that did not finish (cancelled, or an error: printed). */
export function failed(o: RunnerOutcome): number | undefined {
  if (o.status === 'cancelled') { process.stderr.write('loss-landscape: cancelled\n'); return EXIT.cancelled; }
  if (o.error || (!o.result && !o.finished)) {
    const e = o.error ?? { kind: 'internal', message: 'the runner ended without a result' };
    process.stderr.write(`${formatError(e)}\n`);
    return e.kind === 'internal' || e.kind === 'crash' ? EXIT.internal : e.kind === 'output' ? EXIT.output : e.kind === 'backend' ? EXIT.usage : EXIT.user;
  }
  return undefined;
}

/** Checked before any training: a bad folder costs nothing. */
export function unwritable(flag: string, dir: string | undefined): boolean {
  const why = dir === undefined ? undefined : whyNotWritable(dir);
  if (why) process.stderr.write(`loss-landscape: ${flag}: ${why}\n`);
  return !!why;
}
