/**
 * Chart.js setup: only the pieces we use are registered (keeps the bundle small), plus a tiny
 * plugin of our own for vertical markers (α = 0 / α = 1), the barrier bracket and a corner note.
 */
import {
  BarController, BarElement, Chart, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip,
  type ChartType, type Plugin,
} from 'chart.js';
import { drawBoxedRich, drawRich } from './canvasText';
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

export interface MarkerOptions {
  lines?: MarkerLine[];
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
  interface PluginOptionsByType<TType extends ChartType> {
    llMarkers?: MarkerOptions;
  }
}

export const markersPlugin: Plugin<'line'> = {
  id: 'llMarkers',
  beforeDatasetsDraw(chart) {
    const o = chart.options.plugins?.llMarkers as MarkerOptions | undefined;
    if (!o) return;
    const { ctx, chartArea: area } = chart;
    const xs = chart.scales.x, ys = chart.scales.y;
    if (!xs || !ys) return;
    ctx.save();
    ctx.beginPath();
    ctx.rect(area.left, area.top, area.width, area.height);
    ctx.clip();
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
    const o = chart.options.plugins?.llMarkers as MarkerOptions | undefined;
    if (!o) return;
    const { ctx, chartArea: area } = chart;
    const xs = chart.scales.x, ys = chart.scales.y;
    if (!xs || !ys) return;
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
