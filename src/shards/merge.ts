/**
 * `loss-landscape merge PLAN [SHARD...]`: the shards' points put back into the plan's result, the
 * same values a one-machine run computes. Checks that every file is a shard of this plan, of one
 * split (one N), each K once; lists what is missing, and merges an incomplete set only when asked
 * (then `result.partial` and a note say so, the missing values are NaN).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProbeResult } from '../protocol';
import { pointsOf, readShard, SHARD_FILE, ShardFileError, type PlanFile, type ShardContents } from './format';
import { GRIDS } from './grids';

/** Cells are missing and --partial was not given: nothing written. */
export class IncompleteError extends Error {
  constructor(readonly lines: string[], readonly missing: number, readonly total: number) { super(lines.join('\n')); }
}

/** The shard files named on the command line: files as given, folders' shard-K-of-N.jsonl files. */
export function shardFiles(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!existsSync(a)) throw new ShardFileError(`no such shard file or folder: ${a}`);
    if (statSync(a).isDirectory()) out.push(...readdirSync(a).filter((f) => SHARD_FILE.test(f)).sort().map((f) => join(a, f)));
    else out.push(a);
  }
  const seen = new Map<string, string>();
  for (const f of out) {
    const abs = resolve(f);
    if (seen.has(abs)) throw new ShardFileError(`${f} is given twice`);
    seen.set(abs, f);
  }
  if (!out.length) throw new ShardFileError(`no shard files in ${args.join(', ')} (expected shard-K-of-N.jsonl files)`);
  return out;
}

const MAX_LISTED = 8;

export function mergeShards(plan: PlanFile, files: string[], o: { partial?: boolean } = {}): { result: ProbeResult; lines: string[] } {
  const grid = GRIDS[plan.grid];
  const shards: ShardContents[] = files.map((f) => readShard(f, plan, grid.fields.length));
  const n = shards[0].header.of;
  const other = shards.find((s) => s.header.of !== n);
  if (other) throw new ShardFileError(`the shards are of different splits: ${shards[0].path} is ${shards[0].header.shard}/${n}, ${other.path} is ${other.header.shard}/${other.header.of}; merge the shards of one split`);
  const byK = new Map<number, ShardContents>();
  for (const s of shards) {
    const twin = byK.get(s.header.shard);
    if (twin) throw new ShardFileError(`shard ${s.header.shard}/${n} is given twice: ${twin.path} and ${s.path}; keep one`);
    byK.set(s.header.shard, s);
  }
  const values: ((number | null)[] | undefined)[] = new Array(plan.points);
  const missingLines: string[] = [];
  let missing = 0;
  for (let k = 1; k <= n; k++) {
    const want = pointsOf(plan, k, n);
    const s = byK.get(k);
    const lacking = s ? want.filter((p) => !s.values.has(p)) : want;
    if (s) for (const [p, v] of s.values) values[p] = v;
    if (!lacking.length) continue;
    missing += lacking.length;
    const eg = lacking.slice(0, MAX_LISTED).map((p) => grid.label(plan, p)).join(' ') + (lacking.length > MAX_LISTED ? ' …' : '');
    missingLines.push(s ? `shard ${k}/${n}: ${lacking.length} of ${want.length} point(s) missing (${s.path}${s.torn ? ', its torn last line ignored' : ''}): ${eg}`
      : `shard ${k}/${n}: no file (${want.length} point(s)): ${eg}`);
  }
  if (missing && !o.partial) {
    throw new IncompleteError([`${missing} of ${plan.points} point(s) missing:`, ...missingLines,
      `rerun the missing shards (loss-landscape probe --plan PLAN --shard K/${n}: they resume), or merge what is there with --partial`], missing, plan.points);
  }
  const result: ProbeResult = structuredClone(plan.result);
  grid.fill(result, plan, values);
  result.timing = { ...result.timing, probeSeconds: Math.round(shards.reduce((acc, s) => acc + s.seconds, 0) * 1000) / 1000 };
  result.notes = [...result.notes, `merged from ${shards.length} of ${n} shard(s) of plan ${plan.id} (probe time: the shards' total)`];
  if (missing) {
    result.partial = { missing, of: plan.points };
    result.notes.push(`partial: ${missing} of ${plan.points} point(s) missing (NaN)`);
  }
  return { result, lines: missing ? [`partial merge: ${missing} of ${plan.points} point(s) missing:`, ...missingLines] : [] };
}
