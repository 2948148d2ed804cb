/**
 * `loss-landscape probe --plan PLAN --shard K/N`: evaluates shard K of N of a plan without
 * training. Refuses other code (the bundled code's hash), other data (the evaluation sets' hash)
 * and a shard file of another plan or shard; resumes from its shard file (the points already
 * there are not evaluated again); appends finished points, fsynced about once a second.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { LandscapeConfig } from '../api/types';
import type { ResolvedOptions } from '../engine/run-probe';
import { evaluateLine, evaluatePlane, PlanMismatchError } from '../engine/shard-eval';
import type { DirectionsKind, RunRequest } from '../protocol';
import {
  enc, pointsOf, readPlan, readShard, readVector, recordHash, SHARD_SCHEMA, ShardFileError, shardFileName,
  type GridKind, type PlanFile, type ShardHeader,
} from '../shards/format';
import { GRIDS } from '../shards/grids';
import { writeFilesAtomically } from '../util/atomic-write';
import { setting } from '../shared/switchboard';

export type ShardMode = Extract<NonNullable<RunRequest['mode']>, { kind: 'shard' }>;
type Values = (number | null)[];

const FLUSH_MS = 1000;

/** Test hook: sleep this long after each point (or a worker's chunk of cells), to kill a shard or a worker half-way in the tests. */
export function testDelay(): void {
  const ms = setting('TEST_POINT_DELAY_MS');
  if (ms) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The shard file: what it holds already, and appending records to it. */
class ShardWriter {
  readonly done: Set<number>;
  private fd: number;
  private p: number[] = [];
  private v: Values[] = [];
  private last = Date.now();
  constructor(readonly path: string, plan: PlanFile, mode: ShardMode, fields: number, points: number) {
    if (existsSync(path)) {
      const c = readShard(path, plan, fields);
      if (c.header.shard !== mode.shard || c.header.of !== mode.of) {
        throw new ShardFileError(`${path} holds shard ${c.header.shard}/${c.header.of}, not ${mode.shard}/${mode.of}: not touched; use another --out`);
      }
      if (c.torn) truncateSync(path, c.goodBytes); // a kill mid-write: cut the torn line off
      this.done = new Set(c.values.keys());
    } else {
      const header: ShardHeader = { schema: SHARD_SCHEMA, plan: plan.id, shard: mode.shard, of: mode.of, points, created: new Date().toISOString(), host: hostname() };
      writeFilesAtomically(dirname(path), [{ name: basename(path), data: `${JSON.stringify(header)}\n` }]);
      this.done = new Set();
    }
    this.fd = openSync(path, 'a');
  }
  add(p: number, v: Values): void {
    this.p.push(p); this.v.push(v.map(enc) as Values);
    if (Date.now() - this.last >= FLUSH_MS) this.flush();
  }
  flush(): void {
    if (!this.p.length) return;
    const now = Date.now();
    const line = `${JSON.stringify({ p: this.p, v: this.v, s: (now - this.last) / 1000, h: recordHash(this.p, this.v) })}\n`;
    const buf = Buffer.from(line);
    for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off, buf.length - off);
    fsyncSync(this.fd);
    this.p = []; this.v = []; this.last = now;
  }
  close(): void { this.flush(); closeSync(this.fd); }
}

/** Linux: a process's state and start time (/proc/PID/stat fields 3 and 22); undefined: no such process or no /proc. */
function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], start: f[19] };
  } catch { return undefined; }
}
const procStart = (pid: number) => procStat(pid)?.start;

/** Is the process that took the lock still running? (A zombie or a reused pid is not it.) */
function running(pid: number, start: string | undefined): boolean {
  if (existsSync('/proc/self/stat')) {
    const st = procStat(pid);
    return !!st && st.state !== 'Z' && st.state !== 'X' && (start === undefined || st.start === start);
  }
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/**
 * One process per shard file: `.shard-K-of-N.lock` beside it holds the host and pid. A live
 * process of this machine holding it: refused. A dead one's (a kill): taken over. Another
 * machine's (a pod rescheduled elsewhere): taken over with a warning, since it cannot be checked.
 */
function lockShard(path: string, warn: (m: string) => void): () => void {
  const lock = join(dirname(path), `.${basename(path, '.jsonl')}.lock`);
  const me = JSON.stringify({ host: hostname(), pid: process.pid, start: procStart(process.pid) });
  for (let attempt = 0; ; attempt++) {
    try { writeFileSync(lock, me, { flag: 'wx' }); break; } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
    }
    let held: { host?: string; pid?: number; start?: string } = {};
    try { held = JSON.parse(readFileSync(lock, 'utf8')); } catch { /* torn: stale */ }
    if (held.host === hostname() && held.pid && held.pid !== process.pid) {
      if (running(held.pid, held.start)) throw new ShardFileError(`${path} is being written by pid ${held.pid} on this machine: one process per shard (wait for it, or stop it)`);
    } else if (held.host && held.host !== hostname()) {
      warn(`${lock}: taken over from pid ${held.pid} on ${held.host} (stopped, or still running? then stop one of them)`);
    }
    rmSync(lock, { force: true });
  }
  return () => rmSync(lock, { force: true });
}

interface EvalContext { plan: PlanFile & { dir: string }; config: LandscapeConfig; options: ResolvedOptions; todo: number[]; add(p: number, v: Values): Promise<void> }

/** How each kind of grid evaluates a shard's points (the same evaluators as a one-process probe). */
const EVALUATE: { readonly [K in GridKind]: (c: EvalContext) => Promise<void> } = {
  plane: async ({ plan, config, options, todo, add }) => {
    const { a, b, examples, directions } = plan.plane!;
    const vec = (k: string) => readVector(plan.dir, plan.vectors[k]);
    const job = { basis: { kind: directions as DirectionsKind, center: vec('center'), u: vec('u'), v: vec('v') }, state: vec('state'), a, b, examples };
    const cells = todo.map((p) => [Math.floor(p / a.length), p % a.length] as [number, number]);
    await evaluatePlane(config, options, job, { cells }, async (i, j, loss) => {
      for (let k = 0; k < i.length; k++) await add(i[k] * a.length + j[k], [loss[k]]);
    }, { dataHash: plan.dataHash, chunk: 1 });
  },
  line: async ({ plan, config, options, todo, add }) => {
    const vec = (k: string) => readVector(plan.dir, plan.vectors[k]);
    const job = { thetaA: vec('thetaA'), thetaB: vec('thetaB'), stateA: vec('stateA'), stateB: vec('stateB'), alpha: plan.line!.alpha };
    await evaluateLine(config, options, job, todo, (i, p) => add(i, GRIDS.line.fields.map((f) => p[f as keyof typeof p])), { dataHash: plan.dataHash });
  },
};

export interface ShardRun {
  progress(done: number, total: number, message?: string): Promise<void>;
  /** Loads the user's file (as the runner does): its definitions and its code's hash. */
  load(file: string): Promise<{ definitions: Map<string, { config: LandscapeConfig }>; codeHash: string }>;
  initBackend(name: ResolvedOptions['backend']): Promise<unknown>;
  warn(message: string): void;
}

export async function runShard(req: RunRequest, mode: ShardMode, run: ShardRun): Promise<{ lines: string[]; files: string[] }> {
  const plan = { ...readPlan(mode.plan), dir: mode.plan };
  const loaded = await run.load(req.file);
  if (loaded.codeHash !== plan.codeHash) {
    throw new PlanMismatchError(`${req.file} is not the code this plan was made from (hash of its bundled code ${loaded.codeHash.slice(0, 12)}…, the plan's ${plan.codeHash.slice(0, 12)}…): ` +
      'it was edited since `loss-landscape plan`, or it is another file. Restore it, or make a new plan.');
  }
  const def = loaded.definitions.get(plan.definition);
  if (!def) throw new PlanMismatchError(`${req.file} has no definition '${plan.definition}' (the plan's)`);
  const options = plan.options as ResolvedOptions;
  await run.initBackend(options.backend);
  const grid = GRIDS[plan.grid];
  const mine = pointsOf(plan, mode.shard, mode.of);
  const path = join(mode.out, shardFileName(mode.shard, mode.of));
  const unlock = lockShard(path, run.warn);
  try {
    return await evaluateShard(plan, def.config, options, mode, new ShardWriter(path, plan, mode, grid.fields.length, mine.length), mine, run);
  } finally { unlock(); }
}

async function evaluateShard(plan: PlanFile & { dir: string }, config: LandscapeConfig, options: ResolvedOptions, mode: ShardMode,
  writer: ShardWriter, mine: number[], run: ShardRun): Promise<{ lines: string[]; files: string[] }> {
  const todo = mine.filter((p) => !writer.done.has(p));
  let done = writer.done.size;
  await run.progress(done, mine.length, `shard ${mode.shard}/${mode.of}: ${todo.length} point(s) to evaluate`);
  try {
    await EVALUATE[plan.grid]({ plan, config, options, todo, add: async (p, v) => {
      writer.add(p, v);
      testDelay();
      await run.progress(++done, mine.length);
    } });
  } finally { writer.close(); }
  const resumed = writer.done.size;
  return {
    lines: [`shard ${mode.shard}/${mode.of} of plan ${plan.id}: ${mine.length} point(s): ${todo.length} evaluated now, ${resumed} already in ${writer.path}${resumed ? ' (resumed)' : ''}`],
    files: [writer.path],
  };
}
