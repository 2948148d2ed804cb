/**
 * `loss-landscape plan`: the runner trains as for a probe, but the analysis hands its fixed grid
 * over (ProbeEvents.deferGrid) instead of evaluating it; this writes that grid into the PLAN
 * folder: the vectors as little-endian float32 files, then plan.json (src/shards/format.ts) last,
 * all through atomic writes.
 */
import { randomUUID } from 'node:crypto';
import type { GridJob, ResolvedOptions } from '../engine/run-probe';
import { evalSetsHash } from '../engine/shard-eval';
import { coarseToFine, coarseToFineGrid } from '../engine/order';
import type { ProbeResult } from '../protocol';
import { PLAN_SCHEMA, planJson, sha256, type PlanFile, type VectorFile } from '../shards/format';
import { GRIDS } from '../shards/grids';
import { writeFilesAtomically } from '../util/atomic-write';
import { le } from './save-weights';

interface Captured { job: GridJob; dataHash: string }

export class Planner {
  private captured?: Captured;
  constructor(readonly out: string, private shards: number) {}

  /** The deferGrid hook: keep the grid (and hash its data while the tensors live), skip evaluating. */
  capture = (job: GridJob): boolean => {
    this.captured = { job, dataHash: evalSetsHash(job.sets) };
    return true;
  };

  /** Writes the plan; returns the files written (plan.json last). */
  write(result: ProbeResult, o: { file: string; definition: string; codeHash: string; options: ResolvedOptions }): { files: string[]; plan: PlanFile } {
    const c = this.captured;
    if (!c) throw new Error(`the ${result.analysis} analysis handed no grid over: it cannot be planned`);
    const grid = c.job.kind;
    const vectors: Record<string, Float32Array> = c.job.kind === 'plane'
      ? { center: c.job.plane.basis.center, u: c.job.plane.basis.u, v: c.job.plane.basis.v, state: c.job.plane.state }
      : { thetaA: c.job.line.thetaA, thetaB: c.job.line.thetaB, stateA: c.job.line.stateA, stateB: c.job.line.stateB };
    const files = GRIDS[grid].vectors.map((name) => ({ name: `${name}.f32`, data: le(vectors[name]) }));
    const meta: Record<string, VectorFile> = Object.fromEntries(GRIDS[grid].vectors.map((name, k) =>
      [name, { file: files[k].name, length: vectors[name].length, sha256: sha256(files[k].data) }]));
    const partial: ProbeResult = structuredClone(result);
    GRIDS[grid].blank(partial);
    const { saveWeights: _w, ...options } = o.options;
    let order: number[];
    let shape: Pick<PlanFile, 'plane' | 'line'>;
    if (c.job.kind === 'plane') {
      const { a, b, examples, basis } = c.job.plane;
      order = coarseToFineGrid(b.length, a.length).map(([i, j]) => i * a.length + j);
      shape = { plane: { a, b, examples, directions: basis.kind } };
    } else {
      order = coarseToFine(c.job.line.alpha.length);
      shape = { line: { alpha: c.job.line.alpha } };
    }
    const plan: PlanFile = {
      schema: PLAN_SCHEMA, id: randomUUID(), created: new Date().toISOString(), file: o.file, definition: o.definition,
      codeHash: o.codeHash, dataHash: c.dataHash, grid, options, shards: this.shards, points: order.length, order, ...shape,
      vectors: meta, result: partial,
    };
    files.push({ name: 'plan.json', data: Buffer.from(planJson(plan)) });
    return { files: writeFilesAtomically(this.out, files), plan };
  }
}
