/**
 * models.load / models.checkpoints / checkpointCallback / fileIO, and probing a loaded model:
 * a model trained and saved here loads back with the loss the saving code measured; the
 * checkpoints become the trajectory; analyses that need training refuse; errors name the path.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkpointCallback, checkpoints, fileIO, listCheckpoints, load } from '../../src/api/models';
import { landscape } from '../../src/api';
import { dataFiles, setDefinitionFile } from '../../src/api/files';
import { resolveOptions, runProbe } from '../../src/engine/run-probe';
import { loadFile } from '../../src/runner/load';
import { mulberry32 } from '../../src/shared/random';
import type { LandscapeConfig } from '../../src/api/types';
import { summary } from '../../src/cli/summary';

let dir: string;
let measured: number;
const EPOCHS = 4;

/** Two Gaussian-ish blobs in 4-D, 3 classes, deterministic. */
function blobs(n: number, seed: number) {
  const rng = mulberry32(seed);
  const x: number[][] = [], y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push([0, 1, 2, 3].map((k) => (k === c ? 2 : 0) + (rng() - 0.5)));
    y.push([0, 1, 2].map((k) => (k === c ? 1 : 0)));
  }
  return { x: tf.tensor2d(x), y: tf.tensor2d(y) };
}

const mlp = () => tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [4], units: 8, activation: 'tanh' }),
  tf.layers.dense({ units: 3, activation: 'softmax' })] });

before(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'll-models-'));
  setDefinitionFile(join(dir, 'probe.landscape.ts'));
  // "the user's own script": fit with the checkpoint callback, save, measure the loss
  const orig = Math.random; Math.random = mulberry32(3);
  try {
    const model = mlp();
    model.compile({ loss: 'categoricalCrossentropy', optimizer: tf.train.sgd(0.5) });
    const { x, y } = blobs(60, 1);
    await model.fit(x, y, { epochs: EPOCHS, batchSize: 20, shuffle: false, verbose: 0, callbacks: [checkpointCallback('./checkpoints')] });
    await model.save(fileIO('./trained'));
    measured = (model.evaluate(x, y, { batchSize: 1000 }) as tf.Scalar).dataSync()[0];
  } finally { Math.random = orig; }
});
after(() => { setDefinitionFile(undefined); rmSync(dir, { recursive: true, force: true }); });

const config = (extra: Partial<LandscapeConfig> = {}): LandscapeConfig => landscape({
  data: () => { const d = blobs(60, 1); return { x: d.x, y: d.y, xTest: d.x, yTest: d.y }; },
  model: load('./trained/model.json'), loss: 'categoricalCrossentropy', ...extra,
}).config;

test('fileIO writes model.json + weights.bin; the callback writes epoch-0000 … epoch-N', () => {
  const json = JSON.parse(readFileSync(join(dir, 'trained', 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
  assert.equal(json.weightsManifest[0].weights.length, 4);
  const list = listCheckpoints(join(dir, 'checkpoints'));
  assert.deepEqual(list.map((e) => e.name), ['epoch-0000', 'epoch-0001', 'epoch-0002', 'epoch-0003', 'epoch-0004']);
  assert.deepEqual(list.map((e) => e.step), [0, 1, 2, 3, 4]);
});

test('checkpoints are ordered by the number in their names, else by name', () => {
  const cp = join(dir, 'order');
  for (const n of ['step-10', 'step-2', 'step-1']) cpSync(join(dir, 'trained'), join(cp, n), { recursive: true });
  assert.deepEqual(listCheckpoints(cp).map((e) => e.name), ['step-1', 'step-2', 'step-10']);
  cpSync(join(dir, 'trained'), join(cp, 'final'), { recursive: true });
  assert.deepEqual(listCheckpoints(cp).map((e) => e.name), ['final', 'step-1', 'step-2', 'step-10']);
  // .json files directly in the folder count too
  const files = join(dir, 'files');
  mkdirSync(files);
  for (const n of [3, 1, 2]) {
    const j = JSON.parse(readFileSync(join(dir, 'trained', 'model.json'), 'utf8'));
    j.weightsManifest[0].paths = [`w${n}.bin`];
    writeFileSync(join(files, `ckpt${n}.json`), JSON.stringify(j));
    cpSync(join(dir, 'trained', 'weights.bin'), join(files, `w${n}.bin`));
  }
  assert.deepEqual(listCheckpoints(files).map((e) => e.name), ['ckpt1.json', 'ckpt2.json', 'ckpt3.json']);
  assert.throws(() => listCheckpoints(join(dir, 'nothing-here')), /cannot read the folder .*nothing-here: no such folder/);
});

test('a loaded model gives the loss the saving script measured; no training; checkpoints are the plane\'s path', async () => {
  const cfg = config({ checkpoints: checkpoints('./checkpoints') });
  const messages: string[] = [];
  let epochs = 0;
  const r = await runProbe('loaded', cfg, resolveOptions(cfg, { analysis: 'interpolate', points: 5, alphaRange: [0, 1] }), 'cpu', {
    progress: (_p, _d, _t, m) => { if (m) messages.push(m); }, trainEpoch: () => { epochs++; },
  });
  assert.equal(epochs, 0, 'nothing trained');
  assert.ok(messages.includes('no training: the model is loaded'), messages.join(' | '));
  assert.ok(Math.abs(r.train.finalTrainLoss - measured) < 1e-5, `${r.train.finalTrainLoss} vs ${measured}`);
  const i1 = r.interpolate!.alpha.indexOf(1);
  assert.ok(Math.abs(r.interpolate!.trainLoss[i1] - measured) < 1e-5);
  assert.equal(r.train.epochs, 0);
  assert.match(summary(r, 'x.landscape.ts').split('\n')[1], /^no training \(weights loaded\), 67 parameters: train loss /);
  assert.ok(r.notes.some((n) => n.startsWith('no training: weights loaded from ' + join(dir, 'trained', 'model.json'))), r.notes.join(' | '));
  assert.ok(r.notes.some((n) => /trajectory: 5 checkpoint\(s\)/.test(n)), r.notes.join(' | '));
  // θ₀ = the first checkpoint (the initial weights): its loss is the untrained one, higher
  assert.ok(r.interpolate!.trainLoss[0] > measured + 0.05);

  const p = await runProbe('loaded', cfg, resolveOptions(cfg, { analysis: 'plane', grid: 5, directions: 'goodfellow' }), 'cpu');
  const traj = p.plane!.trajectory;
  assert.equal(traj.a.length, EPOCHS + 1, 'one path point per checkpoint (the last one is θ_T)');
  assert.deepEqual(traj.step, [0, 1, 2, 3, 4]);
  assert.ok(Math.abs(traj.a[0]) < 1e-6 && Math.abs(traj.b[0]) < 1e-6, 'the path starts at θ₀');
  assert.ok(Math.abs(traj.a[EPOCHS] - 1) < 1e-4, 'and ends at θ_T (a = 1 along u = θ_T − θ₀)');
  const pca = await runProbe('loaded', cfg, resolveOptions(cfg, { analysis: 'plane', grid: 3, directions: 'pca' }), 'cpu');
  assert.equal(pca.plane!.directions, 'pca');
  assert.ok(dataFiles().includes(join(dir, 'checkpoints')) && dataFiles().includes(join(dir, 'trained', 'weights.bin')));
});

test('without checkpoints θ₀ is a seeded fresh initialization; curvature runs on the loaded weights', async () => {
  const cfg = config({ seed: 5 });
  const a = await runProbe('loaded', cfg, resolveOptions(cfg, { analysis: 'interpolate', points: 3, alphaRange: [0, 1] }), 'cpu');
  const b = await runProbe('loaded', cfg, resolveOptions(cfg, { analysis: 'interpolate', points: 3, alphaRange: [0, 1] }), 'cpu');
  assert.equal(a.interpolate!.trainLoss[0], b.interpolate!.trainLoss[0], 'same seed, same θ₀');
  assert.ok(a.notes.some((n) => /fresh initialization/.test(n)));
  const c = await runProbe('loaded', cfg, resolveOptions(cfg, { analysis: 'curvature', k: 2 }), 'cpu');
  assert.ok(c.curvature && c.curvature.eigenvalues.length >= 1);
});

test('survey, compare, connect and a second seed refuse: they need training', async () => {
  const cfg = config();
  for (const o of [{ analysis: 'survey' }, { analysis: 'compare' }, { analysis: 'connect' }, { analysis: 'interpolate', seed2: 2 }] as const) {
    await assert.rejects(runProbe('loaded', cfg, resolveOptions(cfg, o), 'cpu'),
      (e: Error) => /needs training/.test(e.message) && e.message.includes(join(dir, 'trained', 'model.json')));
  }
});

test('compareTo: interpolate and connect between two saved models', async () => {
  // the first checkpoint (the initial weights) as the second model: the line ends at its loss
  const cfg = config({ compareTo: load('./checkpoints/epoch-0000') });
  const r = await runProbe('two', cfg, resolveOptions(cfg, { analysis: 'interpolate', points: 3, alphaRange: [0, 1] }), 'cpu');
  assert.deepEqual(r.interpolate!.endpoints, { a: 'θ_T loaded', b: 'compareTo' });
  assert.ok(Math.abs(r.interpolate!.trainLoss[0] - measured) < 1e-5);
  const init = await runProbe('loaded', config({ checkpoints: checkpoints('./checkpoints') }), resolveOptions(cfg, { analysis: 'interpolate', points: 3, alphaRange: [0, 1] }), 'cpu');
  assert.ok(Math.abs(r.interpolate!.trainLoss[2] - init.interpolate!.trainLoss[0]) < 1e-5);
  const c = await runProbe('two', cfg, resolveOptions(cfg, { analysis: 'connect', points: 5 }), 'cpu');
  assert.ok(c.connect && c.notes.some((n) => n.includes('between the loaded model and')));
  assert.throws(() => landscape({ data: { x: [[0]], y: [[0]] }, model: mlp, loss: 'meanSquaredError', optimizer: () => tf.train.sgd(1), compareTo: load('./trained') }),
    /'compareTo' goes with a loaded model/);
});

test('a missing model.json and weights that do not match the architecture are errors naming the path', async () => {
  const missing = load('./nope/model.json');
  await assert.rejects(missing.load(), (e: Error) => e.message.includes(join(dir, 'nope', 'model.json')) && /no such file/.test(e.message));
  const cfg = config({ model: missing });
  await assert.rejects(runProbe('x', cfg, resolveOptions(cfg, { analysis: 'interpolate', points: 3 }), 'cpu'), /model: models\.load: cannot read .*nope\/model\.json: no such file/);

  // architecture says 9 hidden units, weights are for 8 (byte count fixed up so only the shapes disagree)
  const bad = join(dir, 'mismatch');
  cpSync(join(dir, 'trained'), bad, { recursive: true });
  const j = JSON.parse(readFileSync(join(bad, 'model.json'), 'utf8'));
  j.modelTopology.config.layers[0].config.units = 9;
  writeFileSync(join(bad, 'model.json'), JSON.stringify(j));
  await assert.rejects(load('./mismatch').load(), (e: Error) =>
    e.message.includes(join(bad, 'model.json')) && /do not match its architecture/.test(e.message));
  // a manifest that describes more bytes than the weight files hold
  j.modelTopology.config.layers[0].config.units = 8;
  j.weightsManifest[0].weights[0].shape = [4, 9];
  writeFileSync(join(bad, 'model.json'), JSON.stringify(j));
  await assert.rejects(load('./mismatch/model.json').load(), (e: Error) =>
    e.message.includes(join(bad, 'model.json')) && /hold \d+ bytes but its weightsManifest describes \d+/.test(e.message));
  // a checkpoint of another architecture
  const other = join(dir, 'other-ckpts');
  const small = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
  await small.save(fileIO(join(other, 'epoch-1')));
  const c2 = config({ checkpoints: checkpoints('./other-ckpts') });
  await assert.rejects(runProbe('x', c2, resolveOptions(c2, { analysis: 'plane', grid: 3 }), 'cpu'), /other-ckpts\/epoch-1\/model\.json has another architecture/);
});

test('landscape(): optimizer optional only for a loaded model; checkpoints need one', () => {
  assert.doesNotThrow(() => landscape({ data: { x: [[0]], y: [[0]] }, model: load('./trained'), loss: 'meanSquaredError' }));
  assert.throws(() => landscape({ data: { x: [[0]], y: [[0]] }, model: mlp, loss: 'meanSquaredError' }), /'optimizer' is required/);
  assert.throws(() => landscape({ data: { x: [[0]], y: [[0]] }, model: mlp, loss: 'meanSquaredError', optimizer: () => tf.train.sgd(1), checkpoints: checkpoints('./checkpoints') }),
    /'checkpoints' go with a loaded model/);
});

test('the Keras-converted fixture (tensorflowjs_converter layout) loads and computes its forward pass', async () => {
  const fixture = resolve(__dirname, '../fixtures/keras-mlp/model.json');
  const model = await load(fixture).load();
  const json = JSON.parse(readFileSync(fixture, 'utf8'));
  assert.match(json.generatedBy, /^keras v/);
  assert.match(json.convertedBy, /^TensorFlow\.js Converter v/);
  const w = tf.io.decodeWeights(new Uint8Array(readFileSync(resolve(__dirname, '../fixtures/keras-mlp/group1-shard1of1.bin'))).buffer, json.weightsManifest[0].weights);
  const x = tf.tensor2d([[0.1, -0.2, 0.3, 0.5], [1, 0, -1, 0.25]]);
  // by hand: softmax(relu(x W1 + b1) W2 + b2)
  const h = tf.relu(tf.add(tf.matMul(x, w['dense/kernel'] as tf.Tensor2D), w['dense/bias']));
  const expected = tf.softmax(tf.add(tf.matMul(h as tf.Tensor2D, w['dense_1/kernel'] as tf.Tensor2D), w['dense_1/bias'])).arraySync() as number[][];
  const got = (model.predict(x) as tf.Tensor).arraySync() as number[][];
  got.forEach((row, i) => row.forEach((v, k) => assert.ok(Math.abs(v - expected[i][k]) < 1e-6)));
  // and probes
  const cfg = landscape({ data: () => { const d = blobs(30, 2); return { x: d.x, y: d.y }; }, model: load(fixture), loss: 'categoricalCrossentropy' }).config;
  const r = await runProbe('keras', cfg, resolveOptions(cfg, { analysis: 'plane', grid: 3, directions: 'random' }), 'cpu');
  assert.equal(r.plane!.loss.length, 3);
});

test('through the real loader: relative paths resolve against the .landscape.ts file', async () => {
  const sub = join(dir, 'project');
  mkdirSync(join(sub, 'data'), { recursive: true });
  cpSync(join(dir, 'trained'), join(sub, 'model'), { recursive: true });
  const rows = ['a,b,c,d,label'];
  const rng = mulberry32(9);
  for (let i = 0; i < 30; i++) rows.push([0, 1, 2, 3].map((k) => ((k === i % 3 ? 2 : 0) + rng() - 0.5).toFixed(3)).join(',') + `,${i % 3}`);
  writeFileSync(join(sub, 'data', 'blobs.csv'), rows.join('\n'));
  writeFileSync(join(sub, 'mine.landscape.ts'), `
import { landscape, datasets, models } from 'loss-landscape';
export const loaded = landscape({
  data: () => datasets.csv('./data/blobs.csv', { label: 'label', oneHot: true }),
  model: models.load('./model/model.json'),
  loss: 'categoricalCrossentropy',
});`);
  const orig = process.cwd();
  process.chdir(tmpdir()); // not the file's folder
  try {
    const f = await loadFile(join(sub, 'mine.landscape.ts'));
    const def = f.definitions.get('loaded')!;
    const r = await runProbe('loaded', def.config, resolveOptions(def.config, { analysis: 'interpolate', points: 3 }), 'cpu');
    assert.equal(r.examples.train, 24);
    assert.deepEqual(dataFiles(), [join(sub, 'data', 'blobs.csv'), join(sub, 'model', 'model.json'), join(sub, 'model', 'weights.bin')].sort());
  } finally { process.chdir(orig); setDefinitionFile(join(dir, 'probe.landscape.ts')); }
});
