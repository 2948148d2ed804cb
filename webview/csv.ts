/**
 * CSV export of what the panel shows (partial while a run is in progress): one writer per kind of
 * data. Each analysis names its writer in the table of webview/analyses.ts; `toCsv` (exporter.ts)
 * falls back to the curve, the plane, then the training losses. Pure: no DOM.
 */
import { stuckFlags, type RunModel } from './state';

/** Lines of a CSV, or null when the model holds nothing for this writer (the next one is tried). */
export type CsvWriter = (m: RunModel) => string[] | null;

export function csvNum(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? '' : String(v);
}

const row = (...vs: (number | string | null | undefined)[]) => vs.map((v) => (typeof v === 'string' ? v : csvNum(v))).join(',');
const text = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Curvature: the spectrum, the two slices, the path; the density and the layers when the result has them. */
export const curvatureCsv: CsvWriter = (m) => {
  const c = m.result?.curvature;
  if (!c) return null;
  const lines = ['kind,index,eigenvalue'];
  c.eigenvalues.forEach((v, k) => lines.push(row('top', k + 1, v)));
  lines.push(row('min', '', c.lambdaMin), row('trace', '', c.trace), row('trace_se', '', c.traceSE));
  lines.push('', 't,loss_along_top,loss_along_bottom');
  c.slices.t.forEach((t, k) => lines.push(row(t, c.slices.top[k], c.slices.bottom[k])));
  lines.push('', 'step,lambda_max,lambda_min');
  c.alongPath.step.forEach((s, k) => lines.push(row(s, c.alongPath.lambdaMax[k], c.alongPath.lambdaMin[k])));
  if (c.density) {
    lines.push('', 'eigenvalue,density');
    c.density.x.forEach((x, k) => lines.push(row(x, c.density!.density[k])));
  }
  if (c.layers?.length) {
    lines.push('', 'layer,parameters,lambda_max,lambda_min,trace,trace_se');
    for (const l of c.layers) lines.push(row(text(l.name), l.parameters, l.lambdaMax, l.lambdaMin, l.trace, l.traceSE));
  }
  return lines;
};

export const connectCsv: CsvWriter = (m) => {
  const c = m.result?.connect;
  if (!c) return null;
  const lines = ['t,curve_train_loss,curve_test_loss,line_train_loss,line_test_loss,curve_train_accuracy,curve_test_accuracy,line_train_accuracy,line_test_accuracy'];
  c.t.forEach((t, k) => lines.push(row(t, c.curveTrainLoss[k], c.curveTestLoss[k], c.lineTrainLoss[k], c.lineTestLoss[k],
    c.curveTrainAccuracy?.[k], c.curveTestAccuracy?.[k], c.lineTrainAccuracy?.[k], c.lineTestAccuracy?.[k])));
  return lines;
};

/** Compare: the runs, then every run's θ₀ → θ_T curve (long format). */
export const compareCsv: CsvWriter = (m) => {
  const runs = m.result?.compare?.runs;
  if (!runs) return null;
  const lines = ['run,final_train_loss,final_test_loss,final_test_accuracy,monotone,barrier,end_a,end_b,train_seconds'];
  for (const x of runs) {
    const n = x.path?.a?.length ?? 0;
    lines.push(row(text(x.name), x.finalTrainLoss, x.finalTestLoss, x.finalTestAccuracy, String(x.curve.monotone), x.curve.barrier,
      n ? x.path.a[n - 1] : null, n ? x.path.b[n - 1] : null, x.trainSeconds));
  }
  lines.push('', 'run,alpha,train_loss,test_loss');
  for (const x of runs) x.curve.alpha.forEach((a, k) => lines.push(row(text(x.name), a, x.curve.trainLoss[k], x.curve.testLoss[k])));
  return lines;
};

/** Survey: the runs table, in training order. While running, `stuck` is relative to the best so far. */
export const surveyCsv: CsvWriter = (m) => {
  if (!m.survey) return null;
  const { stuck, provisional } = stuckFlags(m);
  const sv = m.survey.final ? m.result?.survey : undefined;
  const lines = [['run', 'seed', 'init', 'final_loss', 'final_test_loss', 'final_accuracy', provisional ? 'stuck_so_far' : 'stuck', 'best',
    'dead_units', 'saturated_units', 'blind_examples', 'dead_units_init', 'saturated_units_init', 'train_seconds'].join(',')];
  m.survey.runs.forEach((r, k) => {
    if (!r) return;
    lines.push([String(k + 1), String(r.seed), text(r.init), csvNum(r.finalLoss), csvNum(r.finalTestLoss), csvNum(r.finalAccuracy),
      String(!!stuck[k]), String(!!sv && sv.best === k), csvNum(r.deadUnits), csvNum(r.saturatedUnits), csvNum(r.blindExamples),
      csvNum(r.deadUnitsInit), csvNum(r.saturatedUnitsInit), csvNum(r.trainSeconds)].join(','));
  });
  return lines;
};

/** The 1-D curve; `bn` adds the BatchNorm-recomputed columns of an interpolation result. */
function curveLines(m: RunModel, bnColumns: boolean): string[] | null {
  const c = m.curve;
  if (!c) return null;
  const se = c.trainLossSE;
  const bn = bnColumns ? m.result?.interpolate?.bnRecomputed : undefined;
  const al = bnColumns ? m.result?.interpolate?.aligned : undefined; // the line to the aligned π(θ_b)
  const lines = [['alpha', 'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy', ...(se ? ['train_loss_se'] : []),
    ...(bn ? ['train_loss_bn_recomputed', 'test_loss_bn_recomputed'] : []),
    ...(al ? ['aligned_train_loss', 'aligned_test_loss', 'aligned_train_accuracy', 'aligned_test_accuracy'] : [])].join(',')];
  const order = [...Array(c.total).keys()].filter((k) => c.alpha[k] !== null).sort((p, q) => (c.alpha[p] as number) - (c.alpha[q] as number));
  for (const k of order) {
    lines.push([c.alpha[k], c.trainLoss[k], c.testLoss[k], c.trainAccuracy[k], c.testAccuracy[k], ...(se ? [se[k]] : []),
      ...(bn ? [bn.trainLoss[k], bn.testLoss[k]] : []),
      ...(al ? [al.trainLoss[k], al.testLoss[k], al.trainAccuracy[k], al.testAccuracy[k]] : [])].map(csvNum).join(','));
  }
  return lines;
}

/** Instability: the barriers per spawn point. */
export const instabilityCsv: CsvWriter = (m) => {
  const s = m.result?.instability;
  if (!s) return null;
  const lines = ['k,step,error_barrier,loss_barrier,error_copy_1,error_copy_2,stable'];
  s.spawn.forEach((k, i) => lines.push(row(text(k), s.spawnSteps[i], s.errorBarrier[i], s.lossBarrier[i], s.finalError[i][0], s.finalError[i][1], String(s.errorBarrier[i] <= s.tolerance))));
  return lines;
};

/** Interpolation: the curve with its BatchNorm-recomputed columns when the result has them. */
export const interpolateCsv: CsvWriter = (m) => curveLines(m, true);

/** Any curve (fallback). */
export const curveCsv: CsvWriter = (m) => curveLines(m, false);

/** The plane grid, then the trajectory. */
export const planeCsv: CsvWriter = (m) => {
  const p = m.plane;
  if (!p) return null;
  const test = p.testLoss;
  const lines = [['i', 'j', 'a', 'b', 'loss', ...(test ? ['test_loss'] : [])].join(',')];
  for (let i = 0; i < p.b.length; i++) for (let j = 0; j < p.a.length; j++) {
    lines.push([i, j, p.a[j], p.b[i], p.loss[i]?.[j], ...(test ? [test[i]?.[j]] : [])].map(csvNum).join(','));
  }
  if (p.trajectory?.a?.length) {
    lines.push('', 'trajectory_step,a,b');
    p.trajectory.a.forEach((a, k) => lines.push([p.trajectory.step?.[k] ?? k, a, p.trajectory.b[k]].map(csvNum).join(',')));
  }
  return lines;
};

/** The training losses per epoch (last fallback: always some lines). */
export const trainCsv = (m: RunModel): string[] => {
  const tr = m.train;
  const lines = ['epoch,loss'];
  if (tr) tr.lossPerEpoch.forEach((l, k) => lines.push(`${k + 1},${csvNum(l)}`));
  else m.epochs.forEach((e) => lines.push(`${e.epoch},${csvNum(e.loss)}`));
  return lines;
};
