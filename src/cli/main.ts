/**
 * `loss-landscape probe FILE ...`: the headless probe (same runner as the extension); `plan`,
 * `probe --plan` and `merge` (./shards.ts) spread a grid over machines.
 * Exit codes: ./exit-codes.ts (and the README's table).
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs, USAGE, UsageError, type CliArgs } from './args';
import { summary } from './summary';
import { EXIT } from './exit-codes';
import { ioMessage, writeOutputs } from './outputs';
import { failed, runRunner, unwritable } from './run';
import { mergeCommand, planCommand, shardCommand } from './shards';


async function probe(args: Extract<CliArgs, { command: 'probe' }> & { file: string }): Promise<number> {
  const file = resolve(args.file);
  if (!existsSync(file)) { process.stderr.write(`loss-landscape: no such file: ${args.file}\n`); return EXIT.usage; }
  if (unwritable('--out', args.out) || unwritable('--save-weights', args.options.saveWeights)) return EXIT.usage;
  const o = await runRunner({ file, definition: args.definition, options: args.options });
  const code = failed(o);
  if (code !== undefined) return code;
  const result = o.result!;
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

async function main(argv: string[]): Promise<number> {
  let args;
  try { args = parseArgs(argv); } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`loss-landscape: ${e.message}\n\n${USAGE}\n`); return EXIT.usage; }
    throw e;
  }
  if (args === 'help') { process.stdout.write(`${USAGE}\n`); return 0; }
  if (args.command === 'plan') return planCommand(args);
  if (args.command === 'merge') return mergeCommand(args);
  if (args.plan) return shardCommand(args, args.plan);
  return probe({ ...args, file: args.file! });
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`loss-landscape: internal error: ${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = EXIT.internal;
});
