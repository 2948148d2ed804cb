/** `loss-landscape probe FILE ...`: the headless probe (same runner as the extension). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ProbeResult, RunnerMessage, UserError } from '../protocol';
import { parseArgs, USAGE, UsageError } from './args';
import { startRunner } from '../runner/client';
import { ProgressBar } from './progress';
import { summary } from './summary';
import { reportHtml } from '../../webview/report';

export function formatError(e: UserError): string {
  const where = e.file ? `${relative(process.cwd(), e.file) || e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ` : '';
  return `${where}error (${e.kind}): ${e.message}`;
}

export function writeOutputs(out: string, result: ProbeResult): string[] {
  mkdirSync(out, { recursive: true });
  const files = [join(out, 'result.json')];
  writeFileSync(files[0], JSON.stringify(result, null, 1));
  const js = join(__dirname, 'webview.js'), css = join(__dirname, 'webview.css');
  if (existsSync(js)) {
    files.push(join(out, 'report.html'));
    writeFileSync(files[1], reportHtml(result, readFileSync(js, 'utf8'), existsSync(css) ? readFileSync(css, 'utf8') : ''));
  }
  return files;
}

async function main(argv: string[]): Promise<number> {
  let args;
  try { args = parseArgs(argv); } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`loss-landscape: ${e.message}\n\n${USAGE}\n`); return 2; }
    throw e;
  }
  if (args === 'help') { process.stdout.write(`${USAGE}\n`); return 0; }
  const file = resolve(args.file);
  if (!existsSync(file)) { process.stderr.write(`loss-landscape: no such file: ${args.file}\n`); return 2; }
  const bar = new ProgressBar();
  let result: ProbeResult | undefined;
  let error: UserError | undefined;
  const handle = startRunner({ runId: randomUUID(), file, definition: args.definition, options: args.options }, {
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
  const status = await handle.done;
  bar.done();
  if (status === 'cancelled') { process.stderr.write('loss-landscape: cancelled\n'); return 130; }
  if (error || !result) {
    process.stderr.write(`${formatError(error ?? { kind: 'internal', message: 'no result' })}\n`);
    return 1;
  }
  const written = args.out ? writeOutputs(args.out, result) : [];
  if (args.json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  else {
    process.stdout.write(`${summary(result, relative(process.cwd(), file))}\n`);
    if (args.options.saveWeights) process.stdout.write(`weights: ${args.options.saveWeights}/ (params.json, theta_a.f32, theta_b.f32, trajectory.f32)\n`);
    if (written.length) process.stdout.write(`wrote ${written.join(', ')}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`loss-landscape: internal error: ${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = 3;
});
