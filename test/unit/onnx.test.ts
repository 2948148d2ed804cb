/**
 * models.onnx against real PyTorch: the fixtures in test/fixtures/pytorch/ were written by
 * make_fixtures.py with Debian's python3-torch 1.13 (an MLP, a CNN with BatchNorm, a small
 * ResNet, a one-block transformer encoder). Our forward pass equals PyTorch's (inference and
 * training mode), the losses equal F.cross_entropy / F.mse_loss, one SGD step through the
 * engine's own training loop gives PyTorch's updated weights and BatchNorm running statistics,
 * θ₀ follows PyTorch's default initializations, checkpoint folders (ONNX files or safetensors
 * state_dicts) become the path in order, and bad input is one line naming the file.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onnx as onnxProto } from 'onnx-proto';
import { checkpoints, listCheckpoints, onnx } from '../../src/api/models';
import { landscape } from '../../src/api';
import { setDefinitionFile } from '../../src/api/files';
import { loadOnnxFile, readOnnx } from '../../src/api/onnx';
import { pytorchInit } from '../../src/api/onnx/init';
import { readSafetensors, weightsFromStateDict } from '../../src/api/onnx/safetensors';
import { lossSpec } from '../../src/engine/losses';
import { train } from '../../src/engine/train';
import { readParams, readState } from '../../src/engine/params';
import { loadRecord, LoadedConfig } from '../../src/engine/loaded';
import { mulberry32 } from '../../src/shared/random';
import { hasBatchNorm, recomputeBatchNorm } from '../../src/engine/batchnorm';
import { resolveOptions, runProbe } from '../../src/engine/run-probe';

const DIR = resolve('test/fixtures/pytorch');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8'));
const NAMES = ['mlp', 'cnn', 'resnet', 'transformer', 'transformer14'];
let tmp: string;

before(async () => { await tf.setBackend('cpu'); tmp = mkdtempSync(join(tmpdir(), 'll-onnx-')); });
after(() => { setDefinitionFile(undefined); rmSync(tmp, { recursive: true, force: true }); });

/** max |a − b| / max(|b|, 0.01): relative, with a floor for entries near zero. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 0.01));
  return e;
}

const inputOf = (name: string) => tf.tensor(expected.models[name].input, expected.models[name].inputShape);
const labels = () => tf.tensor1d(expected.labels);

for (const name of NAMES) {
  test(`${name}: the forward pass equals PyTorch's in inference and training mode; the losses equal F.cross_entropy and F.mse_loss`, () => {
    const e = expected.models[name];
    const model = loadOnnxFile(join(DIR, `${name}.onnx`));
    assert.equal(model.trainableWeights.length, e.parameters.length, 'one trainable weight per PyTorch parameter');
    assert.equal(model.nonTrainableWeights.length, e.buffers.length, 'BatchNorm running statistics are the state');
    const x = inputOf(name);
    const yEval = model.apply(x, { training: false }) as tf.Tensor;
    assert.ok(relError(yEval.dataSync(), e.outputEval) < 1e-4, `inference ${relError(yEval.dataSync(), e.outputEval)}`);
    const ce = lossSpec('crossEntropy', undefined).mean(labels(), yEval).dataSync()[0];
    const mse = lossSpec('mse', undefined).mean(tf.tensor2d(expected.targets), yEval).dataSync()[0];
    assert.ok(Math.abs(ce - e.crossEntropy) < 1e-4 * Math.abs(e.crossEntropy), `cross-entropy ${ce} vs ${e.crossEntropy}`);
    assert.ok(Math.abs(mse - e.mse) < 1e-4 * Math.abs(e.mse), `mse ${mse} vs ${e.mse}`);
    const yTrain = model.apply(x, { training: true }) as tf.Tensor;
    assert.ok(relError(yTrain.dataSync(), e.outputTrain) < 1e-4, `training mode ${relError(yTrain.dataSync(), e.outputTrain)}`);
    if (e.buffers.length > 0) assert.ok(relError(yTrain.dataSync(), e.outputEval) > 1e-2, 'BatchNorm: batch statistics differ from the running ones');
    model.dispose();
  });

  test(`${name}: one SGD step of the engine's training loop gives PyTorch's weights and running statistics`, async () => {
    const e = expected.models[name];
    const prep = readOnnx(join(DIR, `${name}.onnx`));
    const model = loadOnnxFile(join(DIR, `${name}.onnx`));
    const x = inputOf(name);
    const rec = await train(model, tf.train.sgd(expected.lr), lossSpec('crossEntropy', undefined), x, labels(),
      { epochs: 1, batchSize: x.shape[0], seed: 1, shuffle: false });
    const sgdLoss = rec.lossPerEpoch[0];
    assert.ok(Math.abs(sgdLoss - e.sgdLoss) < 1e-4 * e.sgdLoss, `loss ${sgdLoss} vs ${e.sgdLoss}`);
    const want = weightsFromStateDict(prep, readSafetensors(readFileSync(join(DIR, `${name}.sgd.safetensors`)), `${name}.sgd.safetensors`), name);
    const got = await readParams(model);
    const flat = (arrays: Float32Array[]) => { const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0)); let o = 0; for (const a of arrays) { out.set(a, o); o += a.length; } return out; };
    assert.ok(relError(got, flat(want.params)) < 1e-4, `weights ${relError(got, flat(want.params))}`);
    assert.ok(relError(await readState(model), flat(want.state)) < 1e-4, 'running statistics updated as PyTorch does (momentum 0.1, unbiased variance)');
    // the step moved every parameter that has a gradient
    assert.ok(relError(got, flat(prep.params.map((p) => p.data as Float32Array))) > 1e-4);
    model.dispose();
  });
}

test("θ₀: PyTorch's default initializations (kaiming-uniform a = √5, biases U(±1/√fan_in), BatchNorm 1/0), seeded", () => {
  const prep = readOnnx(join(DIR, 'cnn.onnx'));
  const a = pytorchInit(prep, mulberry32(7)), b = pytorchInit(prep, mulberry32(7));
  assert.deepEqual(a.params, b.params, 'same seed, same θ₀');
  assert.deepEqual(a.kept, [], 'every parameter has an initialization');
  const byName = new Map(prep.params.map((p, k) => [p.name, a.params[k]]));
  const check = (name: string, fanIn: number) => {
    const w = byName.get(name)!, bound = 1 / Math.sqrt(fanIn);
    assert.ok(w.every((v) => Math.abs(v) <= bound), `${name} within ±1/√${fanIn}`);
    assert.ok(Math.max(...w.map(Math.abs)) > 0.5 * bound, `${name} fills its range`);
  };
  check('0.weight', 9); check('0.bias', 9); check('4.weight', 18); check('4.bias', 18); check('9.weight', 24); check('9.bias', 24);
  assert.ok(byName.get('1.weight')!.every((v) => v === 1) && byName.get('1.bias')!.every((v) => v === 0));
  assert.deepEqual([...a.state[0]], [0, 0, 0, 0]); assert.deepEqual([...a.state[1]], [1, 1, 1, 1]);
  // the transformer: attention's in_proj is xavier-uniform, its biases 0; tied copies (Identity) are parameters of their own
  const t = readOnnx(join(DIR, 'transformer.onnx'));
  const ti = pytorchInit(t, mulberry32(1));
  assert.deepEqual(ti.kept, []);
  const names = t.params.map((p) => p.name);
  for (const n of ['block.norm2.bias', 'block.norm2.weight', 'block.norm1.bias']) assert.ok(names.includes(n), `${n} is a parameter`);
  assert.ok(ti.params[names.indexOf('block.self_attn.in_proj_bias')].every((v) => v === 0));
});

test('a checkpoint folder gives the path in order; ONNX files and safetensors state_dicts give the same θ', async () => {
  setDefinitionFile(join(DIR, 'probe.landscape.ts'));
  assert.deepEqual(listCheckpoints(join(DIR, 'cnn-checkpoints', 'onnx')).map((e) => e.name), ['step-0.onnx', 'step-3.onnx', 'step-6.onnx', 'step-9.onnx', 'step-12.onnx']);
  const records = [];
  for (const folder of ['onnx', 'safetensors']) {
    const cfg = landscape({
      data: { x: [[0]], y: [0] }, loss: 'crossEntropy',
      model: onnx('./cnn-checkpoints/onnx/step-12.onnx'), checkpoints: checkpoints(`./cnn-checkpoints/${folder}`),
    }).config as LoadedConfig;
    const { model, record } = await loadRecord(cfg);
    model.dispose();
    assert.deepEqual(record.snapshotSteps, [0, 3, 6, 9, 12]);
    assert.equal(record.snapshots.length, 5, 'the last checkpoint is θ_T itself');
    records.push(record);
  }
  for (let k = 0; k < 5; k++) assert.deepEqual(records[0].snapshots[k], records[1].snapshots[k], `checkpoint ${k}`);
  assert.deepEqual(records[0].state0, records[1].state0);
  assert.notDeepEqual(records[0].snapshots[0], records[0].snapshots[4], 'the run moved');
});

/** Rewrites a fixture with one node changed (the protobuf written by onnx-proto, as a user's file would be). */
function edited(name: string, edit: (m: onnxProto.ModelProto) => void): string {
  const m = onnxProto.ModelProto.decode(readFileSync(join(DIR, `${name}.onnx`)));
  edit(m);
  const path = join(tmp, `${name}-edited.onnx`);
  writeFileSync(path, onnxProto.ModelProto.encode(m).finish());
  return path;
}

test('bad input: an unsupported operator, a corrupt file, a checkpoint of another model, data of the wrong shape — one line naming the file', async () => {
  const unsupported = edited('cnn', (m) => { m.graph!.node![2].opType = 'Selu'; });
  assert.throws(() => readOnnx(unsupported), (e: Error) => !e.message.includes('\n') &&
    e.message.includes(unsupported) && /unsupported operator Selu \(node '\/2\/Relu'\); supported: Add, AveragePool, BatchNormalization/.test(e.message));

  const corrupt = join(tmp, 'corrupt.onnx');
  writeFileSync(corrupt, readFileSync(join(DIR, 'cnn.onnx')).subarray(0, 700));
  assert.throws(() => readOnnx(corrupt), (e: Error) => !e.message.includes('\n') && e.message.includes(corrupt) && /not an ONNX|corrupt/.test(e.message));
  const text = join(tmp, 'notes.onnx');
  writeFileSync(text, 'hello, this is not a model\n');
  assert.throws(() => readOnnx(text), (e: Error) => e.message.includes(text));

  const model = onnx(join(DIR, 'cnn.onnx'));
  const other = join(DIR, 'mlp.sgd.safetensors');
  await assert.rejects(model.withStateDict(other), (e: Error) => !e.message.includes('\n') && e.message.includes(other) && /another model/.test(e.message));
  const cnnOnnx = join(DIR, 'cnn-checkpoints', 'onnx');
  assert.throws(() => readSafetensors(readFileSync(join(cnnOnnx, 'step-0.onnx')), 'step-0.onnx'), /step-0.onnx is not a safetensors file/);

  const m = loadOnnxFile(join(DIR, 'cnn.onnx'));
  assert.throws(() => m.apply(tf.zeros([2, 784]), { training: false }), (e: Error) => !e.message.includes('\n') &&
    e.message.includes(join(DIR, 'cnn.onnx')) && /shape \[784\] but the graph's input 'input' is \[batch, 1, 8, 8\]/.test(e.message));
  // NHWC data is transposed to the graph's NCHW
  const x = inputOf('cnn');
  const nhwc = tf.transpose(x, [0, 2, 3, 1]);
  assert.deepEqual((m.apply(nhwc) as tf.Tensor).dataSync(), (m.apply(x) as tf.Tensor).dataSync());
  m.dispose();
});

test("BN-aware probes: recomputing the graph's BatchNorm statistics on a batch makes inference equal PyTorch's training-mode output on it", () => {
  for (const name of ['cnn', 'resnet']) {
    const model = loadOnnxFile(join(DIR, `${name}.onnx`));
    assert.ok(hasBatchNorm(model));
    recomputeBatchNorm(model, inputOf(name), 2); // in chunks of 2: the same statistics as one pass
    const y = (model.apply(inputOf(name), { training: false }) as tf.Tensor).dataSync();
    assert.ok(relError(y, expected.models[name].outputTrain) < 1e-4, `${name}: ${relError(y, expected.models[name].outputTrain)}`);
    model.dispose();
  }
  assert.ok(!hasBatchNorm(loadOnnxFile(join(DIR, 'mlp.onnx'))));
});

test("through the engine: { weights: 'init' } trains the graph from PyTorch's initialization; curvature runs on a loaded graph", async () => {
  setDefinitionFile(join(DIR, 'probe.landscape.ts'));
  const rng = mulberry32(3);
  const x = tf.tensor2d(Array.from({ length: 60 * 6 }, () => rng() * 2 - 1), [60, 6]);
  const y = tf.tensor1d(Array.from({ length: 60 }, (_, i) => (x.arraySync() as number[][])[i][0] > 0 ? 1 : 0));
  const cfg = landscape({
    data: { x, y, xTest: x, yTest: y }, model: onnx('./mlp.onnx', { weights: 'init' }), loss: 'crossEntropy',
    optimizer: () => tf.train.sgd(0.5), epochs: 5, batchSize: 20, seed: 2,
  }).config;
  const r = await runProbe('mlp', cfg, resolveOptions(cfg, { analysis: 'interpolate', points: 3, alphaRange: [0, 1] }), 'cpu');
  assert.equal(r.train.epochs, 5);
  assert.ok(r.interpolate!.trainLoss[2] < r.interpolate!.trainLoss[0] - 0.2, `trained: ${r.interpolate!.trainLoss}`);
  const again = await runProbe('mlp', cfg, resolveOptions(cfg, { analysis: 'interpolate', points: 3, alphaRange: [0, 1] }), 'cpu');
  assert.deepEqual(again.interpolate!.trainLoss, r.interpolate!.trainLoss, 'seeded: the same run twice');

  const e = expected.models.cnn;
  const images = tf.tensor(e.input, e.inputShape);
  const loaded = landscape({ data: { x: images, y: labels() }, model: onnx('./cnn.onnx'), loss: 'crossEntropy' }).config;
  const c = await runProbe('cnn', loaded, resolveOptions(loaded, { analysis: 'curvature', k: 2 }), 'cpu');
  assert.ok(c.curvature!.eigenvalues.length >= 1 && c.curvature!.eigenvalues.every(Number.isFinite), JSON.stringify(c.curvature!.eigenvalues));
  assert.ok(Math.abs(c.train.finalTrainLoss - e.crossEntropy) < 1e-4 * e.crossEntropy, 'the loaded weights give PyTorch\'s loss');
});
