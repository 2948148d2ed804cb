/**
 * Export payloads: PNG (visible plots composed on one canvas), CSV (current numbers: csv.ts), JSON
 * (result), and for a plane NumPy .npy (the loss grid) and ParaView .vtp (the surface + path).
 */
import { planeToNpy, planeToVtp } from '../src/shared/plane-formats';
import { traitsOf } from './analyses';
import { curveCsv, planeCsv, trainCsv } from './csv';
import { basename } from './format';
import type { PlaneData, RunModel } from './state';
import type { Theme } from './theme';

export function exportName(m: RunModel, ext: string): string {
  const stem = (m.file ? basename(m.file).replace(/\.landscape\.[cm]?[jt]s$|\.[cm]?[jt]s$/, '') : 'loss-landscape');
  const def = m.definition ? `-${m.definition}` : '';
  const kind = m.analysis ? `-${m.analysis}` : '';
  return `${stem}${def}${kind}.${ext}`.replace(/[^\w.+-]+/g, '_');
}

/** CSV of what is currently shown (partial while a run is in progress): the analysis' writer, else the curve, plane or training. */
export function toCsv(m: RunModel): string {
  const lines = traitsOf(m.analysis)?.csv?.(m) ?? curveCsv(m) ?? planeCsv(m) ?? trainCsv(m);
  return lines.join('\n') + '\n';
}

export function toJson(m: RunModel): string | null {
  return m.result ? JSON.stringify(m.result, null, 2) : null;
}

/** The plane shown (the analysis' own, a survey's best ↔ stuck plane, compare's first), if any. */
export function shownPlane(m: RunModel): PlaneData | undefined {
  return m.plane ?? m.survey?.plane ?? m.comparePlane;
}

/** Base64 of bytes (btoa takes a binary string; chunks keep the argument list short). */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * The plane's loss grid as .npy (base64; float64, shape (len(b), len(a)), cells not evaluated yet
 * NaN) or its surface as .vtp (text, z = loss, the training path on it); null without a plane.
 */
export function planeExport(m: RunModel, format: 'npy' | 'vtp'): string | null {
  const p = shownPlane(m);
  if (!p || p.a.length < 2 || p.b.length < 2) return null;
  const plane = { a: p.a, b: p.b, loss: p.loss.map((row) => row.map((v) => v ?? NaN)), testLoss: p.testLoss, trajectory: p.trajectory };
  return format === 'npy' ? toBase64(planeToNpy(plane)) : planeToVtp(plane);
}

export interface PngSection { title: string; canvases: HTMLCanvasElement[] }

/**
 * Compose the visible plots on one canvas: a title line, an optional subtitle (status / verdict),
 * then each section's caption and canvases top to bottom. Returns a PNG data URL.
 */
export function composePng(sections: PngSection[], title: string, subtitle: string, theme: Theme): string {
  const dpr = Math.max(1, window.devicePixelRatio || 1);
  const shown = sections
    .map((s) => ({ ...s, canvases: s.canvases.filter((c) => c.width > 0 && c.height > 0 && c.offsetParent !== null) }))
    .filter((s) => s.canvases.length);
  const pad = Math.round(12 * dpr);
  const fs = theme.fontSize * dpr;
  const titleH = Math.round(fs * 1.9);
  const subH = subtitle ? Math.round(fs * 1.5) : 0;
  const capH = Math.round(fs * 1.8);
  const width = Math.max(320 * dpr, ...shown.flatMap((s) => s.canvases.map((c) => c.width))) + 2 * pad;
  const height = pad + titleH + subH + shown.reduce((h, s) => h + capH + s.canvases.reduce((a, c) => a + c.height + pad / 2, 0) + pad / 2, 0) + pad / 2;
  const out = document.createElement('canvas');
  out.width = Math.round(width);
  out.height = Math.round(height);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.textBaseline = 'middle';
  ctx.fillStyle = theme.fg;
  ctx.font = `600 ${Math.round(fs * 1.15)}px ${theme.fontFamily}`;
  ctx.fillText(title, pad, pad + titleH / 2);
  let y = pad + titleH;
  if (subtitle) {
    ctx.fillStyle = theme.muted;
    ctx.font = `${Math.round(fs * 0.9)}px ${theme.fontFamily}`;
    ctx.fillText(subtitle, pad, y + subH / 2 - fs * 0.3, out.width - 2 * pad);
    y += subH;
  }
  for (const s of shown) {
    ctx.fillStyle = theme.fg;
    ctx.font = `600 ${Math.round(fs)}px ${theme.fontFamily}`;
    ctx.fillText(s.title, pad, y + capH / 2);
    y += capH;
    for (const c of s.canvases) {
      ctx.drawImage(c, pad, y);
      y += c.height + pad / 2;
    }
    y += pad / 2;
  }
  return out.toDataURL('image/png');
}

/** Report mode: save a payload as a file download (`base64`: data is base64 bytes). */
export function download(name: string, data: string, mime: string, base64 = false): void {
  if (base64) data = `data:${mime};base64,${data}`;
  const href = data.startsWith('data:') ? data : URL.createObjectURL(new Blob([data], { type: mime }));
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  if (!data.startsWith('data:')) setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
