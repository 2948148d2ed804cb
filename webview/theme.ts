/**
 * Colours from the VS Code theme (CSS variables VS Code sets on the webview's <html>/<body>),
 * with fallbacks for the static report. Re-read when the body's theme class changes.
 */

export type ThemeKind = 'dark' | 'light' | 'hc-dark' | 'hc-light';

export interface Theme {
  kind: ThemeKind;
  hc: boolean;
  fg: string;
  bg: string;
  muted: string;
  border: string;
  grid: string;
  focus: string;
  link: string;
  blue: string;
  red: string;
  green: string;
  orange: string;
  purple: string;
  yellow: string;
  errorFg: string;
  fontFamily: string;
  fontSize: number;
  /** Multiplier for line widths (high contrast: thicker). */
  lw: number;
}

const FALLBACK: Record<'dark' | 'light', Record<string, string>> = {
  dark: {
    '--vscode-editor-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f',
    '--vscode-descriptionForeground': '#9d9d9d', '--vscode-editorWidget-border': '#454545',
    '--vscode-focusBorder': '#0078d4', '--vscode-textLink-foreground': '#4daafc',
    '--vscode-charts-blue': '#3794ff', '--vscode-charts-red': '#f14c4c', '--vscode-charts-green': '#89d185',
    '--vscode-charts-orange': '#d18616', '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#cca700',
    '--vscode-errorForeground': '#f85149', '--vscode-charts-lines': '#cccccc80',
  },
  light: {
    '--vscode-editor-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff',
    '--vscode-descriptionForeground': '#717171', '--vscode-editorWidget-border': '#c8c8c8',
    '--vscode-focusBorder': '#005fb8', '--vscode-textLink-foreground': '#005fb8',
    '--vscode-charts-blue': '#1a85ff', '--vscode-charts-red': '#e51400', '--vscode-charts-green': '#388a34',
    '--vscode-charts-orange': '#d18616', '--vscode-charts-purple': '#652d90', '--vscode-charts-yellow': '#bf8803',
    '--vscode-errorForeground': '#a1260d', '--vscode-charts-lines': '#00000080',
  },
};

export function themeKind(body: HTMLElement = document.body): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'hc-light';
  if (c.contains('vscode-high-contrast')) return 'hc-dark';
  if (c.contains('vscode-light')) return 'light';
  if (c.contains('vscode-dark')) return 'dark';
  const kind = body.getAttribute('data-vscode-theme-kind');
  if (kind === 'vscode-light') return 'light';
  if (kind === 'vscode-high-contrast') return 'hc-dark';
  if (kind === 'vscode-high-contrast-light') return 'hc-light';
  if (kind === 'vscode-dark') return 'dark';
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

let probe: CanvasRenderingContext2D | null = null;

/** Normalise any CSS colour to rgba components (via the canvas colour parser). */
export function parseColor(color: string): [number, number, number, number] {
  const hex = /^#([0-9a-f]{3,8})$/i.exec(color.trim());
  if (hex) {
    let h = hex[1];
    if (h.length === 3 || h.length === 4) h = h.split('').map((ch) => ch + ch).join('');
    const n = (k: number) => parseInt(h.slice(k, k + 2), 16);
    return [n(0), n(2), n(4), h.length === 8 ? n(6) / 255 : 1];
  }
  if (!probe) probe = document.createElement('canvas').getContext('2d');
  if (probe) {
    probe.fillStyle = '#000';
    probe.fillStyle = color;
    const v = String(probe.fillStyle);
    if (v.startsWith('#')) return parseColor(v);
    const m = /rgba?\(([^)]+)\)/.exec(v);
    if (m) {
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
  }
  return [128, 128, 128, 1];
}

export function withAlpha(color: string, alpha: number): string {
  const [r, g, b, a] = parseColor(color);
  return `rgba(${r}, ${g}, ${b}, ${+(a * alpha).toFixed(3)})`;
}

/** Relative luminance (0 dark … 1 light). */
export function luminance(color: string): number {
  const [r, g, b] = parseColor(color).map((v, k) => (k < 3 ? v / 255 : v));
  const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4));
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function readTheme(body: HTMLElement = document.body): Theme {
  const kind = themeKind(body);
  const fb = FALLBACK[kind === 'light' || kind === 'hc-light' ? 'light' : 'dark'];
  const cs = getComputedStyle(body);
  const v = (name: string, ...alts: string[]) => {
    for (const n of [name, ...alts]) {
      const s = cs.getPropertyValue(n).trim();
      if (s) return s;
    }
    return fb[name] ?? '#888888';
  };
  const hc = kind === 'hc-dark' || kind === 'hc-light';
  const fg = v('--vscode-editor-foreground', '--vscode-foreground');
  const bg = v('--vscode-editor-background');
  const fontSize = parseFloat(cs.getPropertyValue('--vscode-font-size')) || parseFloat(cs.fontSize) || 13;
  return {
    kind, hc, fg, bg,
    muted: v('--vscode-descriptionForeground'),
    border: hc ? v('--vscode-contrastBorder', '--vscode-editorWidget-border') : v('--vscode-editorWidget-border', '--vscode-panel-border'),
    grid: withAlpha(fg, hc ? 0.35 : 0.12),
    focus: v('--vscode-focusBorder'),
    link: v('--vscode-textLink-foreground'),
    blue: v('--vscode-charts-blue'),
    red: v('--vscode-charts-red'),
    green: v('--vscode-charts-green'),
    orange: v('--vscode-charts-orange'),
    purple: v('--vscode-charts-purple'),
    yellow: v('--vscode-charts-yellow'),
    errorFg: v('--vscode-errorForeground'),
    fontFamily: cs.getPropertyValue('--vscode-font-family').trim() || cs.fontFamily || 'system-ui, sans-serif',
    fontSize: Math.max(10, Math.min(16, fontSize)),
    lw: hc ? 2 : 1,
  };
}

/** Calls `onChange` (debounced to one animation frame) when the body's theme class / style changes. */
export function watchTheme(onChange: () => void): MutationObserver {
  let pending = false;
  const obs = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; onChange(); });
  });
  obs.observe(document.body, { attributes: true, attributeFilter: ['class', 'style', 'data-vscode-theme-kind'] });
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return obs;
}
