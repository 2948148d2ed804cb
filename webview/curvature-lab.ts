/**
 * The curvature view's lab panels: the eigenvalue spectral density (stochastic Lanczos
 * quadrature) on a log-density axis with the top eigenvalues and the bulk edge marked, and the
 * per-layer blocks (λ_max and λ_min of each layer's own parameters) as a bar chart and a table.
 */
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import type { CurvatureResult } from '../src/protocol';
import { AXIS_W, barChart, lineChart, markerTheme, xAxis } from './chart-view';
import { Chart, fixedWidth, lineLegendLabels, subDigits } from './charts';
import { el } from './dom';
import { fmt, fmtInt, fmtTick, logTicks } from './format';
import { withAlpha, type Theme } from './theme';

interface XY { x: number; y: number }
interface Bar { x: number; y: number; name: string }

/** The density is drawn down to this fraction of its peak (the log axis' floor). */
const FLOOR = 1e-7;

export class CurvatureLab {
  readonly el: HTMLElement;
  readonly densityCanvas: HTMLCanvasElement;
  readonly layersCanvas: HTMLCanvasElement;
  private densityPanel: HTMLElement;
  private layersPanel: HTMLElement;
  private densityCaption: HTMLElement;
  private table: HTMLTableElement;
  private density: Chart<'line', XY[]>;
  private layers: Chart<'bar', Bar[]>;
  private layerNames: string[] = [];

  constructor(theme: Theme) {
    this.densityCanvas = el('canvas', { role: 'img', 'aria-label': 'Spectral density (no data yet)' });
    this.layersCanvas = el('canvas', { role: 'img', 'aria-label': 'Curvature per layer (no data yet)' });
    this.densityCaption = el('p', { class: 'll-curv-density-caption ll-muted' });
    this.table = el('table', { class: 'll-table ll-curv-layers' });
    this.densityPanel = el('div', { class: 'll-panel' },
      el('h3', {}, 'Spectral density ', el('span', { class: 'll-muted' }, 'stochastic Lanczos quadrature, log density')),
      el('div', { class: 'll-chart ll-chart-density' }, this.densityCanvas), this.densityCaption);
    this.layersPanel = el('div', { class: 'll-panel' },
      el('h3', {}, 'Per layer ', el('span', { class: 'll-muted' }, 'each layer\'s own block: λ', el('sub', {}, 'max'), ' and λ', el('sub', {}, 'min'))),
      el('div', { class: 'll-chart ll-chart-layers' }, this.layersCanvas), el('div', { class: 'll-table-wrap' }, this.table));
    this.el = el('div', { class: 'll-grid2 ll-curv-lab' }, this.densityPanel, this.layersPanel);
    this.density = new Chart(this.densityCanvas, this.densityConfig(theme));
    this.layers = new Chart(this.layersCanvas, this.layersConfig(theme));
  }

  private densityConfig(t: Theme): ChartConfiguration<'line', XY[]> {
    return lineChart(t, {
      scales: {
        x: xAxis(t, 'eigenvalue', true, { includeBounds: false }),
        y: {
          type: 'logarithmic', title: { display: true, text: 'density', color: t.fg }, grid: { color: t.grid }, border: { color: t.border },
          ticks: { color: t.muted, callback: (v) => fmtTick(+v), autoSkip: false },
          afterBuildTicks: (scale) => { const ticks = logTicks(scale.min, scale.max, 6, 1); if (ticks.length >= 2) scale.ticks = ticks.map((value) => ({ value })); },
          afterFit: fixedWidth(AXIS_W),
        },
      },
      plugins: {
        legend: { position: 'top', align: 'end', labels: lineLegendLabels() },
        tooltip: { callbacks: { title: (items: TooltipItem<'line'>[]) => `λ = ${fmt(items[0]?.parsed.x ?? NaN, 4)}`, label: (item: TooltipItem<'line'>) => `density ${fmt((item.raw as XY).y, 3)}` } },
        llMarkers: {},
      },
    });
  }

  private layersConfig(t: Theme): ChartConfiguration<'bar', Bar[]> {
    return barChart(t, {
      scales: {
        x: {
          type: 'linear', offset: false, grid: { display: false }, border: { color: t.border },
          ticks: { color: t.muted, autoSkip: false, maxRotation: 0, callback: (v) => (Number.isInteger(+v) ? this.layerNames[+v - 1] ?? '' : '') },
          afterBuildTicks: (scale) => { scale.ticks = this.layerNames.map((_, i) => ({ value: i + 1 })); },
        },
        y: { type: 'linear', title: { display: true, text: 'eigenvalue', color: t.fg }, grid: { color: t.grid }, border: { color: t.border },
          ticks: { color: t.muted, callback: (v) => fmtTick(+v) }, afterFit: fixedWidth(AXIS_W) },
      },
      plugins: {
        legend: { position: 'top', align: 'end' },
        tooltip: { callbacks: { title: (items: TooltipItem<'bar'>[]) => (items[0]?.raw as Bar | undefined)?.name ?? '', label: (item: TooltipItem<'bar'>) => `${item.dataset.label}: ${fmt((item.raw as Bar).y, 4)}` } },
        llMarkers: {},
      },
    });
  }

  render(c: CurvatureResult, t: Theme): void {
    this.renderDensity(c, t);
    this.renderLayers(c, t);
  }

  private renderDensity(c: CurvatureResult, t: Theme): void {
    const d = c.density;
    this.densityPanel.hidden = !d;
    if (!d) return;
    const peak = Math.max(...d.density.filter(Number.isFinite));
    const floor = peak * FLOOR;
    const pts = d.x.map((x, i) => ({ x, y: Math.max(d.density[i] ?? 0, floor) }));
    this.density.data.datasets = [{ label: `density (${d.runs} run${d.runs === 1 ? '' : 's'} × ${d.steps} steps)`, data: pts, parsing: false,
      borderColor: t.blue, backgroundColor: withAlpha(t.blue, 0.15), fill: 'start', borderWidth: 1.5 * t.lw, pointRadius: 0, tension: 0 }];
    const x = this.density.options.scales!.x as Record<string, unknown>;
    x.min = d.x[0]; x.max = d.x[d.x.length - 1];
    const y = this.density.options.scales!.y as Record<string, unknown>;
    y.min = floor; y.max = peak * 3;
    const k = Math.min(c.eigenvalues.length, 5);
    this.density.options.plugins!.llMarkers = {
      ...markerTheme(t),
      lines: [
        ...c.eigenvalues.slice(0, k).map((v, i) => ({ x: v, label: i === 0 ? 'λ₁' : i === k - 1 ? `λ${subDigits(k)}` : undefined, color: withAlpha(t.orange, 0.8), dash: [4, 3], labelRow: i === 0 ? 0 : 1 })),
        { x: d.bulkEdge, label: 'bulk edge', color: withAlpha(t.green, 0.9), textColor: t.fg, labelRow: 2 },
      ],
    };
    this.density.update('none');
    this.densityCaption.textContent = `${d.outliers} outlier${d.outliers === 1 ? '' : 's'} above the bulk (edge at ${fmt(d.bulkEdge)}); Gaussian broadening σ = ${fmt(d.sigma, 2)}; ` +
      `moments ${fmt(d.moments[0], 3)} (trace / n), ${fmt(d.moments[1], 3)} (trace of the square / n). Dashed: the top ${k} eigenvalues (Lanczos).`;
    this.densityCanvas.setAttribute('aria-label', `Line chart of the eigenvalue spectral density on a logarithmic axis, from ${fmt(d.x[0])} to ${fmt(d.x[d.x.length - 1])}: ` +
      `${d.outliers} outliers above the bulk edge at ${fmt(d.bulkEdge)}; top eigenvalues ${c.eigenvalues.slice(0, k).map((v) => fmt(v)).join(', ')}.`);
  }

  private renderLayers(c: CurvatureResult, t: Theme): void {
    const ls = c.layers ?? [];
    this.layersPanel.hidden = ls.length === 0;
    if (!ls.length) return;
    this.layerNames = ls.map((l) => l.name.replace(/_[A-Z]\w*?(\d+)$/, '$1'));
    const bars = (f: (l: typeof ls[number]) => number): Bar[] => ls.map((l, i) => ({ x: i + 1, y: f(l), name: l.name }));
    const common = { parsing: false as const, barPercentage: 0.8, categoryPercentage: 0.6, borderWidth: t.hc ? 2 : 1 };
    this.layers.data.datasets = [
      { ...common, label: 'λmax', data: bars((l) => l.lambdaMax), backgroundColor: withAlpha(t.blue, 0.8), borderColor: t.blue },
      { ...common, label: 'λmin', data: bars((l) => l.lambdaMin), backgroundColor: withAlpha(t.orange, 0.8), borderColor: t.orange },
    ];
    const x = this.layers.options.scales!.x as Record<string, unknown>;
    x.min = 0.4; x.max = ls.length + 0.6;
    this.layers.options.plugins!.llMarkers = { ...markerTheme(t), hlines: [{ y: 0, color: withAlpha(t.fg, 0.6), width: t.lw }] };
    this.layers.update('none');
    const top = ls.reduce((a, b) => (b.lambdaMax > a.lambdaMax ? b : a));
    const cell = (v: string, cls?: string) => el('td', cls ? { class: cls } : {}, v);
    this.table.replaceChildren(
      el('thead', {}, el('tr', {}, ...['layer', 'parameters', 'λmax', 'λmin', 'trace'].map((h, i) => el('th', i === 0 ? { class: 'll-txt' } : {}, h)))),
      el('tbody', {}, ...ls.map((l) => el('tr', l === top ? { class: 'll-curv-sharpest', title: 'the sharpest layer' } : {},
        el('th', { scope: 'row', class: 'll-txt' }, l === top ? `${l.name} ★` : l.name), cell(fmtInt(l.parameters)), cell(fmt(l.lambdaMax, 4)), cell(fmt(l.lambdaMin, 3)),
        cell(l.traceSE ? `${fmt(l.trace, 4)} ± ${fmt(l.traceSE, 2)}` : fmt(l.trace, 4))))));
    this.layersCanvas.setAttribute('aria-label', `Bar chart of each layer's largest and smallest block eigenvalue: ${ls.map((l) => `${l.name} ${fmt(l.lambdaMax)} / ${fmt(l.lambdaMin)}`).join('; ')}; the sharpest layer is ${top.name}.`);
  }

  canvases(): HTMLCanvasElement[] {
    return [...(this.densityPanel.hidden ? [] : [this.densityCanvas]), ...(this.layersPanel.hidden ? [] : [this.layersCanvas])];
  }

  charts(): Chart[] { return [this.density, this.layers] as unknown as Chart[]; }
}
