/**
 * The engine's backend: wasm initialisation, our wasm kernel fixes checked against the cpu
 * backend, and short training runs of the layer types users write, on wasm.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { findWasmDir, initBackend } from '../../src/backends';
import { patchWasmKernels } from '../../src/backends/wasm/patch-kernels';
import { rand, randT, sameOutputs, sizeOf } from './same-outputs';

const randInts = (shape: number[], seed: number, max: number) =>
  tf.tensor(Array.from(rand(sizeOf(shape), seed, 0, max), Math.floor), shape, 'int32');

/** Runs `f` on cpu and on wasm and asserts every output agrees (max abs diff ≤ tol·max(1, |ref|)). */
function sameOnCpuAndWasm(name: string, f: () => tf.Tensor | tf.Tensor[], tol = 1e-4): Promise<void> {
  return sameOutputs(name, f, () => tf.setBackend('cpu'), () => tf.setBackend('wasm'), 'cpu', tol);
}

before(async () => {
  const r = await initBackend('wasm');
  assert.equal(r.name, 'wasm');
});

test('initBackend selects wasm, is idempotent and falls back from node', async () => {
  assert.equal(tf.getBackend(), 'wasm');
  const again = await initBackend('wasm');
  assert.equal(again.name, 'wasm');
  assert.deepEqual(patchWasmKernels(), { replaced: [], added: [] }, 'kernels patched only once');
  for (const k of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum', 'Einsum']) {
    assert.ok(tf.getKernel(k, 'wasm'), `${k} registered on wasm`);
  }
  const node = await initBackend('node');
  if (node.name === 'wasm') assert.match(node.note ?? '', /tfjs-node/);
  await initBackend('wasm');
  assert.equal(tf.getBackend(), 'wasm');
});

test('findWasmDir honours LOSS_LANDSCAPE_WASM_DIR, else finds the package binaries', () => {
  const saved = process.env.LOSS_LANDSCAPE_WASM_DIR;
  try {
    process.env.LOSS_LANDSCAPE_WASM_DIR = '/opt/wasm';
    assert.equal(findWasmDir(), '/opt/wasm/');
    delete process.env.LOSS_LANDSCAPE_WASM_DIR;
    const dir = findWasmDir();
    assert.ok(dir.endsWith('/'));
    assert.equal(path.basename(dir), 'dist');
  } finally {
    if (saved === undefined) delete process.env.LOSS_LANDSCAPE_WASM_DIR;
    else process.env.LOSS_LANDSCAPE_WASM_DIR = saved;
  }
});

test('BatchMatMul and _FusedMatMul match cpu for every transpose combination', async () => {
  for (const [M, K, N] of [[3, 5, 2], [40, 70, 30], [150, 33, 9]]) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const a = () => randT(tA ? [K, M] : [M, K], 1);
        const b = () => randT(tB ? [N, K] : [K, N], 2);
        const tag = `${M}x${K}x${N} tA=${tA} tB=${tB}`;
        await sameOnCpuAndWasm(`matMul ${tag}`, () => tf.matMul(a(), b(), tA, tB));
        await sameOnCpuAndWasm(`fused relu ${tag}`, () =>
          tf.fused.matMul({ a: a(), b: b(), transposeA: tA, transposeB: tB, activation: 'relu' }));
        await sameOnCpuAndWasm(`fused bias ${tag}`, () =>
          tf.fused.matMul({ a: a(), b: b(), transposeA: tA, transposeB: tB, bias: randT([N], 3), activation: 'elu' }));
      }
    }
  }
});

test('batched BatchMatMul matches cpu (per-slice, shared operand and broadcast batches)', async () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[4, 20, 30], [4, 30, 25], false, false],
    [[4, 30, 20], [4, 25, 30], true, true],
    [[3, 30, 20], [3, 30, 25], true, false],
    [[4, 20, 30], [30, 25], false, false], // shared right operand → one flattened product
    [[4, 30, 20], [25, 30], true, true],
    [[1, 20, 30], [5, 30, 25], false, false], // shared left operand
    [[2, 3, 20, 30], [3, 30, 25], false, false],
    [[6, 4, 5], [6, 3, 5], false, true], // tiny slices → original kernel
  ];
  for (const [sa, sb, tA, tB] of cases) {
    await sameOnCpuAndWasm(`matMul ${sa} x ${sb} tA=${tA} tB=${tB}`, () => tf.matMul(randT(sa, 4), randT(sb, 5), tA, tB));
  }
  // The original's slow loop adds the wrong bias to rows > 0: batched fused products avoid it.
  for (const [sa, sb] of [[[3, 4, 5], [3, 5, 6]], [[3, 40, 50], [3, 50, 60]], [[3, 40, 50], [1, 50, 60]]]) {
    await sameOnCpuAndWasm(`fused batched bias ${sa} x ${sb}`, () =>
      tf.fused.matMul({ a: randT(sa, 8) as tf.Tensor3D, b: randT(sb, 9) as tf.Tensor3D, bias: randT([sb[2]], 10), activation: 'relu' }));
  }
  // Broadcasting both ways ([2,1] with [1,3]): compare with explicitly broadcast inputs on cpu.
  const a = randT([2, 1, 20, 30], 6), b = randT([1, 3, 25, 30], 7);
  const got = tf.matMul(a, b, false, true);
  await tf.setBackend('cpu');
  const want = tf.matMul(tf.broadcastTo(a, [2, 3, 20, 30]), tf.broadcastTo(b, [2, 3, 25, 30]), false, true);
  const wantV = want.dataSync();
  await tf.setBackend('wasm');
  const gotV = got.dataSync();
  let diff = 0;
  for (let i = 0; i < wantV.length; i++) diff = Math.max(diff, Math.abs(gotV[i] - wantV[i]));
  assert.ok(diff < 1e-4, `broadcast batch matmul differs by ${diff}`);
  tf.dispose([a, b, got, want]);
});

test('matmul gradients (the training path) match cpu', async () => {
  const W = () => randT([64, 48], 8), x = () => randT([32, 64], 9), bias = () => randT([48], 10);
  await sameOnCpuAndWasm('grad of fused dense', () => tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
    tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: 'relu' }).square().sum())([x(), W(), bias()]));
});

type Conv = [number[], number[], number, 'same' | 'valid'];
const convCases: Conv[] = [
  [[2, 9, 9, 3], [3, 3, 3, 4], 1, 'same'],
  [[2, 9, 9, 3], [3, 3, 3, 4], 1, 'valid'],
  [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'same'],
  [[2, 10, 9, 3], [3, 2, 3, 4], 2, 'valid'],
  [[2, 11, 11, 1], [5, 5, 1, 6], 3, 'same'],
  [[3, 8, 8, 2], [1, 1, 2, 5], 1, 'valid'],
];

test('Conv2DBackpropFilter (added) and Conv2DBackpropInput (replaced) match cpu', async () => {
  for (const [xs, fs, s, p] of convCases) {
    await sameOnCpuAndWasm(`conv2d grads ${xs} ${fs} s${s} ${p}`, () =>
      tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, p).square().sum())(
        [randT(xs, 11), randT(fs, 12)]));
  }
  // conv2dTranspose runs Conv2DBackpropInput forward; its gradient needs Conv2D and the filter grad.
  await sameOnCpuAndWasm('conv2dTranspose and its grads', () =>
    tf.grads((y: tf.Tensor, f: tf.Tensor) =>
      tf.conv2dTranspose(y as tf.Tensor4D, f as tf.Tensor4D, [2, 8, 8, 3], 2, 'same').square().sum())(
      [randT([2, 4, 4, 5], 13), randT([3, 3, 3, 5], 14)]));
  // A batch big enough to be processed in several chunks.
  await sameOnCpuAndWasm('conv2d filter grad, chunked batch', () =>
    tf.grad((f: tf.Tensor) => tf.conv2d(randT([40, 30, 30, 8], 15) as tf.Tensor4D, f as tf.Tensor4D, 1, 'same').sum())(
      randT([3, 3, 8, 4], 16)), 2e-4);
});

test('DepthwiseConv2dNativeBackpropFilter/Input (added) match cpu', async () => {
  for (const [xs, fs, s, p] of convCases) {
    for (const mul of [1, 2]) {
      await sameOnCpuAndWasm(`depthwise grads ${xs} k${fs[0]}x${fs[1]} m${mul} s${s} ${p}`, () =>
        tf.grads((x: tf.Tensor, f: tf.Tensor) =>
          tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, p).square().sum())(
          [randT(xs, 17), randT([fs[0], fs[1], xs[3], mul], 18)]));
    }
  }
});

test('UnsortedSegmentSum (added) matches cpu, directly and as the gather gradient', async () => {
  await sameOnCpuAndWasm('unsortedSegmentSum', () =>
    tf.unsortedSegmentSum(randT([10, 4], 19), tf.tensor1d([0, 2, 2, 1, 5, 0, 1, 1, 3, 3], 'int32'), 4));
  await sameOnCpuAndWasm('unsortedSegmentSum int32', () =>
    tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], 'int32'), tf.tensor1d([1, 0, 1, 1], 'int32'), 2));
  await sameOnCpuAndWasm('gather grad', () =>
    tf.grad((e: tf.Tensor) => tf.gather(e, tf.tensor2d([[1, 3], [3, 9]], [2, 2], 'int32')).square().sum())(randT([10, 4], 20)));
});

test('GatherV2 (replaced: row copies along axis 0) matches cpu; other axes, int32 data, bad indices', async () => {
  await sameOnCpuAndWasm('gather rows', () => tf.gather(randT([50, 7, 3], 27), tf.tensor1d([49, 0, 3, 3, 17], 'int32')));
  await sameOnCpuAndWasm('gather rows, 2-D indices', () => tf.gather(randT([10, 4], 28), tf.tensor2d([[1, 3], [3, 9]], [2, 2], 'int32')));
  await sameOnCpuAndWasm('gather rows of a vector', () => tf.gather(randT([10], 29), tf.tensor1d([9, 1], 'int32')));
  await sameOnCpuAndWasm('gather int32 rows', () => tf.gather(tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32'), tf.tensor1d([2, 0], 'int32')));
  await sameOnCpuAndWasm('gather axis 1 (stock kernel)', () => tf.gather(randT([4, 6], 30), tf.tensor1d([5, 0], 'int32'), 1));
  await sameOnCpuAndWasm('gather no indices', () => tf.gather(randT([4, 6], 31), tf.tensor1d([], 'int32')));
  await tf.setBackend('wasm');
  // an index out of range still gets TF.js's own error (the stock kernel's check)
  assert.throws(() => tf.gather(randT([4, 2], 32), tf.tensor1d([4], 'int32')), /not in \[0, 3\]/);
});

test('Identity (replaced) shares the memory, and the two tensors live independently', async () => {
  await tf.setBackend('wasm');
  const before = tf.memory().numBytes;
  const x = randT([300, 300], 33);
  const y = tf.engine().runKernel('Identity', { x }) as tf.Tensor;
  assert.equal(y.dataId, x.dataId, 'no copy: the same data');
  assert.equal(tf.memory().numTensors >= 2, true);
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync().subarray(0, 3)), Array.from(rand(9, 33).subarray(0, 3)), 'y outlives x');
  y.dispose();
  assert.equal(tf.memory().numBytes, before);
  await sameOnCpuAndWasm('identity in a gradient', () => tf.grad((a: tf.Tensor) => tf.relu(tf.clone(a)).square().sum())(randT([20, 5], 34)));
});

test('MaxPoolGrad (replaced) matches cpu, including all-negative windows', async () => {
  for (const [xs, k, s, p] of [[[2, 8, 8, 3], 2, 2, 'valid'], [[2, 7, 7, 3], 3, 2, 'same'], [[1, 5, 6, 2], 2, 1, 'valid']] as [number[], number, number, 'same' | 'valid'][]) {
    await sameOnCpuAndWasm(`maxPool grad ${xs} k${k} s${s} ${p}`, () =>
      tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, k, s, p).square().sum())(randT(xs, 21)));
    await sameOnCpuAndWasm(`maxPool grad all negative ${xs}`, () =>
      tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, k, s, p).sum())(randT(xs, 22).abs().neg().sub(0.1)));
  }
});

test('Einsum (added) matches cpu', async () => {
  await sameOnCpuAndWasm('einsum ij,jk->ik', () => tf.einsum('ij,jk->ik', randT([3, 4], 23), randT([4, 5], 24)));
  await sameOnCpuAndWasm('einsum bij,jk->bik', () => tf.einsum('bij,jk->bik', randT([2, 3, 4], 25), randT([4, 5], 24)));
  await sameOnCpuAndWasm('einsum ij->ji', () => tf.einsum('ij->ji', randT([3, 4], 23)));
  await sameOnCpuAndWasm('einsum ij->ij', () => tf.einsum('ij->ij', randT([3, 4], 23)));
  await sameOnCpuAndWasm('einsum ij,ij->', () => tf.einsum('ij,ij->', randT([3, 4], 23), randT([3, 4], 26)));
});

// ---------------------------------------------------------------------------------------------
// Training on wasm: loss must decrease and stay finite.

const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });

interface TrainCase {
  name: string;
  build: () => tf.LayersModel;
  x: () => tf.Tensor;
  y: () => tf.Tensor;
  loss: (y: tf.Tensor, p: tf.Tensor) => tf.Scalar;
}
const xent = (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) as tf.Scalar;
const mse = (y: tf.Tensor, p: tf.Tensor) => tf.losses.meanSquaredError(y, p) as tf.Scalar;
const labels = (n: number, k: number, seed: number) => tf.oneHot(randInts([n], seed, k) as tf.Tensor1D, k);

const trainCases: TrainCase[] = [
  {
    name: 'dense MLP',
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [8], units: 16, activation: 'relu', kernelInitializer: seeded(1) }),
      tf.layers.dense({ units: 3, kernelInitializer: seeded(2) })] }),
    x: () => randT([32, 8], 30), y: () => labels(32, 3, 31), loss: xent,
  },
  {
    name: 'conv2d + maxPooling2d + flatten + dense',
    build: () => tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(3) }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: seeded(4) }),
      tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: seeded(5) })] }),
    x: () => randT([16, 10, 10, 2], 32), y: () => labels(16, 3, 33), loss: xent,
  },
  {
    name: 'separableConv2d + depthwiseConv2d',
    build: () => tf.sequential({ layers: [
      tf.layers.separableConv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, depthMultiplier: 2,
        depthwiseInitializer: seeded(6), pointwiseInitializer: seeded(7) }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthwiseInitializer: seeded(8) }), tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: seeded(9) })] }),
    x: () => randT([16, 8, 8, 2], 34), y: () => labels(16, 3, 35), loss: xent,
  },
  {
    name: 'embedding + simpleRNN',
    build: () => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 5, embeddingsInitializer: seeded(10) }),
      tf.layers.simpleRNN({ units: 8, kernelInitializer: seeded(11), recurrentInitializer: seeded(12) }),
      tf.layers.dense({ units: 3, kernelInitializer: seeded(13) })] }),
    x: () => randInts([16, 5], 36, 20), y: () => labels(16, 3, 37), loss: xent,
  },
  {
    name: 'embedding + LSTM',
    build: () => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 5, embeddingsInitializer: seeded(14) }),
      tf.layers.lstm({ units: 8, kernelInitializer: seeded(15), recurrentInitializer: seeded(16) }),
      tf.layers.dense({ units: 3, kernelInitializer: seeded(17) })] }),
    x: () => randInts([16, 5], 38, 20), y: () => labels(16, 3, 39), loss: xent,
  },
  {
    name: 'batchNormalization',
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [8], units: 16, kernelInitializer: seeded(18) }),
      tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }),
      tf.layers.dense({ units: 1, kernelInitializer: seeded(19) })] }),
    x: () => randT([32, 8], 40), y: () => randT([32, 1], 41), loss: mse,
  },
  {
    name: 'dropout',
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [8], units: 32, activation: 'tanh', kernelInitializer: seeded(20) }),
      tf.layers.dropout({ rate: 0.2, seed: 21 }),
      tf.layers.dense({ units: 1, kernelInitializer: seeded(22) })] }),
    x: () => randT([32, 8], 42), y: () => randT([32, 1], 43), loss: mse,
  },
];

for (const c of trainCases) {
  test(`trains on wasm: ${c.name}`, () => {
    assert.equal(tf.getBackend(), 'wasm');
    const model = c.build();
    const x = c.x(), y = c.y();
    const opt = tf.train.adam(0.02);
    const losses: number[] = [];
    for (let step = 0; step < 15; step++) {
      const l = opt.minimize(() => c.loss(y, model.apply(x, { training: true }) as tf.Tensor), true);
      losses.push(l!.dataSync()[0]);
      l!.dispose();
    }
    assert.ok(losses.every(Number.isFinite), `${c.name}: non-finite loss ${losses}`);
    const head = (losses[0] + losses[1]) / 2, tail = (losses[13] + losses[14]) / 2;
    assert.ok(tail < 0.9 * head, `${c.name}: loss did not decrease: ${losses.map((v) => v.toFixed(3)).join(' ')}`);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });
}
