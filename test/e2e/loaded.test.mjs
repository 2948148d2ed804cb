// A model trained elsewhere, in a real VS Code: a script (scripts/make-trained-example.ts, plain
// model.fit with models.checkpointCallback) trains and saves a model, its checkpoints and its
// CSV into the workspace; trained-model.landscape.ts loads them. The plane draws the checkpoint
// path, curvature runs on the loaded weights, nothing is trained, the loss is the one the
// script measured, and survey refuses with a clear message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openWorkbench, quickOpen, clickCodeLens, pickQuick, shot, lap, dumpConsole, extHostLog, focusWorkbench, sleep, WS } from './lib.mjs';
import { settledIn } from './lib.mjs';

let wb, page, measured;
before(async () => {
  const t = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/make-trained-example.ts'], {
    cwd: process.env.LL_ROOT ?? process.cwd(), env: { ...process.env, LL_TRAINED_DIR: join(WS, 'trained') }, encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  measured = JSON.parse(r.stdout.trim().split('\n').pop());
  lap('train and save with model.fit + checkpointCallback', t);
  wb = await openWorkbench(); page = wb.page;
});
after(async () => {
  if (process.exitCode) { dumpConsole(wb?.consoleLines ?? []); console.log(extHostLog()); }
  await wb?.browser.close();
});

test('a loaded model with checkpoints and a CSV: the plane draws the checkpoint path, curvature, no training', { timeout: 600_000 }, async () => {
  await quickOpen(page, 'trained-model.landscape.ts');
  let t = Date.now();
  await clickCodeLens(page, 'plane', 0);
  let m = await settledIn(page, (m) => m.result?.plane, 'loaded plane', 240_000);
  lap('plane of the loaded model', t);
  assert.equal(m.status, 'done', JSON.stringify(m.error));
  const r = m.result;
  assert.equal(r.definition, 'petals');
  assert.equal(r.plane.trajectory.a.length, 11, 'one path point per checkpoint');
  assert.equal(r.train.epochs, 0);
  assert.equal(r.train.steps, 0);
  assert.ok(r.notes.some((n) => n.startsWith('no training: weights loaded from')), r.notes.join(' | '));
  assert.ok(Math.abs(r.train.finalTrainLoss - measured.trainLoss) < 1e-5, `${r.train.finalTrainLoss} vs ${measured.trainLoss}`);
  assert.equal(r.examples.train, measured.examples);
  assert.ok(r.inputs.some((f) => f.path.endsWith('petals.csv')) && r.inputs.some((f) => f.path.endsWith('checkpoints')));
  await sleep(600);
  await focusWorkbench(page);
  await shot(page, 'loaded-plane');

  t = Date.now();
  await clickCodeLens(page, 'more…', 0);
  await pickQuick(page, 'Curvature');
  m = await settledIn(page, (m) => m.result?.curvature, 'loaded curvature', 240_000);
  lap('curvature at the loaded weights', t);
  assert.equal(m.status, 'done', JSON.stringify(m.error));
  assert.ok(m.result.curvature.eigenvalues.length >= 1);
  await shot(page, 'loaded-curvature');

  await clickCodeLens(page, 'more…', 0);
  await pickQuick(page, 'Survey');
  m = await settledIn(page, (m) => m.status === 'error', 'survey refused', 120_000);
  assert.match(m.error.message, /survey needs training/);
  await shot(page, 'loaded-survey-refused');
});
