/**
 * Instability view (Frankle et al. 2020): for each spawn point k, two copies of θ_k trained to the
 * end with different data orders; the error barrier (top) and the loss barrier (bottom) of the
 * straight line between them vs the step k, the 2 % stability threshold, the first stable k, and
 * a table per spawn point.
 */
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import { accuracyAxis, ChartView, lineChart, lossAxis, markerTheme, xAxis } from './chart-view';
import { Chart } from './charts';
import { el } from './dom';
import { fmt, fmtDuration, fmtInt, fmtPct, fmtSig } from './format';
import type { RunModel } from './state';
import type { PngSection } from './exporter';
import type { AnalysisView, ViewContext } from './view';

interface XY { x: number; y: number; k: number }

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

export class InstabilityView extends ChartView implements AnalysisView {
  readonly el: HTMLElement;
  private placeholder: HTMLElement;
  private body: HTMLElement;
  private verdict: HTMLElement;
  private errCanvas: HTMLCanvasElement;
  private lossCanvas: HTMLCanvasElement;
  private err: Chart<'line', XY[]>;
  private loss: Chart<'line', XY[]>;
  private table: HTMLElement;
  private meta: HTMLElement;

  constructor(ctx: ViewContext) {
    super(ctx);
    this.placeholder = el('div', { class: 'll-placeholder ll-muted' }, 'Training to the spawn points, then two copies from each…');
    this.verdict = el('p', { class: 'll-verdict' });
    this.errCanvas = el('canvas', { role: 'img', 'aria-label': 'Error barrier vs spawn step (no data yet)' });
    this.lossCanvas = el('canvas', { role: 'img', 'aria-label': 'Loss barrier vs spawn step (no data yet)' });
    this.table = el('div', { class: 'll-table-wrap' });
    this.meta = el('p', { class: 'll-caption ll-muted' });
    this.body = el('div', { class: 'll-view' },
      el('div', { class: 'll-chart ll-chart-loss' }, this.errCanvas), el('div', { class: 'll-chart ll-chart-acc' }, this.lossCanvas),
      this.verdict, this.table, this.meta);
    this.el = el('section', { class: 'll-view ll-instability', 'aria-label': 'Instability analysis' },
      el('div', { class: 'll-view-head' },
        el('h2', {}, 'Instability ', el('span', { class: 'll-formula' }, 'two copies of θ', el('sub', {}, 'k'), ' trained with different data orders: barrier vs k'))),
      this.placeholder, this.body);
    this.err = new Chart(this.errCanvas, this.config('error barrier', true));
    this.loss = new Chart(this.lossCanvas, this.config('loss barrier', false));
  }

  private config(title: string, err: boolean): ChartConfiguration<'line', XY[]> {
    const t = this.ctx.theme;
    const r = () => this.model?.result?.instability;
    return lineChart(t, {
      scales: {
        x: xAxis(t, 'spawn step k', !err),
        y: err ? { ...accuracyAxis(t, title), max: undefined, suggestedMax: 0.1, ticks: { color: t.muted, callback: (v: string | number) => `${(+v * 100).toFixed(0)}%` } } : { ...lossAxis(t, title), beginAtZero: true, suggestedMax: 0.05 },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'line'>[]) => { const k = (items[0]?.raw as XY | undefined)?.k; const s = r(); return s && k !== undefined ? `k = ${s.spawn[k]} (step ${fmtInt(s.spawnSteps[k])})` : ''; },
            label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${err ? fmtPct(item.parsed.y) : fmt(item.parsed.y, 4)}`,
          },
        },
        llMarkers: {},
      },
    });
  }

  update(m: RunModel, force = false): void {
    this.model = m;
    if (!force && m.rev === this.lastRev) return;
    this.lastRev = m.rev;
    const s = m.result?.instability;
    this.placeholder.hidden = !!s;
    this.body.hidden = !s;
    if (!s) {
      const p = m.progress;
      this.placeholder.textContent = p?.phase === 'train' && p.message ? `${p.message}… (${fmtInt(p.done)}/${fmtInt(p.total)} trainings)`
        : m.status === 'error' || m.status === 'cancelled' ? 'No result.' : 'Training to the spawn points, then two copies from each…';
      return;
    }
    const t = this.ctx.theme;
    const order = s.spawnSteps.map((k, i) => i).sort((p, q) => s.spawnSteps[p] - s.spawnSteps[q]);
    const pts = (ys: number[]): XY[] => order.filter((i) => finite(ys[i])).map((i) => ({ x: s.spawnSteps[i], y: ys[i], k: i }));
    const common = { parsing: false as const, borderWidth: 2 * t.lw, pointRadius: 4, pointHoverRadius: 6, tension: 0 };
    const stable = s.firstStable === null ? undefined : s.spawnSteps[s.spawn.indexOf(s.firstStable)];
    const vline = stable === undefined ? [] : [{ x: stable, label: `first stable k = ${s.firstStable}`, color: t.green }];
    this.err.data.datasets = [{ ...common, label: `error barrier (${s.set})`, data: pts(s.errorBarrier), borderColor: t.red, backgroundColor: t.red }];
    this.err.options.plugins!.llMarkers = { ...markerTheme(t), lines: vline,
      hlines: [{ y: s.tolerance, label: `stable: ≤ ${fmtPct(s.tolerance)}`, color: t.green, dash: [6, 3] }] };
    this.loss.data.datasets = [{ ...common, label: `loss barrier (${s.set})`, data: pts(s.lossBarrier), borderColor: t.blue, backgroundColor: t.blue }];
    this.loss.options.plugins!.llMarkers = { ...markerTheme(t), lines: vline.map((l) => ({ ...l, label: undefined })) };
    for (const c of [this.err, this.loss]) {
      const xs = c.options.scales!.x as { min?: number; max?: number };
      xs.min = 0; xs.max = s.totalSteps; // the whole training: where the spawn points lie in it
      c.update('none');
    }
    this.verdict.className = s.firstStable !== null ? 'll-verdict' : 'll-verdict ll-verdict-bump';
    this.verdict.textContent = s.firstStable !== null
      ? `Stable from k = ${s.firstStable} (step ${fmtInt(stable!)} of ${fmtInt(s.totalSteps)}): from there on the two copies end in one linearly connected basin (error barrier ≤ ${fmtPct(s.tolerance)}).`
      : `Unstable at every spawn point tried: the copies end in different basins (error barrier > ${fmtPct(s.tolerance)}).`;
    this.table.replaceChildren(el('table', { class: 'll-table' },
      el('thead', {}, el('tr', {}, ...['k', 'step', 'error barrier', 'loss barrier', "copies' errors"].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...order.map((i) => el('tr', {}, el('th', { scope: 'row' }, s.spawn[i]), el('td', {}, fmtInt(s.spawnSteps[i])),
        el('td', {}, fmtPct(s.errorBarrier[i])), el('td', {}, fmtSig(s.lossBarrier[i], 4)),
        el('td', {}, `${fmtPct(s.finalError[i][0])} / ${fmtPct(s.finalError[i][1])}`))))));
    this.meta.textContent = `Barriers above the chord on the ${s.set} set, ${s.alpha.length} points of α per line; ${2 * s.spawn.length} copies trained in ${fmtDuration(s.seconds * 1000)}.`;
    const list = order.map((i) => `k = ${s.spawn[i]}: ${fmtPct(s.errorBarrier[i])}`).join(', ');
    this.errCanvas.setAttribute('aria-label', `Error barrier between the two copies vs the spawn step: ${list}. ${this.verdict.textContent}`);
    this.lossCanvas.setAttribute('aria-label', `Loss barrier vs the spawn step: ${order.map((i) => `k = ${s.spawn[i]}: ${fmt(s.lossBarrier[i])}`).join(', ')}.`);
  }

  sections(): PngSection[] {
    if (this.body.hidden) return [];
    return [{ title: 'Instability: barrier between two copies spawned at θ_k vs k', canvases: [this.errCanvas, this.lossCanvas] }];
  }

  charts(): Chart[] { return [this.err, this.loss] as unknown as Chart[]; }
}

