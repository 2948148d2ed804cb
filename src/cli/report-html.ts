/**
 * Self-contained static report: the panel bundle (dist/webview.js + dist/webview.css) inlined in one
 * HTML page that renders a ProbeResult without VS Code. Runs in Node for the CLI (src/cli/main.ts),
 * not in the panel: no DOM here.
 *
 *   import { reportHtml } from './report-html';
 *   writeFileSync('report.html', reportHtml(result, readFileSync('dist/webview.js', 'utf8'), readFileSync('dist/webview.css', 'utf8')));
 */
import type { ProbeResult } from '../protocol';

/** JSON that is safe inside a <script> element: no `</script`, `<!--`, or U+2028/2029 line breaks. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Script text that cannot close its <script> element early. */
export function scriptForInline(js: string): string {
  return js
    .replace(/\n\/\/# sourceMappingURL=data:[^\n]*\s*$/, '\n') // inline source maps only bloat the report
    // `\x3C` is "<" inside string, template and regex literals alike (and harmless in comments).
    .replace(/<\/(script)/gi, '\\x3C/$1')
    .replace(/<!--/g, '\\x3C!--');
}

/** Style text that cannot close its <style> element early. */
export function styleForInline(css: string): string {
  return css.replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '').replace(/<\/(style)/gi, '<\\/$1');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The report page for `result`. `webviewJs` / `webviewCss` are the contents of dist/webview.js and
 * dist/webview.css. The page sets `window.__LOSS_LANDSCAPE_RESULT__` before the bundle runs; the
 * bundle sees no `acquireVsCodeApi` and renders the result statically (exports become downloads).
 */
export function reportHtml(result: ProbeResult, webviewJs: string, webviewCss: string): string {
  const file = (result.file ?? '').split(/[\\/]/).pop() || 'landscape';
  const title = `Loss landscape — ${file}${result.definition ? ` › ${result.definition}` : ''} (${result.analysis})`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="loss-landscape">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>\n${styleForInline(webviewCss)}\n</style>`,
    '</head>',
    '<body class="ll-report">',
    `<script>window.__LOSS_LANDSCAPE_RESULT__ = ${jsonForScript(result)};</script>`,
    `<script>\n${scriptForInline(webviewJs)}\n</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
