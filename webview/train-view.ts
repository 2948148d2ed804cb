/** Training curve: loss per recorded step window (thin) and per epoch (markers), live while training. */
import type { ChartConfiguration, Point, TooltipItem } from 'chart.js';
import { traitsOf } from './analyses';
import { ChartView, lineChart, lossAxis, xAxis } from './chart-view';
import { Chart } from './charts';
import { el } from './dom';
import { fmt, fmtInt, fmtPct } from './format';
import type { RunModel } from './state';
import { withAlpha } from './theme';
import type { ViewContext } from './view';

export class TrainView extends ChartView {
  readonly el: HTMLElement;
  private canvas: HTMLCanvasElement;
  private chart: Chart<'line', Point[]>;
  private meta: HTMLElement;
  private heading: HTMLElement;

  constructor(ctx: ViewContext) {
    super(ctx);
    this.canvas = el('canvas', { role: 'img', 'aria-label': 'Training loss (no data yet)' });
    this.meta = el('div', { class: 'll-train-meta ll-muted' });
    this.heading = el('h2', {}, 'Training');
    this.el = el('section', { class: 'll-view ll-train', 'aria-label': 'Training' },
      el('div', { class: 'll-view-head' }, this.heading, this.meta),
      el('div', { class: 'll-chart ll-chart-train' }, this.canvas));
    this.chart = new Chart(this.canvas, this.config());
  }

  canvases(): HTMLCanvasElement[] { return [this.canvas]; }
  charts(): Chart[] { return [this.chart as unknown as Chart]; }

  private config(): ChartConfiguration<'line', Point[]> {
    const t = this.ctx.theme;
    return lineChart(t, {
      layout: { padding: { right: 8 } },
      scales: {
        x: { ...xAxis(t, 'epoch'), title: { display: true, text: 'epoch', color: t.fg, padding: 0 } },
        y: { ...lossAxis(t, 'loss', 4), beginAtZero: true },
      },
      plugins: {
        legend: { position: 'top', align: 'end', labels: { boxWidth: 18, boxHeight: 2, padding: 6 } },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'line'>[]) => `epoch ${fmt(items[0]?.parsed.x ?? NaN)}`,
            label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${fmt(item.parsed.y, 4)}`,
          },
        },
      },
    });
  }

  update(m: RunModel, force = false): void {
    this.model = m;
    if (!force && m.rev === this.lastRev) return;
    this.lastRev = m.rev;
    const t = this.ctx.theme;
    const tr = m.train;
    this.heading.textContent = this.title(m);
    let perStep: Point[] = [];
    let perEpoch: Point[] = [];
    if (tr) {
      const spe = tr.epochs > 0 ? tr.steps / tr.epochs : 1;
      perStep = tr.lossPerStep.step.map((s, k) => ({ x: s / (spe || 1), y: tr.lossPerStep.loss[k] }));
      perEpoch = tr.lossPerEpoch.map((y, k) => ({ x: k + 1, y }));
    } else if (m.epochs.length) {
      // Live: epochs may be 0- or 1-based; plot each at the end of its epoch.
      const base = m.epochs[0].epoch === 0 ? 1 : 0;
      perEpoch = m.epochs.map((e) => ({ x: e.epoch + base, y: e.loss }));
    }
    const lw = t.lw;
    this.chart.data.datasets = [
      { label: 'per step (window mean)', data: perStep.filter((p) => Number.isFinite(p.y)), parsing: false, borderColor: withAlpha(t.blue, 0.55),
        backgroundColor: withAlpha(t.blue, 0.55), borderWidth: 1.2 * lw, pointRadius: 0, pointHoverRadius: 3 },
      { label: 'per epoch', data: perEpoch.filter((p) => Number.isFinite(p.y)), parsing: false, borderColor: t.blue, backgroundColor: t.blue,
        borderWidth: 2 * lw, pointRadius: perEpoch.length > 60 ? 0 : 3, pointHoverRadius: 5 },
    ];
    if (!perStep.length) this.chart.data.datasets.shift();
    const xs = this.chart.options.scales!.x as { min?: number; max?: number };
    const totalEpochs = tr?.epochs;
    xs.min = 0;
    xs.max = totalEpochs && totalEpochs > 0 ? totalEpochs : undefined;
    this.chart.update('none');

    const parts: string[] = [];
    if (tr) {
      parts.push(`${tr.epochs} epoch${tr.epochs === 1 ? '' : 's'}, ${fmtInt(tr.steps)} steps, ${fmtInt(tr.parameters)} parameters`);
      parts.push(`final train loss ${fmt(tr.finalTrainLoss, 4)}${tr.finalTrainAccuracy !== null ? ` (${fmtPct(tr.finalTrainAccuracy)})` : ''}`);
      parts.push(`test ${fmt(tr.finalTestLoss, 4)}${tr.finalTestAccuracy !== null ? ` (${fmtPct(tr.finalTestAccuracy)})` : ''}`);
    } else if (m.epochs.length) {
      const last = m.epochs[m.epochs.length - 1];
      parts.push(`epoch ${last.epoch + (m.epochs[0].epoch === 0 ? 1 : 0)}: loss ${fmt(last.loss, 4)}`);
    }
    this.meta.textContent = parts.join(' · ');
    const first = perEpoch[0]?.y, last = perEpoch[perEpoch.length - 1]?.y;
    this.canvas.setAttribute('aria-label', perEpoch.length
      ? `Training loss per epoch: ${fmt(first)} after epoch 1, ${fmt(last)} after epoch ${perEpoch.length}.`
      : 'Training loss (no data yet)');
  }

  /** Section title: a survey's training summary is its best run's (the analysis' `trainTitle`). */
  title(m: RunModel): string {
    return traitsOf(m.analysis)?.trainTitle?.(m) ?? 'Training';
  }

}
