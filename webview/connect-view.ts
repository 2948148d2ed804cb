/**
 * Connect view (mode connectivity, Garipov et al. 2018 / Draxler et al. 2018): two solutions θ_T of
 * different seeds, the straight line between them and a trained quadratic Bézier curve through a
 * bend θ_c. One chart of train / test loss vs t along both (t = 0: θ_T of the first seed, t = 1: of
 * the second), the line's barrier marked, accuracies below, and the summary sentence.
 */
import type { ChartConfiguration, ChartDataset, TooltipItem } from 'chart.js';
import type { ConnectResult } from '../src/protocol';
import { accuracyAxis, ChartView, lineChart, lossAxis, markerTheme, xAxis } from './chart-view';
import { Chart, type MarkerOptions, lineLegendLabels } from './charts';
import { el } from './dom';
import { alignmentVerdict } from './aligned-line';
import { fmt, fmtDuration, fmtInt, fmtPct, fmtSig } from './format';
import type { RunModel } from './state';
import type { Theme } from './theme';
import type { PngSection } from './exporter';
import type { AnalysisView, ViewContext } from './view';

interface XY { x: number; y: number }
type Connect = ConnectResult & { seeds: [number, number] };

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const maxOf = (xs: (number | null)[]) => xs.reduce<number>((m, x) => (finite(x) && x > m ? x : m), -Infinity);

/** The connect summary: which loss is used (test when there is a test set), maxima, barrier, percentage. */
export function connectSummary(c: Connect) {
  const test = finite(c.curveMaxTestLoss) && finite(c.lineMaxTestLoss) && c.endpointTestLoss?.every(finite);
  const kind = test ? 'test' : 'train';
  const lineMax = test ? c.lineMaxTestLoss : finite(c.lineMaxTrainLoss) ? c.lineMaxTrainLoss : maxOf(c.lineTrainLoss);
  const curveMax = test ? c.curveMaxTestLoss : finite(c.curveMaxTrainLoss) ? c.curveMaxTrainLoss : maxOf(c.curveTrainLoss);
  const ends = (test ? c.endpointTestLoss : c.endpointTrainLoss) ?? [NaN, NaN];
  const endMax = Math.max(ends[0], ends[1]);
  const barrier = lineMax - endMax;
  const within = endMax > 0 ? Math.max(0, (100 * (curveMax - endMax)) / endMax) : NaN;
  const lineSeries = test ? c.lineTestLoss : c.lineTrainLoss;
  const k = lineSeries.findIndex((v) => v === lineMax);
  return { kind, lineMax, curveMax, ends, endMax, barrier, within, barrierT: k >= 0 ? c.t[k] : 0.5 };
}

export class ConnectView extends ChartView implements AnalysisView {
  readonly el: HTMLElement;
  private placeholder: HTMLElement;
  private body: HTMLElement;
  private verdict: HTMLElement;
  private explain: HTMLElement;
  private lossCanvas: HTMLCanvasElement;
  private accCanvas: HTMLCanvasElement;
  private accWrap: HTMLElement;
  private loss: Chart<'line', XY[]>;
  private acc: Chart<'line', XY[]>;
  private table: HTMLElement;
  private meta: HTMLElement;
  private logBox: HTMLElement & { checked: boolean };

  constructor(ctx: ViewContext) {
    super(ctx);
    this.logBox = this.logYBox();
    this.placeholder = el('div', { class: 'll-placeholder ll-muted' }, 'The two solutions are trained, then the curve between them…');
    this.verdict = el('p', { class: 'll-verdict' });
    this.explain = el('p', { class: 'll-caption' });
    this.lossCanvas = el('canvas', { role: 'img', 'aria-label': 'Loss along the line and the curve (no data yet)' });
    this.accCanvas = el('canvas', { role: 'img', 'aria-label': 'Accuracy along the line and the curve (no data yet)' });
    this.accWrap = el('div', { class: 'll-chart ll-chart-acc' }, this.accCanvas);
    this.table = el('div', { class: 'll-table-wrap' });
    this.meta = el('p', { class: 'll-caption ll-muted' });
    this.body = el('div', { class: 'll-view' },
      el('div', { class: 'll-chart ll-chart-loss' }, this.lossCanvas), this.accWrap, this.verdict, this.explain, this.table, this.meta);
    this.el = el('section', { class: 'll-view ll-connect', 'aria-label': 'Mode connectivity' },
      el('div', { class: 'll-view-head' },
        el('h2', {}, 'Mode connectivity ', el('span', { class: 'll-formula' }, 'θ', el('sub', {}, 'T'), '(seed 1) ↔ θ', el('sub', {}, 'T'), '(seed 2): straight line vs trained Bézier curve')),
        el('div', { class: 'll-view-tools' }, this.logBox)),
      this.placeholder, this.body);
    this.loss = new Chart(this.lossCanvas, this.config('loss', false));
    this.acc = new Chart(this.accCanvas, this.config('accuracy', true));
  }

  private config(yTitle: string, acc: boolean): ChartConfiguration<'line', XY[]> {
    const t = this.ctx.theme;
    return lineChart(t, {
      scales: {
        x: { ...xAxis(t, 't', acc), min: 0, max: 1 },
        y: acc ? accuracyAxis(t, yTitle) : lossAxis(t, yTitle),
      },
      plugins: {
        legend: acc ? { display: false } : { position: 'top', align: 'end', labels: lineLegendLabels() },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'line'>[]) => `t = ${fmt(items[0]?.parsed.x ?? NaN)}`,
            label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${acc ? fmtPct(item.parsed.y) : fmt(item.parsed.y, 4)}`,
          },
        },
        llMarkers: {},
      },
    });
  }

  private markers(c: Connect, t: Theme): MarkerOptions {
    return {
      ...markerTheme(t),
      lines: [{ x: 0, label: `θ_T seed ${c.seeds[0]}` }, { x: 1, label: `θ_T seed ${c.seeds[1]}` }],
    };
  }

  update(m: RunModel, force = false): void {
    this.model = m;
    if (!force && m.rev === this.lastRev) return;
    this.lastRev = m.rev;
    const c = m.result?.connect as Connect | undefined;
    this.placeholder.hidden = !!c;
    this.body.hidden = !c;
    if (!c) {
      const p = m.progress;
      this.placeholder.textContent = p?.phase === 'probe' && p.message ? `${p.message}… (${fmtInt(p.done)}/${fmtInt(p.total)} steps)`
        : m.status === 'error' || m.status === 'cancelled' ? 'No result.' : 'The two solutions are trained, then the curve between them…';
      return;
    }
    const t = this.ctx.theme;
    const log = this.ctx.ui.logY;
    const pts = (ys: (number | null)[], lg: boolean): XY[] => c.t.map((x, i) => ({ x, y: ys[i] as number }))
      .filter((p) => finite(p.y)).map((p) => ({ x: p.x, y: lg ? Math.max(p.y, 1e-12) : p.y }));
    const common = { parsing: false as const, borderWidth: 2 * t.lw, pointRadius: 0, pointHoverRadius: 4, tension: 0, spanGaps: true };
    const curveC = t.blue, lineC = t.orange;
    const ds = (label: string, ys: (number | null)[], color: string, dashed: boolean, lg: boolean): ChartDataset<'line', XY[]> =>
      ({ ...common, label, data: pts(ys, lg), borderColor: color, backgroundColor: color, ...(dashed ? { borderDash: [6, 3] } : {}) });
    const hasTest = c.curveTestLoss.some(finite);
    this.loss.data.datasets = [
      ds('curve · train', c.curveTrainLoss, curveC, false, log),
      ...(hasTest ? [ds('curve · test', c.curveTestLoss, curveC, true, log)] : []),
      ds('line · train', c.lineTrainLoss, lineC, false, log),
      ...(hasTest ? [ds('line · test', c.lineTestLoss, lineC, true, log)] : []),
      // align: the curve and the line end at π(θ_b); the straight line to θ_b itself beside them
      ...(c.unaligned ? [ds('line before alignment · train', c.unaligned.lineTrainLoss, t.purple, false, log),
        ...(hasTest ? [ds('line before alignment · test', c.unaligned.lineTestLoss, t.purple, true, log)] : [])] : []),
    ];
    const ys = this.loss.options.scales!.y as Record<string, unknown>;
    ys.type = log ? 'logarithmic' : 'linear';
    ys.beginAtZero = !log;
    const sm = connectSummary(c);
    const mk = this.markers(c, t);
    if (finite(sm.barrier) && sm.barrier > 0) {
      mk.barrier = { x: sm.barrierT, yLow: sm.endMax, yHigh: sm.lineMax, label: `line barrier +${fmt(sm.barrier)} (${sm.kind})` };
      const e = sm.ends;
      if (finite(e[0]) && finite(e[1])) mk.chord = { x0: 0, y0: e[0], x1: 1, y1: e[1] };
    }
    this.loss.options.plugins!.llMarkers = mk;
    this.loss.update('none');

    const hasAcc = [c.curveTestAccuracy, c.lineTestAccuracy, c.curveTrainAccuracy, c.lineTrainAccuracy].some((a) => a?.some((v) => v !== null));
    this.accWrap.hidden = !hasAcc;
    if (hasAcc) {
      this.acc.data.datasets = [
        ds('curve · train accuracy', c.curveTrainAccuracy, curveC, false, false),
        ds('curve · test accuracy', c.curveTestAccuracy, curveC, true, false),
        ds('line · train accuracy', c.lineTrainAccuracy, lineC, false, false),
        ds('line · test accuracy', c.lineTestAccuracy, lineC, true, false),
        ...(c.unaligned ? [ds('line before alignment · test accuracy', c.unaligned.lineTestAccuracy, t.purple, true, false)] : []),
      ].filter((d) => d.data.length);
      this.acc.options.plugins!.llMarkers = { ...this.markers(c, t), lines: [{ x: 0 }, { x: 1 }] };
      this.acc.update('none');
    }
    this.renderSummary(c, sm);
    const al = m.result?.alignment;
    if (al) this.explain.append(' ', alignmentVerdict(al).textContent ?? '', ' (t = 1 is the aligned π(θ_B); purple: the straight line to θ_B before alignment).');
    this.lossCanvas.setAttribute('aria-label', `Line chart of the ${sm.kind} loss along the straight line and along the trained Bézier curve between θT of seed ${c.seeds[0]} (t = 0) and of seed ${c.seeds[1]} (t = 1): ` +
      `the line peaks at ${fmt(sm.lineMax)} (t = ${fmt(sm.barrierT)}), the curve at ${fmt(sm.curveMax)}; endpoints ${fmt(sm.ends[0])} and ${fmt(sm.ends[1])}.`);
  }

  private renderSummary(c: Connect, sm: ReturnType<typeof connectSummary>): void {
    const connected = finite(sm.within) && sm.within <= 10;
    const barrierText = finite(sm.barrier) ? (sm.barrier > 0 ? `barrier +${fmt(sm.barrier)} over the endpoints` : 'no barrier over the endpoints') : 'barrier –';
    this.verdict.className = connected ? 'll-verdict' : 'll-verdict ll-verdict-bump';
    this.verdict.textContent = `Straight line: max ${sm.kind} loss ${fmt(sm.lineMax)} (${barrierText}); trained curve: max ${fmt(sm.curveMax)} ` +
      `(within ${finite(sm.within) ? sm.within.toFixed(1) : '–'} % of the endpoints).`;
    const relBarrier = sm.endMax > 0 ? sm.barrier / sm.endMax : 0;
    this.explain.textContent = connected && relBarrier > 0.1
      ? `The two solutions are connected by a low-loss curve, although the straight line between them crosses a barrier: they lie in one connected valley, not in isolated minima.`
      : connected ? 'The straight line and the trained curve both stay low: the two solutions are linearly connected.'
        : `Even the trained curve rises ${finite(sm.within) ? sm.within.toFixed(1) : '–'} % above the endpoints: no low-loss path was found between the two solutions.`;
    const mid = Math.floor(c.t.length / 2);
    const minOf = (xs: (number | null)[]) => xs.reduce<number>((m, x) => (finite(x) && x < m ? x : m), Infinity);
    const row = (name: string, train: (number | null)[], test: (number | null)[], acc: (number | null)[]) => el('tr', {},
      el('th', { scope: 'row' }, name),
      el('td', {}, fmtSig(maxOf(train), 4)), el('td', {}, fmtSig(maxOf(test), 4)),
      el('td', {}, fmtSig(test[mid] ?? NaN, 4)), el('td', {}, acc.some(finite) ? fmtPct(minOf(acc)) : '–'));
    this.table.replaceChildren(el('table', { class: 'll-table' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, ''), el('th', { scope: 'col' }, 'max train loss'), el('th', { scope: 'col' }, 'max test loss'),
        el('th', { scope: 'col' }, `test loss at t = ${fmt(c.t[mid])}`), el('th', { scope: 'col' }, 'min test acc'))),
      el('tbody', {},
        row('straight line', c.lineTrainLoss, c.lineTestLoss, c.lineTestAccuracy),
        row('Bézier curve', c.curveTrainLoss, c.curveTestLoss, c.curveTestAccuracy),
        el('tr', {}, el('th', { scope: 'row' }, 'endpoints'), el('td', {}, `${fmtSig(c.endpointTrainLoss?.[0], 4)} / ${fmtSig(c.endpointTrainLoss?.[1], 4)}`),
          el('td', {}, `${fmtSig(c.endpointTestLoss?.[0], 4)} / ${fmtSig(c.endpointTestLoss?.[1], 4)}`), el('td', {}, ''), el('td', {}, '')))));
    const lpe = c.lossPerEpoch ?? [];
    this.meta.textContent = `Bend θc trained for ${lpe.length} epoch${lpe.length === 1 ? '' : 's'} in ${fmtDuration(c.trainSeconds * 1000)}` +
      (lpe.length ? `; mean train loss on the curve per epoch ${fmt(lpe[0])} → ${fmt(lpe[lpe.length - 1])}` : '') + `. θ(t) = (1−t)²·θA + 2t(1−t)·θc + t²·θB, ${c.t.length} values of t.`;
  }

  sections(): PngSection[] {
    if (this.body.hidden) return [];
    const c = this.model?.result?.connect;
    return [{ title: `Mode connectivity: θT seed ${c?.seeds[0]} ↔ θT seed ${c?.seeds[1]}, straight line vs trained Bézier curve`,
      canvases: [this.lossCanvas, ...(this.accWrap.hidden ? [] : [this.accCanvas])] }];
  }

  charts(): Chart[] { return [this.loss, this.acc] as unknown as Chart[]; }

}
