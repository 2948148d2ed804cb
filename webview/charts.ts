/**
 * Chart.js setup: only the pieces we use are registered (keeps the bundle small), plus a tiny
 * plugin of our own for vertical markers (α = 0 / α = 1), the barrier bracket and a corner note.
 */
import {
  BarController, BarElement, Chart, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip,
  type ChartType, type Plugin,
} from 'chart.js';
import { drawBoxedRich, drawRich } from './canvas-text';
import type { Theme } from './theme';

export interface MarkerLine {
  x: number;
  label?: string;
  /** Line colour / dash / label colour for this line (default: the options'). */
  color?: string;
  dash?: number[];
  textColor?: string;
  width?: number;
  /** Put the label this many text rows below the top (to keep labels of close lines apart). */
  labelRow?: number;
}

export interface MarkerHLine {
  y: number;
  label?: string;
  color?: string;
  dash?: number[];
  width?: number;
}

export interface MarkerOptions {
  lines?: MarkerLine[];
  /** Horizontal lines (data units of y), e.g. the zero line of a symlog axis. */
  hlines?: MarkerHLine[];
  /** Text labels drawn at data points (bar values): x, y in data units; above the point when y ≥ 0, below otherwise. */
  pointLabels?: { x: number; y: number; text: string; color?: string }[];
  /** Bracket at `x` from `yLow` to `yHigh` (data units) with a label: the barrier above the chord. */
  barrier?: { x: number; yLow: number; yHigh: number; label: string } | null;
  /** Chord between (x0, y0) and (x1, y1), drawn dotted (sampled so it is correct on a log axis). */
  chord?: { x0: number; y0: number; x1: number; y1: number } | null;
  /** Text in the top-right corner of the plot area. */
  note?: string | null;
  color?: string;
  textColor?: string;
  accent?: string;
  halo?: string;
  /** Background of boxed labels (barrier, note). */
  boxBg?: string;
  lw?: number;
  font?: string;
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the type parameter must match Chart.js's declaration to merge with it
  interface PluginOptionsByType<TType extends ChartType> {
    llMarkers?: MarkerOptions;
  }
}

/** The chart's marker options, context, plot area and x / y scales (undefined: nothing to draw). */
function markerContext(chart: Chart<'line'>) {
  const o = chart.options.plugins?.llMarkers as MarkerOptions | undefined;
  const xs = chart.scales.x, ys = chart.scales.y;
  if (!o || !xs || !ys) return undefined;
  return { o, ctx: chart.ctx, area: chart.chartArea, xs, ys };
}

export const markersPlugin: Plugin<'line'> = {
  id: 'llMarkers',
  beforeDatasetsDraw(chart) {
    const mk = markerContext(chart);
    if (!mk) return;
    const { o, ctx, area, xs, ys } = mk;
    ctx.save();
    ctx.beginPath();
    ctx.rect(area.left, area.top, area.width, area.height);
    ctx.clip();
    for (const h of o.hlines ?? []) {
      const py = ys.getPixelForValue(h.y);
      if (py < area.top - 1 || py > area.bottom + 1) continue;
      ctx.save();
      ctx.strokeStyle = h.color ?? o.color ?? '#888';
      ctx.lineWidth = h.width ?? o.lw ?? 1;
      ctx.setLineDash(h.dash ?? []);
      ctx.beginPath();
      ctx.moveTo(area.left, Math.round(py) + 0.5);
      ctx.lineTo(area.right, Math.round(py) + 0.5);
      ctx.stroke();
      ctx.restore();
    }
    ctx.strokeStyle = o.color ?? '#888';
    ctx.lineWidth = o.lw ?? 1;
    ctx.setLineDash([4, 3]);
    for (const m of o.lines ?? []) {
      const px = xs.getPixelForValue(m.x);
      if (px < area.left - 1 || px > area.right + 1) continue;
      ctx.save();
      if (m.color) ctx.strokeStyle = m.color;
      if (m.dash) ctx.setLineDash(m.dash);
      if (m.width) ctx.lineWidth = m.width;
      ctx.beginPath();
      ctx.moveTo(Math.round(px) + 0.5, area.top);
      ctx.lineTo(Math.round(px) + 0.5, area.bottom);
      ctx.stroke();
      ctx.restore();
    }
    if (o.chord) {
      const c = o.chord;
      ctx.setLineDash([2, 3]);
      ctx.strokeStyle = o.accent ?? o.color ?? '#888';
      ctx.beginPath();
      for (let k = 0; k <= 40; k++) {
        const t = k / 40;
        const x = c.x0 + (c.x1 - c.x0) * t, y = c.y0 + (c.y1 - c.y0) * t;
        const px = xs.getPixelForValue(x), py = ys.getPixelForValue(y);
        if (k === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      }
      ctx.stroke();
    }
    ctx.restore();
  },
  afterDatasetsDraw(chart) {
    const mk = markerContext(chart);
    if (!mk) return;
    const { o, ctx, area, xs, ys } = mk;
    ctx.save();
    ctx.font = o.font ?? '11px sans-serif';
    ctx.fillStyle = o.textColor ?? '#888';
    ctx.textBaseline = 'top';
    for (const m of o.lines ?? []) {
      if (!m.label) continue;
      const px = xs.getPixelForValue(m.x);
      if (px < area.left - 1 || px > area.right + 1) continue;
      ctx.textAlign = px > area.right - 70 ? 'right' : 'left';
      ctx.fillStyle = m.textColor ?? o.textColor ?? '#888';
      drawRich(ctx, m.label, px + (ctx.textAlign === 'right' ? -4 : 4), area.top + 3 + (m.labelRow ?? 0) * (parseFloat(/(\d+(?:\.\d+)?)px/.exec(ctx.font)?.[1] ?? '11') + 4), o.halo);
    }
    if (o.barrier) {
      const b = o.barrier;
      const px = xs.getPixelForValue(b.x);
      const y0 = ys.getPixelForValue(b.yLow), y1 = ys.getPixelForValue(b.yHigh);
      ctx.strokeStyle = o.accent ?? '#e51400';
      ctx.fillStyle = o.accent ?? '#e51400';
      ctx.lineWidth = 1.5 * (o.lw ?? 1);
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(px, y0); ctx.lineTo(px, y1);
      for (const y of [y0, y1]) { ctx.moveTo(px - 4, y); ctx.lineTo(px + 4, y); }
      ctx.stroke();
      ctx.textBaseline = 'bottom';
      ctx.textAlign = px > (area.left + area.right) / 2 ? 'right' : 'left';
      const tx = px + (ctx.textAlign === 'right' ? -6 : 6);
      drawBoxedRich(ctx, b.label, tx, Math.max(area.top + 34, Math.min(y0, y1) - 6), o.boxBg ?? o.halo ?? '#fff');
    }
    for (const h of o.hlines ?? []) {
      if (!h.label) continue;
      const py = ys.getPixelForValue(h.y);
      if (py < area.top - 1 || py > area.bottom + 1) continue;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      ctx.fillStyle = h.color ?? o.textColor ?? '#888';
      drawRich(ctx, h.label, area.left + 4, py - 2, o.halo);
    }
    for (const p of o.pointLabels ?? []) {
      const px = xs.getPixelForValue(p.x), py = ys.getPixelForValue(p.y);
      const y0 = ys.getPixelForValue(0);
      const up = !(p.y < 0);
      ctx.textAlign = 'center';
      ctx.textBaseline = up ? 'bottom' : 'top';
      ctx.fillStyle = p.color ?? o.textColor ?? '#888';
      // Keep the label inside the plot area (a tall bar's value goes just inside its top).
      let ty = up ? Math.min(py, y0) - 3 : Math.max(py, y0) + 3;
      if (up && ty < area.top + 12) { ctx.textBaseline = 'top'; ty = area.top + 2; }
      if (!up && ty > area.bottom - 12) { ctx.textBaseline = 'bottom'; ty = area.bottom - 2; }
      drawRich(ctx, p.text, px, ty, o.halo);
    }
    if (o.note) {
      ctx.textAlign = 'right';
      ctx.textBaseline = 'top';
      ctx.fillStyle = o.textColor ?? '#888';
      drawBoxedRich(ctx, o.note, area.right - 6, area.top + 20, o.boxBg ?? o.halo ?? '#fff');
    }
    ctx.restore();
  },
};

let registered = false;
export function registerCharts(): void {
  if (registered) return;
  registered = true;
  Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, LogarithmicScale, Tooltip, Legend, Filler,
    markersPlugin);
}

/** Apply theme colours / fonts to Chart.js defaults (existing charts are updated by their views). */
export function applyChartTheme(theme: Theme): void {
  Chart.defaults.color = theme.fg;
  Chart.defaults.borderColor = theme.grid;
  Chart.defaults.font.family = theme.fontFamily;
  Chart.defaults.font.size = Math.round(theme.fontSize * 0.85);
}

export function markerFont(theme: Theme): string {
  return `${Math.round(theme.fontSize * 0.85)}px ${theme.fontFamily}`;
}

/** Fix the left axis width so stacked charts line up. */
export function fixedWidth(px: number) {
  return (scale: { width: number }) => { scale.width = px; };
}

export { Chart };

/** Re-colour a chart's scales (grid, border, ticks, titles) and default text after a theme change. */
export function themeScales(ch: Chart, t: Theme): void {
  const sc = ch.options.scales as Record<string, { grid?: { color?: unknown }; border?: { color?: unknown }; ticks?: { color?: unknown }; title?: { color?: unknown } }>;
  for (const s of Object.values(sc ?? {})) {
    if (s.grid) s.grid.color = t.grid;
    if (s.border) s.border.color = t.border;
    if (s.ticks) s.ticks.color = t.muted;
    if (s.title) s.title.color = t.fg;
  }
  ch.options.color = t.fg;
}

/** Drop hover tooltips / active points before a canvas is copied into an export. */
export function clearActive(ch: Chart): void {
  ch.tooltip?.setActiveElements([], { x: 0, y: 0 });
  ch.setActiveElements([]);
  ch.update('none');
}

/** Subscript digits: 12 → '₁₂'. */
export function subDigits(n: number): string {
  return String(n).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[+d]);
}

const swatchCache = new Map<string, HTMLCanvasElement>();

/** A legend swatch: a short line in the dataset's colour, width and dash pattern (drawn once, cached). */
function lineSwatch(color: string, width: number, dash: number[], cap: CanvasLineCap): HTMLCanvasElement {
  const key = `${color}|${width}|${dash.join(',')}|${cap}`;
  let c = swatchCache.get(key);
  if (c) return c;
  c = document.createElement('canvas');
  c.width = 26; c.height = Math.max(4, Math.ceil(width) + 2);
  const g = c.getContext('2d');
  if (g) {
    g.strokeStyle = color; g.lineWidth = width; g.lineCap = cap; g.setLineDash(dash);
    g.beginPath(); g.moveTo(cap === 'round' ? width / 2 + 1 : 0, c.height / 2); g.lineTo(c.width - (cap === 'round' ? width / 2 + 1 : 0), c.height / 2); g.stroke();
  }
  swatchCache.set(key, c);
  return c;
}

/**
 * Legend labels whose swatches are the lines as drawn (solid, dashed, dotted): Chart.js' own
 * boxes are filled rectangles and its point-style legend ignores the dash pattern.
 */
export function lineLegendLabels(filter?: (label: string) => boolean) {
  return {
    usePointStyle: true,
    pointStyleWidth: 26,
    padding: 10,
    filter: filter ? (item: { text: string }) => filter(item.text) : undefined,
    // dataset order, whatever the drawing order (`order`) says
    sort: (a: { datasetIndex?: number }, b: { datasetIndex?: number }) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0),
    generateLabels: (chart: Chart) => {
      const items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
      for (const it of items) {
        const ds = chart.data.datasets[it.datasetIndex ?? 0] as { borderColor?: unknown; borderWidth?: unknown; borderDash?: number[]; borderCapStyle?: CanvasLineCap };
        const color = typeof ds.borderColor === 'string' ? ds.borderColor : '#888';
        const width = typeof ds.borderWidth === 'number' ? ds.borderWidth : 2;
        it.pointStyle = lineSwatch(color, width, ds.borderDash ?? [], ds.borderCapStyle ?? 'butt');
      }
      return items;
    },
  };
}
