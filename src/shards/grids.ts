/**
 * What each kind of shardable grid stores per point and how a merge puts the values back into
 * the result: one entry per kind (plane: the `plane` analysis; line: `interpolate`). The engine
 * side (evaluating a shard's points) is src/runner/shard.ts with src/engine/shard-eval.ts.
 */
import type { AnalysisKind, ProbeResult } from '../protocol';
import { lineSummary } from '../shared/line-summary';
import type { GridKind, PlanFile } from './format';

export interface GridInfo {
  /** The values stored per point, in order. */
  fields: readonly string[];
  /** The plan's vectors (float32 files). */
  vectors: readonly string[];
  /** A point's label for messages: (row i, column j) or α index. */
  label(plan: PlanFile, p: number): string;
  /** Empties the grid's values in a plan's result (they come from the shards). */
  blank(result: ProbeResult): void;
  /** Puts the points' values (undefined: missing, NaN in the result) into the result. */
  fill(result: ProbeResult, plan: PlanFile, values: ((number | null)[] | undefined)[]): void;
}

const num = (v: number | null | undefined) => (v === null || v === undefined ? NaN : v);

export const GRIDS: { readonly [K in GridKind]: GridInfo } = {
  plane: {
    fields: ['loss'],
    vectors: ['center', 'u', 'v', 'state'],
    label: (plan, p) => { const n = plan.plane!.a.length; return `(${Math.floor(p / n)},${p % n})`; },
    blank: (r) => { r.plane!.loss = []; },
    fill: (r, plan, values) => {
      const na = plan.plane!.a.length;
      r.plane!.loss = plan.plane!.b.map((_, i) => plan.plane!.a.map((_, j) => num(values[i * na + j]?.[0])));
    },
  },
  line: {
    fields: ['trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy', 'trainLossSE', 'bnTrainLoss', 'bnTestLoss'],
    vectors: ['thetaA', 'thetaB', 'stateA', 'stateB'],
    label: (plan, p) => `α[${p}]=${plan.line!.alpha[p]}`,
    blank: (r) => {
      const it = r.interpolate!;
      it.trainLoss = []; it.testLoss = []; it.trainAccuracy = []; it.testAccuracy = []; it.trainLossSE = [];
      if (it.bnRecomputed) it.bnRecomputed = { trainLoss: [], testLoss: [] };
    },
    fill: (r, plan, values) => {
      const { monotone: _m, barrier: _b, barrierAlpha: _a, nonFinite: _n, ...it } = r.interpolate!;
      const col = (k: number) => plan.line!.alpha.map((_, p) => num(values[p]?.[k]));
      const acc = (k: number) => plan.line!.alpha.map((_, p) => values[p]?.[k] ?? null);
      const trainLoss = col(0);
      r.interpolate = {
        ...it, trainLoss, testLoss: col(1), trainAccuracy: acc(2), testAccuracy: acc(3), trainLossSE: col(4),
        ...(it.bnRecomputed ? { bnRecomputed: { trainLoss: col(5), testLoss: col(6) } } : {}),
        ...lineSummary(it.alpha, trainLoss),
      };
    },
  },
};

/** The analyses a plan can be made for, and their grid. */
export const SHARDABLE: Partial<Record<AnalysisKind, GridKind>> = { plane: 'plane', interpolate: 'line' };
