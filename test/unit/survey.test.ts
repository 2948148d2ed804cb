/**
 * Swirszcz, Czarnecki & Pascanu (2016) on our counter-examples: the survey finds stuck runs at
 * a rate with a floor, while a wider network or a sane initialization on the same data does not.
 * Runs the example files themselves (fewer runs than their defaults to stay fast).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { initBackend } from '../../src/backends';
import { loadFile } from '../../src/runner/load';
import { resolveOptions, runProbe } from '../../src/engine/run-probe';
import type { SurveyResult } from '../../src/protocol';
import { unitCounts } from '../../src/engine/units';
import * as tf from '@tensorflow/tfjs';
import { histogram } from '../../src/engine/survey';

before(async () => { await initBackend('wasm'); });

async function survey(example: string, def: string, runs: number): Promise<SurveyResult> {
  const loaded = await loadFile(join(__dirname, '..', '..', 'examples', example));
  const d = loaded.definitions.get(def)!;
  const r = await runProbe(def, d.config, resolveOptions(d.config, { analysis: 'survey', runs, points: 11, grid: 7 }), 'wasm');
  const s = r.survey!;
  console.log(`${example} ${def}: ${JSON.stringify(s.byInit)}; losses ${s.runs.map((x) => x.finalLoss.toFixed(3)).join(' ')}`);
  return s;
}

test('blind spots: a narrow ReLU net gets stuck on dead units, a wide one does not', async () => {
  const narrow = await survey('swirszcz-blind-spots.landscape.ts', 'narrow', 10);
  assert.ok(narrow.byInit.default.stuck >= 4, `narrow stuck ${narrow.byInit.default.stuck}/10`);
  const stuckRuns = narrow.runs.filter((r) => r.stuck);
  assert.ok(stuckRuns.every((r) => (r.blindExamples ?? 0) > 0), 'every stuck run has blind-spot examples');
  assert.ok(narrow.bestToStuck && narrow.bestToStuck.barrier > 0.05, `barrier best↔stuck ${narrow.bestToStuck?.barrier}`);
  assert.ok(narrow.stuckPlane && narrow.stuckPlane.loss.length === 7 && narrow.stuckPlane.otherPath);
  const wide = await survey('swirszcz-blind-spots.landscape.ts', 'wide', 6);
  assert.equal(wide.byInit.default.stuck, 0);
});

test('saturation: the saturating init is always stuck with saturated units, the default never', async () => {
  const s = await survey('swirszcz-saturation.landscape.ts', 'saturation', 5);
  assert.deepEqual(s.byInit, { default: { runs: 5, stuck: 0 }, saturating: { runs: 5, stuck: 5 } });
  for (const r of s.runs.filter((x) => x.init === 'saturating')) {
    assert.equal(r.saturatedUnitsInit, 4); assert.equal(r.saturatedUnits, 4);
  }
});

test('ten points: a 2-2-1 sigmoid net often ends far above the exhibited solution', async () => {
  const s = await survey('swirszcz-ten-points.landscape.ts', 'tenPoints', 10);
  assert.ok(s.byInit.default.stuck >= 2, `stuck ${s.byInit.default.stuck}/10`);
  assert.equal(s.byInit.exhibited.stuck, 0);
  const exhibited = s.runs.find((r) => r.init === 'exhibited')!;
  assert.ok(exhibited.finalLoss < 1e-3, `exhibited loss ${exhibited.finalLoss}`);
  const worst = Math.max(...s.runs.map((r) => r.finalLoss));
  assert.ok(worst > 50 * exhibited.finalLoss + 0.05);
});

test('unit counts: dead ReLU and saturated sigmoid units by hand', async () => {
  const m = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [2], units: 3, activation: 'relu', kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: -1 }) }),
    tf.layers.dense({ units: 2, activation: 'sigmoid', kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: 10 }) }),
    tf.layers.dense({ units: 1 })] });
  const c = (await unitCounts(m, tf.tensor2d([[1, 2], [3, 4]])))!;
  assert.deepEqual([c.deadUnits, c.reluUnits, c.saturatedUnits, c.squashUnits, c.blindExamples], [3, 3, 2, 2, 2]);
  const h = histogram([0, 0.5, 1, 1], 2);
  assert.deepEqual(h.counts, [1, 3]);
});
