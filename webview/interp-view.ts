/**
 * Interpolation view: J(θ(α)) with θ(α) = (1 − α)·θ₀ + α·θ_T, train and test loss (top chart) and
 * accuracy (bottom chart) vs α, markers at α = 0 / 1, barrier annotation and a summary table.
 */
import type { ChartConfiguration, ChartEvent, Point, TooltipItem } from 'chart.js';
import type { InterpolateResult } from '../src/protocol';
import { plainText } from './canvas-text';
import { accuracyAxis, ChartView, lineChart, lossAxis, markerTheme, xAxis } from './chart-view';
import { Chart, type MarkerOptions, lineLegendLabels } from './charts';
import { fmt, fmtPct, fmtSig } from './format';
import { curveOrder, valueAt, type CurveData, type RunModel } from './state';
import { withAlpha, type Theme } from './theme';
import type { PngSection } from './exporter';
import type { AnalysisView, ViewContext } from './view';
import { el, rich, type Child } from './dom';
import { alignedDatasets, alignmentVerdict } from './aligned-line';

interface XY extends Point { i: number }

/** The ±1 SE band's two datasets (not in the legend / tooltips). */
const isBand = (label: string | undefined) => !label || label.startsWith('_') || label.includes('±');

/** What the view shows: which line of the model, and how its ends are named. */
export interface InterpSpec {
  /** Section heading (and its aria-label). */
  heading: () => Child[];
  ariaLabel: string;
  curve(m: RunModel): CurveData | undefined;
  result(m: RunModel): InterpolateResult | undefined;
  /** The α range the x axis covers at least. */
  range(m: RunModel): [number, number];
  /** Marker labels at α = 0 and α = 1 (canvas rich text: `θ_T`). */
  ends: [string, string];
  /** Short names of the ends (summary table heads, prose), rich text. */
  names: [string, string];
  /** Shown until the first point arrives. */
  placeholder: () => Child[];
  /** Verdict sentence, corner note and barrier label; defaults: the θ₀ → θ_T wording. */
  verdict?(ir: InterpolateResult): string;
  note?(ir: InterpolateResult, significant: boolean): string | null;
  barrierLabel?(ir: InterpolateResult): string;
  /** The result's `endpoints` (e.g. θ_T (seed 1) / θ_T (seed 2)) replace `ends` / `names` when given. */
  useEndpoints?: boolean;
}

const DEFAULT_ENDS = ['θ₀ init', 'θ_T trained'];

/** The ends of the line when the result names them otherwise than θ₀ init / θ_T trained. */
export function customEndpoints(ir: InterpolateResult | undefined): [string, string] | undefined {
  const e = ir?.endpoints;
  if (!e || typeof e.a !== 'string' || typeof e.b !== 'string') return undefined;
  if (e.a === DEFAULT_ENDS[0] && e.b === DEFAULT_ENDS[1]) return undefined;
  return [e.a, e.b];
}

/** The engine's line summary (src/engine/interpolate.ts): monotone on [0, 1] and the largest height above the chord. */
export function lineSummary(alpha: number[], loss: number[]): { monotone: boolean; barrier: number; barrierAlpha: number } | null {
  const k0 = alpha.findIndex((a) => Math.abs(a) < 1e-9), k1 = alpha.findIndex((a) => Math.abs(a - 1) < 1e-9);
  if (k0 < 0 || k1 < 0 || !Number.isFinite(loss[k0]) || !Number.isFinite(loss[k1])) return null;
  const order = alpha.map((a, k) => k).filter((k) => alpha[k] >= -1e-9 && alpha[k] <= 1 + 1e-9 && Number.isFinite(loss[k])).sort((p, q) => alpha[p] - alpha[q]);
  let monotone = true, barrier = -Infinity, barrierAlpha = 0, prev: number | null = null;
  for (const k of order) {
    if (prev !== null && loss[k] - prev > 1e-4 * Math.abs(loss[k0])) monotone = false;
    prev = loss[k];
    const h = loss[k] - ((1 - alpha[k]) * loss[k0] + alpha[k] * loss[k1]);
    if (h > barrier) { barrier = h; barrierAlpha = alpha[k]; }
  }
  return { monotone, barrier: Math.max(0, barrier), barrierAlpha };
}

const BN_TEXT: Record<NonNullable<InterpolateResult['bn']>, string> = {
  interpolate: 'interpolated like the weights',
  recompute: 'recomputed at each α (on training examples)',
  both: 'both — solid: interpolated like the weights, dotted: recomputed at each α',
};

/** The interpolation θ₀ → θ_T of the run (analysis 'interpolate'). */
export const mainInterpSpec: InterpSpec = {
  heading: () => ['Linear interpolation ', el('span', { class: 'll-formula' }, 'θ(α) = (1−α)·θ₀ + α·θ', el('sub', {}, 'T'))],
  ariaLabel: 'Interpolation',
  curve: (m) => m.curve,
  result: (m) => m.result?.interpolate,
  range: (m) => m.options?.alphaRange ?? [-0.5, 1.5],
  ends: ['θ₀ init', 'θ_T trained'],
  names: ['θ₀', 'θ_T'],
  placeholder: () => ['The line θ₀ → θ', el('sub', {}, 'T'), ' is probed once training is done…'],
  useEndpoints: true,
};

export class InterpView extends ChartView implements AnalysisView {
  readonly el: HTMLElement;
  private lossCanvas: HTMLCanvasElement;
  private accCanvas: HTMLCanvasElement;
  private accWrap: HTMLElement;
  private lossWrap: HTMLElement;
  private placeholder: HTMLElement;
  private lossChart: Chart<'line', XY[]>;
  private accChart: Chart<'line', XY[]>;
  private info: HTMLElement;
  private summary: HTMLElement;
  private headEl: HTMLElement;
  private bnNote: HTMLElement;
  private headKey = '';
  private logBox: HTMLElement & { checked: boolean };

  constructor(ctx: ViewContext, readonly spec: InterpSpec = mainInterpSpec) {
    super(ctx);
    this.logBox = this.logYBox();
    this.lossCanvas = el('canvas', { role: 'img', 'aria-label': 'Loss along the interpolation path (no data yet)' }) as HTMLCanvasElement;
    this.accCanvas = el('canvas', { role: 'img', 'aria-label': 'Accuracy along the interpolation path (no data yet)' }) as HTMLCanvasElement;
    this.accWrap = el('div', { class: 'll-chart ll-chart-acc' }, this.accCanvas);
    this.info = el('div', { class: 'll-point-info', 'aria-live': 'polite' }, 'Click a point for its values.');
    this.summary = el('div', { class: 'll-summary' });
    this.placeholder = el('div', { class: 'll-placeholder ll-muted' }, ...spec.placeholder());
    this.headEl = el('h2', {}, ...spec.heading());
    this.bnNote = el('p', { class: 'll-bn-note' });
    this.bnNote.hidden = true;
    this.el = el('section', { class: 'll-view ll-interp', 'aria-label': spec.ariaLabel },
      el('div', { class: 'll-view-head' },
        this.headEl,
        el('div', { class: 'll-view-tools' }, this.logBox)),
      this.bnNote,
      this.placeholder,
      this.lossWrap = el('div', { class: 'll-chart ll-chart-loss' }, this.lossCanvas),
      this.accWrap,
      this.info,
      this.summary);
    this.lossChart = new Chart(this.lossCanvas, this.lossConfig());
    this.accChart = new Chart(this.accCanvas, this.accConfig());
  }

  canvases(): HTMLCanvasElement[] {
    return [this.lossWrap.hidden ? null : this.lossCanvas, this.accWrap.hidden ? null : this.accCanvas].filter((x): x is HTMLCanvasElement => !!x);
  }

  charts(): Chart[] { return [this.lossChart as unknown as Chart, this.accChart as unknown as Chart]; }

  sections(m: RunModel): PngSection[] {
    const e = customEndpoints(this.spec.result(m));
    const plain = (s: string) => s.replace(/_(\S)/g, '$1');
    return [{ title: e ? `Linear interpolation θ(α) = (1−α)·${plain(e[0])} + α·${plain(e[1])}` : 'Linear interpolation θ(α) = (1−α)·θ₀ + α·θT', canvases: this.canvases() }];
  }

  private lossConfig(): ChartConfiguration<'line', XY[]> {
    const t = this.ctx.theme;
    return lineChart(t, {
      onClick: (e: ChartEvent, _els: unknown, chart: Chart) => this.onClick(e, chart),
      scales: {
        x: xAxis(t, 'α', false),
        y: lossAxis(t, 'loss'),
      },
      plugins: {
        legend: {
          position: 'top', align: 'end',
          // Lines with their dash pattern (dashed test, dotted BatchNorm-recomputed curves); no SE band.
          labels: lineLegendLabels((label) => !isBand(label)),
        },
        tooltip: {
          filter: (item) => !isBand(item.dataset.label),
          callbacks: {
            title: (items: TooltipItem<'line'>[]) => `α = ${fmt(items[0]?.parsed.x ?? NaN)}`,
            label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${fmt(item.parsed.y)}`,
          },
        },
        llMarkers: {},
      },
    });
  }

  private accConfig(): ChartConfiguration<'line', XY[]> {
    const t = this.ctx.theme;
    return lineChart(t, {
      onClick: (e: ChartEvent, _els: unknown, chart: Chart) => this.onClick(e, chart),
      scales: {
        x: xAxis(t, 'α', true),
        y: accuracyAxis(t),
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'line'>[]) => `α = ${fmt(items[0]?.parsed.x ?? NaN)}`,
            label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${fmtPct(item.parsed.y)}`,
          },
        },
        llMarkers: {},
      },
    });
  }

  private onClick(e: ChartEvent, chart: Chart): void {
    if (!e.native) return;
    const els = chart.getElementsAtEventForMode(e.native, 'nearest', { axis: 'x', intersect: false }, false);
    const hit = els[0];
    if (!hit) return;
    const raw = chart.data.datasets[hit.datasetIndex]?.data[hit.index] as XY | undefined;
    if (!raw) return;
    this.ctx.ui.selectedAlpha = raw.i;
    this.ctx.saveUi();
    if (this.model) this.update(this.model, true);
  }

  private series(c: CurveData, order: number[], values: (number | null)[], log: boolean): XY[] {
    const out: XY[] = [];
    for (const k of order) {
      const y = values[k];
      if (y === null || y === undefined || !Number.isFinite(y)) continue;
      out.push({ x: c.alpha[k] as number, y: log ? Math.max(y, 1e-12) : y, i: k });
    }
    return out;
  }

  update(m: RunModel, force = false): void {
    this.model = m;
    if (!force && m.rev === this.lastRev) return;
    this.lastRev = m.rev;
    const t = this.ctx.theme;
    const c = this.spec.curve(m);
    const log = this.ctx.ui.logY;
    const order = c ? curveOrder(c) : [];
    const range = this.spec.range(m);
    const lo = Math.min(range[0], ...order.map((k) => c!.alpha[k] as number));
    const hi = Math.max(range[1], ...order.map((k) => c!.alpha[k] as number));
    const sel = this.ctx.ui.selectedAlpha;
    const lw = 2 * t.lw;
    const pointRadius = (ctx: { raw?: unknown }) => ((ctx.raw as XY | undefined)?.i === sel ? 5 : order.length > 80 ? 0 : 2.2);
    const trainC = t.blue, testC = t.orange;

    const train = c ? this.series(c, order, c.trainLoss, log) : [];
    const test = c ? this.series(c, order, c.testLoss, log) : [];
    const se = c?.trainLossSE;
    const seLow: XY[] = [], seHigh: XY[] = [];
    if (c && se) {
      for (const k of order) {
        const y = c.trainLoss[k], s = se[k];
        if (y === null || !Number.isFinite(s)) continue;
        seLow.push({ x: c.alpha[k] as number, y: log ? Math.max(y - s, y * 0.5, 1e-12) : y - s, i: k });
        seHigh.push({ x: c.alpha[k] as number, y: y + s, i: k });
      }
    }
    const common = { parsing: false as const, borderWidth: lw, pointRadius, pointHoverRadius: 5, spanGaps: true, tension: 0 };
    this.lossChart.data.datasets = [
      { ...common, label: 'train loss', data: train, borderColor: trainC, backgroundColor: trainC, order: 0 },
      { ...common, label: 'test loss', data: test, borderColor: testC, backgroundColor: testC, borderDash: [6, 3], order: 1 },
      { ...common, label: '_se_low', data: seLow, borderWidth: 0, pointRadius: 0, pointHoverRadius: 0, order: 5, fill: false },
      { ...common, label: 'train ±1 SE', data: seHigh, borderWidth: 0, pointRadius: 0, pointHoverRadius: 0, order: 4,
        backgroundColor: withAlpha(trainC, 0.22), borderColor: withAlpha(trainC, 0.22), fill: { target: 2 } },
    ];
    if (!seHigh.length) this.lossChart.data.datasets.length = 2;
    // BatchNorm 'both': the curves with the statistics recomputed at every α, dotted, same colours.
    const ir = this.spec.result(m);
    const bnr = ir?.bnRecomputed;
    if (c && bnr) {
      const dotted = { ...common, borderWidth: 2.4 * t.lw, borderDash: [1, 4], borderCapStyle: 'round' as const, pointRadius: 0, pointHoverRadius: 4 };
      this.lossChart.data.datasets.push(
        { ...dotted, label: 'train loss (BN recomputed)', data: this.series(c, order, bnr.trainLoss, log), borderColor: trainC, backgroundColor: trainC, order: 2 },
        { ...dotted, label: 'test loss (BN recomputed)', data: this.series(c, order, bnr.testLoss, log), borderColor: testC, backgroundColor: testC, order: 3 },
      );
    }
    // align: the line to the aligned π(θ_b), green / purple
    if (ir?.aligned) this.lossChart.data.datasets.push(...alignedDatasets(ir.aligned, t, common, log, 'loss'));
    this.renderHead(m);
    const o = this.lossChart.options;
    const xs = o.scales!.x as { min?: number; max?: number };
    xs.min = lo; xs.max = hi;
    const ys = o.scales!.y as unknown as Record<string, unknown>;
    ys.type = log ? 'logarithmic' : 'linear';
    ys.beginAtZero = !log;
    o.plugins!.llMarkers = this.markers(m, t, log);

    // accuracy
    const trainAcc = c ? this.series(c, order, c.trainAccuracy, false) : [];
    const testAcc = c ? this.series(c, order, c.testAccuracy, false) : [];
    const hasAcc = trainAcc.length + testAcc.length > 0;
    this.accWrap.hidden = !hasAcc;
    this.lossWrap.hidden = !c;
    this.placeholder.hidden = !!c;
    this.accChart.data.datasets = [
      { ...common, label: 'train accuracy', data: trainAcc, borderColor: trainC, backgroundColor: trainC },
      { ...common, label: 'test accuracy', data: testAcc, borderColor: testC, backgroundColor: testC, borderDash: [6, 3] },
      ...(ir?.aligned ? alignedDatasets(ir.aligned, t, common, false, 'accuracy') : []),
    ];
    const xa = this.accChart.options.scales!.x as { min?: number; max?: number };
    xa.min = lo; xa.max = hi;
    this.accChart.options.plugins!.llMarkers = { ...this.markers(m, t, false), barrier: null, chord: null, note: null,
      lines: [{ x: 0 }, { x: 1 }] };

    this.lossChart.update('none');
    if (hasAcc) this.accChart.update('none');
    this.renderInfo(m);
    this.renderSummary(m);
    this.aria(m);
  }

  /** Marker labels and short names of the ends: the result's endpoints when it names them. */
  ends(m: RunModel): { ends: [string, string]; names: [string, string]; custom: boolean } {
    const e = this.spec.useEndpoints ? customEndpoints(this.spec.result(m)) : undefined;
    return e ? { ends: e, names: e, custom: true } : { ends: this.spec.ends, names: this.spec.names, custom: false };
  }

  private renderHead(m: RunModel): void {
    const { ends, custom } = this.ends(m);
    const ir = this.spec.result(m);
    const key = JSON.stringify([custom ? ends : null, ir?.bn ?? null]);
    if (key === this.headKey) return;
    this.headKey = key;
    if (custom) {
      // θ(α) = (1−α)·θ_T(seed 1) + α·θ_T(seed 2)
      const tight = (s: string) => s.replace(/ \(/, '(');
      this.headEl.replaceChildren('Linear interpolation ', el('span', { class: 'll-formula' }, ...rich(`θ(α) = (1−α)·${tight(ends[0])} + α·${tight(ends[1])}`)));
    } else this.headEl.replaceChildren(...this.spec.heading().filter((x): x is Node | string => x !== null && x !== undefined && x !== false));
    const bn = ir?.bn;
    this.bnNote.hidden = !bn;
    if (bn) {
      this.bnNote.className = `ll-bn-note ll-bn-${bn}`;
      this.bnNote.replaceChildren(el('span', { class: 'll-bn-label' }, 'BatchNorm statistics: '), BN_TEXT[bn] ?? bn);
    }
  }

  private markers(m: RunModel, t: Theme, log: boolean): MarkerOptions {
    const c = this.spec.curve(m);
    const { ends } = this.ends(m);
    const base: MarkerOptions = {
      ...markerTheme(t),
      lines: [{ x: 0, label: ends[0] }, { x: 1, label: ends[1] }],
    };
    const ir = this.spec.result(m);
    if (!c || !ir) return base;
    const l0 = valueAt(c, c.trainLoss, 0), l1 = valueAt(c, c.trainLoss, 1);
    const significant = ir.barrier > 1e-6 * Math.max(1, Math.abs(l0 ?? 1));
    if (this.spec.note) base.note = this.spec.note(ir, significant);
    else if (ir.monotone) base.note = 'monotone on [0,1]: no barrier';
    else if (!significant) base.note = 'not monotone on [0,1], but stays below the chord';
    if (significant && l0 !== null && l1 !== null) {
      const yHigh = valueAt(c, c.trainLoss, ir.barrierAlpha);
      if (yHigh !== null) {
        let yLow = yHigh - ir.barrier;
        if (log && yLow <= 0) yLow = yHigh * 1e-3;
        if (!ir.monotone) base.chord = { x0: 0, y0: l0, x1: 1, y1: l1 };
        if (!ir.monotone) base.barrier = { x: ir.barrierAlpha, yLow, yHigh, label: this.spec.barrierLabel?.(ir) ?? `barrier ${fmt(ir.barrier)} at α = ${fmt(ir.barrierAlpha)}` };
      }
    }
    return base;
  }

  private renderInfo(m: RunModel): void {
    const c = this.spec.curve(m);
    const k = this.ctx.ui.selectedAlpha;
    if (!c || k === undefined || k >= c.total || c.alpha[k] === null) {
      this.info.textContent = c ? 'Click a point for its values.' : '';
      return;
    }
    const parts = [
      `α = ${fmt(c.alpha[k])}`,
      `train loss ${fmt(c.trainLoss[k], 4)}${c.trainLossSE ? ` ± ${fmt(c.trainLossSE[k], 2)}` : ''}`,
      `test loss ${fmt(c.testLoss[k], 4)}`,
    ];
    if (c.trainAccuracy[k] !== null) parts.push(`train acc ${fmtPct(c.trainAccuracy[k])}`);
    if (c.testAccuracy[k] !== null) parts.push(`test acc ${fmtPct(c.testAccuracy[k])}`);
    const bnr = this.spec.result(m)?.bnRecomputed;
    if (bnr) parts.push(`BN recomputed: train ${fmt(bnr.trainLoss[k], 4)}, test ${fmt(bnr.testLoss[k], 4)}`);
    this.info.textContent = parts.join(' · ');
  }

  private renderSummary(m: RunModel): void {
    const c = this.spec.curve(m);
    const ir = this.spec.result(m);
    this.summary.replaceChildren();
    if (!c || !ir) return;
    const at = [0, 0.5, 1];
    const hasAcc = c.trainAccuracy.some((v) => v !== null);
    const { names: [n0, n1], custom } = this.ends(m);
    const head = el('tr', {}, el('th', { scope: 'col' }, ''),
      ...at.map((a) => el('th', { scope: 'col' }, `α = ${a}`, a === 0 ? el('span', { class: 'll-muted' }, ' ', ...rich(n0)) : a === 1 ? el('span', { class: 'll-muted' }, ' ', ...rich(n1)) : '')));
    const row = (name: string, s: (number | null)[], f: (v: number | null) => string) =>
      el('tr', {}, el('th', { scope: 'row' }, name), ...at.map((a) => el('td', {}, f(valueAt(c, s, a)))));
    const bnr = ir.bnRecomputed;
    const label = (text: string, interpolated: boolean) => (bnr ? `${text}${interpolated ? ' (BN interpolated)' : ' (BN recomputed)'}` : text);
    const rows = [row(label('train loss', true), c.trainLoss, (v) => fmtSig(v, 4)), row(label('test loss', true), c.testLoss, (v) => fmtSig(v, 4))];
    if (bnr) rows.push(row(label('train loss', false), bnr.trainLoss, (v) => fmtSig(v, 4)), row(label('test loss', false), bnr.testLoss, (v) => fmtSig(v, 4)));
    if (hasAcc) rows.push(row('train acc', c.trainAccuracy, fmtPct), row('test acc', c.testAccuracy, fmtPct));
    const between = custom ? ` between ${plainText(n0)} and ${plainText(n1)}` : '';
    const verdict = this.spec.verdict ? this.spec.verdict(ir) : ir.monotone
      ? `Monotone on [0,1]${between}: no barrier${ir.barrier > 0 ? ` (the curve is at most ${fmt(ir.barrier)} above the chord, at α = ${fmt(ir.barrierAlpha)})` : ''}.`
      : ir.barrier > 0
        ? `Not monotone on [0,1]: barrier of ${fmt(ir.barrier)} above the chord at α = ${fmt(ir.barrierAlpha)}${between}.`
        : `Not monotone on [0,1], but the loss stays below the chord between ${custom ? plainText(n0) : 'θ₀'} and ${custom ? plainText(n1) : 'θ_T'}.`;
    const verdicts = [el('p', { class: ir.monotone ? 'll-verdict' : 'll-verdict ll-verdict-bump' }, bnr ? `BatchNorm statistics interpolated: ${verdict[0].toLowerCase()}${verdict.slice(1)}` : verdict)];
    if (bnr) {
      // The same summary for the recomputed curve (the result carries only the main curve's).
      const alpha = c.alpha.map((a) => (a === null ? NaN : a));
      const s = lineSummary(alpha, bnr.trainLoss.map((v) => (v === null ? NaN : v)));
      if (s) {
        const v2 = s.monotone ? `monotone on [0,1]: no barrier${s.barrier > 0 ? ` (at most ${fmt(s.barrier)} above the chord)` : ''}.`
          : s.barrier > 0 ? `not monotone on [0,1]: barrier of ${fmt(s.barrier)} above the chord at α = ${fmt(s.barrierAlpha)}.`
            : 'not monotone on [0,1], but below the chord.';
        verdicts.push(el('p', { class: s.monotone ? 'll-verdict ll-verdict-bn' : 'll-verdict ll-verdict-bn ll-verdict-bump' }, `BatchNorm statistics recomputed at each α: ${v2}`));
      }
    }
    const al = m.result?.alignment;
    if (al && ir.aligned) verdicts.push(alignmentVerdict(al));
    this.summary.append(...verdicts, el('table', { class: 'll-table' }, el('thead', {}, head), el('tbody', {}, ...rows)));
  }

  private aria(m: RunModel): void {
    const c = this.spec.curve(m);
    if (!c) return;
    const n = c.trainLoss.filter((v) => v !== null).length;
    const l0 = valueAt(c, c.trainLoss, 0), lh = valueAt(c, c.trainLoss, 0.5), l1 = valueAt(c, c.trainLoss, 1);
    const ir = this.spec.result(m);
    const e = this.ends(m);
    const from = this.spec === mainInterpSpec && !e.custom ? 'θ₀' : plainText(e.ends[0]);
    const to = this.spec === mainInterpSpec && !e.custom ? 'the trained θT' : plainText(e.ends[1]);
    let s = `Line chart of train and test loss along the straight line from ${from} (α = 0) to ${to} (α = 1), ${n} of ${c.total} points. ` +
      `Train loss ${fmt(l0)} at α = 0, ${fmt(lh)} at α = 0.5, ${fmt(l1)} at α = 1.`;
    if (ir) s += ir.monotone ? ' Monotone on [0,1]: no barrier.' : ` Barrier ${fmt(ir.barrier)} at α = ${fmt(ir.barrierAlpha)}.`;
    if (ir?.bnRecomputed) s += ' Dotted: the same losses with the BatchNorm statistics recomputed at each α.';
    this.lossCanvas.setAttribute('aria-label', s);
    const a0 = valueAt(c, c.testAccuracy, 0), a1 = valueAt(c, c.testAccuracy, 1);
    this.accCanvas.setAttribute('aria-label', `Line chart of train and test accuracy along the same line; test accuracy ${fmtPct(a0)} at α = 0 and ${fmtPct(a1)} at α = 1.`);
  }

}
