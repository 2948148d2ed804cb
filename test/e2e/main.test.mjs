// The main e2e suite, one VS Code window driven through its tests in order (trust disabled).
// Settings (run-e2e.sh): lossLandscape.examples 1000, grid 11, points 21.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openWorkbench, waitWorkbench, quickOpen, clickCodeLens, palette, pickQuick, waitInWebview, webviewFrame, shot, lap,
  SEL, WS, runnerProcesses, dumpConsole, extHostLog, sleep,
} from './lib.mjs';
import { settledIn } from './lib.mjs';

const ROOT = process.env.LL_ROOT ?? new URL('../..', import.meta.url).pathname;
const FILE = 'mnist-mlp.landscape.ts';
const SLOW = 'slow.landscape.ts';
const SETTINGS = { examples: 1000, points: 21, grid: 11 };

let wb;
let page;
// The panels the tests drive: several can be visible at once (one per editor group), so every
// look into a webview names its panel.
const MLP = { definition: 'mlp', file: FILE };
const SLOW_PANEL = { definition: 'slow', file: SLOW };
const EXAMPLE = { definition: 'mlp', file: 'example.landscape.ts' };
const HUGE = { definition: 'huge', file: 'huge.landscape.ts' };
const OPENED = { definition: 'deepLinear', file: 'result.json' };
const model = (panel) => waitInWebview(page, () => window.__ll?.model, undefined, { timeout: 10_000, label: 'panel model', panel });
const settled = (panel, pred = () => true, label = 'run settled', timeout = 180_000) => settledIn(page, pred, label, timeout, panel);
const frameOf = (panel) => webviewFrame(page, { panel });

/** Goes to a 1-based line of the active editor (Ctrl+G). */
async function gotoLine(line) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+g');
  await page.locator(SEL.quickInput).waitFor({ state: 'visible' });
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
}
const lineOf = (file, re) => readFileSync(join(WS, file), 'utf8').split('\n').findIndex((l) => re.test(l)) + 1;
/** Focuses the editor of `name` (quick open puts the focus in the editor). */
const focusEditor = (name) => quickOpen(page, name);
async function problems() {
  return page.locator('.markers-panel .monaco-list-row').allTextContents();
}

before(async () => {
  // A slow definition, slow by the clock on any machine: its loss waits 100 ms per batch (10
  // batches an epoch, so an epoch takes ≥ 1 s) and it trains for 100,000 epochs. The tests that
  // start it always end it (Cancel, a kill); however fast the machine, it never finishes first
  // (a compute-bound one, 40 epochs of a wide layer, finished in 14 s on a fast machine before
  // the kill step could happen).
  writeFileSync(join(WS, SLOW), `import * as tf from '@tensorflow/tfjs';
import { landscape, datasets } from 'loss-landscape';

/** The categorical cross-entropy, after waiting 100 ms (a stand-in for a slow training step). */
function pacedCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  const until = Date.now() + 100;
  while (Date.now() < until) { /* wait */ }
  return tf.metrics.categoricalCrossentropy(yTrue, yPred).mean() as tf.Scalar;
}

export const slow = landscape({
  data: () => datasets.mnist({ train: 320, test: 100 }),
  model: () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 32, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ] }),
  loss: pacedCrossentropy,
  optimizer: () => tf.train.sgd(0.05),
  epochs: 100000, batchSize: 32, seed: 3,
});
`);
  // model() allocates 14 GB (the fault test): written early so that quick open has indexed it
  writeFileSync(join(WS, 'huge.landscape.ts'), readFileSync(join(ROOT, 'test/faults/fixtures/huge-model.landscape.ts'), 'utf8'));
  wb = await openWorkbench();
  page = wb.page;
});

after(async () => {
  if (process.exitCode) {
    dumpConsole(wb?.consoleLines ?? []);
    console.log(extHostLog());
  }
  await wb?.browser.close();
});

const fail = (name) => async (e) => {
  await shot(page, `main-99-${name}-failure`).catch(() => {});
  throw e;
};

test('interpolate CodeLens: panel result equals the CLI result.json', { timeout: 240_000 }, async () => {
  try {
    // the CLI on the same file and settings (in parallel with nothing else: 2 cores)
    const out = mkdtempSync(join(tmpdir(), 'll-cli-'));
    let t = Date.now();
    execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'probe', join(WS, FILE), '--out', out,
      '--examples', String(SETTINGS.examples), '--points', String(SETTINGS.points)], { stdio: 'ignore', timeout: 180_000 });
    const cli = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    lap('CLI probe (interpolate)', t);

    t = Date.now();
    await quickOpen(page, FILE);
    await page.locator(SEL.codeLens('interpolate')).first().waitFor({ timeout: 60_000 });
    await page.locator(SEL.codeLens('plane')).first().waitFor();
    lap('open file -> CodeLens visible', t);
    await shot(page, 'main-01-codelens');

    t = Date.now();
    await clickCodeLens(page, 'interpolate');
    await page.locator(SEL.tab('Landscape: mlp · mnist-mlp')).waitFor();
    // the progress notification with Cancel while it runs
    await page.locator(SEL.toast).filter({ hasText: 'Loss Landscape' }).first().waitFor({ timeout: 20_000 }).catch(() => {});
    await shot(page, 'main-02-interpolate-running');
    const m = await settled(MLP, (m) => m.result?.interpolate, 'interpolate result');
    lap('interpolate CodeLens -> result in the panel', t);
    await shot(page, 'main-03-interpolate-done');
    assert.equal(m.status, 'done');
    assert.equal(m.cached, false);
    const a = m.result.interpolate, b = cli.interpolate;
    assert.equal(a.alpha.length, SETTINGS.points);
    assert.deepEqual(a.alpha.map((x) => +x.toFixed(6)), b.alpha.map((x) => +x.toFixed(6)));
    for (const key of ['trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy']) {
      a[key].forEach((v, i) => assert.ok(Math.abs(v - b[key][i]) <= 1e-4 * Math.max(1, Math.abs(b[key][i])),
        `${key}[${i}]: panel ${v} vs CLI ${b[key][i]}`));
    }
    assert.equal(a.monotone, b.monotone);
    assert.equal(m.result.train.finalTrainLoss.toFixed(5), cli.train.finalTrainLoss.toFixed(5));
    console.log(`  panel = CLI: ${a.alpha.length} points, train loss at α=0/1: ${a.trainLoss[5].toFixed(4)} / ${a.trainLoss[15].toFixed(4)}`);
    // the chart is drawn
    const f = await frameOf(MLP);
    assert.ok(await f.evaluate(() => document.querySelectorAll('canvas').length >= 1));

    // unchanged code: the same CodeLens is answered from the cache
    t = Date.now();
    await clickCodeLens(page, 'interpolate');
    const c = await settled(MLP, (m) => m.cached === true, 'cached result', 10_000);
    const dt = lap('interpolate again -> cached result', t);
    assert.deepEqual(c.result.interpolate.trainLoss, a.trainLoss);
    assert.ok(dt < 5, `cache replay took ${dt} s`);
  } catch (e) { await fail('interpolate')(e); }
});

test('palette: Probe Loss Landscape -> Plane (goodfellow) shows the contour map', { timeout: 240_000 }, async () => {
  try {
    await focusEditor(FILE);
    const t = Date.now();
    await palette(page, 'Probe Loss Landscape');
    await pickQuick(page, 'Plane (goodfellow)');
    const m = await settled(MLP, (m) => m.analysis === 'plane' && m.result?.plane, 'plane result');
    lap('palette Plane (goodfellow) -> contour map', t);
    await sleep(500);
    await shot(page, 'main-04-plane');
    const p = m.result.plane;
    assert.equal(p.directions, 'goodfellow');
    assert.equal(p.loss.length, SETTINGS.grid);
    assert.equal(p.loss[0].length, SETTINGS.grid);
    assert.ok(p.trajectory.a.length > 1, 'trajectory projected');
    // the heatmap canvas has colour in it
    const f = await frameOf(MLP);
    const colours = await f.evaluate(() => {
      let best = 0;
      for (const cv of document.querySelectorAll('canvas')) {
        if (!cv.width || !cv.height) continue;
        const d = cv.getContext('2d')?.getImageData(0, 0, cv.width, cv.height).data;
        if (!d) continue;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) seen.add(`${d[i] >> 4},${d[i + 1] >> 4},${d[i + 2] >> 4}`);
        best = Math.max(best, seen.size);
      }
      return best;
    });
    console.log(`  plane: ${p.loss.length}×${p.loss[0].length}, distinct colours on the busiest canvas: ${colours}`);
    assert.ok(colours > 10, 'contour map is drawn');
    await page.locator(SEL.webviewOuter).first().screenshot({ path: join(process.env.SHOTS_DIR ?? '.', 'main-05-plane-panel.png') });
  } catch (e) { await fail('plane')(e); }
});

async function waitNoRunner(t0, label) {
  let left = runnerProcesses();
  for (let i = 0; i < 30 && left.length; i++) { await sleep(100); left = runnerProcesses(); }
  lap(label, t0);
  assert.deepEqual(left, [], 'no dist/runner.js process remains');
}
const waitTraining = () => waitInWebview(page, () => window.__ll?.model?.definition === 'slow' && window.__ll.model.status === 'training'
  && window.__ll.model.epochs.length >= 1, undefined, { timeout: 90_000, label: 'slow run training', panel: SLOW_PANEL });

test('Cancel in the progress notification kills the runner', { timeout: 240_000 }, async () => {
  try {
    await quickOpen(page, SLOW);
    await clickCodeLens(page, 'interpolate');
    await page.locator(SEL.tab('Landscape: slow')).waitFor();
    await waitTraining();
    const before = runnerProcesses();
    assert.equal(before.length, 1, 'one runner process');
    console.log(`  runner while training: ${before[0]}`);
    const toast = page.locator(SEL.toast).filter({ hasText: 'slow' }).first();
    await toast.waitFor();
    await shot(page, 'main-06-progress-notification');
    const t = Date.now();
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    const m = await settled(SLOW_PANEL, (m) => m.definition === 'slow', 'cancelled', 15_000);
    assert.equal(m.status, 'cancelled');
    await waitNoRunner(t, 'notification Cancel -> runner process gone');
    await shot(page, 'main-07-cancelled-from-notification');
  } catch (e) { await palette(page, 'Loss Landscape: Cancel Run').catch(() => {}); await fail('cancel-notification')(e); }
});

test('the extension host answers while a probe runs; the panel\'s Cancel kills the runner', { timeout: 240_000 }, async () => {
  try {
    const f = await frameOf(SLOW_PANEL);
    await f.locator('vscode-button', { hasText: 'Re-run' }).click(); // forced re-run (no cache)
    await waitTraining();
    assert.equal(runnerProcesses().length, 1, 'one runner process');

    // responsiveness: an extension-host quick pick (our own command) during the run
    await focusEditor(SLOW);
    await page.keyboard.press('F1');
    await page.locator(SEL.quickInput).waitFor({ state: 'visible' });
    await page.keyboard.type('Probe Loss Landscape');
    await page.locator(SEL.quickRow('Probe Loss Landscape')).first().waitFor();
    let t = Date.now();
    await page.keyboard.press('Enter');
    await page.locator(SEL.quickRow('Interpolate init→final')).waitFor({ timeout: 10_000 });
    const hostDt = lap('extension-host quick pick during a probe', t);
    await shot(page, 'main-08-quickpick-during-run');
    await page.keyboard.press('Escape');
    // a built-in command too: the palette itself
    t = Date.now();
    await page.keyboard.press('F1');
    await page.locator(SEL.quickRows).first().waitFor({ timeout: 10_000 });
    const paletteDt = lap('built-in command palette during a probe', t);
    await page.keyboard.press('Escape');
    // The built-in palette measures what the machine's load costs the workbench itself (on a
    // machine shared with other jobs it took 0.55 s once, and our quick pick 1.2 s): our extension
    // host may add less than a second over it, never the seconds of a host blocked by the probe.
    assert.ok(paletteDt < 3, `palette took ${paletteDt} s`);
    assert.ok(hostDt < 1 + 2 * paletteDt, `extension host took ${hostDt} s to answer (the built-in palette ${paletteDt} s)`);

    const m0 = await model(SLOW_PANEL);
    assert.ok(['loading', 'training', 'probing'].includes(m0.status), `still running (status ${m0.status})`);
    t = Date.now();
    await (await frameOf(SLOW_PANEL)).locator('vscode-button', { hasText: 'Cancel' }).click();
    const m = await settled(SLOW_PANEL, (m) => m.definition === 'slow', 'cancelled', 15_000);
    assert.equal(m.status, 'cancelled');
    await waitNoRunner(t, 'panel Cancel -> runner process gone');
    await shot(page, 'main-09-cancelled-from-panel');
  } catch (e) { await palette(page, 'Loss Landscape: Cancel Run').catch(() => {}); await fail('cancel-panel')(e); }
});

test('a syntax error shows a diagnostic at its line and an error in the panel', { timeout: 240_000 }, async () => {
  try {
    const line = lineOf(FILE, /optimizer:/);
    assert.ok(line > 0);
    await page.locator(SEL.tab('Landscape: mlp · mnist-mlp')).first().click(); // show the mlp panel
    await focusEditor(FILE);
    await gotoLine(line);
    await page.keyboard.press('End');
    await page.keyboard.type(')');
    const t = Date.now();
    await page.keyboard.press('Control+s'); // re-run on save (the panel's last analysis: plane)
    for (let i = 0; i < 20 && !/sgd\(0\.1\),\)/.test(readFileSync(join(WS, FILE), 'utf8')); i++) await sleep(100);
    assert.match(readFileSync(join(WS, FILE), 'utf8').split('\n')[line - 1], /\),\)\s*$/, 'the edit is saved');
    const m = await settled(MLP, (m) => m.definition === 'mlp' && m.status === 'error', 'syntax error in the panel', 60_000);
    lap('save with a syntax error -> error in the panel', t);
    console.log(`  panel error: ${m.error.kind} at ${m.error.line}:${m.error.column}: ${m.error.message}`);
    assert.equal(m.error.kind, 'syntax');
    assert.equal(m.error.line, line);
    await page.keyboard.press('Control+Shift+M'); // Problems
    await page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'loss-landscape' }).first().waitFor({ timeout: 15_000 });
    const rows = (await problems()).filter((r) => /loss-landscape[a-z]+\[Ln/.test(r) && r.includes('Syntax error'));
    console.log(`  Problems: ${rows.join(' | ')}`);
    assert.ok(rows.some((r) => r.includes(`Ln ${line},`)), `a loss-landscape problem at line ${line}`);
    await shot(page, 'main-10-syntax-error');
  } catch (e) { await fail('syntax')(e); }
});

test('saving an edit re-runs (and clears the diagnostic)', { timeout: 240_000 }, async () => {
  try {
    const line = lineOf(FILE, /optimizer:/);
    const seedLine = lineOf(FILE, /^\s*seed:\s*1,/);
    const prev = await model(MLP);
    await focusEditor(FILE);
    await gotoLine(line);
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace'); // remove the ')'
    if (seedLine > 0) { // and change the seed: a real change of the results
      await gotoLine(seedLine);
      await page.keyboard.press('End');
      await page.keyboard.press('Backspace');
      await page.keyboard.press('Backspace');
      await page.keyboard.type('2,');
    }
    const t = Date.now();
    await page.keyboard.press('Control+s');
    const m = await settled(MLP, (m) => m.definition === 'mlp' && m.status === 'done' && m.result?.plane, 'plane re-run after save');
    lap('save -> re-run done', t);
    assert.notEqual(m.runId, prev.runId);
    assert.equal(m.cached, false);
    assert.equal(m.analysis, 'plane');
    let rows = [];
    for (let i = 0; i < 20; i++) {
      rows = (await problems()).filter((r) => /loss-landscape[a-z]+\[Ln/.test(r)); // source + code
      if (!rows.length) break;
      await sleep(250);
    }
    assert.deepEqual(rows, [], 'diagnostic cleared');
    // IntelliSense: the TypeScript server plugin resolves 'loss-landscape' and '@tensorflow/tfjs'
    const unresolved = (await problems()).filter((r) => /Cannot find module/.test(r));
    assert.deepEqual(unresolved, [], 'loss-landscape and @tensorflow/tfjs resolve in the editor');
    await shot(page, 'main-11-rerun-after-save');
    await page.keyboard.press('Control+Shift+M'); // close Problems again
  } catch (e) { await fail('rerun')(e); }
});

test('reload restores the panel with its last result', { timeout: 240_000 }, async () => {
  try {
    await page.locator(SEL.tab('Landscape: mlp · mnist-mlp')).first().click();
    const prev = await model(MLP);
    const t = Date.now();
    await page.reload();
    await waitWorkbench(page);
    await page.locator(SEL.tab('Landscape: mlp · mnist-mlp')).first().waitFor({ timeout: 60_000 });
    await page.locator(SEL.tab('Landscape: mlp · mnist-mlp')).first().click();
    const m = await settled(MLP, (m) => m.definition === 'mlp' && m.result?.plane, 'restored plane result', 60_000);
    lap('reload -> panel restored', t);
    assert.equal(m.status, 'done');
    assert.deepEqual(m.result.plane.loss, prev.result.plane.loss);
    await sleep(500);
    await shot(page, 'main-12-after-reload');
  } catch (e) { await fail('reload')(e); }
});

test('New Landscape File creates a working example', { timeout: 240_000 }, async () => {
  try {
    await quickOpen(page, FILE); // focus an editor in the first group
    let t = Date.now();
    await palette(page, 'Loss Landscape: New Landscape File');
    await page.locator(SEL.tab('example.landscape.ts')).waitFor();
    await page.locator(SEL.codeLens('interpolate')).first().waitFor({ timeout: 30_000 });
    lap('New Landscape File -> editor with CodeLens', t);
    await shot(page, 'main-13-new-file');
    t = Date.now();
    await clickCodeLens(page, 'interpolate');
    const m = await settled(EXAMPLE, (m) => m.file?.endsWith('example.landscape.ts') && m.result?.interpolate, 'example interpolate');
    lap('example interpolate -> result', t);
    assert.equal(m.status, 'done');
    assert.ok(m.result.interpolate.trainLoss[15] < m.result.interpolate.trainLoss[5], 'trained loss below initial');
    await shot(page, 'main-14-new-file-result');
    assert.deepEqual(runnerProcesses(), []);
  } catch (e) { await fail('newfile')(e); }
});

test('Export JSON saves the result through the save dialog', { timeout: 60_000 }, async () => {
  try {
    const f = await frameOf(EXAMPLE);
    await f.locator('vscode-button', { hasText: 'JSON' }).click();
    // code-server shows VS Code's simple save dialog (a quick input holding the path)
    const input = page.locator(SEL.quickInput);
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await sleep(300);
    const target = await input.inputValue();
    console.log(`  save dialog proposes: ${target}`);
    assert.match(target, /\.json$/);
    await shot(page, 'main-15-export-dialog');
    await page.keyboard.press('Enter');
    let saved;
    for (let i = 0; i < 50 && !saved; i++) { try { saved = JSON.parse(readFileSync(target, 'utf8')); } catch { await sleep(100); } }
    assert.ok(saved, `exported ${target}`);
    console.log(`  exported keys: ${Object.keys(saved).slice(0, 8).join(', ')}`);
    await page.locator(SEL.toast).filter({ hasText: 'Saved' }).first().waitFor({ timeout: 10_000 });
    await shot(page, 'main-16-exported');
  } catch (e) { await fail('export')(e); }
});

// Issue 9: what goes wrong outside the user's code shows a clear message in the panel, and the
// host stays responsive. (run-e2e.sh caps the runner at LOSS_LANDSCAPE_MAX_MEMORY_MB=3000.)
const errorBox = async (panel) => (await frameOf(panel)).locator('.ll-error').first().innerText();

test('a runner killed from outside, a probe that does not fit, invalid settings: each a clear message in the panel', { timeout: 240_000 }, async () => {
  try {
    // 1. the runner is killed by someone else (OOM killer, kill -9)
    await focusEditor(SLOW);
    await clickCodeLens(page, 'interpolate');
    await page.locator(SEL.tab('Landscape: slow')).first().waitFor();
    // after the reload the slow panel's tab was restored but not shown: the CodeLens reuses its
    // place, it does not open a second "Landscape: slow" tab (nor a third editor group)
    let tabs = 0;
    for (let i = 0; i < 50; i++) { tabs = await page.locator(SEL.tab('Landscape: slow')).count(); if (tabs === 1) break; await sleep(100); }
    assert.equal(tabs, 1, 'one "Landscape: slow" tab');
    assert.equal(await page.locator('.editor-group-container').count(), 2, 'two editor groups: the files and the panels');
    const f = await frameOf(SLOW_PANEL);
    await f.locator('vscode-button', { hasText: 'Re-run' }).click();
    await waitTraining();
    const [row] = runnerProcesses();
    const pid = Number(row.split(' ')[0]);
    process.kill(pid, 'SIGKILL');
    let m = await settled(SLOW_PANEL, (m) => m.definition === 'slow' && m.status === 'error', 'killed runner', 30_000);
    assert.equal(m.error.kind, 'crash');
    assert.match(m.error.message, new RegExp(`the runner process \\(pid ${pid}\\) was killed \\(SIGKILL`));
    assert.match(await errorBox(SLOW_PANEL), /The runner crashed/);
    await shot(page, 'main-17-runner-killed');

    // 2. a probe that does not fit: model() allocates 14 GB; the runner stops at its memory cap
    await quickOpen(page, 'huge.landscape.ts');
    await clickCodeLens(page, 'interpolate');
    await page.locator(SEL.tab('Landscape: huge')).first().waitFor();
    m = await settled(HUGE, (m) => m.definition === 'huge' && m.status === 'error', 'too big', 120_000);
    assert.equal(m.error.kind, 'resources');
    assert.match(m.error.message, /out of memory: the runner used \d+ MiB, over its limit of 3000 MiB/);
    assert.match(await errorBox(HUGE), /Too big for this machine/);
    await shot(page, 'main-18-out-of-memory');

    // 3. invalid settings typed into the workspace's .vscode/settings.json: refused before anything
    //    runs, named as written
    const file = join(WS, '.vscode', 'settings.json');
    mkdirSync(join(WS, '.vscode'), { recursive: true });
    try {
      // reversed α range: valid JSON for the settings schema (two numbers), invalid for a probe
      writeFileSync(file, JSON.stringify({ 'lossLandscape.alphaRange': [1, -1] }, null, 1));
      m = undefined;
      for (let attempt = 0; attempt < 4 && !m; attempt++) { // the settings file watcher may take a moment
        await sleep(1500);
        await focusEditor(FILE);
        await gotoLine(lineOf(FILE, /export const mlp/)); // its CodeLens in view
        await clickCodeLens(page, 'interpolate');
        m = await settled(MLP, (m) => m.definition === 'mlp' && m.status === 'error' && m.error?.kind === 'options', 'invalid settings', 10_000).catch(() => undefined);
      }
      assert.ok(m, 'the invalid settings were refused');
      assert.match(m.error.message, /lossLandscape\.alphaRange needs LO,HI with LO < HI, both finite \(got \[1, -1\]\)/);
      assert.match(await errorBox(MLP), /Invalid options/);
      assert.deepEqual(runnerProcesses(), [], 'nothing was started');
      await shot(page, 'main-19-invalid-settings');
    } finally { rmSync(file, { force: true }); await sleep(1500); }

    // the host still answers: our own quick pick comes up at once
    await focusEditor(FILE);
    await page.keyboard.press('F1');
    await page.locator(SEL.quickInput).waitFor({ state: 'visible' });
    await page.keyboard.type('Probe Loss Landscape');
    await page.locator(SEL.quickRow('Probe Loss Landscape')).first().waitFor();
    const t = Date.now();
    await page.keyboard.press('Enter');
    await page.locator(SEL.quickRow('Interpolate init→final')).waitFor({ timeout: 10_000 });
    assert.ok(lap('extension-host quick pick after the failures', t) < 2);
    await page.keyboard.press('Escape');
  } catch (e) { await palette(page, 'Loss Landscape: Cancel Run').catch(() => {}); await fail('faults')(e); }
});

// Issue 14: any result.json (a merged cluster run, a CI artefact) opens in the panel; nothing runs.
test('Open Result… shows a result.json made by the CLI in a panel, with its views; nothing runs', { timeout: 180_000 }, async () => {
  try {
    const out = join(WS, 'cluster-result');
    execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'probe', join(WS, 'deep-linear.landscape.ts'), '--analysis', 'plane', '--grid', '9', '--out', out],
      { stdio: 'ignore', timeout: 120_000 });
    await palette(page, 'Loss Landscape: Open Result…');
    const input = page.locator(SEL.quickInput);
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await sleep(300);
    await input.fill(join(out, 'result.json'));
    await sleep(500);
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'Open Result' }).first().click();
    await page.locator(SEL.tab('Landscape: deepLinear · result.json')).waitFor({ timeout: 20_000 });
    const m = await settled(OPENED, (m) => m.definition === 'deepLinear' && m.status === 'done' && m.analysis === 'plane', 'opened result', 20_000);
    assert.equal(m.result.plane.a.length, 9);
    assert.equal(m.cached, true);
    assert.deepEqual(runnerProcesses(), [], 'no runner for a saved result');
    await shot(page, 'main-20-open-result');
  } catch (e) { await fail('open-result')(e); }
});
