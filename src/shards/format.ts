/**
 * The files of a plan and its shards (loss-landscape plan / probe --plan / merge). No TF.js: the
 * runner writes and reads them, the CLI reads them to check a command line and to merge.
 *
 * PLAN/plan.json     what was fixed: code hash, definition, options, data hash, the grid, the
 *                    order of its points, the partial result (training, plane set-up), and the
 *                    vectors' files (little-endian float32, with their lengths and sha256).
 * SHARD/shard-K-of-N.jsonl
 *                    line 1: a header (plan id, K, N); then one record per flush:
 *                    {"p": [point indices], "v": [[values of each point]], "s": seconds, "h": hash}.
 *                    Appended and fsynced as cells finish; a torn last line (a kill mid-write)
 *                    is ignored and cut off on resume.
 * Point p of the grid: a plane's cell (i, j) is p = i·a.length + j; a line's point is its α index.
 * Shard K of N takes the points at positions K−1, K−1+N, K−1+2N, … of `order` (coarse to fine,
 * so every shard draws the whole picture and a partial merge is still a coarse one).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyProbeOptions, ProbeResult } from '../protocol';

export const PLAN_SCHEMA = 'loss-landscape/plan@1';
export const SHARD_SCHEMA = 'loss-landscape/shard@1';

export type GridKind = 'plane' | 'line';
export interface VectorFile { file: string; length: number; sha256: string }

export interface PlanFile {
  schema: typeof PLAN_SCHEMA;
  id: string;
  created: string;
  /** The .landscape.ts the plan was made from (absolute, as it was then). */
  file: string;
  definition: string;
  /** sha256 of the bundled code (src/bundle/bundle.ts codeHash): a shard refuses other code. */
  codeHash: string;
  /** sha256 of the evaluation sets: a shard refuses other data. */
  dataHash: string;
  grid: GridKind;
  /** The resolved options (backend included); `probe --plan` refuses others. */
  options: AnyProbeOptions;
  /** The shard count the plan was made for (`--shard auto`, the recipes). */
  shards: number;
  points: number;
  order: number[];
  plane?: { a: number[]; b: number[]; examples: number; directions: string };
  line?: { alpha: number[] };
  vectors: Record<string, VectorFile>;
  /** The result without the grid's values (they come from the shards). */
  result: ProbeResult;
  /** sha256 of plan.json's text without this field (planJson): an edited plan is refused. */
  checksum?: string;
}

export interface ShardHeader { schema: typeof SHARD_SCHEMA; plan: string; shard: number; of: number; points: number; created: string; host: string }

/** Anything wrong with a plan or shard file, in words (the CLI exits 2, the runner reports it). */
export class ShardFileError extends Error {}

export const shardFileName = (k: number, n: number) => `shard-${k}-of-${n}.jsonl`;
export const SHARD_FILE = /^shard-(\d+)-of-(\d+)\.jsonl$/;

/** The points (indices into the grid) of shard k of n, in evaluation order. */
export function pointsOf(plan: Pick<PlanFile, 'order'>, k: number, n: number): number[] {
  return plan.order.filter((_, pos) => pos % n === k - 1);
}

/** Values survive JSON exactly: NaN, ±Infinity and −0 as strings, null (no accuracy) as null. */
export const enc = (x: number | null): number | string | null => (x === null ? null : Object.is(x, -0) ? '-0' : Number.isFinite(x) ? x : String(x));
export const dec = (x: unknown): number | null => (x === null ? null : typeof x === 'string' ? Number(x) : (x as number));

export const recordHash = (p: unknown, v: unknown) => createHash('sha256').update(JSON.stringify([p, v])).digest('hex').slice(0, 16);

export function sha256(buf: Uint8Array): string { return createHash('sha256').update(buf).digest('hex'); }

/** JSON that keeps NaN and ±Infinity (as {"$f": "NaN"}), for the plan's partial result. */
const toJson = (plan: PlanFile) => JSON.stringify(plan, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? { $f: String(v) } : v), 1);
/** The checksum of a plan: over its JSON without the checksum (parsing and writing it again gives the same text). */
const checksumOf = (plan: PlanFile) => sha256(Buffer.from(toJson({ ...plan, checksum: undefined })));
/** plan.json's text, with its checksum. */
export const planJson = (plan: PlanFile) => toJson({ ...plan, checksum: checksumOf(plan) });
const revive = (_k: string, v: unknown) => (v && typeof v === 'object' && typeof (v as { $f?: unknown }).$f === 'string' && Object.keys(v).length === 1 ? Number((v as { $f: string }).$f) : v);

/** Reads and checks PLAN/plan.json (not the vectors: readVector checks each one it reads). */
export function readPlan(dir: string): PlanFile {
  const path = join(dir, 'plan.json');
  if (!existsSync(path)) throw new ShardFileError(`${dir} holds no plan (no plan.json): make one with \`loss-landscape plan FILE --out ${dir}\``);
  let plan: PlanFile;
  try { plan = JSON.parse(readFileSync(path, 'utf8'), revive); } catch (e) {
    throw new ShardFileError(`${path} is not a readable plan: ${(e as Error).message}`);
  }
  if (plan?.schema !== PLAN_SCHEMA) throw new ShardFileError(`${path} is not a plan of this version (schema ${JSON.stringify(plan?.schema)}, expected ${PLAN_SCHEMA})`);
  if (!Array.isArray(plan.order) || plan.order.length !== plan.points || !plan.result || !plan.vectors) throw new ShardFileError(`${path} is incomplete or corrupted`);
  if (typeof plan.checksum !== 'string') throw new ShardFileError(`${path} has no checksum (a plan of an older loss-landscape, or edited): make the plan again`);
  if (plan.checksum !== checksumOf(plan)) {
    throw new ShardFileError(`${path} was changed after \`loss-landscape plan\` wrote it (its checksum differs): make the plan again rather than editing it`);
  }
  return plan;
}

/** One vector of a plan, checked against its length and sha256. */
export function readVector(dir: string, v: VectorFile): Float32Array {
  const path = join(dir, v.file);
  let buf: Buffer;
  try { buf = readFileSync(path); } catch (e) { throw new ShardFileError(`cannot read the plan's ${path}: ${(e as Error).message}`); }
  if (buf.length !== v.length * 4 || sha256(buf) !== v.sha256) throw new ShardFileError(`the plan's ${path} is corrupted (size or checksum differs from plan.json)`);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

export interface ShardContents {
  path: string;
  header: ShardHeader;
  /** point → its values */
  values: Map<number, (number | null)[]>;
  /** seconds spent evaluating, summed over the records */
  seconds: number;
  /** bytes of complete lines (a torn last line after them is ignored) */
  goodBytes: number;
  torn: boolean;
}

/**
 * Reads a shard file and checks every record (hash, shape, points of this shard). Throws
 * ShardFileError naming the file and line for anything but a torn last line.
 */
export function readShard(path: string, plan: PlanFile, fields: number): ShardContents {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ShardFileError(err.code === 'ENOENT' ? `no such shard file: ${path}` : `cannot read ${path}: ${err.message}`);
  }
  const end = text.lastIndexOf('\n') + 1;
  const lines = text.slice(0, end).split('\n').slice(0, -1);
  const bad = (n: number, why: string) => new ShardFileError(`${path} is corrupted at line ${n}: ${why}`);
  let header: ShardHeader;
  try { header = JSON.parse(lines[0] ?? ''); } catch { throw new ShardFileError(`${path} is not a shard file (no header line)`); }
  if (header?.schema !== SHARD_SCHEMA) throw new ShardFileError(`${path} is not a shard file of this version (schema ${JSON.stringify(header?.schema)})`);
  if (header.plan !== plan.id) throw new ShardFileError(`${path} is a shard of another plan (${header.plan}, made ${header.created}), not of this one (${plan.id})`);
  const mine = new Set(pointsOf(plan, header.shard, header.of));
  const values = new Map<number, (number | null)[]>();
  let seconds = 0;
  lines.slice(1).forEach((line, k) => {
    const n = k + 2;
    let r: { p: number[]; v: unknown[][]; s: number; h: string };
    try { r = JSON.parse(line); } catch { throw bad(n, 'not JSON'); }
    if (!Array.isArray(r?.p) || !Array.isArray(r.v) || r.p.length !== r.v.length) throw bad(n, 'not a record');
    if (r.h !== recordHash(r.p, r.v)) throw bad(n, 'checksum mismatch');
    r.p.forEach((p, q) => {
      if (!mine.has(p)) throw bad(n, `point ${p} is not one of shard ${header.shard}/${header.of}'s`);
      const v = r.v[q];
      if (!Array.isArray(v) || v.length !== fields) throw bad(n, `point ${p} has ${Array.isArray(v) ? v.length : 'no'} values, expected ${fields}`);
      values.set(p, v.map(dec));
    });
    seconds += Number(r.s) || 0;
  });
  return { path, header, values, seconds, goodBytes: Buffer.byteLength(text.slice(0, end)), torn: end < text.length };
}
