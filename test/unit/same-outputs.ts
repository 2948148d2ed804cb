/**
 * Helpers for tests that run the same TF.js computation two ways (cpu vs wasm, wasm vs BLAS)
 * and compare: deterministic random tensors and the comparison itself. Not a test file.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** Deterministic data (mulberry32), independent of any backend. */
export function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}
export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
export const randT = (shape: number[], seed: number) => tf.tensor(rand(sizeOf(shape), seed), shape);

/**
 * Runs `f` after `setupRef()` and again after `setupGot()`; asserts the second run leaked no
 * tensor and every output agrees (max abs diff ≤ tol·max(1, |ref|)). `what` names the reference.
 */
export async function sameOutputs(
  name: string, f: () => tf.Tensor | tf.Tensor[], setupRef: () => unknown, setupGot: () => unknown, what: string, tol: number,
): Promise<void> {
  const run = () => tf.tidy(() => [f()].flat().map((t) => ({ shape: t.shape, v: t.dataSync().slice() })));
  await setupRef();
  const ref = run();
  await setupGot();
  const backend = tf.engine().backend;
  const before = backend.numDataIds();
  const got = run();
  assert.equal(backend.numDataIds(), before, `${name}: kernels leaked tensors`);
  assert.equal(got.length, ref.length);
  for (let k = 0; k < ref.length; k++) {
    assert.deepEqual(got[k].shape, ref[k].shape, `${name}: output ${k} shape`);
    let diff = 0, scale = 1;
    for (let i = 0; i < ref[k].v.length; i++) {
      diff = Math.max(diff, Math.abs(got[k].v[i] - ref[k].v[i]));
      scale = Math.max(scale, Math.abs(ref[k].v[i]));
    }
    assert.ok(diff <= tol * scale, `${name}: output ${k} differs from ${what} by ${diff} (scale ${scale})`);
  }
}
