/**
 * What the panel knows about each analysis, as one table keyed by its kind (no DOM, so the state
 * tests can use it): the header badge, how progress is counted, whether a training streams its
 * epochs, the "switch" button's target, the training section's title and the CSV writer. The views
 * themselves are built from the factory table in analysis-views.ts.
 *
 * Adding an analysis: its kind in src/protocol/options.ts, one entry here, one in analysis-views.ts and its
 * view file (both tables are `Record<AnalysisKind, …>`, so a missing entry fails the type-check).
 */
import type { AnalysisKind } from '../src/protocol';
import { compareCsv, connectCsv, curvatureCsv, instabilityCsv, interpolateCsv, planeCsv, surveyCsv, type CsvWriter } from './csv';
import { runsDone, type RunModel } from './state';

export interface AnalysisTraits {
  /** Text of the header badge. */
  badge(m: RunModel): string;
  /**
   * What the status line counts: grid points of the plane, points of the curve, or nothing (the
   * analysis counts its work in `progress` messages: Hessian products, curve steps, trainings).
   */
  points: 'plane' | 'curve' | null;
  /** Trainings finished / announced are counted (survey). */
  countsRuns?: boolean;
  /** One training streams its epochs while it runs (a survey / compare streams none). */
  streamsEpochs: boolean;
  /** The analysis the "switch" button re-runs, with its label and tooltip. */
  switchTo: { analysis: 'interpolate' | 'plane'; label: string; title: string };
  /** Title of the training section when it is not plain "Training". */
  trainTitle?(m: RunModel): string | undefined;
  /** CSV of the result (null: nothing yet, the exporter falls back to the curve, plane, training). */
  csv?: CsvWriter;
}

const TO_PLANE = { analysis: 'plane', label: 'Plane', title: 'Re-run as a 2-D plane with the trajectory' } as const;
const TO_LINE_OF_ONE = { analysis: 'interpolate', label: 'Interpolate', title: 'Re-run as a 1-D interpolation θ₀ → θ_T of a single training' } as const;

export const ANALYSES: Record<AnalysisKind, AnalysisTraits> = {
  interpolate: {
    badge: (m) => {
      const bn = m.result?.interpolate?.bn;
      const al = m.result?.alignment;
      return `interpolate${al ? ` · aligned (${al.method})` : ''}${bn && bn !== 'interpolate' ? ` · BN ${bn}` : ''}`;
    },
    points: 'curve', streamsEpochs: true, switchTo: TO_PLANE, csv: interpolateCsv,
  },
  plane: {
    badge: (m) => `plane · ${m.plane?.directions ?? m.options?.directions ?? 'goodfellow'}`,
    points: 'plane', streamsEpochs: true,
    switchTo: { analysis: 'interpolate', label: 'Interpolate', title: 'Re-run as a 1-D interpolation θ₀ → θ_T' }, csv: planeCsv,
  },
  survey: {
    badge: (m) => {
      const rd = runsDone(m);
      return `survey${rd ? ` · ${rd.total} runs` : ''}`;
    },
    points: null, countsRuns: true, streamsEpochs: false, switchTo: TO_LINE_OF_ONE, csv: surveyCsv,
    trainTitle: (m) => {
      const sv = m.result?.survey;
      const best = sv?.runs[sv.best];
      return best ? `Training of the best run (seed ${best.seed}, ${best.init})` : undefined;
    },
  },
  compare: {
    badge: (m) => {
      const n = m.result?.compare?.runs.length;
      return `compare${n ? ` · ${n} runs` : ''}`;
    },
    points: null, streamsEpochs: false, switchTo: TO_LINE_OF_ONE, csv: compareCsv,
    trainTitle: (m) => {
      const runs = m.result?.compare?.runs;
      return runs?.length ? `Training of '${runs[0].name}' (run 1 of ${runs.length}, the plane's)` : undefined;
    },
  },
  curvature: { badge: () => 'curvature', points: null, streamsEpochs: true, switchTo: TO_PLANE, csv: curvatureCsv },
  instability: {
    badge: (m) => `instability${m.result?.instability ? ` · ${m.result.instability.spawn.length} spawn points` : ''}`,
    points: null, streamsEpochs: false, switchTo: TO_LINE_OF_ONE, csv: instabilityCsv,
  },
  connect: {
    badge: (m) => (m.result?.alignment ? `connect · aligned (${m.result.alignment.method})` : 'connect'), points: null, streamsEpochs: true, switchTo: TO_PLANE, csv: connectCsv,
    trainTitle: (m) => {
      const seeds = m.result?.connect?.seeds;
      return seeds ? `Training (seed ${seeds[0]}; seed ${seeds[1]} trained alike)` : undefined;
    },
  },
};

/** The table entry of a kind (undefined for none or an unknown kind from an older result). */
export function traitsOf(kind: AnalysisKind | undefined): AnalysisTraits | undefined {
  return kind !== undefined && Object.prototype.hasOwnProperty.call(ANALYSES, kind) ? ANALYSES[kind] : undefined;
}

/** Points evaluated so far / expected, for the current analysis (none for those counting in `progress`). */
export function pointsDone(m: RunModel): { done: number; total: number } | undefined {
  const t = traitsOf(m.analysis);
  const kind = t ? t.points : !m.analysis && m.plane ? 'plane' : 'curve';
  if (kind === 'plane') {
    if (m.plane) return { done: m.plane.done, total: m.plane.total };
    const g = m.options?.grid;
    return g ? { done: 0, total: g * g } : undefined;
  }
  if (kind !== 'curve') return undefined;
  if (m.curve) return { done: m.curve.trainLoss.filter((v) => v !== null).length, total: m.curve.total };
  const p = m.options?.points;
  return p ? { done: 0, total: p } : undefined;
}
