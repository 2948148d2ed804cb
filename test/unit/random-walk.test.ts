/**
 * The random-walk control drawn in the plane only (src/engine/plane.ts randomWalk): the same
 * distribution as walking with n-dimensional Gaussian directions and projecting (checked by
 * moments against that explicit walk), exact step lengths when the plane is the whole space,
 * and the chi-square sampler it uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomWalk } from '../../src/engine/plane';
import { makeProjector } from '../../src/engine/directions';
import { chiSquare, fillGaussian, mulberry32 } from '../../src/shared/random';
import { norm } from '../../src/engine/params';

test('chiSquare: mean k and variance 2k (k = 1, 3, 10, 1000), 0 for k = 0', () => {
  const rng = mulberry32(3);
  assert.equal(chiSquare(0, rng), 0);
  for (const k of [1, 3, 10, 1000]) {
    const N = 40000;
    let s = 0, s2 = 0;
    for (let i = 0; i < N; i++) { const x = chiSquare(k, rng); assert.ok(x >= 0); s += x; s2 += x * x; }
    const mean = s / N, variance = s2 / N - mean * mean;
    assert.ok(Math.abs(mean - k) < 4 * Math.sqrt(2 * k / N), `k=${k}: mean ${mean}`);
    assert.ok(Math.abs(variance / (2 * k) - 1) < 0.06, `k=${k}: variance ${variance}`);
  }
});

/** The explicit walk: n-dimensional Gaussian directions, projected (what randomWalk replaces). */
function explicitSteps(basis: { center: Float32Array; u: Float32Array; v: Float32Array }, n: number, steps: number, seed: number) {
  const proj = makeProjector(basis), rng = mulberry32(seed), g = new Float32Array(n);
  const out: [number, number][] = [];
  for (let t = 0; t < steps; t++) { fillGaussian(g, rng); const gn = norm(g); const [a, b] = proj.vector(g); out.push([a / gn, b / gn]); }
  return out;
}

function moments(d: [number, number][]) {
  const m = [0, 0, 0];
  for (const [a, b] of d) { m[0] += a * a; m[1] += b * b; m[2] += a * b; }
  return m.map((x) => x / d.length);
}

test('the walk drawn in the plane has the moments of the explicit n-dimensional walk (n = 60, a skewed basis)', () => {
  const n = 60, steps = 6000;
  const r = mulberry32(5);
  const u = Float32Array.from({ length: n }, () => r() - 0.5), v = Float32Array.from({ length: n }, (_, i) => u[i] * 0.6 + (r() - 0.5));
  const basis = { kind: 'random' as const, center: new Float32Array(n), u, v };
  // unit steps: snapshots along a line of unit increments
  const snaps = Array.from({ length: steps + 1 }, (_, t) => { const s = new Float32Array(n); s[0] = t; return s; });
  const walk = randomWalk(basis, snaps[0], snaps, mulberry32(7));
  const mine: [number, number][] = [];
  for (let t = 1; t <= steps; t++) mine.push([walk.a[t] - walk.a[t - 1], walk.b[t] - walk.b[t - 1]]);
  const a = moments(mine), b = moments(explicitSteps(basis, n, steps, 11));
  for (let k = 0; k < 3; k++) {
    const scale = Math.sqrt(a[0] * a[1]);
    assert.ok(Math.abs(a[k] - b[k]) < 0.08 * scale, `moment ${k}: ${a[k]} vs explicit ${b[k]}`);
  }
});

test('in two dimensions the projected steps have exactly the path\'s step lengths', () => {
  const basis = { kind: 'random' as const, center: Float32Array.from([0.5, -1]), u: Float32Array.from([1, 0.2]), v: Float32Array.from([-0.3, 2]) };
  const snaps = [[0, 0], [0.5, 0.1], [0.5, 1.1], [2, 2], [2, -3]].map((p) => Float32Array.from(p));
  const walk = randomWalk(basis, snaps[0], snaps, mulberry32(1));
  for (let t = 1; t < snaps.length; t++) {
    const da = walk.a[t] - walk.a[t - 1], db = walk.b[t] - walk.b[t - 1];
    const x = da * basis.u[0] + db * basis.v[0], y = da * basis.u[1] + db * basis.v[1];
    const step = Math.hypot(snaps[t][0] - snaps[t - 1][0], snaps[t][1] - snaps[t - 1][1]);
    assert.ok(Math.abs(Math.hypot(x, y) - step) < 1e-5 * Math.max(1, step), `step ${t}: ${Math.hypot(x, y)} vs ${step}`);
  }
  // it starts at the projection of θ₀
  const p0 = makeProjector(basis).point(snaps[0]);
  assert.ok(Math.abs(walk.a[0] - p0[0]) < 1e-12 && Math.abs(walk.b[0] - p0[1]) < 1e-12);
});
