// Playwright helpers for driving the VS Code workbench served by code-server (see run-e2e.sh).
// Env: CS_URL (http://127.0.0.1:PORT/?folder=/abs/ws), SHOTS_DIR, RUN_DIR, WS_DIR.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CS_URL = process.env.CS_URL ?? 'http://127.0.0.1:8123/';
export const SHOTS = process.env.SHOTS_DIR ?? new URL('./shots', import.meta.url).pathname;
export const RUN_DIR = process.env.RUN_DIR ?? '';
export const WS = process.env.WS_DIR ?? join(RUN_DIR, 'ws');
export const EXT_ID = 'loss-landscape.loss-landscape';
mkdirSync(SHOTS, { recursive: true });

const T0 = Date.now();
export const timings = [];
export function lap(label, since) {
  const s = ((Date.now() - since) / 1000).toFixed(2);
  timings.push(`${label}: ${s} s`);
  console.log(`TIMING ${label}: ${s} s`);
  return Number(s);
}

export const SEL = {
  workbench: '.monaco-workbench',
  explorerRow: '.explorer-folders-view .monaco-list-row',
  quickInput: '.quick-input-widget .quick-input-box input',
  quickRow: (label) => `.quick-input-widget .monaco-list-row[aria-label^="${label}"]`,
  quickRows: '.quick-input-widget .monaco-list-row',
  tab: (label) => `.tabs-container .tab[aria-label^="${label}"]`,
  codeLens: (title) => `.editor-group-container.active .monaco-editor .codelens-decoration a:text-is("${title}")`,
  toast: '.notifications-toasts .notification-toast',
  webviewOuter: `iframe.webview.ready[src*="extensionId=${EXT_ID}"]`,
};

/** Launches chromium on the workbench; returns { browser, page, consoleLines }. */
export async function openWorkbench({ url = CS_URL } = {}) {
  const consoleLines = [];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1500, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('console', (m) => consoleLines.push(`${m.type()} ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror ${e.message}`));
  const t = Date.now();
  await page.goto(url);
  await waitWorkbench(page);
  lap('page.goto -> workbench ready', t);
  return { browser, context, page, consoleLines };
}

export async function waitWorkbench(page) {
  await page.locator(SEL.workbench).waitFor();
  await page.locator(SEL.explorerRow).first().waitFor({ timeout: 60_000 });
}

export async function shot(page, name) {
  const p = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: p });
  console.log(`  screenshot ${p}`);
  return p;
}

/** Takes the keyboard focus out of a webview iframe (keys typed there never reach the workbench). */
export async function focusWorkbench(page) {
  const inFrame = await page.evaluate(() => document.activeElement?.tagName === 'IFRAME').catch(() => false);
  if (inFrame) await page.locator('.part.sidebar .composite.title').first().click();
}

export async function palette(page, text, rowLabel = text) {
  await focusWorkbench(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.locator(SEL.quickInput).waitFor({ state: 'visible' });
  await page.keyboard.type(text);
  await page.locator(SEL.quickRow(rowLabel)).first().click();
}

/** Picks `label` in the quick pick that is currently open (an extension's showQuickPick). */
export async function pickQuick(page, label) {
  // typed into the filter first, as a user would: the list renders only the rows in view (the
  // 10th analysis was never rendered, so never visible)
  await page.locator(SEL.quickRows).first().waitFor();
  await page.locator(SEL.quickInput).fill(label);
  await page.locator(SEL.quickRow(label)).first().waitFor();
  await page.locator(SEL.quickRow(label)).first().click();
}

/** Opens `name` with Ctrl+P in the FIRST editor group (the panels live in the second). */
export async function quickOpen(page, name) {
  await focusWorkbench(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+1'); // focus the first editor group
  await page.keyboard.press('Control+p');
  await page.locator(SEL.quickInput).waitFor({ state: 'visible' });
  await page.keyboard.type(name);
  await page.locator(SEL.quickRow(name)).first().click();
  await page.locator(SEL.tab(name)).first().waitFor();
}

/** Clicks a CodeLens (the first with that title, or the n-th). */
export async function clickCodeLens(page, title, n = 0) {
  const lens = page.locator(SEL.codeLens(title)).nth(n);
  await lens.waitFor({ timeout: 60_000 });
  await lens.click();
}

/** Frames of the visible panel webview: outer iframe -> #active-frame. */
export function webview(page, index = 0) {
  return page.frameLocator(SEL.webviewOuter).nth(index).frameLocator('#active-frame');
}

/**
 * The inner frame (a Playwright Frame) of a visible webview of this extension, for evaluate().
 * Several panels can be visible at once (one per editor group), so a test names the panel it
 * means: `panel` = { definition, file? } (file: the end of the definition's file path) matched
 * against the panel's <body data-definition data-file>; without it, the first visible panel.
 */
export async function webviewFrame(page, { timeout = 30_000, panel } = {}) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      if (f.name() !== 'active-frame' && !/active-frame|fake\.html|index\.html/.test(f.url())) continue;
      const parent = f.parentFrame();
      if (!parent || !parent.url().includes(`extensionId=${EXT_ID}`)) continue;
      try {
        const visible = await parent.frameElement().then((el) => el.isVisible());
        if (!visible) continue;
        const shows = await f.evaluate(() => document.body ? { definition: document.body.dataset.definition, file: document.body.dataset.file } : undefined);
        if (!shows) continue;
        if (panel && (shows.definition !== panel.definition || (panel.file && !shows.file?.endsWith(panel.file)))) continue;
        return f;
      } catch { /* frame navigating */ }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`webview frame${panel ? ` of ${panel.definition}${panel.file ? ` (${panel.file})` : ''}` : ''} not found`);
}

/** Polls `fn` in the webview frame (of `panel`, see webviewFrame) until it returns a truthy value. */
export async function waitInWebview(page, fn, arg, { timeout = 120_000, interval = 250, label = 'webview condition', panel } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      const f = await webviewFrame(page, { timeout: 5000, panel });
      last = await f.evaluate(fn, arg);
      if (last) return last;
    } catch (e) { last = e.message; }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timeout waiting for ${label}; last: ${JSON.stringify(last)?.slice(0, 300)}`);
}

/** Live runner processes (dist/runner.js or the fake runner) of OUR code-server process group
 * (other people's CLI runs on the same machine do not count). */
export function runnerProcesses(pattern = /dist\/runner\.js|fake-runner\.js/) {
  let pgid = '';
  try { pgid = readFileSync(join(RUN_DIR, 'server.pid'), 'utf8').trim(); } catch { /* no server pid: all */ }
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim().split(/\s+/)).filter(([pid, pg, ...args]) =>
    pid && (!pgid || pg === pgid) && pattern.test(args.join(' '))).map(([pid, , ...args]) => `${pid} ${args.join(' ')}`);
}

export function extHostLog() {
  if (!RUN_DIR) return '';
  try {
    return execFileSync('bash', ['-c', `cat "${RUN_DIR}"/ud/logs/*/exthost*/remoteexthost.log "${RUN_DIR}"/ud/logs/*/exthost*/output_logging_*/*Loss\\ Landscape*.log 2>/dev/null | tail -80`], { encoding: 'utf8' });
  } catch { return ''; }
}

export function dumpConsole(consoleLines, filter = /Extension Host|loss-landscape|lossLandscape|pageerror/) {
  const lines = consoleLines.filter((l) => filter.test(l));
  if (lines.length) console.log('--- page console (filtered) ---\n' + lines.map((l) => '  ' + l.replace(/%c/g, '').replace(/ color: \S+/g, '').slice(0, 300)).join('\n'));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const since = () => ((Date.now() - T0) / 1000).toFixed(1);
export { existsSync };

/** Waits until the visible panel's run (of `panel`, see webviewFrame) is over (done/error/cancelled) and `pred(model)`; returns the panel model. */
export async function settledIn(page, pred = () => true, label = 'run settled', timeout = 180_000, panel = undefined) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      const f = await webviewFrame(page, { timeout: 5000, panel });
      last = await f.evaluate(() => window.__ll?.model);
      if (last && ['done', 'error', 'cancelled'].includes(last.status) && pred(last)) return last;
    } catch (e) { last = e.message; }
    await sleep(250);
  }
  throw new Error(`timeout waiting for ${label}; last: ${JSON.stringify(last && { status: last.status, definition: last.definition, analysis: last.analysis, error: last.error })}`);
}
