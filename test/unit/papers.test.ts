/**
 * The seed papers' qualitative findings, asserted on the example files themselves (with an
 * evaluation subset to stay fast; the full-size numbers come from the examples' CLI runs,
 * listed in examples/README.md).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { initBackend } from '../../src/backends';
import { loadFile } from '../../src/runner/load';
import { resolveOptions, runProbe } from '../../src/engine/run-probe';
import type { ProbeOptions, ProbeResult } from '../../src/protocol';

before(async () => { await initBackend('wasm'); });

async function probe(example: string, def: string, o: Partial<ProbeOptions>): Promise<ProbeResult> {
  const loaded = await loadFile(join(__dirname, '..', '..', 'examples', example));
  const d = loaded.definitions.get(def);
  assert.ok(d, `${example} exports ${def}`);
  const r = await runProbe(def, d.config, resolveOptions(d.config, { analysis: 'interpolate', ...o }), 'wasm');
  const it = r.interpolate;
  if (it) console.log(`${example} ${def}: J(0)=${it.trainLoss[it.alpha.indexOf(0)].toFixed(3)} J(1)=${it.trainLoss[it.alpha.indexOf(1)].toFixed(3)} monotone=${it.monotone} barrier=${it.barrier.toFixed(3)} test acc ${r.train.finalTestAccuracy}`);
  return r;
}

const at = (r: ProbeResult, a: number) => r.interpolate!.trainLoss[r.interpolate!.alpha.indexOf(a)];

for (const def of ['relu', 'sigmoid', 'maxout']) {
  test(`Goodfellow et al.: MNIST ${def} MLP meets no obstacle on the straight path θ₀ → θ_T`, async () => {
    const r = await probe('goodfellow-mnist.landscape.ts', def, { examples: 1000, points: 21 });
    assert.equal(r.interpolate!.monotone, true);
    assert.ok(at(r, 1) < 0.3 * at(r, 0));
    assert.ok(r.train.finalTestAccuracy! > 0.8);
  });
}

test('Goodfellow et al.: the small conv net descends along the line (a small bump near θ₀ at most)', async () => {
  const r = await probe('goodfellow-conv.landscape.ts', 'convnet', { examples: 500, points: 21 });
  assert.ok(at(r, 1) < 0.2 * at(r, 0));
  assert.ok(r.interpolate!.barrier < 0.25 * at(r, 0), `barrier ${r.interpolate!.barrier}`);
});

test('Goodfellow et al.: the LSTM on the Sonnets descends along the line', async () => {
  const r = await probe('goodfellow-lstm.landscape.ts', 'lstm', { examples: 300, points: 11 });
  assert.equal(r.interpolate!.monotone, true);
  assert.ok(at(r, 1) < at(r, 0) - 1);
});

test('Goodfellow et al.: two solutions from different seeds are separated by a barrier', async () => {
  const r = await probe('goodfellow-two-seeds.landscape.ts', 'twoSeeds', { examples: 1000, points: 21 });
  assert.equal(r.interpolate!.endpoints?.b, 'θ_T (seed 2)');
  assert.equal(r.interpolate!.monotone, false);
  assert.ok(r.interpolate!.barrier > 0.1, `barrier ${r.interpolate!.barrier}`);
  assert.ok(Math.abs(r.interpolate!.barrierAlpha - 0.5) <= 0.25);
});

test('Goodfellow et al.: the deep linear model starts near its saddle and slides into a valley', async () => {
  const r = await probe('deep-linear.landscape.ts', 'deepLinear', { analysis: 'plane', grid: 21 });
  const p = r.plane!;
  // y = 2x on the data: at the saddle w = 0 the loss is mean((2x)²)
  const xs = [-1, -0.5, 0.25, 0.5, 1, 1.5];
  const saddle = xs.reduce((s, x) => s + 4 * x * x, 0) / xs.length;
  const i0 = p.b.findIndex((b) => Math.abs(b) < 1e-9), j0 = p.a.findIndex((a) => Math.abs(a) < 1e-9);
  assert.ok(Math.abs(p.loss[i0][j0] - saddle) / saddle < 0.05, `J(θ₀) ${p.loss[i0][j0]} vs saddle ${saddle}`);
  assert.ok(r.train.finalTrainLoss < 1e-3 * saddle);
  const line = await probe('deep-linear.landscape.ts', 'deepLinear', { points: 21 });
  assert.equal(line.interpolate!.monotone, true);
});

test('BatchNorm example: recomputing the statistics at each α changes the curve', async () => {
  const r = await probe('batchnorm.landscape.ts', 'batchnorm', { examples: 1000, points: 11 });
  const it = r.interpolate!;
  assert.equal(it.bn, 'both');
  const mid = it.alpha.indexOf(0.5);
  console.log(`batchnorm: J(0.5) interpolated stats ${it.trainLoss[mid].toFixed(3)}, recomputed ${it.bnRecomputed!.trainLoss[mid].toFixed(3)}`);
  assert.ok(it.bnRecomputed!.trainLoss[mid] < 0.7 * it.trainLoss[mid]);
});

test('compare runs: every variant starts at θ₀ = (0,0); the first ends at (1,0); curves share α = 0', async () => {
  const r = await probe('compare-optimizers.landscape.ts', 'optimizers', { analysis: 'compare', examples: 500, points: 5, grid: 7 });
  const c = r.compare!;
  assert.deepEqual(c.runs.map((x) => x.name), ['as defined', 'sgd 0.02', 'momentum 0.9', 'adam 1e-3']);
  for (const run of c.runs) {
    assert.ok(Math.hypot(run.path.a[0], run.path.b[0]) < 1e-6, `${run.name} starts at θ₀`);
    assert.ok(Math.abs(run.curve.trainLoss[run.curve.alpha.indexOf(0)] - c.runs[0].curve.trainLoss[0 + c.runs[0].curve.alpha.indexOf(0)]) < 1e-6);
  }
  const p0 = c.runs[0].path, end = p0.a.length - 1;
  assert.ok(Math.abs(p0.a[end] - 1) < 1e-4 && Math.abs(p0.b[end]) < 1e-4);
  assert.equal(c.plane.loss.length, 7);
  assert.ok(c.runs[1].finalTrainLoss > c.runs[0].finalTrainLoss, 'the smaller learning rate gets less far in 3 epochs');
});
