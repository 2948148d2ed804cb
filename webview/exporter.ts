/** Export payloads: PNG (visible plots composed on one canvas), CSV (current numbers), JSON (result). */
import { basename } from './format';
import { stuckFlags, type RunModel } from './state';
import type { Theme } from './theme';

function csvNum(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? '' : String(v);
}

export function exportName(m: RunModel, ext: string): string {
  const stem = (m.file ? basename(m.file).replace(/\.landscape\.[cm]?[jt]s$|\.[cm]?[jt]s$/, '') : 'loss-landscape');
  const def = m.definition ? `-${m.definition}` : '';
  const kind = m.analysis ? `-${m.analysis}` : '';
  return `${stem}${def}${kind}.${ext}`.replace(/[^\w.+-]+/g, '_');
}

/** CSV of what is currently shown (partial while a run is in progress). */
export function toCsv(m: RunModel): string {
  const lines: string[] = [];
  const r = m.result;
  const row = (...vs: (number | string | null | undefined)[]) => vs.map((v) => (typeof v === 'string' ? v : csvNum(v))).join(',');
  const text = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  if (m.analysis === 'curvature' && r?.curvature) {
    // Three blocks: the spectrum, the two slices, the path.
    const c = r.curvature;
    lines.push('kind,index,eigenvalue');
    c.eigenvalues.forEach((v, k) => lines.push(row('top', k + 1, v)));
    lines.push(row('min', '', c.lambdaMin), row('trace', '', c.trace), row('trace_se', '', c.traceSE));
    lines.push('', 't,loss_along_top,loss_along_bottom');
    c.slices.t.forEach((t, k) => lines.push(row(t, c.slices.top[k], c.slices.bottom[k])));
    lines.push('', 'step,lambda_max,lambda_min');
    c.alongPath.step.forEach((s, k) => lines.push(row(s, c.alongPath.lambdaMax[k], c.alongPath.lambdaMin[k])));
  } else if (m.analysis === 'connect' && r?.connect) {
    const c = r.connect;
    lines.push('t,curve_train_loss,curve_test_loss,line_train_loss,line_test_loss,curve_train_accuracy,curve_test_accuracy,line_train_accuracy,line_test_accuracy');
    c.t.forEach((t, k) => lines.push(row(t, c.curveTrainLoss[k], c.curveTestLoss[k], c.lineTrainLoss[k], c.lineTestLoss[k],
      c.curveTrainAccuracy?.[k], c.curveTestAccuracy?.[k], c.lineTrainAccuracy?.[k], c.lineTestAccuracy?.[k])));
  } else if (m.analysis === 'compare' && r?.compare) {
    // The runs, then every run's θ₀ → θ_T curve (long format).
    const runs = r.compare.runs;
    lines.push('run,final_train_loss,final_test_loss,final_test_accuracy,monotone,barrier,end_a,end_b,train_seconds');
    for (const x of runs) {
      const n = x.path?.a?.length ?? 0;
      lines.push(row(text(x.name), x.finalTrainLoss, x.finalTestLoss, x.finalTestAccuracy, String(x.curve.monotone), x.curve.barrier,
        n ? x.path.a[n - 1] : null, n ? x.path.b[n - 1] : null, x.trainSeconds));
    }
    lines.push('', 'run,alpha,train_loss,test_loss');
    for (const x of runs) x.curve.alpha.forEach((a, k) => lines.push(row(text(x.name), a, x.curve.trainLoss[k], x.curve.testLoss[k])));
  } else if (m.analysis === 'survey' && m.survey) {
    // The runs table, in training order. While running, `stuck` is relative to the best so far.
    const { stuck, provisional } = stuckFlags(m);
    const sv = m.survey.final ? m.result?.survey : undefined;
    lines.push(['run', 'seed', 'init', 'final_loss', 'final_test_loss', 'final_accuracy', provisional ? 'stuck_so_far' : 'stuck', 'best',
      'dead_units', 'saturated_units', 'blind_examples', 'dead_units_init', 'saturated_units_init', 'train_seconds'].join(','));
    m.survey.runs.forEach((r, k) => {
      if (!r) return;
      lines.push([String(k + 1), String(r.seed), text(r.init), csvNum(r.finalLoss), csvNum(r.finalTestLoss), csvNum(r.finalAccuracy),
        String(!!stuck[k]), String(!!sv && sv.best === k), csvNum(r.deadUnits), csvNum(r.saturatedUnits), csvNum(r.blindExamples),
        csvNum(r.deadUnitsInit), csvNum(r.saturatedUnitsInit), csvNum(r.trainSeconds)].join(','));
    });
  } else if (m.analysis !== 'plane' && m.curve) {
    const c = m.curve;
    const se = c.trainLossSE;
    const bn = m.analysis === 'interpolate' ? r?.interpolate?.bnRecomputed : undefined;
    lines.push(['alpha', 'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy', ...(se ? ['train_loss_se'] : []),
      ...(bn ? ['train_loss_bn_recomputed', 'test_loss_bn_recomputed'] : [])].join(','));
    const order = [...Array(c.total).keys()].filter((k) => c.alpha[k] !== null).sort((p, q) => (c.alpha[p] as number) - (c.alpha[q] as number));
    for (const k of order) {
      lines.push([c.alpha[k], c.trainLoss[k], c.testLoss[k], c.trainAccuracy[k], c.testAccuracy[k], ...(se ? [se[k]] : []),
        ...(bn ? [bn.trainLoss[k], bn.testLoss[k]] : [])].map(csvNum).join(','));
    }
  } else if (m.plane) {
    const p = m.plane;
    const test = p.testLoss;
    lines.push(['i', 'j', 'a', 'b', 'loss', ...(test ? ['test_loss'] : [])].join(','));
    for (let i = 0; i < p.b.length; i++) for (let j = 0; j < p.a.length; j++) {
      lines.push([i, j, p.a[j], p.b[i], p.loss[i]?.[j], ...(test ? [test[i]?.[j]] : [])].map(csvNum).join(','));
    }
    if (p.trajectory?.a?.length) {
      lines.push('', 'trajectory_step,a,b');
      p.trajectory.a.forEach((a, k) => lines.push([p.trajectory.step?.[k] ?? k, a, p.trajectory.b[k]].map(csvNum).join(',')));
    }
  } else {
    const tr = m.train;
    lines.push('epoch,loss');
    if (tr) tr.lossPerEpoch.forEach((l, k) => lines.push(`${k + 1},${csvNum(l)}`));
    else m.epochs.forEach((e) => lines.push(`${e.epoch},${csvNum(e.loss)}`));
  }
  return lines.join('\n') + '\n';
}

export function toJson(m: RunModel): string | null {
  return m.result ? JSON.stringify(m.result, null, 2) : null;
}

export interface PngSection { title: string; canvases: HTMLCanvasElement[] }

/**
 * Compose the visible plots on one canvas: a title line, an optional subtitle (status / verdict),
 * then each section's caption and canvases top to bottom. Returns a PNG data URL.
 */
export function composePng(sections: PngSection[], title: string, subtitle: string, theme: Theme): string {
  const dpr = Math.max(1, window.devicePixelRatio || 1);
  const shown = sections
    .map((s) => ({ ...s, canvases: s.canvases.filter((c) => c.width > 0 && c.height > 0 && c.offsetParent !== null) }))
    .filter((s) => s.canvases.length);
  const pad = Math.round(12 * dpr);
  const fs = theme.fontSize * dpr;
  const titleH = Math.round(fs * 1.9);
  const subH = subtitle ? Math.round(fs * 1.5) : 0;
  const capH = Math.round(fs * 1.8);
  const width = Math.max(320 * dpr, ...shown.flatMap((s) => s.canvases.map((c) => c.width))) + 2 * pad;
  const height = pad + titleH + subH + shown.reduce((h, s) => h + capH + s.canvases.reduce((a, c) => a + c.height + pad / 2, 0) + pad / 2, 0) + pad / 2;
  const out = document.createElement('canvas');
  out.width = Math.round(width);
  out.height = Math.round(height);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.textBaseline = 'middle';
  ctx.fillStyle = theme.fg;
  ctx.font = `600 ${Math.round(fs * 1.15)}px ${theme.fontFamily}`;
  ctx.fillText(title, pad, pad + titleH / 2);
  let y = pad + titleH;
  if (subtitle) {
    ctx.fillStyle = theme.muted;
    ctx.font = `${Math.round(fs * 0.9)}px ${theme.fontFamily}`;
    ctx.fillText(subtitle, pad, y + subH / 2 - fs * 0.3, out.width - 2 * pad);
    y += subH;
  }
  for (const s of shown) {
    ctx.fillStyle = theme.fg;
    ctx.font = `600 ${Math.round(fs)}px ${theme.fontFamily}`;
    ctx.fillText(s.title, pad, y + capH / 2);
    y += capH;
    for (const c of s.canvases) {
      ctx.drawImage(c, pad, y);
      y += c.height + pad / 2;
    }
    y += pad / 2;
  }
  return out.toDataURL('image/png');
}

/** Report mode: save a payload as a file download. */
export function download(name: string, data: string, mime: string): void {
  const href = data.startsWith('data:') ? data : URL.createObjectURL(new Blob([data], { type: mime }));
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  if (!data.startsWith('data:')) setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
