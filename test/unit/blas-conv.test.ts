/**
 * Convolutions on the BLAS (src/backends/blas/conv2d.ts): Conv2D, FusedConv2D (bias +
 * activations) and both gradients (Conv2DBackpropFilter on the BLAS, Conv2DBackpropInput through
 * Conv2D / BatchMatMul) equal the wasm kernels on random shapes — strides, same / valid / explicit
 * padding, dilation, batch 1, 1 / 3 / odd channels, 1×1 convs, filters below the size threshold —
 * within float32 tolerance, leaking no tensor; LOSS_LANDSCAPE_BLAS_CONV=off keeps them on wasm.
 * Skipped where no BLAS loads (CI installs libopenblas0-pthread).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { blasInstalled, blasLibrary, installBlas, uninstallBlas } from '../../src/backends/blas/install';
import { im2col } from '../../src/backends/blas/conv2d';
import { randT, sameOutputs } from './same-outputs';

const haveBlas = blasLibrary().ok;
const skip = haveBlas ? false : `no BLAS on this machine (${(blasLibrary() as { reason: string }).reason})`;

const same = (name: string, f: () => tf.Tensor | tf.Tensor[], tol = 5e-5) => sameOutputs(name, f,
  () => { uninstallBlas(); assert.ok(!blasInstalled()); }, () => { installBlas(); assert.ok(blasInstalled()); }, 'wasm', tol);

before(async () => { await initBackend('wasm'); });
after(() => { installBlas(); });

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case { x: [number, number, number, number]; f: [number, number]; outC: number; s: number | [number, number]; pad: Pad; d?: number }
const CASES: Case[] = [
  { x: [1, 28, 28, 1], f: [3, 3], outC: 8, s: 1, pad: 'valid' },          // batch 1, one channel (forward on XNNPACK: small)
  { x: [2, 13, 11, 3], f: [5, 5], outC: 33, s: 2, pad: 'same' },          // 3 channels, stride 2, odd sizes and outputs
  { x: [3, 9, 10, 7], f: [5, 3], outC: 32, s: 1, pad: 'same', d: 2 },     // dilation, non-square filter
  { x: [2, 14, 14, 64], f: [1, 1], outC: 32, s: 2, pad: 'same' },         // 1×1 projection, stride 2
  { x: [4, 8, 8, 96], f: [1, 1], outC: 40, s: 1, pad: 'valid' },          // pointwise: x is its own im2col
  { x: [2, 17, 15, 5], f: [4, 4], outC: 35, s: [2, 1], pad: 'valid' },    // unequal strides
  { x: [1, 7, 7, 3], f: [7, 7], outC: 32, s: 1, pad: 'same' },            // filter as big as the image
  { x: [2, 10, 9, 8], f: [3, 3], outC: 33, s: 1, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] }, // explicit padding
  { x: [5, 12, 12, 17], f: [2, 2], outC: 32, s: 2, pad: 'valid' },
  { x: [1, 4, 4, 1], f: [3, 3], outC: 2, s: 1, pad: 'valid' },            // below the size threshold: fallback
  { x: [3, 12, 12, 32], f: [3, 3], outC: 64, s: 1, pad: 'same' },         // the CNN's middle layers
  { x: [2, 13, 13, 8], f: [3, 3], outC: 16, s: 1, pad: 'valid' },         // few outputs: forward on XNNPACK, gradients on the BLAS
];
const label = (c: Case) => `x ${c.x} f ${c.f}→${c.outC} s ${c.s} pad ${JSON.stringify(c.pad)} d ${c.d ?? 1}`;
const conv = (c: Case, x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, c.s, c.pad, 'NHWC', c.d ?? 1);

test('Conv2D on the BLAS equals wasm (strides, padding, dilation, 1/3/odd channels, 1×1)', { skip }, async () => {
  let seed = 1;
  for (const c of CASES) {
    const s = seed += 10;
    await same(`conv2d ${label(c)}`, () => conv(c, randT(c.x, s) as tf.Tensor4D, randT([...c.f, c.x[3], c.outC], s + 1) as tf.Tensor4D));
  }
});

test('FusedConv2D on the BLAS equals wasm: bias + every activation', { skip }, async () => {
  let seed = 300;
  for (const c of CASES.filter((_, i) => i % 2 === 1 || i === 0)) {
    for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const) {
      const s = seed += 10;
      await same(`fused ${activation} ${label(c)}`, () => tf.fused.conv2d({
        x: randT(c.x, s) as tf.Tensor4D, filter: randT([...c.f, c.x[3], c.outC], s + 1) as tf.Tensor4D,
        strides: c.s, pad: c.pad, dilations: c.d ?? 1, bias: randT([c.outC], s + 2), activation, leakyreluAlpha: 0.15,
        preluActivationWeights: activation === 'prelu' ? randT([c.outC], s + 3) : undefined,
      }));
    }
  }
});

test('conv gradients (input and filter) on the BLAS equal wasm', { skip }, async () => {
  let seed = 700;
  for (const c of CASES.filter((k) => k.d === undefined)) {
    const s = seed += 10;
    await same(`grads ${label(c)}`, () => {
      const x = randT(c.x, s) as tf.Tensor4D, w = randT([...c.f, c.x[3], c.outC], s + 1) as tf.Tensor4D;
      const outShape = conv(c, x, w).shape;
      const r = randT(outShape, s + 2);
      const loss = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(conv(c, x as tf.Tensor4D, w as tf.Tensor4D), r)) as tf.Scalar;
      return tf.grads(loss)([x, w]);
    }, 1e-4);
  }
});

test('im2col: every entry is the input pixel its tap reads, or 0 outside', () => {
  const g = { batch: 2, inH: 5, inW: 6, inC: 2, outH: 3, outW: 3, outC: 1, fH: 3, fW: 2, sH: 2, sW: 2, dH: 1, dW: 2, padTop: 1, padLeft: 1 };
  const n = g.batch * g.inH * g.inW * g.inC, K = g.fH * g.fW * g.inC;
  const h = new Float32Array(n + g.batch * g.outH * g.outW * K).fill(NaN);
  for (let i = 0; i < n; i++) h[i] = i + 1;
  im2col(h, 0, n, g, 0, g.batch);
  for (let b = 0; b < g.batch; b++) for (let oh = 0; oh < g.outH; oh++) for (let ow = 0; ow < g.outW; ow++) {
    for (let fh = 0; fh < g.fH; fh++) for (let fw = 0; fw < g.fW; fw++) for (let c = 0; c < g.inC; c++) {
      const ih = oh * g.sH + fh * g.dH - g.padTop, iw = ow * g.sW + fw * g.dW - g.padLeft;
      const want = ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW ? 0 : ((b * g.inH + ih) * g.inW + iw) * g.inC + c + 1;
      const p = (b * g.outH + oh) * g.outW + ow, k = (fh * g.fW + fw) * g.inC + c;
      assert.equal(h[n + p * K + k], want, `b ${b} oh ${oh} ow ${ow} fh ${fh} fw ${fw} c ${c}`);
    }
  }
});

test('LOSS_LANDSCAPE_BLAS_CONV=off keeps the convolutions on wasm (matrix products stay on the BLAS)', { skip }, () => {
  const isBlas = (name: string) => (tf.getKernel(name, 'wasm')!.kernelFunc as unknown as Record<string, unknown>).__lossLandscapeBlas === true;
  uninstallBlas();
  process.env.LOSS_LANDSCAPE_BLAS_CONV = 'off';
  try {
    installBlas();
    assert.ok(isBlas('BatchMatMul'));
    for (const k of ['Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter']) assert.ok(!isBlas(k), k);
  } finally { delete process.env.LOSS_LANDSCAPE_BLAS_CONV; }
  uninstallBlas();
  installBlas();
  for (const k of ['Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter']) assert.ok(isBlas(k), k);
});
