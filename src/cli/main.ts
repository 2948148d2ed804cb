/**
 * `loss-landscape probe FILE ...`: the headless probe (same runner as the extension).
 * Exit codes: ./exit-codes.ts (and the README's table).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ProbeResult, RunnerMessage, UserError } from '../protocol';
import { parseArgs, USAGE, UsageError } from './args';
import { startRunner } from '../client/runner-client';
import { ProgressBar } from './progress';
import { summary } from './summary';
import { reportHtml } from './report-html';
import { whyNotWritable, writeFilesAtomically, type OutFile } from '../util/atomic-write';
import { planeToNpy, planeToVtp } from '../export/plane-formats';
import { EXIT } from './exit-codes';


export function formatError(e: UserError): string {
  const where = e.file ? `${relative(process.cwd(), e.file) || e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ` : '';
  return `${where}error (${e.kind}): ${e.message}`;
}

/**
 * result.json and report.html (and for a plane plane.npy, the loss grid for NumPy, and plane.vtp,
 * the surface for ParaView), written as a set: all to temporary files first, then renamed,
 * result.json last. Any failure leaves the previous set as it was.
 */
export function writeOutputs(out: string, result: ProbeResult): string[] {
  const files: OutFile[] = [];
  const js = join(__dirname, 'webview.js'), css = join(__dirname, 'webview.css');
  if (existsSync(js)) files.push({ name: 'report.html', data: reportHtml(result, readFileSync(js, 'utf8'), existsSync(css) ? readFileSync(css, 'utf8') : '') });
  const plane = result.plane;
  if (plane && plane.a.length >= 2 && plane.b.length >= 2) {
    files.push({ name: 'plane.npy', data: Buffer.from(planeToNpy(plane)) }, { name: 'plane.vtp', data: planeToVtp(plane) });
  }
  files.push({ name: 'result.json', data: JSON.stringify(result, null, 1) });
  return writeFilesAtomically(out, files);
}

const ERRNO_WORDS: Record<string, string> = { ENOSPC: 'no space left on the device', EROFS: 'read-only file system', EACCES: 'permission denied' };
const ioMessage = (e: unknown) => { const err = e as NodeJS.ErrnoException; return err.code && ERRNO_WORDS[err.code] ? `${ERRNO_WORDS[err.code]} (${err.code})` : err.message; };

async function main(argv: string[]): Promise<number> {
  let args;
  try { args = parseArgs(argv); } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`loss-landscape: ${e.message}\n\n${USAGE}\n`); return EXIT.usage; }
    throw e;
  }
  if (args === 'help') { process.stdout.write(`${USAGE}\n`); return 0; }
  const file = resolve(args.file);
  if (!existsSync(file)) { process.stderr.write(`loss-landscape: no such file: ${args.file}\n`); return EXIT.usage; }
  // Where the outputs go is checked before any training: a bad folder costs nothing.
  for (const [flag, dir] of [['--out', args.out], ['--save-weights', args.options.saveWeights]] as const) {
    const why = dir === undefined ? undefined : whyNotWritable(dir);
    if (why) { process.stderr.write(`loss-landscape: ${flag}: ${why}\n`); return EXIT.usage; }
  }
  const bar = new ProgressBar();
  const userOutput = (line: string) => { bar.done(); process.stderr.write(`${line}\n`); };
  let result: ProbeResult | undefined;
  let error: UserError | undefined;
  const handle = startRunner({ runId: randomUUID(), file, definition: args.definition, options: args.options }, {
    // the user's console.log/error: to stderr, so that stdout stays the summary or the JSON
    onStdout: userOutput,
    onStderr: userOutput,
    onMessage(m: RunnerMessage) {
      switch (m.type) {
        case 'progress': bar.update(m.phase, m.done, m.total, m.message); break;
        case 'log': if (m.level !== 'warn') break; bar.done(); process.stderr.write(`${m.level}: ${m.message}\n`); break;
        case 'result': result = m.result; break;
        case 'error': error = m.error; break;
        default: break;
      }
    },
  });
  const stop = () => handle.cancel();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop); // the terminal closed
  const status = await handle.done;
  bar.done();
  if (status === 'cancelled') { process.stderr.write('loss-landscape: cancelled\n'); return EXIT.cancelled; }
  if (error || !result) {
    const e = error ?? { kind: 'internal', message: 'the runner ended without a result' };
    process.stderr.write(`${formatError(e)}\n`);
    return e.kind === 'internal' || e.kind === 'crash' ? EXIT.internal : EXIT.user;
  }
  // The result is never thrown away: if a file cannot be written, the summary still comes.
  let written: string[] = [], writeError: string | undefined;
  if (args.out) {
    try { written = writeOutputs(args.out, result); } catch (e) { writeError = `could not write result.json and report.html into ${args.out}: ${ioMessage(e)}; the previous ones, if any, are unchanged`; }
  }
  if (args.json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  else {
    process.stdout.write(`${summary(result, relative(process.cwd(), file))}\n`);
    const w = result.weights;
    if (w && !w.error) process.stdout.write(`weights: ${w.dir}/ (${w.files.map((f) => relative(w.dir, f)).join(', ')})\n`);
    if (written.length) process.stdout.write(`wrote ${written.join(', ')}\n`);
  }
  if (result.weights?.error) process.stderr.write(`loss-landscape: ${result.weights.error}\n`);
  if (writeError) process.stderr.write(`loss-landscape: ${writeError}\n`);
  return writeError || result.weights?.error ? EXIT.output : EXIT.ok;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`loss-landscape: internal error: ${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = EXIT.internal;
});
