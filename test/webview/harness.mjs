#!/usr/bin/env node
// Webview harness: builds the bundle, opens the panel in headless Chromium with a fake
// `acquireVsCodeApi`, replays recorded host messages (test/webview/fixtures/*.json) in dark,
// light and high-contrast themes, asserts on what is drawn and posted, and writes screenshots to
// test/webview/shots/. Also renders the static report.html mode.
//
//   node test/webview/harness.mjs            (exit code 1 on any failed check)
//   node test/webview/harness.mjs --no-build (reuse dist/)
//   CHROMIUM=/path/to/chrome node test/webview/harness.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { styleAttr, THEMES } from './themes.mjs';
import { analysesScenarios } from './analyses.mjs';
import { connectivityScenarios } from './connectivity.mjs';
import { surveyScenario } from './survey-scenario.mjs';
import { expectedColor } from './expected-color.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const require = createRequire(import.meta.url);
const shots = join(here, 'shots');
const pages = join(shots, 'pages');
mkdirSync(pages, { recursive: true });

const failures = [];
let passed = 0;
function check(name, cond, detail = '') {
  if (cond) { passed++; console.log(`  ok   ${name}`); }
  else { failures.push(`${name}${detail ? `: ${detail}` : ''}`); console.log(`  FAIL ${name}${detail ? `: ${detail}` : ''}`); }
}

// ---- build ------------------------------------------------------------------------------------
async function build() {
  if (process.argv.includes('--no-build') && existsSync(join(root, 'dist/webview.js'))) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
  if (r.status === 0) { console.log(r.stdout.trim()); return; }
  // Another runtime of the project may be mid-edit; build just the webview with the same options.
  console.warn(`[harness] scripts/build.mjs failed (status ${r.status}); building the webview alone\n${(r.stderr || '').slice(0, 2000)}`);
  const esbuild = require('esbuild');
  await esbuild.build({
    absWorkingDir: root, bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: 'inline',
    logLevel: 'warning', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', loader: { '.css': 'css' },
  });
}

/** src/cli/report-html.ts compiled for Node (what the CLI imports). */
async function loadReportModule() {
  const esbuild = require('esbuild');
  const out = await esbuild.build({ absWorkingDir: root, entryPoints: ['src/cli/report-html.ts'], bundle: true, format: 'esm', platform: 'node', write: false });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

// ---- pages ------------------------------------------------------------------------------------
const distJs = pathToFileURL(join(root, 'dist/webview.js')).href;
const distCss = pathToFileURL(join(root, 'dist/webview.css')).href;

function vscodePage(name, theme, state) {
  const t = THEMES[theme];
  // VS Code: variables on <html style>, theme class on <body>, its default body padding, and the
  // strict CSP an extension sets (no inline styles / scripts without a nonce): violations are
  // console errors, which fail the run.
  const html = `<!DOCTYPE html>
<html lang="en" style="${styleAttr(theme).replace(/"/g, '&quot;')}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src file: data:; style-src file: 'nonce-vscode'; font-src file:; script-src file: 'nonce-vscode';">
<style id="_defaultStyles" nonce="vscode">body { padding: 0 20px; color: var(--vscode-editor-foreground); background-color: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }</style>
<link rel="stylesheet" href="${distCss}">
</head>
<body class="${t.bodyClass}" data-vscode-theme-kind="${t.kind}">
<script nonce="vscode">
  window.__posted = [];
  window.__state = ${JSON.stringify(state ?? null)} ?? undefined;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => window.__state,
    setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
  });
</script>
<script src="${distJs}"></script>
</body>
</html>`;
  const file = join(pages, `${name}.html`);
  writeFileSync(file, html);
  return pathToFileURL(file).href;
}

function fixture(name) {
  return JSON.parse(readFileSync(join(here, 'fixtures', `${name}.json`), 'utf8')).messages;
}

// ---- browser helpers ---------------------------------------------------------------------------
let browser;
async function openPage(url, { width = 720, height = 1000, colorScheme = 'dark', errors } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) errors.push(`console: ${m.text()}`); });
  await page.goto(url);
  await page.waitForFunction(() => !!window.__ll);
  await frames(page);
  return page;
}

const frames = (page, n = 3) => page.evaluate((n) => new Promise((res) => {
  const step = (k) => (k <= 0 ? res() : requestAnimationFrame(() => step(k - 1)));
  step(n);
}), n);

async function post(page, msgs, startedAt) {
  await page.evaluate(({ msgs, startedAt }) => {
    for (const m of msgs) window.postMessage(m.type === 'runStarted' ? { ...m, startedAt } : m, '*');
  }, { msgs, startedAt });
  await frames(page);
}

/** Replay messages in small batches (so the panel renders the intermediate states). */
async function replay(page, msgs, { startedAt = Date.now() - 8000, batch = 3 } = {}) {
  for (let k = 0; k < msgs.length; k += batch) await post(page, msgs.slice(k, k + batch), startedAt);
}

const posted = (page) => page.evaluate(() => window.__posted);
const text = (page, sel) => page.evaluate((sel) => document.querySelector(sel)?.textContent ?? null, sel);

async function shot(page, name) {
  const file = join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  shot ${file}`);
}

async function clickButton(page, label) {
  await page.locator('vscode-button', { hasText: label }).first().click();
  await frames(page);
}


// ---- scenarios --------------------------------------------------------------------------------
async function interpolateScenario() {
  console.log('\n# interpolate (dark): streaming, cancel, stale run, click, exports, restore, theme switch');
  const errors = [];
  const msgs = fixture('interpolate');
  const page = await openPage(vscodePage('interp-dark', 'dark'), { errors });
  let sent = await posted(page);
  check('ready is posted once the listener is set up', sent.length === 1 && sent[0].type === 'ready', JSON.stringify(sent));

  const firstCurve = msgs.findIndex((m) => m.type === 'curvePoints');
  const trained = msgs.findIndex((m) => m.type === 'trained');
  const startedAt = Date.now() - 9000;
  await replay(page, msgs.slice(0, trained), { startedAt });
  const training = await page.evaluate(() => ({
    state: document.querySelector('.ll-state').textContent, status: document.querySelector('.ll-status').textContent,
    epochs: window.__ll.train.charts()[0].data.datasets.at(-1).data.length,
    placeholder: !document.querySelector('.ll-placeholder').hidden, bar: !document.querySelector('.ll-bar').hidden,
  }));
  check('live training: state, progress and per-epoch points', training.state === 'training' && training.epochs === 5 && training.bar && /training 4\/5/.test(training.status), JSON.stringify(training));
  check('interpolation placeholder until points arrive', training.placeholder);
  await shot(page, 'interp-dark-training');
  await replay(page, msgs.slice(trained, firstCurve + 4), { startedAt });
  const mid = await page.evaluate(() => {
    const [loss] = window.__ll.interp.charts();
    return { n: loss.data.datasets[0].data.length, state: document.querySelector('.ll-state').textContent,
      status: document.querySelector('.ll-status').textContent, firstY: loss.data.datasets[0].data[0]?.y,
      elapsed: document.querySelector('.ll-elapsed').textContent };
  });
  check('points stream in (partial curve drawn)', mid.n > 0 && mid.n < 41, `n=${mid.n}`);
  check('state shows probing while streaming', mid.state === 'probing', mid.state);
  check('status counts points done/total', /\d+\/41 points/.test(mid.status), mid.status);
  check('status says the evaluation uses a subset', mid.status.includes('subset') && mid.status.includes('1,000 of 60,000'), mid.status);
  check('elapsed time ticks from startedAt', /^elapsed (9\.\d|\d\d) s$/.test(mid.elapsed), mid.elapsed);
  check('stale runId chunk is dropped', mid.firstY !== 999 && Math.abs(mid.firstY - 4.17) < 0.1, `first y = ${mid.firstY}`);
  await shot(page, 'interp-dark-streaming');
  await clickButton(page, 'Cancel');
  sent = await posted(page);
  check('Cancel posts {type:"cancel", runId}', sent.some((m) => m.type === 'cancel' && m.runId === 'run-1'), JSON.stringify(sent.slice(-1)));

  await replay(page, msgs.slice(firstCurve + 4), { startedAt });
  const done = await page.evaluate(() => {
    const [loss, acc] = window.__ll.interp.charts();
    const ds = loss.data.datasets;
    const xs = ds[0].data.map((p) => p.x);
    return {
      counts: [ds[0].data.length, ds[1].data.length, acc.data.datasets[0].data.length, acc.data.datasets[1].data.length],
      sorted: xs.every((x, k) => k === 0 || x > xs[k - 1]), xmin: xs[0], xmax: xs[xs.length - 1],
      yType: loss.options.scales.y.type, note: loss.options.plugins.llMarkers.note,
      markers: loss.options.plugins.llMarkers.lines.map((l) => `${l.x}:${l.label}`),
      summary: document.querySelector('.ll-summary')?.textContent ?? '', state: document.querySelector('.ll-state').textContent,
      status: document.querySelector('.ll-status').textContent, cancelDisabled: [...document.querySelectorAll('vscode-button')].find((b) => b.textContent.trim() === 'Cancel')?.disabled,
      aria: loss.canvas.getAttribute('aria-label'), live: document.querySelector('.ll-status').getAttribute('aria-live'),
    };
  });
  check('loss and accuracy charts have 41 points per dataset', done.counts.every((n) => n === 41), done.counts.join(','));
  check('points are ordered by α whatever the arrival order', done.sorted && done.xmin === -0.5 && done.xmax === 1.5, `${done.xmin}..${done.xmax}`);
  check('log-y is on by default', done.yType === 'logarithmic', done.yType);
  check('markers at α=0 (θ₀ init) and α=1 (θ_T trained)', done.markers.join('|') === '0:θ₀ init|1:θ_T trained', done.markers.join('|'));
  check('monotone verdict annotated', done.note === 'monotone on [0,1]: no barrier' && /Monotone on \[0,1\]: no barrier/.test(done.summary), done.note);
  check('summary shows α=0 / 0.5 / 1 losses', done.summary.includes('α = 0.5') && done.summary.includes('2.296') && done.summary.includes('0.093'), done.summary);
  check('state done, Cancel disabled', done.state === 'done' && done.cancelDisabled === true, `${done.state} ${done.cancelDisabled}`);
  check('plot has a summarising aria-label', /Train loss 2\.3 at α = 0/.test(done.aria ?? ''), done.aria);
  check('status line is an aria-live region', done.live === 'polite');

  // Click the point at α = 0.5 on the loss chart.
  const pt = await page.evaluate(() => {
    const [loss] = window.__ll.interp.charts();
    const r = loss.canvas.getBoundingClientRect();
    const k = loss.data.datasets[0].data.findIndex((p) => p.x === 0.5);
    const p = loss.data.datasets[0].data[k];
    return { x: r.left + loss.scales.x.getPixelForValue(p.x), y: r.top + loss.scales.y.getPixelForValue(p.y) };
  });
  await page.mouse.click(pt.x, pt.y);
  await frames(page);
  const info = await text(page, '.ll-interp .ll-point-info');
  check('clicking a point shows its values', /α = 0\.5 · train loss 0\.98\d* ± [\d.]+ · test loss [\d.]+ · train acc [\d.]+% · test acc/.test(info), info);
  await page.mouse.move(pt.x, pt.y + 2);
  await frames(page);
  await shot(page, 'interp-dark');

  // Exports
  await clickButton(page, 'PNG');
  await clickButton(page, 'CSV');
  await clickButton(page, 'JSON');
  sent = await posted(page);
  const ex = Object.fromEntries(sent.filter((m) => m.type === 'export').map((m) => [m.format, m]));
  check('PNG export: a data URL of the composed plots', ex.png?.data?.startsWith('data:image/png;base64,') && ex.png.data.length > 20000 && ex.png.name === 'mnist-mlp-mnistMlp-interpolate.png', `${ex.png?.name} ${ex.png?.data?.length}`);
  const csv = ex.csv?.data?.trim().split('\n') ?? [];
  check('CSV export: header + 41 rows', csv.length === 42 && csv[0].startsWith('alpha,train_loss,test_loss'), `${csv.length} lines: ${csv[0]}`);
  let json = null;
  try { json = JSON.parse(ex.json?.data ?? 'null'); } catch { /* checked below */ }
  check('JSON export: the last ProbeResult', json?.schema === 'loss-landscape/result@1' && json.interpolate.alpha.length === 41);
  const noPlaneBtns = await page.evaluate(() => ['NPY', 'VTP'].map((l) => [...document.querySelectorAll('vscode-button')].find((b) => b.textContent === l)).map((b) => !!b && b.hidden));
  check('interpolate: no NPY / VTP export (a plane only)', noPlaneBtns.every(Boolean), JSON.stringify(noPlaneBtns));
  check('interpolate: no npy / vtp posted', !sent.some((m) => m.type === 'export' && (m.format === 'npy' || m.format === 'vtp')));
  if (ex.png) writeFileSync(join(shots, 'interp-export.png'), Buffer.from(ex.png.data.split(',')[1], 'base64'));

  // Re-run and switching the analysis
  await clickButton(page, 'Re-run');
  await clickButton(page, 'Plane');
  sent = await posted(page);
  check('Re-run posts {type:"rerun"}', sent.some((m) => m.type === 'rerun' && !m.options));
  check('Plane posts rerun with analysis "plane"', sent.some((m) => m.type === 'rerun' && m.options?.analysis === 'plane'));

  // Restore after a reload: a fresh page gets the saved state, no messages.
  const state = await page.evaluate(() => window.__state);
  check('setState keeps the model', state?.v === 1 && state.model?.result?.schema === 'loss-landscape/result@1');
  const errors2 = [];
  const page2 = await openPage(vscodePage('interp-restored', 'dark', state), { errors: errors2 });
  const restored = await page2.evaluate(() => ({ n: window.__ll.interp?.charts()[0].data.datasets[0].data.length, state: document.querySelector('.ll-state').textContent }));
  check('panel restores from getState() after a reload', restored.n === 41 && restored.state === 'done', JSON.stringify(restored));
  // New run id clears stale data
  await post(page2, [{ type: 'runStarted', runId: 'run-next', file: '/x/other.landscape.ts', definition: 'other', options: { analysis: 'interpolate' }, cached: false }], Date.now());
  const cleared = await page2.evaluate(() => ({ n: window.__ll.interp?.charts()[0].data.datasets[0].data.length, title: document.querySelector('.ll-title').textContent, summary: document.querySelector('.ll-summary').textContent }));
  check('runStarted with a new runId clears the previous data', cleared.n === 0 && cleared.title.includes('other.landscape.ts') && cleared.summary === '', JSON.stringify(cleared));
  check('no page errors (restored page)', errors2.length === 0, errors2.join(' | '));
  await page2.context().close();

  // Theme switch: VS Code changes the body class and the variables; the charts re-read them.
  const before = await page.evaluate(() => window.__ll.theme.bg);
  // Like VS Code's webview host: CSSOM (allowed by the CSP), not a style attribute.
  await page.evaluate(({ vars, cls }) => {
    const st = document.documentElement.style;
    for (const name of [...st]) if (name.startsWith('--vscode-')) st.removeProperty(name);
    for (const [k, v] of Object.entries(vars)) st.setProperty(k, v);
    document.body.className = cls;
  }, { vars: THEMES.light.vars, cls: THEMES.light.bodyClass });
  await frames(page, 4);
  const after = await page.evaluate(() => ({ bg: window.__ll.theme.bg, kind: window.__ll.theme.kind, tick: window.__ll.interp.charts()[0].options.scales.x.ticks.color }));
  check('theme change (body class) re-reads the colours', before === '#1f1f1f' && after.bg === '#ffffff' && after.kind === 'light' && after.tick === '#3b3b3b', JSON.stringify(after));
  await shot(page, 'interp-dark-to-light');
  check('no page errors (interpolate)', errors.length === 0, errors.join(' | '));
  await page.context().close();
}

async function replayScenario(fixtureName, theme, shotName, opts = {}) {
  const errors = [];
  const page = await openPage(vscodePage(shotName, theme), { errors, width: opts.width ?? 720, height: opts.height ?? 1000 });
  await replay(page, fixture(fixtureName), { batch: 6 });
  await frames(page);
  if (opts.after) await opts.after(page);
  await shot(page, shotName);
  check(`no page errors (${shotName})`, errors.length === 0, errors.join(' | '));
  return page;
}

async function barrierScenario() {
  console.log('\n# interpolate with a barrier (light)');
  const page = await replayScenario('interpolate-barrier', 'light', 'interp-barrier-light');
  const r = await page.evaluate(() => ({ b: window.__ll.interp.charts()[0].options.plugins.llMarkers.barrier, v: document.querySelector('.ll-verdict')?.textContent }));
  check('barrier annotated with height and α', r.b && /barrier 0\.24\d* at α = 0\.6/.test(r.b.label) && /Not monotone/.test(r.v), JSON.stringify(r));
  await page.context().close();
  const p2 = await replayScenario('interpolate', 'light', 'interp-light');
  await p2.context().close();
  const p3 = await replayScenario('interpolate', 'dark', 'interp-small-dark', { width: 380, height: 900 });
  await p3.context().close();
}

async function planeScenario() {
  console.log('\n# plane (dark): streaming rows, heatmap colours, hover, contours');
  const errors = [];
  const msgs = fixture('plane');
  const result = msgs.find((m) => m.type === 'result').result;
  const page = await openPage(vscodePage('plane-dark', 'dark'), { errors, height: 1100 });
  const setup = msgs.findIndex((m) => m.type === 'planeSetup');
  const startedAt = Date.now() - 30000;
  await replay(page, msgs.slice(0, setup + 12), { startedAt, batch: 4 });
  const mid = await page.evaluate(() => ({ done: window.__ll.model.plane.done, status: document.querySelector('.ll-status').textContent,
    contours: window.__ll.plane.contourCache?.lines.length ?? 0 }));
  check('plane cells stream in', mid.done === 11 * 21, `done=${mid.done}`);
  check('status counts plane points', mid.status.includes('231/441 points'), mid.status);
  check('contours computed once half of the grid is present', mid.contours > 0, `levels=${mid.contours}`);
  await shot(page, 'plane-dark-streaming');
  await replay(page, msgs.slice(setup + 12), { startedAt, batch: 4 });
  await frames(page);

  // Pixel check: the median colour inside a cell far from the paths matches viridis(log-scaled loss).
  const flat = result.plane.loss.flat();
  const lo = Math.min(...flat), hi = Math.max(...flat);
  for (const [i, j] of [[18, 2], [6, 12], [3, 19]]) {
    const px = await page.evaluate(([i, j]) => {
      const v = window.__ll.plane;
      const r = v.geom.cell(i, j);
      const dpr = v.canvas.width / v.geom.width;
      const cx = Math.round((r.x + r.w / 2) * dpr), cy = Math.round((r.y + r.h / 2) * dpr);
      const d = v.canvas.getContext('2d').getImageData(cx - 3, cy - 3, 7, 7).data;
      const ch = [[], [], []];
      for (let k = 0; k < d.length; k += 4) for (let c = 0; c < 3; c++) ch[c].push(d[k + c]);
      return ch.map((a) => a.sort((p, q) => p - q)[a.length >> 1]);
    }, [i, j]);
    const exp = expectedColor(result.plane.loss[i][j], lo, hi);
    const dist = Math.max(...px.map((c, n) => Math.abs(c - exp[n])));
    check(`heatmap cell (i=${i}, j=${j}) loss ${result.plane.loss[i][j]} has the viridis colour`, dist <= 6, `got rgb(${px}) expected rgb(${exp.map(Math.round)})`);
  }
  const g = await page.evaluate(() => {
    const v = window.__ll.plane;
    const r = v.canvas.getBoundingClientRect();
    const c = v.geom.cell(10, 5);
    return { x: r.left + c.x + c.w / 2, y: r.top + c.y + c.h / 2, aria: v.canvas.getAttribute('aria-label'),
      contours: v.contourCache?.lines.length, ticks: v.contourCache?.lines.map((l) => l.level) };
  });
  check('contour levels at the colour-bar ticks', g.contours >= 4, JSON.stringify(g.ticks));
  check('heatmap has a summarising aria-label', /21 by 21 grid, 441 of 441 cells/.test(g.aria) && /Lowest loss 0\.085 at a = 1, b = 0/.test(g.aria), g.aria);
  await page.mouse.move(g.x, g.y);
  await frames(page);
  const tip = await page.evaluate(() => { const t = document.querySelector('.ll-tip'); return { hidden: t.hidden, text: t.textContent }; });
  check('hover shows (a, b, loss) of the cell', !tip.hidden && tip.text.startsWith("a = 0, b = 0: loss 2.31"), JSON.stringify(tip));
  await shot(page, 'plane-dark');
  await page.mouse.move(5, 5);
  await frames(page);
  await page.focus('.ll-plane-canvas');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  await frames(page);
  const kb = await text(page, '.ll-plane .ll-point-info');
  check('arrow keys move the selected cell', kb.startsWith('a = 0.6, b = 0.1: loss'), kb);
  await page.setViewportSize({ width: 440, height: 900 });
  await frames(page, 6);
  const resized = await page.evaluate(() => ({ w: window.__ll.plane.geom.width, plotW: window.__ll.plane.geom.plot.w, css: window.__ll.plane.canvas.style.width }));
  check('plane redraws on resize (ResizeObserver)', resized.w <= 440 - 28 && resized.w >= 360 && resized.css === `${resized.w}px`, JSON.stringify(resized));
  await page.setViewportSize({ width: 720, height: 1100 });
  await frames(page, 6);
  await clickButton(page, 'CSV');
  await clickButton(page, 'PNG');
  const sent = await posted(page);
  const png = sent.find((m) => m.type === 'export' && m.format === 'png');
  check('plane PNG export', png?.data.startsWith('data:image/png;base64,') && png.name === 'mnist-mlp-mnistMlp-plane.png', png?.name);
  if (png) writeFileSync(join(shots, 'plane-export.png'), Buffer.from(png.data.split(',')[1], 'base64'));
  const csv = sent.find((m) => m.type === 'export' && m.format === 'csv')?.data.split('\n') ?? [];
  const gridRows = csv.slice(1, csv.indexOf(''));
  check('plane CSV export: 441 grid rows, then the trajectory', csv[0] === 'i,j,a,b,loss,test_loss' && gridRows.length === 441 && csv.includes('trajectory_step,a,b'), `${csv[0]} ${gridRows.length}`);
  // the plane's own formats: NumPy .npy (loss grid, float64, (len b, len a)) and ParaView .vtp
  const planeBtns = await page.evaluate(() => ['NPY', 'VTP'].map((l) => [...document.querySelectorAll('vscode-button')].find((b) => b.textContent === l)).map((b) => !!b && !b.hidden && !b.disabled));
  check('plane: NPY and VTP export buttons shown', planeBtns.every(Boolean), JSON.stringify(planeBtns));
  await clickButton(page, 'NPY');
  await clickButton(page, 'VTP');
  const sent2 = await posted(page);
  const want = msgs.find((m) => m.type === 'result').result.plane;
  const npy = sent2.find((m) => m.type === 'export' && m.format === 'npy');
  const bytes = npy ? Buffer.from(npy.data, 'base64') : Buffer.alloc(0);
  const hlen = bytes.length > 10 ? bytes.readUInt16LE(8) : 0;
  const header = bytes.subarray(10, 10 + hlen).toString('latin1');
  const values = bytes.length ? Array.from({ length: (bytes.length - 10 - hlen) / 8 }, (_, k) => bytes.readDoubleLE(10 + hlen + 8 * k)) : [];
  const wantFlat = want.loss.flat().map((v) => (v === null ? NaN : v));
  check('plane NPY export: \\x93NUMPY, float64 (21, 21), the loss grid row by row, its name',
    npy?.name === 'mnist-mlp-mnistMlp-plane.npy' && bytes.subarray(0, 8).equals(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]))
    && /'descr': '<f8', 'fortran_order': False, 'shape': \(21, 21\)/.test(header) && (10 + hlen) % 64 === 0
    && values.length === 441 && values.every((v, k) => Object.is(v, wantFlat[k]) || v === wantFlat[k]), `${npy?.name} ${header.trim()} ${values.length}`);
  const vtp = sent2.find((m) => m.type === 'export' && m.format === 'vtp');
  const nPath = want.trajectory?.a.length ?? 0;
  check('plane VTP export: PolyData with 441 grid points + the path, 400 quads, loss arrays, its name',
    vtp?.name === 'mnist-mlp-mnistMlp-plane.vtp' && vtp.data.startsWith('<?xml') && vtp.data.includes('<VTKFile type="PolyData"')
    && vtp.data.includes(`NumberOfPoints="${441 + (nPath >= 2 ? nPath : 0)}"`) && vtp.data.includes('NumberOfPolys="400"') && /Name="loss"/.test(vtp.data) && /Name="test_loss"/.test(vtp.data),
    `${vtp?.name} ${vtp?.data.slice(0, 200)}`);
  check('no page errors (plane)', errors.length === 0, errors.join(' | '));
  await page.context().close();

  console.log('\n# plane (light, small, high contrast)');
  for (const [theme, name, width] of [['light', 'plane-light', 720], ['light', 'plane-small-light', 360], ['hc-dark', 'plane-hc-dark', 600]]) {
    const p = await replayScenario('plane', theme, name, { width, height: 1000 });
    const geom = await p.evaluate(() => ({ w: window.__ll.plane.geom.width, plotW: window.__ll.plane.geom.plot.w }));
    check(`${name}: plane fits the panel width`, geom.w <= width && geom.plotW > width * 0.45, JSON.stringify(geom));
    await p.context().close();
  }
}

async function errorScenario() {
  console.log('\n# error and untrusted');
  const errors = [];
  const page = await openPage(vscodePage('error-dark', 'dark'), { errors, height: 500 });
  await replay(page, fixture('error'));
  const box = await page.evaluate(() => { const b = document.querySelector('.ll-error'); return { hidden: b.hidden, text: b.textContent, role: b.getAttribute('role') }; });
  check('error box shows the message and file:line:column', !box.hidden && box.text.includes('broken.landscape.ts:14:23') && box.text.includes('Expected ";" but found "model"'), box.text);
  check('error box is an alert', box.role === 'alert');
  await shot(page, 'error-dark');
  await page.click('.ll-error a.ll-loc');
  const sent = await posted(page);
  const open = sent.find((m) => m.type === 'openFile');
  check('clicking file:line sends openFile', open?.file === '/home/user/project/examples/broken.landscape.ts' && open.line === 14, JSON.stringify(open));
  const st = await text(page, '.ll-state');
  check('state shows error', st === 'error', st);
  await page.context().close();

  const p2 = await openPage(vscodePage('untrusted-light', 'light'), { errors, height: 400 });
  await post(p2, [{ type: 'untrusted', message: 'Loss Landscape runs your *.landscape.ts code; trust this workspace to enable it (Workspaces: Manage Workspace Trust).' }]);
  const u = await p2.evaluate(() => { const b = document.querySelector('.ll-untrusted'); return { hidden: b.hidden, text: b.textContent }; });
  check('untrusted message explains why nothing runs', !u.hidden && u.text.includes('untrusted workspace') && u.text.includes('Manage Workspace Trust'), u.text);
  await shot(p2, 'untrusted-light');
  check('no page errors (error/untrusted)', errors.length === 0, errors.join(' | '));
  await p2.context().close();
}

async function reportScenario() {
  console.log('\n# report.html (static, no acquireVsCodeApi)');
  const { reportHtml } = await loadReportModule();
  const js = readFileSync(join(root, 'dist/webview.js'), 'utf8');
  const css = readFileSync(join(root, 'dist/webview.css'), 'utf8');
  const interp = fixture('interpolate').find((m) => m.type === 'result').result;
  const plane = fixture('plane').find((m) => m.type === 'result').result;
  // Hostile strings must not break out of the <script> element.
  const hostile = { ...interp, notes: [...interp.notes, 'note with </script><script>window.__pwned = 1</script> and <!-- comment'] };
  const survey = fixture('survey').find((m) => m.type === 'result').result;
  const res = (name) => fixture(name).find((m) => m.type === 'result').result;
  const cases = [['report-interp-light', hostile, 'light'], ['report-plane-dark', plane, 'dark'], ['report-survey-light', survey, 'light'], ['report-survey-dark', survey, 'dark'],
    ['report-curvature-light', res('curvature-mlp'), 'light'], ['report-connect-dark', res('connect'), 'dark'], ['report-compare-light', res('compare'), 'light']];
  for (const [name, result, scheme] of cases) {
    const html = reportHtml(result, js, css);
    const file = join(shots, `${name}.html`);
    writeFileSync(file, html);
    check(`${name}: inline source map stripped, </script escaped`, !html.includes('sourceMappingURL=data:') && (html.match(/<\/script/gi) ?? []).length === 2, `${(html.length / 1024).toFixed(0)} KiB`);
    const errors = [];
    const page = await openPage(pathToFileURL(file).href, { errors, colorScheme: scheme, height: 1000 });
    await frames(page);
    const r = await page.evaluate(() => ({
      mode: window.__ll.mode, pwned: window.__pwned, buttons: [...document.querySelectorAll('vscode-button')].map((b) => b.textContent.trim()),
      n: window.__ll.interp?.charts()[0].data.datasets[0].data.length ?? null, cells: window.__ll.model.plane?.done ?? null,
      survey: window.__ll.survey ? {
        rows: document.querySelectorAll('.ll-runs tbody tr').length, stuck: document.querySelectorAll('.ll-runs tbody tr.ll-run-stuck').length,
        bins: window.__ll.survey.charts()[0].data.datasets[0].data.length, line: window.__ll.survey.interp.charts()[0].data.datasets[0].data.length,
        plane: window.__ll.survey.plane.geom?.height ?? 0, inits: document.querySelector('.ll-survey-inits').textContent,
      } : null,
      notes: document.querySelector('.ll-notes').textContent, kind: window.__ll.theme.kind, bg: getComputedStyle(document.body).backgroundColor,
      verdict: document.querySelector('.ll-curv-word')?.textContent ?? document.querySelector('.ll-connect .ll-verdict')?.textContent ?? null,
      charts: (window.__ll.curvature ?? window.__ll.connect ?? window.__ll.compare)?.charts().map((c) => c.data.datasets.length) ?? null,
      comparePlane: window.__ll.compare?.plane.geom?.height ?? null,
    }));
    check(`${name}: renders statically without Cancel / Re-run`, r.mode === 'report' && !r.buttons.includes('Cancel') && !r.buttons.includes('Re-run') && r.buttons.includes('PNG'), JSON.stringify(r.buttons));
    check(`${name}: follows prefers-color-scheme`, r.kind === scheme, `${r.kind} ${r.bg}`);
    if (result.interpolate) {
      check(`${name}: chart drawn with 41 points`, r.n === 41, String(r.n));
      check(`${name}: JSON with </script> stays inert data`, r.pwned === undefined && r.notes.includes('</script><script>window.__pwned = 1</script>'), r.notes);
    } else if (result.survey) {
      const sv = result.survey;
      check(`${name}: survey rendered statically (table, histogram, line, plane)`, r.survey && r.survey.rows === sv.runs.length && r.survey.stuck === sv.stuckCount &&
        r.survey.bins === sv.histogram.counts.length && r.survey.line === sv.bestToStuck.alpha.length && r.survey.plane > 300 && /17\/20 stuck \(85 %\)/.test(r.survey.inits), JSON.stringify(r.survey));
    } else if (result.curvature) {
      check(`${name}: curvature rendered statically (verdict, spectrum, slices, path)`, r.verdict === 'Saddle point' && JSON.stringify(r.charts) === '[1,2,2,0,0]', `${r.verdict} ${r.charts}`); // (the lab's density and layers: none in this older result)
    } else if (result.connect) {
      check(`${name}: connect rendered statically`, /^Straight line: max test loss 0\.598/.test(r.verdict ?? '') && r.charts?.[0] === 4, `${r.verdict} ${r.charts}`);
    } else if (result.compare) {
      check(`${name}: compare rendered statically (curves and plane)`, r.charts?.[0] === result.compare.runs.length && r.comparePlane > 300, `${r.charts} ${r.comparePlane}`);
    } else check(`${name}: plane drawn`, r.cells === 441, String(r.cells));
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('vscode-button', { hasText: 'JSON' }).click()]);
    check(`${name}: JSON export becomes a download`, download.suggestedFilename().endsWith('.json'), download.suggestedFilename());
    await shot(page, name);
    check(`no page errors (${name})`, errors.length === 0, errors.join(' | '));
    await page.context().close();
  }
}

// The helpers the scenario modules (analyses.mjs, survey-scenario.mjs) get.
const helpers = {
  check, openPage, vscodePage, fixture, replay, post, frames, shot, posted, clickButton, replayScenario, THEMES, expectedColor,
  writePng: (name, dataUrl) => writeFileSync(join(shots, name), Buffer.from(dataUrl.split(',')[1], 'base64')),
};

// ---- main -------------------------------------------------------------------------------------
async function main() {
  await build();
  const { chromium } = require('playwright-core');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    // --only=NAME[,NAME] runs some scenarios (interpolate, barrier, plane, survey, analyses, connectivity, error, report)
    const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
    const scenarios = {
      interpolate: interpolateScenario, barrier: barrierScenario, plane: planeScenario, survey: () => surveyScenario(helpers),
      analyses: () => analysesScenarios(helpers), connectivity: () => connectivityScenarios(helpers),
      error: errorScenario, report: reportScenario,
    };
    for (const [name, run] of Object.entries(scenarios)) if (!only || only.includes(name)) await run();
  } finally {
    await browser.close();
  }
  console.log(`\n${passed} checks passed, ${failures.length} failed${failures.length ? `:\n  - ${failures.join('\n  - ')}` : ''}`);
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
