/**
 * Permutation alignment (Ainsworth et al. 2022): the permuted network computes the same function
 * (every layer kind aligned: Dense, Conv1D/Conv2D with Flatten and global pooling, BatchNorm),
 * weight matching recovers a known permutation, activation matching too, and the objective
 * never decreases.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { readParams, readState, writeParams, writeState } from '../../src/engine/params';
import { mulberry32, permutation } from '../../src/shared/random';
import { AlignmentError, permutationSpec, permuteAxis, permuteParams } from '../../src/engine/align/permute';
import { weightMatching } from '../../src/engine/align/weight-matching';
import { alignSolutions } from '../../src/engine/align/align';

before(async () => { await initBackend('wasm'); });

function withSeed<T>(seed: number, fn: () => T): T {
  const orig = Math.random; Math.random = mulberry32(seed);
  try { return fn(); } finally { Math.random = orig; }
}

const MODELS: Record<string, { build: () => tf.Sequential; input: number[] }> = {
  dense: { input: [12], build: () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [12], units: 16, activation: 'relu' }),
    tf.layers.dense({ units: 9, activation: 'tanh' }), tf.layers.dropout({ rate: 0.2 }),
    tf.layers.dense({ units: 4, activation: 'softmax' })] }) },
  'dense + BatchNorm': { input: [12], build: () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [12], units: 16 }), tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }),
    tf.layers.dense({ units: 8, useBias: false }), tf.layers.batchNormalization(), tf.layers.reLU(),
    tf.layers.dense({ units: 3 })] }) },
  'conv2d + BatchNorm + Flatten': { input: [8, 8, 2], build: () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 6, kernelSize: 3, activation: 'relu' }),
    tf.layers.batchNormalization(), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 5, kernelSize: 2, padding: 'same', activation: 'relu' }),
    tf.layers.flatten(), tf.layers.dense({ units: 7, activation: 'relu' }), tf.layers.dense({ units: 3 })] }) },
  'conv1d + global pooling': { input: [10, 3], build: () => tf.sequential({ layers: [
    tf.layers.conv1d({ inputShape: [10, 3], filters: 6, kernelSize: 3, activation: 'relu' }),
    tf.layers.conv1d({ filters: 4, kernelSize: 2, activation: 'elu' }),
    tf.layers.globalAveragePooling1d(), tf.layers.dense({ units: 2 })] }) },
};

/** Random BatchNorm statistics (not the 0/1 defaults, which any permutation preserves). */
function randomState(n: number, rng: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => 0.5 + rng());
}

for (const [name, { build, input }] of Object.entries(MODELS)) {
  test(`a permuted ${name} network computes the same function (outputs within 1e-5)`, async () => {
    const model = withSeed(3, build);
    const rng = mulberry32(11);
    const spec = permutationSpec(model);
    const theta = await readParams(model);
    const state = randomState((await readState(model)).length, rng);
    if (state.length) writeState(model, state);
    const x = tf.tensor(Float32Array.from({ length: 20 * input.reduce((a, b) => a * b) }, () => rng() * 2 - 1), [20, ...input]);
    const y0 = await (model.predict(x) as tf.Tensor).data();
    const perms = spec.groups.map((g) => Int32Array.from(permutation(g.size, rng)));
    assert.ok(perms.some((p) => p.some((j, i) => j !== i)));
    const p = permuteParams(spec, theta, state, perms);
    assert.notDeepEqual(Array.from(p.theta), Array.from(theta));
    writeParams(model, p.theta);
    if (state.length) writeState(model, p.state);
    const y1 = await (model.predict(x) as tf.Tensor).data();
    let worst = 0;
    for (let i = 0; i < y0.length; i++) worst = Math.max(worst, Math.abs(y0[i] - y1[i]));
    assert.ok(worst < 1e-5, `outputs differ by ${worst}`);
    x.dispose(); model.dispose();
  });
}

test('permuteAxis: a Flatten-tied axis permutes the units of every position', () => {
  // shape [4 inputs = 2 positions × 2 units, 1]: unit = index mod 2
  assert.deepEqual(Array.from(permuteAxis(Float32Array.from([10, 11, 20, 21]), [4, 1], 0, [1, 0])), [11, 10, 21, 20]);
  assert.deepEqual(Array.from(permuteAxis(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], 1, [2, 0, 1])), [3, 1, 2, 6, 4, 5]);
});

test('weight matching recovers a hidden permutation exactly; activation matching too', async () => {
  const model = withSeed(5, MODELS['conv2d + BatchNorm + Flatten'].build);
  const rng = mulberry32(7);
  const spec = permutationSpec(model);
  const theta = await readParams(model), state = randomState((await readState(model)).length, rng);
  const perms = spec.groups.map((g) => Int32Array.from(permutation(g.size, rng)));
  const b = permuteParams(spec, theta, state, perms);
  const r = await weightMatching(spec, theta, b.theta, { seed: 1 });
  assert.ok(r.objectiveAfter >= r.objectiveBefore);
  // π(B) = A exactly: the matching undid the permutation
  const back = permuteParams(spec, b.theta, b.state, r.perms);
  assert.deepEqual(Array.from(back.theta), Array.from(theta));
  assert.deepEqual(Array.from(back.state), Array.from(state));
  const batch = tf.randomUniform([64, 8, 8, 2], -1, 1, 'float32', 3);
  const act = await alignSolutions(model, 'activations', { theta, state }, b, { batch });
  assert.deepEqual(Array.from(act.theta), Array.from(theta));
  assert.equal(act.method, 'activations');
  assert.deepEqual(act.layers.map((l) => l.units), [6, 5, 7]);
  batch.dispose(); model.dispose();
});

test('weight matching of two random networks raises ⟨A, π(B)⟩ and stays a permutation', async () => {
  const a = withSeed(1, MODELS.dense.build), b = withSeed(2, MODELS.dense.build);
  const spec = permutationSpec(a);
  const r = await weightMatching(spec, await readParams(a), await readParams(b), { seed: 4 });
  assert.ok(r.objectiveAfter > r.objectiveBefore, `${r.objectiveBefore} → ${r.objectiveAfter}`);
  for (const p of r.perms) assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: p.length }, (_, i) => i));
  a.dispose(); b.dispose();
});

test('a model alignment cannot permute is refused with the layer named', () => {
  const lstm = tf.sequential({ layers: [tf.layers.lstm({ inputShape: [5, 3], units: 4 }), tf.layers.dense({ units: 2 })] });
  assert.throws(() => permutationSpec(lstm), (e: Error) => e instanceof AlignmentError && /lstm/i.test(e.message));
  const input = tf.input({ shape: [4] });
  const fn = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(tf.layers.dense({ units: 3 }).apply(input)) as tf.SymbolicTensor });
  assert.throws(() => permutationSpec(fn), /tf\.sequential/);
  lstm.dispose(); fn.dispose();
});
