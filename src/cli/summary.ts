/** The human-readable summary the CLI prints on stdout. */
import type { ProbeResult } from '../protocol';
import { blasLabel } from '../shared/labels';
import { analysisInfo, fixed as f, pct } from '../shared/analyses';

export function summary(r: ProbeResult, file: string): string {
  const L: string[] = [];
  const t = r.train;
  const blas = blasLabel(r.blas);
  L.push(`${r.definition} (${file}): ${r.analysis}${r.plane ? ` (${r.plane.directions} directions)` : ''}, backend ${r.backend}${r.device?.adapter ? ` on ${r.device.adapter}` : ''}${blas}`);
  L.push((t.epochs === 0 && t.steps === 0 ? `no training (weights loaded), ${t.parameters.toLocaleString('en-US')} parameters:` // models.load(...)
    : `trained ${t.epochs} epoch(s), ${t.steps} steps, ${t.parameters.toLocaleString('en-US')} parameters in ${r.timing.trainSeconds.toFixed(1)} s${t.stepsOn === 'blas-dense' ? ' (Dense steps on the BLAS)' : ''}:`) +
    ` train loss ${f(t.finalTrainLoss)}, test loss ${f(t.finalTestLoss)}, test accuracy ${pct(t.finalTestAccuracy)}`);
  L.push(`evaluated on ${r.examples.evalTrain} train / ${r.examples.evalTest} test examples` +
    (r.examples.evalTrain < r.examples.train ? ` (subset of ${r.examples.train} / ${r.examples.test})` : ''));
  L.push(...analysisInfo(r.analysis).summary(r));
  for (const n of r.notes) L.push(`note: ${n}`);
  return L.join('\n');
}
