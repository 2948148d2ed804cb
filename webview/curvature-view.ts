/**
 * Curvature view: the Hessian of the train loss at θ_T. The verdict (minimum / saddle / flat) as a
 * headline, the spectrum (top-k eigenvalues by Lanczos and λ_min) as stems on a symlog axis with its
 * zero line, the trace ± its standard error (Hutch++ or Hutchinson), the loss along the top and bottom
 * eigenvectors J(θ_T + t·v) on one chart, the spectral density and the per-layer blocks
 * (./curvature-lab), and λ_max / λ_min along the training path.
 */
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import type { CurvatureResult } from '../src/protocol';
import { AXIS_W, barChart, ChartView, lineChart, lossAxis, markerTheme, xAxis } from './chart-view';
import { Chart, fixedWidth, subDigits, lineLegendLabels } from './charts';
import { el, rich } from './dom';
import { fmt, fmtDuration, fmtInt, fmtTick } from './format';
import type { RunModel } from './state';
import { fmtSym, symlogFor, type Symlog } from './symlog';
import { withAlpha, type Theme } from './theme';
import type { PngSection } from './exporter';
import type { AnalysisView, ViewContext } from './view';
import { CurvatureLab } from './curvature-lab';

interface Bar { x: number; y: number; label: string; value: number }
interface XY { x: number; y: number; v: number }

const VERDICT_WORD: Record<string, string> = { saddle: 'Saddle point', minimum: 'Minimum', flat: 'Flat' };

/** The headline's sentence for a verdict (numbers of the result). */
export function verdictDetail(c: CurvatureResult): string {
  const lmax = c.eigenvalues[0];
  switch (c.verdict) {
    case 'saddle': return `λ_{min} = ${fmt(c.lambdaMin)} < 0: the loss still decreases along the bottom eigenvector (λ_{max} = ${fmt(lmax)}).`;
    case 'minimum': return `no negative curvature found (λ_{min} = ${fmt(c.lambdaMin)}, λ_{max} = ${fmt(lmax)}): θ_T sits in a valley.`;
    case 'flat': return `λ_{max} = ${fmt(lmax)} ≈ 0: no curvature measurable at θ_T.`;
    default: return c.verdictText;
  }
}

export class CurvatureView extends ChartView implements AnalysisView {
  readonly el: HTMLElement;
  private verdict: HTMLElement;
  private stats: HTMLElement;
  private placeholder: HTMLElement;
  private body: HTMLElement;
  private specCanvas: HTMLCanvasElement;
  private sliceCanvas: HTMLCanvasElement;
  private pathCanvas: HTMLCanvasElement;
  private spectrum: Chart<'bar', Bar[]>;
  private slices: Chart<'line', XY[]>;
  private path: Chart<'line', XY[]>;
  private notes: HTMLElement;
  /** The spectral density and the per-layer blocks (./curvature-lab). */
  private lab: CurvatureLab;
  private specSym?: Symlog;
  private pathSym?: Symlog;

  constructor(ctx: ViewContext) {
    super(ctx);
    this.verdict = el('p', { class: 'll-curv-verdict', role: 'status' });
    this.stats = el('p', { class: 'll-stats' });
    this.placeholder = el('div', { class: 'll-placeholder ll-muted' }, 'The Hessian at θ', el('sub', {}, 'T'), ' is probed once training is done…');
    this.specCanvas = el('canvas', { role: 'img', 'aria-label': 'Hessian spectrum (no data yet)' });
    this.sliceCanvas = el('canvas', { role: 'img', 'aria-label': 'Loss along the eigenvectors (no data yet)' });
    this.pathCanvas = el('canvas', { role: 'img', 'aria-label': 'Curvature along the training path (no data yet)' });
    this.notes = el('p', { class: 'll-caption ll-muted' });
    this.lab = new CurvatureLab(ctx.theme);
    this.body = el('div', { class: 'll-curv-body ll-view' },
      this.verdict, this.stats,
      el('div', { class: 'll-grid2' },
        el('div', { class: 'll-panel' },
          el('h3', {}, 'Spectrum ', el('span', { class: 'll-muted' }, 'top eigenvalues and λ', el('sub', {}, 'min'), ', symlog axis')),
          el('div', { class: 'll-chart ll-chart-spectrum' }, this.specCanvas)),
        el('div', { class: 'll-panel' },
          el('h3', {}, 'Loss along the extreme eigenvectors ', el('span', { class: 'll-muted' }, 'J(θ', el('sub', {}, 'T'), ' + t·v)')),
          el('div', { class: 'll-chart ll-chart-slices' }, this.sliceCanvas))),
      this.lab.el,
      el('div', { class: 'll-panel' },
        el('h3', {}, 'Curvature along the training path ', el('span', { class: 'll-muted' }, 'λ', el('sub', {}, 'max'), ' and λ', el('sub', {}, 'min'), ' at training snapshots (fixed-length Lanczos: estimates), symlog axis')),
        el('div', { class: 'll-chart ll-chart-path' }, this.pathCanvas)),
      this.notes);
    this.el = el('section', { class: 'll-view ll-curv', 'aria-label': 'Curvature' },
      el('div', { class: 'll-view-head' },
        el('h2', {}, 'Curvature at θ', el('sub', {}, 'T'), ' ', el('span', { class: 'll-formula' }, 'Hessian ∇²J(θ', el('sub', {}, 'T'), '): Lanczos top-k, spectral density, Hutch++ trace, per layer'))),
      this.placeholder, this.body);
    this.spectrum = new Chart(this.specCanvas, this.specConfig());
    this.slices = new Chart(this.sliceCanvas, this.lineConfig('t', (x) => `t = ${fmt(x)}`, false));
    this.path = new Chart(this.pathCanvas, this.lineConfig('training step', (x) => `step ${fmtInt(x)}`, true));
  }

  private symTicks(which: 'spec' | 'path') {
    return (scale: { min: number; max: number; ticks: { value: number }[] }) => {
      const s = which === 'spec' ? this.specSym : this.pathSym;
      if (s) scale.ticks = s.ticks(scale.min, scale.max).map((value) => ({ value }));
    };
  }

  private symLabel(which: 'spec' | 'path') {
    return (v: string | number) => {
      const s = which === 'spec' ? this.specSym : this.pathSym;
      return s ? fmtSym(s.inv(+v)) : fmtTick(+v);
    };
  }

  private specConfig(): ChartConfiguration<'bar', Bar[]> {
    const t = this.ctx.theme;
    return barChart(t, {
      scales: {
        x: {
          type: 'linear', offset: false, grid: { display: false }, border: { color: t.border },
          ticks: { color: t.muted, autoSkip: false, maxRotation: 0, callback: (v) => this.specTickLabel(+v) },
          afterBuildTicks: (scale) => { scale.ticks = this.specXTicks().map((value) => ({ value })); },
        },
        y: {
          type: 'linear', title: { display: true, text: 'eigenvalue', color: t.fg },
          grid: { color: t.grid }, border: { color: t.border },
          ticks: { color: t.muted, callback: this.symLabel('spec'), autoSkip: false },
          afterBuildTicks: this.symTicks('spec'), afterFit: fixedWidth(AXIS_W),
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'bar'>[]) => (items[0]?.raw as Bar | undefined)?.label ?? '',
            label: (item: TooltipItem<'bar'>) => fmt((item.raw as Bar).value, 4),
          },
        },
        llMarkers: {},
      },
    });
  }

  private specXTicks(): number[] {
    const c = this.model?.result?.curvature;
    if (!c) return [];
    const k = c.eigenvalues.length;
    return [...Array.from({ length: k }, (_, i) => i + 1), k + 2];
  }

  private specTickLabel(x: number): string {
    const c = this.model?.result?.curvature;
    if (!c) return '';
    const k = c.eigenvalues.length;
    if (Math.abs(x - (k + 2)) < 1e-9) return 'λmin';
    return Number.isInteger(x) && x >= 1 && x <= k ? `λ${subDigits(x)}` : '';
  }

  private lineConfig(xTitle: string, title: (x: number) => string, sym: boolean): ChartConfiguration<'line', XY[]> {
    const t = this.ctx.theme;
    return lineChart(t, {
      scales: {
        x: xAxis(t, xTitle, true, { includeBounds: false }),
        y: sym ? {
          type: 'linear', title: { display: true, text: 'eigenvalue', color: t.fg },
          grid: { color: t.grid }, border: { color: t.border },
          ticks: { color: t.muted, callback: this.symLabel('path'), autoSkip: false },
          afterBuildTicks: this.symTicks('path'), afterFit: fixedWidth(AXIS_W),
        } : lossAxis(t, 'train loss', 6),
      },
      plugins: {
        legend: { position: 'top', align: 'end', labels: lineLegendLabels() },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'line'>[]) => title(items[0]?.parsed.x ?? NaN),
            label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${fmt((item.raw as XY).v, 4)}`,
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
    const c = m.result?.curvature;
    this.placeholder.hidden = !!c;
    this.body.hidden = !c;
    if (!c) {
      const p = m.progress;
      this.placeholder.textContent = p?.phase === 'probe' && p.message ? `${p.message}… (${fmtInt(p.done)}/${fmtInt(p.total)} Hessian-vector products and evaluations)`
        : m.status === 'error' || m.status === 'cancelled' ? 'No curvature result.' : 'The Hessian at θT is probed once training is done…';
      return;
    }
    const t = this.ctx.theme;
    this.renderVerdict(c);
    this.renderSpectrum(c, t);
    this.renderSlices(c, t);
    this.renderPath(c, t, m);
    this.lab.render(c, t);
  }

  private renderVerdict(c: CurvatureResult): void {
    const v = VERDICT_WORD[c.verdict] ? c.verdict : 'flat';
    this.verdict.className = `ll-curv-verdict ll-curv-${v}`;
    this.verdict.title = c.verdictText;
    this.verdict.replaceChildren(el('span', { class: 'll-curv-word' }, VERDICT_WORD[c.verdict] ?? c.verdict), el('span', { class: 'll-curv-detail' }, ...rich(verdictDetail(c))));
    const stat = (name: string, value: string, title?: string) => el('span', title ? { title } : {}, el('span', { class: 'll-stat-name' }, `${name} `), value);
    const k = c.eigenvalues.length;
    this.stats.replaceChildren(
      stat('λmax', fmt(c.eigenvalues[0], 4)),
      stat('λmin', c.lambdaMinResidual !== undefined ? `${fmt(c.lambdaMin, 4)} ± ${fmt(c.lambdaMinResidual, 2)}` : fmt(c.lambdaMin, 4),
        'The Lanczos residual ‖Hv − λv‖ bounds the error of λmin'),
      ...(c.converged === false ? [el('span', { class: 'll-badge ll-badge-warn', title: `Lanczos did not converge in ${c.lanczosSteps} steps: the eigenvalues are estimates within their residuals` }, 'estimates')] : []),
      stat('trace', c.traceExact ? `${fmt(c.trace, 4)} (exact)` : `${fmt(c.trace, 4)} ± ${fmt(c.traceSE, 2)}`, c.traceExact ? 'Exact trace (few parameters)' : `${c.traceMethod ?? 'Hutchinson'} estimate ± its standard error`),
      stat('‖∇J‖', fmt(c.gradNorm, 3), 'Gradient norm at θ_T (a true critical point has 0)'),
      stat('J(θT)', fmt(c.loss, 4)),
      stat('on', `${fmtInt(c.examples)} training examples`),
      stat('by', `${c.method}${k ? `, top ${k}` : ''}`),
      ...(c.operator === 'ggn' ? [stat('operator', 'Gauss–Newton JᵀHJ', `The generalized Gauss–Newton matrix (split at the ${c.ggnSplit ?? 'output'}): positive semi-definite`)] : []),
      ...(c.traceMethod && !c.traceExact ? [stat('trace by', `${c.traceMethod}, ${fmtInt(c.traceProducts ?? 0)} products${c.traceReached === false ? ' (target error not reached)' : ''}`)] : []),
      stat('in', fmtDuration(c.seconds * 1000)),
    );
  }

  private renderSpectrum(c: CurvatureResult, t: Theme): void {
    const k = c.eigenvalues.length;
    const values = [...c.eigenvalues, c.lambdaMin];
    const sym = (this.specSym = symlogFor(values));
    const num = (v: number | null) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
    const bars: Bar[] = c.eigenvalues.map((v, i) => ({ x: i + 1, y: sym.f(num(v)), label: `λ${subDigits(i + 1)} (top ${i + 1})`, value: num(v) }));
    bars.push({ x: k + 2, y: sym.f(num(c.lambdaMin)), label: 'λmin (bottom)', value: num(c.lambdaMin) });
    const minColor = c.lambdaMin < 0 ? t.orange : t.green;
    const colors = bars.map((b, i) => (i === k ? minColor : t.blue));
    this.spectrum.data.datasets = [{
      data: bars, parsing: false, backgroundColor: colors.map((col) => withAlpha(col, 0.8)), borderColor: colors, borderWidth: t.hc ? 2 : 1,
      barPercentage: 0.5, categoryPercentage: 1,
    }];
    const ys = bars.map((b) => b.y).filter(Number.isFinite);
    const lo = Math.min(0, ...ys), hi = Math.max(0, ...ys);
    const pad = Math.max(0.15, (hi - lo) * 0.12);
    const y = this.spectrum.options.scales!.y as Record<string, unknown>;
    y.min = lo < 0 ? lo - pad : 0;
    y.max = hi + pad;
    const x = this.spectrum.options.scales!.x as Record<string, unknown>;
    x.min = 0.3; x.max = k + 2.7;
    this.spectrum.options.plugins!.llMarkers = {
      ...markerTheme(t),
      hlines: [{ y: 0, color: withAlpha(t.fg, t.hc ? 1 : 0.7), width: 1.2 * t.lw }],
      pointLabels: bars.filter((b) => Number.isFinite(b.y)).map((b) => ({ x: b.x, y: b.y, text: fmt(b.value), color: b.x === k + 2 ? minColor : t.fg })),
    };
    this.spectrum.update('none');
    this.specCanvas.setAttribute('aria-label', `Bar chart of the Hessian spectrum at θT on a symmetric-log axis: top ${k} eigenvalues ${c.eigenvalues.map((v) => fmt(v)).join(', ')}; smallest eigenvalue ${fmt(c.lambdaMin)}.`);
  }

  private renderSlices(c: CurvatureResult, t: Theme): void {
    const s = c.slices;
    const pts = (ys: number[]): XY[] => s.t.map((x, i) => ({ x, y: ys[i], v: ys[i] })).filter((p) => p.y !== null && Number.isFinite(p.y));
    const common = { parsing: false as const, borderWidth: 2 * t.lw, pointRadius: 0, pointHoverRadius: 4, tension: 0, spanGaps: true };
    this.slices.data.datasets = [
      { ...common, label: `along vmax (λ = ${fmt(c.eigenvalues[0])})`, data: pts(s.top), borderColor: t.blue, backgroundColor: t.blue },
      { ...common, label: `along vmin (λ = ${fmt(c.lambdaMin)})`, data: pts(s.bottom), borderColor: c.lambdaMin < 0 ? t.orange : t.green,
        backgroundColor: c.lambdaMin < 0 ? t.orange : t.green, borderDash: [6, 3] },
    ];
    const x = this.slices.options.scales!.x as Record<string, unknown>;
    x.min = s.t[0]; x.max = s.t[s.t.length - 1];
    this.slices.options.plugins!.llMarkers = { ...markerTheme(t), lines: [{ x: 0, label: 'θ_T' }] };
    this.slices.update('none');
    const mid = Math.floor(s.t.length / 2);
    this.sliceCanvas.setAttribute('aria-label', `Line chart of the train loss along the top and bottom Hessian eigenvectors through θT, t from ${fmt(s.t[0])} to ${fmt(s.t[s.t.length - 1])}: ` +
      `at θT ${fmt(s.top[mid])}; along the top eigenvector ${fmt(s.top[0])} and ${fmt(s.top[s.top.length - 1])} at the ends, along the bottom one ${fmt(s.bottom[0])} and ${fmt(s.bottom[s.bottom.length - 1])}.`);
  }

  private renderPath(c: CurvatureResult, t: Theme, m: RunModel): void {
    const ap = c.alongPath;
    const sym = (this.pathSym = symlogFor([...ap.lambdaMax, ...ap.lambdaMin]));
    // (NaN crosses JSON as null: such snapshots are left out, not drawn at 0)
    const pts = (ys: number[]): XY[] => ap.step.map((x, i) => ({ x, v: ys[i] })).filter((p) => typeof p.v === 'number' && Number.isFinite(p.v))
      .map((p) => ({ x: p.x, y: sym.f(p.v), v: p.v }));
    const common = { parsing: false as const, borderWidth: 2 * t.lw, pointRadius: 3, pointHoverRadius: 5, tension: 0 };
    this.path.data.datasets = [
      { ...common, label: 'λmax', data: pts(ap.lambdaMax), borderColor: t.blue, backgroundColor: t.blue },
      { ...common, label: 'λmin', data: pts(ap.lambdaMin), borderColor: t.orange, backgroundColor: t.orange, borderDash: [6, 3], pointStyle: 'rectRot' },
    ];
    const all = [...ap.lambdaMax, ...ap.lambdaMin].filter(Number.isFinite).map(sym.f);
    const lo = Math.min(0, ...all), hi = Math.max(0, ...all), pad = Math.max(0.15, (hi - lo) * 0.08);
    const y = this.path.options.scales!.y as Record<string, unknown>;
    y.min = lo < 0 ? lo - pad : -pad; y.max = hi + pad;
    const x = this.path.options.scales!.x as Record<string, unknown>;
    const steps = m.train?.steps ?? ap.step[ap.step.length - 1];
    x.min = 0; x.max = Math.max(steps, ...ap.step);
    this.path.options.plugins!.llMarkers = {
      ...markerTheme(t),
      hlines: [{ y: 0, color: withAlpha(t.fg, t.hc ? 1 : 0.7), width: 1.2 * t.lw }],
      lines: [{ x: 0, label: 'θ₀' }, { x: x.max as number, label: 'θ_T' }],
    };
    this.path.update('none');
    const neg = ap.lambdaMin.filter((v) => v < 0).length;
    this.pathCanvas.setAttribute('aria-label', `Line chart of the largest and smallest Hessian eigenvalue at ${ap.step.length} training snapshots (steps ${fmtInt(ap.step[0] ?? 0)} to ${fmtInt(ap.step[ap.step.length - 1] ?? 0)}), symmetric-log axis: ` +
      `λmax ${ap.lambdaMax.map((v) => fmt(v)).join(', ')}; λmin ${ap.lambdaMin.map((v) => fmt(v)).join(', ')}.`);
    const notes = [
      neg ? `λmin < 0 at ${neg} of ${ap.step.length} snapshots: the path passes saddle-like regions (a direction of negative curvature).`
        : `λmin ≥ 0 at every snapshot: no negative curvature measured along the path.`,
      `Symlog axes: linear within ±${fmtSym(sym.c)} of 0, logarithmic beyond.`,
    ];
    if (c.fallbackReason) notes.push(`Finite-difference Hessian-vector products: ${c.fallbackReason}.`);
    this.notes.textContent = notes.join(' ');
  }

  canvases(): HTMLCanvasElement[] { return this.body.hidden ? [] : [this.specCanvas, this.sliceCanvas, ...this.lab.canvases(), this.pathCanvas]; }

  sections(): PngSection[] {
    if (this.body.hidden) return [];
    const c = this.model?.result?.curvature;
    const head = c ? `${VERDICT_WORD[c.verdict] ?? c.verdict}: ${c.verdictText}` : 'Curvature';
    return [
      { title: `Curvature at θT — ${head}`, canvases: [this.specCanvas, this.sliceCanvas] },
      ...(this.lab.canvases().length ? [{ title: 'Spectral density and per-layer curvature', canvases: this.lab.canvases() }] : []),
      { title: 'λmax and λmin along the training path', canvases: [this.pathCanvas] },
    ];
  }

  charts(): Chart[] { return [this.spectrum, this.slices, this.path, ...this.lab.charts()] as unknown as Chart[]; }

}
