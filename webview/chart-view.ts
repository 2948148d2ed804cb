/**
 * What the chart views (interpolation, compare, connect, curvature, survey, training) share:
 * Chart.js option and axis builders (an x axis, a loss axis with 1-2-5 ticks when logarithmic, an
 * accuracy axis), the marker plugin's theme colours, and the `ChartView` base class that re-themes,
 * clears for export and destroys the view's charts and the views inside it.
 */
import type { ChartConfiguration, ChartOptions, Scale } from 'chart.js';
import { Chart, clearActive, fixedWidth, markerFont, themeScales, type MarkerOptions } from './charts';
import { fmtTick, logTicks } from './format';
import type { RunModel } from './state';
import { withAlpha, type Theme } from './theme';
import { logYToggle, type ViewContext } from './view';

/** Width of the left axes, fixed so stacked charts line up. */
export const AXIS_W = 54;

/** Options every chart of the panel starts from (no animation, sized by its container). */
export function chartBase(t: Theme) {
  return {
    responsive: true, maintainAspectRatio: false, animation: false as const, normalized: true,
    layout: { padding: { right: 8, top: 4 } }, color: t.fg,
  };
}

/** Hover / tooltips pick the nearest point along x. */
export const NEAREST_X = { mode: 'nearest' as const, axis: 'x' as const, intersect: false };

/** A line chart's configuration: no data yet, the base options and `options` (hover along x unless given). */
export function lineChart<D>(t: Theme, options: ChartOptions<'line'>): ChartConfiguration<'line', D[]> {
  return { type: 'line', data: { datasets: [] }, options: { ...chartBase(t), interaction: NEAREST_X, ...options } };
}

/** A bar chart's configuration: no data yet, the base options and `options`. */
export function barChart<D>(t: Theme, options: ChartOptions<'bar'>): ChartConfiguration<'bar', D[]> {
  return { type: 'bar', data: { datasets: [] }, options: { ...chartBase(t), ...options } };
}

/** A linear x axis (α, t, epoch …) with plain number ticks (`ticks`: more tick options). */
export function xAxis(t: Theme, text: string, showTitle = true, ticks: { includeBounds?: boolean } = {}) {
  return {
    type: 'linear' as const, title: { display: showTitle, text, color: t.fg, padding: { top: 0 } },
    grid: { color: t.grid }, border: { color: t.border },
    ticks: { color: t.muted, maxRotation: 0, callback: (v: string | number) => fmtTick(+v), ...ticks },
  };
}

/** 1-2-5 ticks on a logarithmic axis (Chart.js' own pick 0.7, 0.4, ...); nothing on a linear one. */
export function logAxisTicks(scale: Scale): void {
  if (scale.type !== 'logarithmic') return;
  const ticks = logTicks(scale.min, scale.max, 8, 4);
  if (ticks.length >= 2) scale.ticks = ticks.map((value) => ({ value }));
}

/** A loss axis (the log-y toggle switches its type), of the fixed width. */
export function lossAxis(t: Theme, text: string, maxTicksLimit = 7) {
  return {
    type: 'linear' as const, title: { display: true, text, color: t.fg }, grid: { color: t.grid }, border: { color: t.border },
    ticks: { color: t.muted, callback: (v: string | number) => fmtTick(+v), maxTicksLimit }, afterFit: fixedWidth(AXIS_W),
    afterBuildTicks: logAxisTicks,
  };
}

/** An accuracy axis, 0–100 % in quarters, of the fixed width. */
export function accuracyAxis(t: Theme, text = 'accuracy') {
  return {
    type: 'linear' as const, min: 0, max: 1, title: { display: true, text, color: t.fg }, grid: { color: t.grid }, border: { color: t.border },
    ticks: { color: t.muted, callback: (v: string | number) => `${Math.round(+v * 100)}%`, stepSize: 0.25 }, afterFit: fixedWidth(AXIS_W),
  };
}

/** The marker plugin's colours and font for the theme, with no barrier, chord or note. */
export function markerTheme(t: Theme): MarkerOptions {
  return {
    color: withAlpha(t.fg, t.hc ? 0.9 : 0.45), textColor: t.fg, accent: t.red, halo: t.bg, boxBg: withAlpha(t.bg, 0.88), lw: t.lw,
    font: markerFont(t), barrier: null, chord: null, note: null,
  };
}

/** A view inside a chart view (survey: its interpolation and plane views). */
interface Part { applyTheme(): void; prepareExport(): void; destroy(): void }

/**
 * Base of the chart views: the last model and revision drawn, and theme / export / destroy over
 * `charts()` and `parts()`. A subclass builds its DOM and charts and implements `update`.
 */
export abstract class ChartView {
  abstract readonly el: HTMLElement;
  protected lastRev = -1;
  protected model?: RunModel;

  constructor(protected ctx: ViewContext) {}

  /** The view's own Chart.js charts (also a test handle). */
  abstract charts(): Chart[];

  abstract update(m: RunModel, force?: boolean): void;

  /** The shared "log y" checkbox, redrawing this view when toggled. */
  protected logYBox(): HTMLElement & { checked: boolean } {
    return logYToggle(this.ctx, () => this.redraw());
  }

  /** Views inside this one. */
  protected parts(): Part[] { return []; }

  /** Redraw the last model whatever its revision (after a theme change or a toggle). */
  protected redraw(): void {
    if (this.model) { this.lastRev = -1; this.update(this.model, true); }
  }

  /** Clear hover tooltips / active points before the canvases are copied into an export. */
  prepareExport(): void {
    for (const ch of this.charts()) clearActive(ch);
    for (const p of this.parts()) p.prepareExport();
  }

  applyTheme(): void {
    for (const ch of this.charts()) themeScales(ch, this.ctx.theme);
    for (const p of this.parts()) p.applyTheme();
    this.redraw();
  }

  destroy(): void {
    for (const ch of this.charts()) ch.destroy();
    for (const p of this.parts()) p.destroy();
    this.el.remove();
  }
}
