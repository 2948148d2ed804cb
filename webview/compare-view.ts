/**
 * Compare view: variants of one definition (optimizers, learning rates…) trained from the same θ₀.
 * A table of the runs, every run's θ₀ → θ_T train-loss curve on one chart (one colour per run), and
 * the Goodfellow plane of the first run with every run's training path in its colour (the plane view,
 * contour map and 3-D surface). Clicking a run (row or legend) brings it forward on both.
 */
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import type { CompareRun } from '../src/protocol';
import { ChartView, lineChart, lossAxis, markerTheme, xAxis } from './chart-view';
import { Chart, lineLegendLabels } from './charts';
import { el } from './dom';
import { fmt, fmtDuration, fmtPct, fmtSig } from './format';
import type { RunModel } from './state';
import { PlaneView, type PlaneSpec } from './plane-view';
import { withAlpha, type Theme } from './theme';
import type { PngSection } from './exporter';
import type { AnalysisView, ViewContext } from './view';

interface XY { x: number; y: number }

/**
 * One colour per run, the same on the curves chart (theme background) and on the plane (viridis,
 * drawn with a dark halo): red first (the plane's own trajectory is red elsewhere in the panel),
 * then hues away from viridis' purple-blue-green-yellow.
 */
export function runColors(t: Theme, n: number): string[] {
  const light = t.kind === 'light' || t.kind === 'hc-light';
  const base = light
    ? [t.red, '#e07b00', '#c026d3', '#0284c7', '#15803d', '#9f1239', '#6b7280']
    : [t.red, '#ff9f1c', '#f472f6', '#38bdf8', '#a3e635', '#fb7185', '#e5e7eb'];
  return Array.from({ length: n }, (_, k) => base[k % base.length]);
}

export class CompareView extends ChartView implements AnalysisView {
  readonly el: HTMLElement;
  readonly plane: PlaneView;
  private section: HTMLElement;
  private placeholder: HTMLElement;
  private body: HTMLElement;
  private table: HTMLElement;
  private canvas: HTMLCanvasElement;
  private chart: Chart<'line', XY[]>;
  private info: HTMLElement;
  private logBox: HTMLElement & { checked: boolean };

  constructor(ctx: ViewContext) {
    super(ctx);
    this.logBox = this.logYBox();
    this.placeholder = el('div', { class: 'll-placeholder ll-muted' }, 'Every variant is trained from the same θ₀, then compared…');
    this.table = el('div', { class: 'll-table-wrap' });
    this.canvas = el('canvas', { role: 'img', 'aria-label': 'Loss along θ₀ → θ_T of every run (no data yet)' });
    this.info = el('div', { class: 'll-point-info', 'aria-live': 'polite' });
    this.body = el('div', { class: 'll-view' },
      this.table,
      el('div', { class: 'll-panel' },
        el('h3', {}, 'θ₀ → θ', el('sub', {}, 'T'), ' of each run ', el('span', { class: 'll-muted' }, 'train loss along θ(α) = (1−α)·θ₀ + α·θ', el('sub', {}, 'T'), '(run)')),
        el('div', { class: 'll-chart ll-chart-runs' }, this.canvas)),
      this.info);
    this.section = el('section', { class: 'll-view ll-compare', 'aria-label': 'Compare runs' },
      el('div', { class: 'll-view-head' },
        el('h2', {}, 'Compare runs ', el('span', { class: 'll-formula' }, 'same θ₀, one training per variant')),
        el('div', { class: 'll-view-tools' }, this.logBox)),
      this.placeholder, this.body);
    this.chart = new Chart(this.canvas, this.config());
    this.plane = new PlaneView(ctx, this.planeSpec());
    this.plane.el.classList.add('ll-compare-plane');
    this.el = el('div', { class: 'll-compare-views' }, this.section, this.plane.el);
  }

  private runs(m: RunModel | undefined): CompareRun[] { return m?.result?.compare?.runs ?? []; }

  private planeSpec(): PlaneSpec {
    return {
      heading: () => ['Loss plane of the first run ', el('span', { class: 'll-formula' }, 'J(θ + a·u + b·v), every run\'s path')],
      ariaLabel: 'Loss plane of the first run with every run\'s path',
      plane: (m) => m.comparePlane,
      initLabel: 'θ₀ (all runs)',
      finalLabel: 'θ_T',
      trajLabel: (m) => this.runs(m)[0]?.name ?? 'first run',
      pathsTitle: 'Training paths of every run',
      runPaths: (m) => {
        const runs = this.runs(m);
        const colors = runColors(this.ctx.theme, runs.length);
        const sel = this.ctx.ui.selectedRun;
        // The selected run on top, the others faded (the legend keeps the full colours).
        return runs.map((r, k) => ({
          a: r.path?.a ?? [], b: r.path?.b ?? [], label: r.name, color: colors[k], top: sel === k,
          faded: sel !== undefined && sel !== k,
        }));
      },
      meta: (p) => `goodfellow directions of '${this.runs(this.model)[0]?.name ?? 'the first run'}'${p.norms ? ` (‖u‖ = ${fmt(p.norms[0])}, ‖v‖ = ${fmt(p.norms[1])})` : ''}; every run's snapshots projected on it`,
      waiting: () => 'The plane is probed after the trainings…',
    };
  }

  private config(): ChartConfiguration<'line', XY[]> {
    const t = this.ctx.theme;
    return lineChart(t, {
      onClick: (e, els, chart) => {
        const hit = els[0] ?? (e.native ? chart.getElementsAtEventForMode(e.native, 'nearest', { intersect: false }, false)[0] : undefined);
        if (hit) this.select(hit.datasetIndex);
      },
      scales: { x: xAxis(t, 'α'), y: lossAxis(t, 'train loss') },
      plugins: {
        legend: {
          position: 'top', align: 'end',
          labels: lineLegendLabels(),
          onClick: (_e, item) => { if (item.datasetIndex !== undefined) this.select(item.datasetIndex); },
        },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'line'>[]) => `α = ${fmt(items[0]?.parsed.x ?? NaN)}`,
            label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${fmt(item.parsed.y, 4)}`,
          },
        },
        llMarkers: {},
      },
    });
  }

  /** Select a run (toggle): its curve and path come forward, its numbers are shown. */
  select(k: number): void {
    this.ctx.ui.selectedRun = this.ctx.ui.selectedRun === k ? undefined : k;
    this.ctx.saveUi();
    if (this.model) this.update(this.model, true);
  }

  update(m: RunModel, force = false): void {
    this.model = m;
    if (!force && m.rev === this.lastRev) return;
    this.lastRev = m.rev;
    const runs = this.runs(m);
    this.placeholder.hidden = runs.length > 0;
    this.body.hidden = !runs.length;
    this.plane.el.hidden = !m.comparePlane;
    if (!runs.length) {
      const p = m.progress;
      this.placeholder.textContent = p?.message ? `${p.message}… (${p.done + 1 > p.total ? p.total : p.done + 1} of ${p.total} steps)`
        : m.status === 'error' || m.status === 'cancelled' ? 'No result.' : 'Every variant is trained from the same θ₀, then compared…';
      if (m.comparePlane) this.plane.update(m, force);
      return;
    }
    const t = this.ctx.theme;
    const colors = runColors(t, runs.length);
    const sel = this.ctx.ui.selectedRun;
    const log = this.ctx.ui.logY;
    this.chart.data.datasets = runs.map((r, k) => {
      const data = r.curve.alpha.map((x, i) => ({ x, y: r.curve.trainLoss[i] })).filter((p) => p.y !== null && Number.isFinite(p.y))
        .map((p) => ({ x: p.x, y: log ? Math.max(p.y, 1e-12) : p.y }));
      const dim = sel !== undefined && sel !== k;
      const col = dim ? withAlpha(colors[k], 0.35) : colors[k];
      return {
        label: r.name, data, parsing: false as const, borderColor: col, backgroundColor: col, tension: 0,
        borderWidth: (sel === k ? 3.2 : 2) * t.lw, pointRadius: data.length > 60 ? 0 : 2, pointHoverRadius: 5, order: sel === k ? 0 : k + 1,
      };
    });
    const ys = this.chart.options.scales!.y as Record<string, unknown>;
    ys.type = log ? 'logarithmic' : 'linear';
    ys.beginAtZero = !log;
    this.chart.options.plugins!.llMarkers = {
      lines: [{ x: 0, label: 'θ₀ (shared)' }, { x: 1, label: 'θ_T (each run)' }],
      ...markerTheme(t), note: runs.every((r) => r.curve.monotone) ? 'every run: monotone on [0,1]' : null,
    };
    this.chart.update('none');
    this.renderTable(runs, colors, sel);
    this.renderInfo(runs, sel);
    this.canvas.setAttribute('aria-label', `Line chart of the train loss along θ₀ → θT for ${runs.length} runs: ` +
      runs.map((r) => `${r.name} ${fmt(r.curve.trainLoss[r.curve.alpha.findIndex((a) => Math.abs(a) < 1e-9)])} at α = 0, ${fmt(r.curve.trainLoss[r.curve.alpha.findIndex((a) => Math.abs(a - 1) < 1e-9)])} at α = 1${r.curve.monotone ? ', monotone' : `, barrier ${fmt(r.curve.barrier)}`}`).join('; ') + '.');
    if (m.comparePlane) this.plane.update(m, true);
  }

  private renderTable(runs: CompareRun[], colors: string[], sel: number | undefined): void {
    const hasTest = runs.some((r) => r.finalTestLoss !== null);
    const hasAcc = runs.some((r) => r.finalTestAccuracy !== null);
    const bestK = runs.reduce((b, r, k) => (r.finalTrainLoss < runs[b].finalTrainLoss ? k : b), 0);
    const head = el('tr', {},
      el('th', { scope: 'col', class: 'll-txt' }, 'run'), el('th', { scope: 'col' }, 'final train loss'),
      hasTest ? el('th', { scope: 'col' }, 'test loss') : null, hasAcc ? el('th', { scope: 'col' }, 'test acc') : null,
      el('th', { scope: 'col', class: 'll-txt' }, 'θ₀ → θT line'), el('th', { scope: 'col' }, 'θT on the plane (a, b)'), el('th', { scope: 'col' }, 'trained in'));
    const rows = runs.map((r, k) => {
      const sw = el('span', { class: 'll-swatch', 'aria-hidden': 'true' });
      sw.style.background = colors[k];
      const n = r.path?.a?.length ?? 0;
      const tr = el('tr', { class: `ll-run-row${sel === k ? ' ll-run-selected' : ''}`, tabindex: '0', 'aria-selected': String(sel === k), 'data-index': String(k) },
        el('th', { scope: 'row', class: 'll-txt' }, sw, r.name, k === 0 ? el('span', { class: 'll-muted' }, ' (plane)') : null),
        el('td', {}, fmtSig(r.finalTrainLoss, 4), k === bestK ? el('span', { class: 'll-pill ll-pill-best', title: 'Lowest final train loss' }, 'best') : null),
        hasTest ? el('td', {}, fmtSig(r.finalTestLoss, 4)) : null,
        hasAcc ? el('td', {}, fmtPct(r.finalTestAccuracy)) : null,
        el('td', { class: 'll-txt' }, r.curve.monotone ? 'monotone' : `barrier ${fmt(r.curve.barrier)}`),
        el('td', {}, n ? `(${fmt(r.path.a[n - 1], 2)}, ${fmt(r.path.b[n - 1], 2)})` : '–'),
        el('td', {}, fmtDuration(r.trainSeconds * 1000)));
      tr.addEventListener('click', () => this.select(k));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.select(k); } });
      return tr;
    });
    this.table.replaceChildren(el('table', { class: 'll-table ll-compare-table' }, el('thead', {}, head), el('tbody', {}, ...rows)));
  }

  private renderInfo(runs: CompareRun[], sel: number | undefined): void {
    const r = sel !== undefined ? runs[sel] : undefined;
    if (!r) { this.info.textContent = 'Click a run (row or legend) to bring its curve and path forward.'; return; }
    const n = r.path?.a?.length ?? 0;
    const parts = [`${r.name}`, `final train loss ${fmt(r.finalTrainLoss, 4)}`];
    if (r.finalTestLoss !== null) parts.push(`test ${fmt(r.finalTestLoss, 4)}`);
    if (r.finalTestAccuracy !== null) parts.push(`test acc ${fmtPct(r.finalTestAccuracy)}`);
    parts.push(r.curve.monotone ? 'θ₀ → θT monotone' : `θ₀ → θT barrier ${fmt(r.curve.barrier)}`);
    if (n) parts.push(`ends at (${fmt(r.path.a[n - 1])}, ${fmt(r.path.b[n - 1])}) on the plane of '${runs[0].name}'`);
    this.info.textContent = parts.join(' · ');
  }

  sections(): PngSection[] {
    const out: { title: string; canvases: HTMLCanvasElement[] }[] = [];
    const runs = this.runs(this.model);
    if (!this.body.hidden) out.push({ title: `θ₀ → θT of ${runs.length} runs (${runs.map((r) => r.name).join(', ')})`, canvases: [this.canvas] });
    if (!this.plane.el.hidden) out.push({ title: `Loss plane of '${runs[0]?.name ?? 'the first run'}' with every run's path`, canvases: this.plane.canvases() });
    return out;
  }

  charts(): Chart[] { return [this.chart as unknown as Chart]; }

  protected parts() { return [this.plane]; }

}
