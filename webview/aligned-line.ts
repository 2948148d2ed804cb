/**
 * The line to the aligned second solution (interpolate with `align`): θ_a → π(θ_b) drawn beside
 * θ_a → θ_b in the interpolation view's charts, and the sentence on the barriers before and after.
 */
import type { ChartDataset } from 'chart.js';
import type { AlignmentResult, InterpolateResult } from '../src/protocol';
import { el } from './dom';
import { fmt, fmtPct } from './format';
import type { Theme } from './theme';

interface XY { x: number; y: number; i: number }

/** The aligned line's train and test loss (or accuracy), green and purple, same dashes as the line's. */
export function alignedDatasets(al: InterpolateResult, t: Theme, common: object, log: boolean, what: 'loss' | 'accuracy'): ChartDataset<'line', XY[]>[] {
  const pts = (ys: (number | null)[]): XY[] => al.alpha.map((x, i) => ({ x, y: ys[i] as number, i }))
    .filter((p) => typeof p.y === 'number' && Number.isFinite(p.y)).map((p) => ({ ...p, y: log ? Math.max(p.y, 1e-12) : p.y }));
  const [train, test] = what === 'loss' ? [al.trainLoss, al.testLoss] : [al.trainAccuracy, al.testAccuracy];
  return [
    { ...common, label: `aligned train ${what}`, data: pts(train), borderColor: t.green, backgroundColor: t.green, order: 2 },
    { ...common, label: `aligned test ${what}`, data: pts(test), borderColor: t.purple, backgroundColor: t.purple, borderDash: [6, 3], order: 3 },
  ].filter((d) => d.data.length);
}

/** "Weight matching: loss barrier 1.16 → 0.156 (13 % of before); error barrier 14.6 % → 1.2 %." */
export function alignmentVerdict(a: AlignmentResult): HTMLParagraphElement {
  const how = a.method === 'weights' ? `Weight matching (${a.sweeps ?? '–'} sweeps)` : 'Activation matching';
  const ratio = a.barrierBefore > 0 ? ` (${fmtPct(a.barrierAfter / a.barrierBefore)} of before)` : '';
  const err = Number.isFinite(a.errorBarrierBefore) ? `; ${a.errorSet} error barrier ${fmtPct(a.errorBarrierBefore)} → ${fmtPct(a.errorBarrierAfter)}` : '';
  const bn = a.bn ? ` BatchNorm statistics along the aligned line: ${a.bn === 'interpolate' ? 'interpolated between θ_a’s and π(θ_b)’s (recompute them with bn: recompute)' : a.bn === 'recompute' ? 'recomputed at each α' : 'interpolated (solid) and recomputed (dotted)'}.` : '';
  const moved = a.layers.map((l) => `${l.moved}/${l.units}`).join(', ');
  return el('p', { class: a.barrierAfter < 0.5 * a.barrierBefore ? 'll-verdict ll-verdict-aligned' : 'll-verdict ll-verdict-bump ll-verdict-aligned' },
    `${how} permuted the second solution's hidden units onto the first's (units moved per layer: ${moved}, ${fmt(a.seconds, 2)} s): ` +
    `loss barrier ${fmt(a.barrierBefore)} → ${fmt(a.barrierAfter)}${ratio}${err}.${bn}`);
}
