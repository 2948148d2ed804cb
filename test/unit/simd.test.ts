/**
 * The SIMD elementwise kernels (src/backends/simd/): the committed bytes are the .wat compiled,
 * relu and its mask equal scalar references on every length and on the edge values, and the
 * Dense stack's BLAS steps give the same θ with them as with the JS loops.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { SimdArena } from '../../src/backends/simd/elementwise';
import { blasLibrary } from '../../src/backends/blas/install';
import { DenseStackStep } from '../../src/engine/dense/train';
import { rand } from './same-outputs';

const ROOT = path.resolve(__dirname, '..', '..');
afterEach(() => { delete process.env.LOSS_LANDSCAPE_SIMD; });

test('elementwise-wasm.ts is elementwise.wat compiled (scripts/build-wasm.mjs --check)', () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-wasm.mjs'), '--check'], { cwd: ROOT, stdio: 'pipe' });
});

test('relu and reluMask equal scalar loops: every length 0–37 and 1027, offsets, ±0, NaN, ±Infinity', () => {
  const arena = SimdArena.create(4 * 4096)!;
  assert.ok(arena, 'WebAssembly SIMD available');
  const specials = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38];
  const buf = arena.alloc(2048), aBuf = arena.alloc(2048);
  for (const n of [...Array.from({ length: 38 }, (_, i) => i), 1027]) {
    for (const off of [0, 1, 3]) {
      const src = rand(n, n * 7 + off, -2, 2).map((v, i) => (i % 5 === 0 ? specials[(i / 5) % specials.length] : v));
      const x = buf.subarray(off, off + n);
      x.set(src);
      arena.relu(x);
      src.forEach((v, i) => assert.ok(Object.is(x[i], v < 0 ? 0 : v), `relu n=${n} off=${off} [${i}]: ${v} → ${x[i]}`));
      const a = aBuf.subarray(off, off + n), d = buf.subarray(off, off + n);
      a.set(src); d.set(rand(n, n + 99, -1, 1));
      const d0 = Float32Array.from(d);
      arena.reluMask(d, a);
      d0.forEach((v, i) => assert.ok(Object.is(d[i], src[i] > 0 ? v : 0), `mask n=${n} off=${off} [${i}]`));
    }
  }
  // nothing written past the end
  buf.fill(7); const x = buf.subarray(0, 5); x.fill(-1); arena.relu(x);
  assert.deepEqual(Array.from(buf.subarray(0, 7)), [0, 0, 0, 0, 0, 7, 7]);
});

test('lincomb (one and two directions) and biasAct equal float32 scalar arithmetic, with and without relu', () => {
  const arena = SimdArena.create(8 * 4096)!;
  const f = Math.fround;
  const P = [arena.alloc(1100), arena.alloc(1100), arena.alloc(1100)], dst = arena.alloc(1100);
  for (const n of [0, 1, 3, 4, 5, 8, 13, 37, 1027]) {
    P.forEach((p, k) => p.set(rand(1100, 10 * n + k, -3, 3).map((v, i) => (i % 9 === 4 ? -0 : v))));
    for (const relu of [false, true]) {
      for (const c of [[0.37], [-1.5, 0.25], [0, 2]]) {
        const views = P.slice(0, c.length + 1).map((p) => p.subarray(0, n)), d = dst.subarray(0, n);
        arena.lincomb(d, views, c, relu);
        for (let i = 0; i < n; i++) {
          let v = f(views[0][i] + f(f(c[0]) * views[1][i]));
          if (c.length === 2) v = f(v + f(f(c[1]) * views[2][i]));
          if (relu && v < 0) v = 0;
          assert.ok(Object.is(d[i], v), `lincomb n=${n} c=${c} relu=${relu} [${i}]: ${d[i]} vs ${v}`);
        }
      }
    }
  }
  assert.throws(() => arena.lincomb(dst, [P[0], P[1], P[2], P[0]], [1, 2, 3], false), /one or two/);
  assert.throws(() => arena.lincomb(dst, [new Float32Array(1100), P[1]], [1], false), /outside the arena/);
  const bias = arena.alloc(9);
  for (const units of [1, 3, 4, 5, 9]) {
    for (const relu of [false, true]) {
      const rows = 7, a = dst.subarray(0, rows * units), b = bias.subarray(0, units);
      const src = rand(rows * units, units, -2, 2);
      a.set(src); b.set(rand(units, units + 50, -1, 1));
      arena.biasAct(a, b, relu);
      src.forEach((v, i) => {
        let w = f(v + b[i % units]);
        if (relu && w < 0) w = 0;
        assert.ok(Object.is(a[i], w), `biasAct units=${units} relu=${relu} [${i}]`);
      });
    }
  }
});

test('LOSS_LANDSCAPE_SIMD=off: no arena (the callers use JS arrays and loops)', () => {
  process.env.LOSS_LANDSCAPE_SIMD = 'off';
  assert.equal(SimdArena.create(100), null);
});

test('the Dense stack\'s BLAS steps give the same θ with the SIMD kernels as with the JS loops', { skip: blasLibrary().ok ? false : 'no BLAS' }, () => {
  const load = blasLibrary();
  if (!load.ok) return;
  const layers = [
    { inputs: 30, units: 50, activation: 'relu' as const, kernel: 0, bias: 1500 },
    { inputs: 50, units: 40, activation: 'relu' as const, kernel: 1550, bias: 3550 },
    { inputs: 40, units: 5, activation: 'softmax' as const, kernel: 3590, bias: 3790 }];
  const theta0 = rand(3795, 3, -0.3, 0.3), x = rand(200 * 30, 4, -1, 1);
  const y = new Float32Array(200 * 5); for (let i = 0; i < 200; i++) y[i * 5 + (i % 5)] = 1;
  const run = (simd: boolean) => {
    if (simd) delete process.env.LOSS_LANDSCAPE_SIMD; else process.env.LOSS_LANDSCAPE_SIMD = 'off';
    const s = new DenseStackStep(load.lib, layers, 'categoricalCrossentropy', theta0.slice(), 64);
    const losses: number[] = [];
    for (let k = 0; k < 10; k++) losses.push(s.step(x, y, Array.from({ length: k === 9 ? 13 : 64 }, (_, i) => (i * 37 + k * 11) % 200), 0.3));
    return { theta: s.theta, losses };
  };
  const a = run(true), b = run(false);
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(Array.from(a.theta), Array.from(b.theta));
  assert.ok(a.theta.some((v, i) => v !== theta0[i]));
});
