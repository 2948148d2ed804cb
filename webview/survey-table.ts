/**
 * The survey view's data side, pure (no DOM): histogram bins of the final losses (the engine's
 * rule) and the runs table's columns and sort keys.
 */
import type { SurveyRun } from '../src/protocol';
import { fmtPct, fmtSig } from './format';

export type ColKey = 'index' | 'seed' | 'init' | 'finalLoss' | 'finalTestLoss' | 'finalAccuracy' | 'deadUnits' | 'saturatedUnits' | 'blindExamples' | 'stuck';

export interface Col {
  key: ColKey;
  head: string;
  /** Header in narrow panels. */
  short?: string;
  title: string;
  cell(r: SurveyRun, k: number): string;
  num: boolean;
}

/** Histogram bins: the result's edges when known, else 12 bins over the losses so far (the engine's rule). */
export function histogramEdges(values: number[], bins = 12): number[] {
  const v = values.filter(Number.isFinite);
  if (!v.length) return [];
  const lo = Math.min(...v), hi = Math.max(...v);
  if (!(hi > lo)) {
    const d = Math.max(Math.abs(lo) * 0.05, 1e-6);
    return [lo - d, lo + d];
  }
  const width = (hi - lo) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
}

/** Bin of v for the edges (the engine's rule: equal widths, the last bin closed). */
export function binOf(edges: number[], v: number): number {
  const n = edges.length - 1;
  const width = (edges[n] - edges[0]) / n;
  return Math.max(0, Math.min(n - 1, Math.floor((v - edges[0]) / width)));
}

/** The runs table's columns: test loss / accuracy only when the runs have them (and they differ). */
export function surveyColumns(runs: SurveyRun[]): Col[] {
  const cols: Col[] = [
    { key: 'index', head: '#', title: 'Run (order of training)', cell: (_r, k) => String(k + 1), num: true },
    { key: 'seed', head: 'seed', title: 'Seed', cell: (r) => String(r.seed), num: true },
    { key: 'init', head: 'init', title: 'Init scheme', cell: (r) => r.init, num: false },
    { key: 'finalLoss', head: 'final loss', short: 'loss', title: 'Final train loss', cell: (r) => fmtSig(r.finalLoss, 4), num: true },
  ];
  if (runs.some((r) => r.finalTestLoss !== null && Math.abs((r.finalTestLoss ?? 0) - r.finalLoss) > 1e-12 * Math.max(1, Math.abs(r.finalLoss)))) {
    cols.push({ key: 'finalTestLoss', head: 'test loss', title: 'Final test loss', cell: (r) => fmtSig(r.finalTestLoss, 4), num: true });
  }
  if (runs.some((r) => r.finalAccuracy !== null)) {
    cols.push({ key: 'finalAccuracy', head: 'accuracy', short: 'acc.', title: 'Final train accuracy', cell: (r) => fmtPct(r.finalAccuracy), num: true });
  }
  const count = (v: number | null, init: number | null) => (v === null ? '–' : String(v)) + (init !== null && v !== null && init !== v ? ` (${init})` : '');
  cols.push(
    { key: 'deadUnits', head: 'dead', title: 'Hidden ReLU units dead on every example at θT (at θ₀ in parentheses when different)', cell: (r) => count(r.deadUnits, r.deadUnitsInit), num: true },
    { key: 'saturatedUnits', head: 'saturated', short: 'sat.', title: 'Hidden sigmoid/tanh units saturated on every example at θT (at θ₀ in parentheses when different)', cell: (r) => count(r.saturatedUnits, r.saturatedUnitsInit), num: true },
    { key: 'blindExamples', head: 'blind spots', short: 'blind', title: 'Examples on which no unit of the first ReLU layer is active at θT', cell: (r) => (r.blindExamples === null ? '–' : String(r.blindExamples)), num: true },
    { key: 'stuck', head: 'stuck', title: 'Final loss above best + tolerance', cell: () => '', num: false },
  );
  return cols;
}

/** Sort key of run k (index `k`, stuck `flag`) for a column; missing numbers last. */
export function sortValue(key: ColKey, r: SurveyRun, k: number, flag: boolean | null): number | string {
  switch (key) {
    case 'index': return k;
    case 'init': return r.init;
    case 'stuck': return flag ? 1 : 0;
    default: {
      const v = r[key];
      return v === null || v === undefined || Number.isNaN(v) ? Infinity : (v as number);
    }
  }
}

