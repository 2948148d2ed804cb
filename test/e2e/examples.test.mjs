// Every example of the two seed papers (and the analyses of the later issues) run from the
// panel in a real VS Code: open the file, click the CodeLens of the definition (or "more…"
// and pick the analysis), wait for the result, check the finding, screenshot the panel.
// Settings (run-e2e.sh): lossLandscape.examples 1000, grid 11, points 21.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  openWorkbench, quickOpen, clickCodeLens, pickQuick, webviewFrame, shot, lap, dumpConsole, extHostLog, sleep, focusWorkbench,
} from './lib.mjs';
import { settledIn } from './lib.mjs';

let wb, page;
before(async () => { wb = await openWorkbench(); page = wb.page; });
after(async () => {
  if (process.exitCode) { dumpConsole(wb?.consoleLines ?? []); console.log(extHostLog()); }
  await wb?.browser.close();
});

const settled = (pred = () => true, label = 'run settled', timeout = 240_000) => settledIn(page, pred, label, timeout);

/**
 * Runs `analysis` of definition number `n` (0-based, in file order) of `file`:
 * lens 'interpolate' / 'plane', or 'more…' then the quick-pick row `pick`.
 */
async function runExample(file, n, lens, pick, check, shotName) {
  const t = Date.now();
  await quickOpen(page, file);
  await clickCodeLens(page, lens, n);
  if (pick) await pickQuick(page, pick);
  const m = await settled((m) => m.result && check.ready(m.result), `${file} ${lens} ${pick ?? ''}`);
  lap(`${file} (${m.definition}) ${m.result.analysis}`, t);
  assert.equal(m.status, 'done', JSON.stringify(m.error));
  await sleep(600); // let the charts finish their animation
  await focusWorkbench(page);
  await shot(page, `examples-${shotName}`);
  const frame = await webviewFrame(page);
  const el = await frame.frameElement();
  await el.screenshot({ path: `${process.env.SHOTS_DIR}/examples-${shotName}-panel.png` }).catch(() => {});
  check.assert(m.result);
  return m.result;
}

const it = (r) => r.interpolate;
const at = (r, a) => it(r).trainLoss[it(r).alpha.indexOf(a)];

test('Goodfellow et al.: MNIST ReLU / sigmoid / maxout MLPs descend monotonically from θ₀ to θ_T', { timeout: 600_000 }, async () => {
  for (const [n, name] of [[0, 'relu'], [1, 'sigmoid'], [2, 'maxout']]) {
    await runExample('goodfellow-mnist.landscape.ts', n, 'interpolate', undefined, {
      ready: (r) => r.definition === name && r.interpolate,
      assert: (r) => { assert.equal(it(r).monotone, true); assert.ok(at(r, 1) < 0.3 * at(r, 0)); },
    }, `goodfellow-mnist-${name}`);
  }
});

test('Goodfellow et al.: conv net, LSTM, two seeds', { timeout: 600_000 }, async () => {
  await runExample('goodfellow-conv.landscape.ts', 0, 'interpolate', undefined, {
    ready: (r) => r.definition === 'convnet' && r.interpolate, assert: (r) => assert.ok(at(r, 1) < 0.2 * at(r, 0)) }, 'goodfellow-conv');
  await runExample('goodfellow-lstm.landscape.ts', 0, 'interpolate', undefined, {
    ready: (r) => r.definition === 'lstm' && r.interpolate, assert: (r) => assert.equal(it(r).monotone, true) }, 'goodfellow-lstm');
  await runExample('goodfellow-two-seeds.landscape.ts', 0, 'interpolate', undefined, {
    ready: (r) => r.definition === 'twoSeeds' && r.interpolate,
    assert: (r) => { assert.equal(it(r).monotone, false); assert.ok(it(r).barrier > 0.1); } }, 'goodfellow-two-seeds');
});

test('Goodfellow et al.: the deep linear model on the plane (saddle, valley), and its curvature', { timeout: 300_000 }, async () => {
  await runExample('deep-linear.landscape.ts', 0, 'plane', undefined, {
    ready: (r) => r.definition === 'deepLinear' && r.plane,
    assert: (r) => { assert.ok(r.plane.loss.length >= 11); assert.ok(r.train.finalTrainLoss < 1e-3); } }, 'deep-linear-plane');
  // the 3-D view of that plane: switch, drag to rotate, the surface canvas is drawn
  const f = await webviewFrame(page);
  await f.locator('.ll-seg-btn[data-mode="3d"]').first().click();
  const canvas = f.locator('.ll-surface-wrap canvas').first();
  await canvas.waitFor({ state: 'visible', timeout: 10_000 });
  const box = await canvas.boundingBox();
  assert.ok(box && box.width > 150 && box.height > 150, `3-D canvas ${JSON.stringify(box)}`);
  const inked = () => canvas.evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 0; i < d.length; i += 4 * 7) if (d[i + 3] > 0) n++;
    return n;
  });
  const before = await inked();
  assert.ok(before > 500, `3-D surface drawn (${before} inked samples)`);
  const c = await canvas.screenshot();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down(); await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 20, { steps: 8 }); await page.mouse.up();
  await sleep(300);
  assert.notDeepEqual(await canvas.screenshot(), c, 'dragging rotates the surface');
  await shot(page, 'examples-deep-linear-3d');
  await f.locator('.ll-seg-btn[data-mode="2d"]').first().click();
  await runExample('deep-linear.landscape.ts', 0, 'more…', 'Curvature', {
    ready: (r) => r.curvature,
    assert: (r) => { assert.ok(['minimum', 'flat'].includes(r.curvature.verdict), r.curvature.verdictText); } }, 'deep-linear-curvature');
});

test('Swirszcz et al.: the survey finds stuck runs on each counter-example', { timeout: 600_000 }, async () => {
  await runExample('swirszcz-blind-spots.landscape.ts', 0, 'more…', 'Survey', {
    ready: (r) => r.definition === 'narrow' && r.survey,
    assert: (r) => { assert.ok(r.survey.byInit.default.stuck >= 8, JSON.stringify(r.survey.byInit)); assert.ok(r.survey.stuckPlane); } }, 'swirszcz-blind-spots');
  await runExample('swirszcz-saturation.landscape.ts', 0, 'more…', 'Survey', {
    ready: (r) => r.survey, assert: (r) => assert.equal(r.survey.byInit.saturating.stuck, r.survey.byInit.saturating.runs) }, 'swirszcz-saturation');
  await runExample('swirszcz-ten-points.landscape.ts', 0, 'more…', 'Survey', {
    ready: (r) => r.survey, assert: (r) => { assert.ok(r.survey.byInit.default.stuck >= 2); assert.equal(r.survey.byInit.exhibited.stuck, 0); } }, 'swirszcz-ten-points');
});

test('BatchNorm both ways, compare runs, connect two seeds', { timeout: 600_000 }, async () => {
  await runExample('batchnorm.landscape.ts', 0, 'interpolate', undefined, {
    ready: (r) => r.definition === 'batchnorm' && r.interpolate,
    assert: (r) => { assert.equal(it(r).bn, 'both'); assert.ok(it(r).bnRecomputed.trainLoss.length === it(r).alpha.length); } }, 'batchnorm');
  await runExample('compare-optimizers.landscape.ts', 0, 'more…', 'Compare', {
    ready: (r) => r.compare, assert: (r) => assert.equal(r.compare.runs.length, 4) }, 'compare-optimizers');
  await runExample('mnist-mlp.landscape.ts', 0, 'more…', 'Connect', {
    ready: (r) => r.connect,
    assert: (r) => {
      const c = r.connect, ends = Math.max(...c.endpointTestLoss);
      assert.ok(c.lineMaxTestLoss > 1.2 * ends, `line max ${c.lineMaxTestLoss} vs endpoints ${ends}`);
      assert.ok(c.curveMaxTestLoss <= 1.1 * ends, `curve max ${c.curveMaxTestLoss} vs endpoints ${ends}`);
    } }, 'connect');
});
