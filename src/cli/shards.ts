/**
 * Beyond one machine, from the command line (docs/cluster.md):
 *   loss-landscape plan FILE --analysis plane --shards N --out PLAN       train once, fix the grid
 *   loss-landscape probe [FILE] --plan PLAN --shard K/N|K|auto [--out D]  one shard (resumes)
 *   loss-landscape merge PLAN [SHARD...] --out DIR [--partial]           result.json + report.html
 * Plans and shards that do not fit (another plan, other options, corrupted, K twice) are refused
 * before anything runs (exit 2); other code or data is refused by the runner (exit 1); a merge
 * with points missing lists them and writes nothing unless --partial (exit 5).
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { AnyProbeOptions, ProbeOptions } from '../protocol';
import type { CliArgs, ShardSpec } from './args';
import { EXIT } from './exit-codes';
import { ioMessage, writeOutputs } from './outputs';
import { failed, runRunner, unwritable } from './run';
import { summary } from './summary';
import { readPlan, ShardFileError, type PlanFile } from '../shards/format';
import { SHARDABLE } from '../shards/grids';
import { IncompleteError, mergeShards, shardFiles } from '../shards/merge';

const say = (line: string) => process.stderr.write(`loss-landscape: ${line}\n`);
const print = (lines: string[]) => { if (lines.length) process.stdout.write(`${lines.join('\n')}\n`); };

/** Reads the plan, or says why not (exit 2). */
function plan(dir: string): PlanFile | undefined {
  try { return readPlan(dir); } catch (e) {
    if (e instanceof ShardFileError) { say(e.message); return undefined; }
    throw e;
  }
}

export async function planCommand(args: Extract<CliArgs, { command: 'plan' }>): Promise<number> {
  if (!SHARDABLE[args.options.analysis]) {
    say(`plan: --analysis must be one of ${Object.keys(SHARDABLE).join(', ')} (got '${args.options.analysis}')`);
    return EXIT.usage;
  }
  const file = resolve(args.file);
  if (!existsSync(file)) { say(`no such file: ${args.file}`); return EXIT.usage; }
  if (existsSync(join(args.out, 'plan.json'))) {
    say(`${args.out} already holds a plan: not overwritten (its shards would no longer fit); choose another folder or remove it`);
    return EXIT.usage;
  }
  if (unwritable('--out', args.out)) return EXIT.usage;
  const o = await runRunner({ file, definition: args.definition, options: args.options, mode: { kind: 'plan', out: args.out, shards: args.shards } });
  const code = failed(o);
  if (code !== undefined) return code;
  print([...o.finished!.lines,
    `next: loss-landscape probe --plan ${args.out} --shard K/${args.shards}   (K = 1..${args.shards}, anywhere; run again to resume)`,
    `then: loss-landscape merge ${args.out} --out DIR`]);
  return EXIT.ok;
}

/** K and N from --shard, or from the scheduler's array index. */
function shardOf(spec: ShardSpec, p: PlanFile): { k: number; n: number } | string {
  if (spec !== 'auto') return { k: spec.k, n: spec.n ?? p.shards };
  const env = process.env;
  const [name, raw, min] = env.JOB_COMPLETION_INDEX !== undefined ? ['JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX, '0']
    : env.SLURM_ARRAY_TASK_ID !== undefined ? ['SLURM_ARRAY_TASK_ID', env.SLURM_ARRAY_TASK_ID, env.SLURM_ARRAY_TASK_MIN ?? '0'] : [];
  if (!name) return '--shard auto needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (a Slurm array); give --shard K/N elsewhere';
  const index = Number(raw) - Number(min);
  if (!/^\d+$/.test(raw ?? '') || !(index >= 0)) return `${name}=${raw} is not an array index`;
  if (name === 'SLURM_ARRAY_TASK_ID' && env.SLURM_ARRAY_TASK_COUNT && Number(env.SLURM_ARRAY_TASK_COUNT) !== p.shards) {
    return `the Slurm array has ${env.SLURM_ARRAY_TASK_COUNT} tasks but the plan ${p.shards} shards: use --array=0-${p.shards - 1}`;
  }
  return { k: index + 1, n: p.shards };
}

export async function shardCommand(args: Extract<CliArgs, { command: 'probe' }>, a: { dir: string; shard: ShardSpec; given: Partial<AnyProbeOptions> }): Promise<number> {
  const p = plan(a.dir);
  if (!p) return EXIT.usage;
  const kn = shardOf(a.shard, p);
  if (typeof kn === 'string') { say(kn); return EXIT.usage; }
  if (kn.k > kn.n) { say(`--shard: K = ${kn.k} is beyond N = ${kn.n}`); return EXIT.usage; }
  // the plan fixes every option: a flag may repeat the plan's value, never change it
  for (const [k, v] of Object.entries(a.given) as Array<[keyof AnyProbeOptions, unknown]>) {
    if (JSON.stringify(v) !== JSON.stringify(p.options[k])) {
      say(`the plan fixes the options: ${k} is ${JSON.stringify(p.options[k])} in ${a.dir}, not ${JSON.stringify(v)}; drop the flag, or make a new plan`);
      return EXIT.usage;
    }
  }
  if (args.definition !== undefined && args.definition !== p.definition) { say(`the plan is of definition '${p.definition}', not '${args.definition}'`); return EXIT.usage; }
  const file = resolve(args.file ?? p.file);
  if (!existsSync(file)) { say(`no such file: ${file}${args.file ? '' : ' (the plan\'s FILE): give the file on this machine, loss-landscape probe FILE --plan …'}`); return EXIT.usage; }
  const out = args.out ?? join(a.dir, 'shards');
  if (unwritable('--out', out)) return EXIT.usage;
  const o = await runRunner({ file, definition: p.definition, options: p.options as ProbeOptions, mode: { kind: 'shard', plan: a.dir, shard: kn.k, of: kn.n, out } });
  const code = failed(o);
  if (code !== undefined) return code;
  print(o.finished!.lines);
  return EXIT.ok;
}

export async function mergeCommand(args: Extract<CliArgs, { command: 'merge' }>): Promise<number> {
  const p = plan(args.plan);
  if (!p) return EXIT.usage;
  if (unwritable('--out', args.out)) return EXIT.usage;
  let merged;
  try {
    merged = mergeShards(p, shardFiles(args.shards.length ? args.shards : [join(args.plan, 'shards')]), { partial: args.partial });
  } catch (e) {
    if (e instanceof IncompleteError) { say(`nothing written: ${e.message}`); return EXIT.incomplete; }
    if (e instanceof ShardFileError) { say(`nothing written: ${e.message}`); return EXIT.usage; }
    throw e;
  }
  const { result, lines } = merged;
  for (const l of lines) say(l);
  let written: string[] = [];
  if (args.out) {
    try { written = writeOutputs(args.out, result); } catch (e) {
      say(`could not write result.json and report.html into ${args.out}: ${ioMessage(e)}; the previous ones, if any, are unchanged`);
      return EXIT.output;
    }
  }
  if (args.json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  else print([summary(result, relative(process.cwd(), result.file)), ...(written.length ? [`wrote ${written.join(', ')}`] : [])]);
  return EXIT.ok;
}
