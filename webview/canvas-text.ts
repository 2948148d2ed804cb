/** Canvas text helpers: subscripts written as `θ_T` / `θ_{init}` and text with a halo. */

interface Run { text: string; sub: boolean }

function runs(text: string): Run[] {
  const out: Run[] = [];
  const re = /_\{([^}]*)\}|_(\S)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), sub: false });
    out.push({ text: m[1] ?? m[2], sub: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), sub: false });
  return out;
}

/** Plain text of a rich label (for aria labels / tooltips): `θ_T` → `θT`. */
export function plainText(text: string): string {
  return runs(text).map((r) => r.text).join('');
}

function fontWithSize(font: string, scale: number): string {
  return font.replace(/(\d+(?:\.\d+)?)px/, (_, n) => `${(parseFloat(n) * scale).toFixed(1)}px`);
}

export function measureRich(ctx: CanvasRenderingContext2D, text: string): number {
  const base = ctx.font;
  let w = 0;
  for (const r of runs(text)) {
    ctx.font = r.sub ? fontWithSize(base, 0.75) : base;
    w += ctx.measureText(r.text).width;
  }
  ctx.font = base;
  return w;
}

/**
 * Draw `text` with subscripts at (x, y) honouring ctx.textAlign (left/center/right) and the
 * current textBaseline. With `halo`, a stroke of that colour is drawn under the glyphs first.
 */
export function drawRich(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, halo?: string, haloWidth = 3): void {
  const base = ctx.font;
  const align = ctx.textAlign;
  const total = measureRich(ctx, text);
  let cx = align === 'center' ? x - total / 2 : align === 'right' || align === 'end' ? x - total : x;
  ctx.textAlign = 'left';
  const size = parseFloat(/(\d+(?:\.\d+)?)px/.exec(base)?.[1] ?? '12');
  for (const r of runs(text)) {
    ctx.font = r.sub ? fontWithSize(base, 0.75) : base;
    const dy = r.sub ? size * 0.28 : 0;
    if (halo) {
      ctx.save();
      ctx.strokeStyle = halo;
      ctx.lineWidth = haloWidth;
      ctx.lineJoin = 'round';
      ctx.strokeText(r.text, cx, y + dy);
      ctx.restore();
    }
    ctx.fillText(r.text, cx, y + dy);
    cx += ctx.measureText(r.text).width;
  }
  ctx.font = base;
  ctx.textAlign = align;
}

/** Text on a rounded background box (so lines behind it do not cross the glyphs). */
export function drawBoxedRich(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, bg: string, pad = 3): { x: number; y: number; w: number; h: number } {
  const size = parseFloat(/(\d+(?:\.\d+)?)px/.exec(ctx.font)?.[1] ?? '12');
  const w = measureRich(ctx, text) + 2 * pad, h = size + 2 * pad;
  const align = ctx.textAlign, base = ctx.textBaseline;
  const left = align === 'center' ? x - w / 2 : align === 'right' || align === 'end' ? x - w + pad : x - pad;
  const top = base === 'top' ? y - pad : base === 'bottom' || base === 'alphabetic' ? y - size - pad : y - h / 2;
  ctx.save();
  ctx.fillStyle = bg;
  ctx.beginPath();
  if (typeof ctx.roundRect === 'function') ctx.roundRect(left, top, w, h, 3); else ctx.rect(left, top, w, h);
  ctx.fill();
  ctx.restore();
  drawRich(ctx, text, x, y);
  return { x: left, y: top, w, h };
}
