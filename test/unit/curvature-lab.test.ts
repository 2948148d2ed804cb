/** The curvature lab: spectral density (SLQ), Hutch++, the Gauss–Newton operator, per-layer blocks — against closed forms and dense matrices. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { lossSpec } from '../../src/engine/losses';
import { HessianOperator } from '../../src/engine/hvp';
import { lanczos, topEigen, type SymOp } from '../../src/engine/lanczos';
import { symEig } from '../../src/engine/linalg';
import { paramLayout, readParams, writeParams } from '../../src/engine/params';
import { eigenPlane, explainedBy } from '../../src/engine/curvature/eigen-plane';
import { curvatureAt } from '../../src/engine/curvature';
import { parseArgs } from '../../src/cli/args';
import { validateOptions } from '../../src/shared/options';
import { mulberry32 } from '../../src/shared/random';
import { quadrature, slqRuns, spectralDensity } from '../../src/engine/curvature/slq';
import { traceEstimate } from '../../src/engine/curvature/hutchpp';
import { GaussNewtonOperator, ggnSplit } from '../../src/engine/curvature/ggn';
import { blockOperator, layerBlocks, perLayerCurvature } from '../../src/engine/curvature/per-layer';

before(async () => { await initBackend('wasm'); });

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-30);
const close = (a: number, b: number, tol: number, what = '') => assert.ok(rel(a, b) <= tol, `${what}: ${a} vs ${b} (rel ${rel(a, b)})`);

function withSeed<T>(seed: number, fn: () => T): T {
  const orig = Math.random; Math.random = mulberry32(seed);
  try { return fn(); } finally { Math.random = orig; }
}

const diagOp = (lam: number[]): SymOp => (v) => Float32Array.from(v, (x, i) => x * lam[i]);

/** The dense matrix of an operator (n products with the unit vectors), symmetrized. */
async function dense(op: SymOp, n: number): Promise<number[][]> {
  const cols: Float32Array[] = [];
  for (let i = 0; i < n; i++) { const e = new Float32Array(n); e[i] = 1; cols.push(await op(e)); }
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 0.5 * (cols[j][i] + cols[i][j])));
}

test('SLQ: a bulk on [0, 1] and 5 outliers — the outliers, the bulk edge, the moments, a normalized density', async () => {
  const n = 3000;
  const rng = mulberry32(11);
  const out = [4, 6, 9, 13, 20];
  const lam = Array.from({ length: n }, (_, i) => (i < out.length ? out[i] : rng()));
  const qs = await slqRuns(diagOp(lam), n, { runs: 4, steps: 60, seed: 2 });
  const d = spectralDensity(qs, n);
  const dx = d.x[1] - d.x[0];
  console.log(`SLQ: outliers ${d.outliers}, bulk edge ${d.bulkEdge.toFixed(3)}, moments ${d.moments.map((m) => m.toFixed(4))}, σ ${d.sigma.toExponential(2)}`);
  close(d.density.reduce((a, b) => a + b, 0) * dx, 1, 1e-3, '∫ density');
  assert.equal(d.outliers, 5);
  assert.ok(d.bulkEdge > 0.97 && d.bulkEdge < 1 + 4 * d.sigma, `bulk edge ${d.bulkEdge}`);
  // every run finds the outliers as Ritz values
  for (const q of qs) out.forEach((o) => assert.ok(q.nodes.some((v) => Math.abs(v - o) < 1e-4 * o), `outlier ${o} in ${q.nodes.slice(0, 6)}`));
  // the quadrature's moments estimate tr(A)/n and tr(A²)/n (4 runs: a few % of noise at most)
  const m1 = lam.reduce((a, b) => a + b, 0) / n, m2 = lam.reduce((a, b) => a + b * b, 0) / n;
  close(d.moments[0], m1, 0.05, 'first moment'); close(d.moments[1], m2, 0.15, 'second moment');
  // seeded: the same density twice
  assert.deepEqual((await slqRuns(diagOp(lam), n, { runs: 1, steps: 20, seed: 5 }))[0].nodes, (await slqRuns(diagOp(lam), n, { runs: 1, steps: 20, seed: 5 }))[0].nodes);
});

test('SLQ on linear regression (H = (2/n)·AᵀA): a full Krylov space gives the exact eigenvalues; the moments are exact per run', async () => {
  const rng = mulberry32(5);
  const nEx = 200, d = 30;
  const Xa = Array.from({ length: nEx }, () => Array.from({ length: d }, (_, j) => (rng() * 2 - 1) * 3 / (1 + j) ** 0.8));
  const X = tf.tensor2d(Xa), Y = tf.tensor2d(Xa.map(() => [rng()]));
  const model = withSeed(2, () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [d], units: 1 })] }));
  const A = Xa.map((r) => [...r, 1]);
  const H = Array.from({ length: d + 1 }, (_, i) => Array.from({ length: d + 1 }, (_, j) => (2 / nEx) * A.reduce((s, r) => s + r[i] * r[j], 0)));
  const exact = symEig(H).values;
  const op = new HessianOperator(model, lossSpec('meanSquaredError', 'none'), { x: X, y: Y });
  const qs = await slqRuns(op.apply, op.n, { runs: 3, steps: d + 1, seed: 1 });
  for (const q of qs) {
    assert.equal(q.nodes.length, d + 1);
    q.nodes.forEach((v, i) => assert.ok(Math.abs(v - exact[i]) <= 1e-4 * exact[0], `node ${i}: ${v} vs ${exact[i]}`));
    close(q.weights.reduce((a, b) => a + b, 0), 1, 1e-9, 'weights');
  }
  // m steps from q₁: Σ wθ = q₁ᵀHq₁ and Σ wθ² = ‖Hq₁‖² exactly (Gauss quadrature is exact to degree 2m − 1)
  const run = await lanczos(op.apply, op.n, { steps: 6, seed: 9 });
  const q = quadrature(run), q1 = new Float32Array(run.basis[0]), hq = await op.apply(q1);
  close(q.nodes.reduce((t, v, i) => t + q.weights[i] * v, 0), q1.reduce((t, v, i) => t + v * hq[i], 0), 1e-5, 'first moment = q₁ᵀHq₁');
  close(q.nodes.reduce((t, v, i) => t + q.weights[i] * v * v, 0), hq.reduce((t, v) => t + v * v, 0), 1e-5, 'second moment = ‖Hq₁‖²');
  // 6 steps only: the quadrature still integrates λ and λ² exactly (degree ≤ 2m − 1), so the moments
  // of 200 runs equal tr(H)/n and tr(H²)/n up to the sampling noise of the start vectors
  const short = await slqRuns(op.apply, op.n, { runs: 200, steps: 6, seed: 3 });
  const dd = spectralDensity(short, op.n);
  const t1 = exact.reduce((a, b) => a + b, 0) / (d + 1), t2 = exact.reduce((a, b) => a + b * b, 0) / (d + 1);
  console.log(`linear regression SLQ (200 × 6 steps): moments ${dd.moments.map((m) => m.toFixed(5))} vs ${t1.toFixed(5)}, ${t2.toFixed(5)}`);
  close(dd.moments[0], t1, 0.05, 'tr(H)/n'); close(dd.moments[1], t2, 0.1, 'tr(H²)/n');
  op.dispose(); tf.dispose([X, Y]);
});

test('Hutch++ and Hutchinson: within their error of a known trace, stopping at the requested relative error; Hutch++ needs fewer products', async () => {
  const n = 500;
  const lam = Array.from({ length: n }, (_, i) => 100 * 0.8 ** i + 0.01 * (i % 7) - 0.02);
  const trace = lam.reduce((a, b) => a + b, 0);
  // a rotated matrix (not diagonal): the diagonal alone would make Hutchinson exact
  const rng = mulberry32(2);
  const k = 40; // A = Σ_i λ_i u_i u_iᵀ on a random orthonormal basis of the first k, plus the rest diagonal
  const U: Float64Array[] = [];
  for (let i = 0; i < k; i++) {
    const u = Float64Array.from({ length: n }, () => rng() - 0.5);
    for (const w of U) { const c = u.reduce((s, x, j) => s + x * w[j], 0); for (let j = 0; j < n; j++) u[j] -= c * w[j]; }
    const nu = Math.hypot(...u); for (let j = 0; j < n; j++) u[j] /= nu;
    U.push(u);
  }
  const rest = lam.slice(k);
  const op: SymOp = (v) => {
    const out = new Float32Array(n);
    // components along U with λ_0..k−1, the orthogonal complement with the rest's mean (a known trace)
    const proj = new Float64Array(n).fill(0);
    U.forEach((u, i) => { const c = u.reduce((s, x, j) => s + x * v[j], 0); for (let j = 0; j < n; j++) { out[j] += lam[i] * c * u[j]; proj[j] += c * u[j]; } });
    const mr = rest.reduce((a, b) => a + b, 0) / (n - k);
    for (let j = 0; j < n; j++) out[j] += mr * (v[j] - proj[j]);
    return out;
  };
  for (const method of ['hutchinson', 'hutch++'] as const) {
    const r = await traceEstimate(op, n, { method, relError: 0.01, maxSamples: 400, seed: 3 });
    console.log(`${method}: ${r.trace.toFixed(3)} ± ${r.se.toFixed(3)} (exact ${trace.toFixed(3)}), ${r.products} products, reached ${r.reached}`);
    assert.ok(Math.abs(r.trace - trace) <= 4 * r.se + 1e-3, `${method}: ${r.trace} ± ${r.se} vs ${trace}`);
    // Hutchinson's variance is dominated by the top eigenvalues: it stops at 400 and says so
    assert.equal(r.reached, method === 'hutch++');
    assert.equal(r.reached, r.se <= 0.01 * Math.abs(r.trace));
  }
  const hpp = await traceEstimate(op, n, { method: 'hutch++', relError: 0.01, maxSamples: 400, seed: 3, sketchSize: 20 });
  const hut = await traceEstimate(op, n, { method: 'hutchinson', relError: 0.05, maxSamples: 400, seed: 3 });
  assert.ok(hut.reached);
  assert.ok(hpp.products < hut.products, `hutch++ ${hpp.products} vs hutchinson ${hut.products} products`);
  // a Lanczos basis as the sketch: no product for the low-rank part
  const eig = await topEigen(op, n, 1, { steps: 30, seed: 1 });
  const withBasis = await traceEstimate(op, n, { relError: 0.01, seed: 4, sketch: { rows: eig.run.rows, count: 30, trace: eig.run.alpha.reduce((a, b) => a + b, 0) } });
  assert.ok(Math.abs(withBasis.trace - trace) <= 4 * withBasis.se + 1e-3 && withBasis.products <= 10 + 1, `${withBasis.trace} ± ${withBasis.se}, ${withBasis.products}`);
  // exact for a small operator
  const small = await traceEstimate(diagOp([1, 2, 3]), 3, {});
  assert.ok(small.exact && small.trace === 6 && small.products === 3);
});

function tanhSoftmax(seed: number, classes: number) {
  return withSeed(seed, () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [5], units: 6, activation: 'tanh' }),
    tf.layers.dense({ units: classes, activation: 'softmax' })] }));
}

/** max |G − Jᵀ(diag p − ppᵀ)J/N| / max |·| with J the logit Jacobian of `logits` (given `net`'s weights) by one vjp per output. */
async function vsLogitGgn(net: tf.LayersModel, logits: tf.LayersModel, X: tf.Tensor, Y: tf.Tensor, G: number[][]): Promise<number> {
  logits.setWeights(net.getWeights());
  const nEx = X.shape[0], C = Y.shape[1]!;
  const vars = logits.trainableWeights.map((v) => v.read() as tf.Variable);
  const jac: number[][][] = []; // [example][class][param]
  for (let e = 0; e < nEx; e++) {
    jac.push([]);
    for (let c = 0; c < C; c++) {
      const pick = tf.oneHot(tf.tensor1d([e * C + c], 'int32'), nEx * C).reshape([nEx, C]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(logits.apply(X, { training: false }) as tf.Tensor, pick)) as tf.Scalar, vars);
      jac[e].push(Array.from(tf.concat(vars.map((v) => tf.reshape(grads[v.name], [-1]))).dataSync()));
    }
  }
  const P = (net.predict(X) as tf.Tensor).arraySync() as number[][];
  const n = G.length;
  let worst = 0, scale = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let e = 0; e < nEx; e++) for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) {
      s += jac[e][a][i] * ((a === b ? P[e][a] : 0) - P[e][a] * P[e][b]) * jac[e][b][j];
    }
    s /= nEx;
    worst = Math.max(worst, Math.abs(s - G[i][j])); scale = Math.max(scale, Math.abs(s));
  }
  return worst / scale;
}

test('GGN: equals the Hessian for a linear model with MSE; PSD; a softmax MLP and a conv net match the dense Jᵀ(diag p − ppᵀ)J at the logits', async () => {
  const rng = mulberry32(7);
  const nEx = 24;
  const X = tf.tensor2d(Array.from({ length: nEx * 5 }, () => rng() * 2 - 1), [nEx, 5]);
  // linear + MSE: G = H exactly
  const lin = withSeed(1, () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 2 })] }));
  const Yr = tf.tensor2d(Array.from({ length: nEx * 2 }, () => rng()), [nEx, 2]);
  const mse = lossSpec('meanSquaredError', 'none');
  const g = new GaussNewtonOperator(lin, mse, { x: X, y: Yr }, { batchSize: 10 });
  const h = new HessianOperator(lin, mse, { x: X, y: Yr }, { method: 'double-backprop' });
  assert.equal(g.split, 'output');
  const G = await dense(g.fn, g.n), Hm = await dense(h.apply, h.n);
  G.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - Hm[i][j]) < 1e-5, `G[${i}][${j}] ${v} vs H ${Hm[i][j]}`)));
  g.dispose(); h.dispose();

  // softmax crossentropy: the dense GGN from an explicit logit Jacobian (the same net without the softmax)
  const C = 3;
  const Y = tf.oneHot(tf.tensor1d(Array.from({ length: nEx }, () => Math.floor(rng() * C)), 'int32'), C).toFloat();
  const ce = lossSpec('categoricalCrossentropy', undefined);
  const net = tanhSoftmax(3, C);
  assert.equal(ggnSplit(net, ce), 'logits (softmax)');
  const op = new GaussNewtonOperator(net, ce, { x: X, y: Y }, { batchSize: 10 });
  const Gm = await dense(op.fn, op.n);
  const logits = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 6, activation: 'tanh' }), tf.layers.dense({ units: C })] });
  const worst = await vsLogitGgn(net, logits, X, Y, Gm);
  console.log(`GGN (softmax, ${op.n} parameters) vs the dense logit GGN: max |Δ| / max |G| ${worst.toExponential(2)} (J v by ${op.jvp})`);
  assert.equal(op.jvp, 'double-backward');
  assert.ok(worst < 1e-4, `max difference ${worst}`);
  const ev = symEig(Gm).values;
  assert.ok(ev[ev.length - 1] > -1e-5 * ev[0], `PSD: λ_min ${ev[ev.length - 1]}`);
  op.dispose();

  // a conv net: TF.js has no gradient of Conv2DBackpropFilter, so J v falls back to differences of the outputs
  const Xc = tf.tensor4d(Array.from({ length: 8 * 36 }, () => rng() * 2 - 1), [8, 6, 6, 1]), Yc = tf.slice(Y, 0, 8);
  const conv = (last: 'softmax' | 'linear') => withSeed(5, () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'tanh' }), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(), tf.layers.dense({ units: C, activation: last })] }));
  const cnet = conv('softmax');
  const cop = new GaussNewtonOperator(cnet, ce, { x: Xc, y: Yc });
  const Gc = await dense(cop.fn, cop.n);
  const cworst = await vsLogitGgn(cnet, conv('linear'), Xc, Yc, Gc);
  console.log(`GGN (conv, ${cop.n} parameters, J v by ${cop.jvp}: ${cop.fallbackReason}) vs the dense logit GGN: ${cworst.toExponential(2)}`);
  assert.equal(cop.jvp, 'finite-difference'); assert.match(cop.fallbackReason ?? '', /Conv2DBackpropFilter/);
  assert.ok(cworst < 1e-3, `conv: max difference ${cworst}`);
  cop.dispose(); tf.dispose([Xc, Yc]);
  tf.dispose([X, Yr, Y]);
});

test('per layer: each block\'s λ_max, λ_min and trace equal the dense Hessian block\'s', async () => {
  const rng = mulberry32(9);
  const net = tanhSoftmax(4, 3);
  const X = tf.tensor2d(Array.from({ length: 40 * 5 }, () => rng() * 2 - 1), [40, 5]);
  const Y = tf.oneHot(tf.tensor1d(Array.from({ length: 40 }, () => Math.floor(rng() * 3)), 'int32'), 3).toFloat();
  const op = new HessianOperator(net, lossSpec('categoricalCrossentropy', undefined), { x: X, y: Y }, { method: 'double-backprop' });
  const blocks = layerBlocks(paramLayout(net));
  assert.deepEqual(blocks.map((b) => [b.offset, b.size]), [[0, 36], [36, 21]]);
  const Hm = await dense(op.apply, op.n);
  const layers = await perLayerCurvature(op.apply, op.n, blocks, { seed: 2 });
  for (const [i, b] of blocks.entries()) {
    const Hb = Hm.slice(b.offset, b.offset + b.size).map((r) => r.slice(b.offset, b.offset + b.size));
    const ev = symEig(Hb).values;
    const tr = Hb.reduce((s, r, k) => s + r[k], 0);
    const l = layers[i];
    console.log(`${l.name}: λ_max ${l.lambdaMax.toFixed(5)} (${ev[0].toFixed(5)}), λ_min ${l.lambdaMin.toFixed(5)} (${ev[ev.length - 1].toFixed(5)}), trace ${l.trace.toFixed(5)} ± ${l.traceSE.toFixed(5)} (${tr.toFixed(5)}), ${l.products} products`);
    close(l.lambdaMax, ev[0], 1e-4, `${l.name} λ_max`);
    assert.ok(Math.abs(l.lambdaMin - ev[ev.length - 1]) <= 1e-4 * Math.abs(ev[0]), `${l.name} λ_min ${l.lambdaMin} vs ${ev[ev.length - 1]}`);
    assert.ok(Math.abs(l.trace - tr) <= 4 * l.traceSE + 1e-6 * Math.abs(tr), `${l.name} trace ${l.trace} ± ${l.traceSE} vs ${tr}`);
    // the block operator is the dense block
    const bv = await blockOperator(op.apply, op.n, b)(Float32Array.from({ length: b.size }, (_, k) => (k === 0 ? 1 : 0)));
    bv.forEach((v, k) => assert.ok(Math.abs(v - Hb[k][0]) < 1e-5));
  }
  op.dispose(); tf.dispose([X, Y]);
});

test('repeatable (PyHessian #5): the same seed gives the same numbers; other seeds agree within the reported residuals and errors', async () => {
  const rng = mulberry32(21);
  const net = withSeed(6, () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [8], units: 12, activation: 'tanh' }), tf.layers.dense({ units: 3, activation: 'softmax' })] }));
  const X = tf.tensor2d(Array.from({ length: 120 * 8 }, () => rng() * 2 - 1), [120, 8]);
  const Y = tf.oneHot(tf.tensor1d(Array.from({ length: 120 }, () => Math.floor(rng() * 3)), 'int32'), 3).toFloat();
  const spec = lossSpec('categoricalCrossentropy', undefined);
  const theta = Float32Array.from(await readParams(net));
  const opts = { k: 3, density: { runs: 2, steps: 40 }, perLayer: true, hutchinsonSamples: 60 };
  const a = await curvatureAt(net, spec, { x: X, y: Y }, theta, { ...opts, seed: 1 });
  const b = await curvatureAt(net, spec, { x: X, y: Y }, theta, { ...opts, seed: 1 });
  const c = await curvatureAt(net, spec, { x: X, y: Y }, theta, { ...opts, seed: 2 });
  assert.deepEqual([a.eigenvalues, a.lambdaMin, a.trace, a.density!.density, a.layers], [b.eigenvalues, b.lambdaMin, b.trace, b.density!.density, b.layers]);
  console.log(`seed 1: ${a.eigenvalues.map((v) => v.toFixed(5))} (residuals ${a.residuals.map((v) => v.toExponential(1))}); seed 2: ${c.eigenvalues.map((v) => v.toFixed(5))}; trace ${a.trace.toFixed(4)} ± ${a.traceSE.toFixed(4)} / ${c.trace.toFixed(4)} ± ${c.traceSE.toFixed(4)}`);
  assert.ok(a.converged && c.converged);
  a.eigenvalues.forEach((v, i) => assert.ok(Math.abs(v - c.eigenvalues[i]) <= a.residuals[i] + c.residuals[i] + 1e-6, `λ${i + 1}: ${v} vs ${c.eigenvalues[i]}`));
  assert.ok(Math.abs(a.trace - c.trace) <= 4 * Math.hypot(a.traceSE, c.traceSE) + 1e-6, `trace ${a.trace} vs ${c.trace}`);
  // the blocks' traces add up to the whole trace (each within its error)
  const sum = a.layers!.reduce((s, l) => s + l.trace, 0), se = Math.hypot(a.traceSE, ...a.layers!.map((l) => l.traceSE));
  assert.ok(Math.abs(sum - a.trace) <= 4 * se + 1e-5 * Math.abs(a.trace), `Σ block traces ${sum} vs ${a.trace}`);
  // the GGN is positive semi-definite, whole and per block
  const g = await curvatureAt(net, spec, { x: X, y: Y }, theta, { ...opts, seed: 1, operator: 'ggn' });
  assert.equal(g.operator, 'ggn'); assert.equal(g.ggnSplit, 'logits (softmax)');
  assert.ok(g.lambdaMin >= -1e-5 * g.eigenvalues[0], `GGN λ_min ${g.lambdaMin}`);
  assert.ok(g.layers!.every((l) => l.lambdaMin >= -1e-5 * g.eigenvalues[0]), 'GGN blocks PSD');
  tf.dispose([X, Y]);
});

test('options: --operator, --trace-method, --trace-error parse and validate with one wording', () => {
  const a = parseArgs(['probe', 'f.landscape.ts', '--analysis', 'curvature', '--operator', 'ggn', '--trace-method', 'hutchinson', '--trace-error', '0.05']);
  assert.ok(a !== 'help' && 'options' in a);
  const o = (a as { options: Record<string, unknown> }).options;
  assert.deepEqual([o.operator, o.traceMethod, o.traceError], ['ggn', 'hutchinson', 0.05]);
  assert.throws(() => parseArgs(['probe', 'f.landscape.ts', '--operator', 'fisher']), /--operator must be one of hessian, ggn/);
  assert.deepEqual(validateOptions({ traceError: 0 }, 'definition'), ['probe.traceError needs a relative error in (0, 1] (got 0)']);
  assert.deepEqual(validateOptions({ operator: 'fisher' }, 'settings'), ["lossLandscape.curvatureOperator must be one of hessian, ggn (got 'fisher')"]);
});

test('--directions hessian: the plane\'s u and v are the dense Hessian\'s top two eigenvectors (|cos| ≥ 0.999); weights restored', async () => {
  const rng = mulberry32(31);
  const net = tanhSoftmax(8, 3);
  const X = tf.tensor2d(Array.from({ length: 60 * 5 }, () => rng() * 2 - 1), [60, 5]);
  const Y = tf.oneHot(tf.tensor1d(Array.from({ length: 60 }, () => Math.floor(rng() * 3)), 'int32'), 3).toFloat();
  const spec = lossSpec('categoricalCrossentropy', undefined);
  const theta = Float32Array.from(await readParams(net));
  const away = Float32Array.from(theta, (v) => v + 0.1);
  writeParams(net, away);
  const p = await eigenPlane(net, spec, { x: X, y: Y }, theta, new Float32Array(0), { seed: 3 });
  assert.deepEqual(Array.from(await readParams(net)), Array.from(away), 'weights restored');
  writeParams(net, theta);
  const op = new HessianOperator(net, spec, { x: X, y: Y }, { method: 'double-backprop' });
  const { values, vectors } = symEig(await dense(op.apply, op.n));
  op.dispose();
  const cos = (a: Float32Array, b: number[]) => Math.abs(a.reduce((s, x, i) => s + x * b[i], 0)) / Math.hypot(...a) / Math.hypot(...b);
  console.log(`eigen-plane: λ ${p.eigenvalues.map((v) => v.toFixed(5))} vs ${values.slice(0, 2).map((v) => v.toFixed(5))}; |cos| ${cos(p.basis.u, vectors[0]).toFixed(6)}, ${cos(p.basis.v, vectors[1]).toFixed(6)}; range ${p.range.map((r) => r.toFixed(3))}`);
  assert.ok(values[0] - values[1] > 0.05 * values[0], 'distinct top eigenvalues');
  assert.equal(p.basis.kind, 'hessian');
  assert.ok(cos(p.basis.u, vectors[0]) >= 0.999 && cos(p.basis.v, vectors[1]) >= 0.999);
  close(p.eigenvalues[0], values[0], 1e-4, 'λ₁'); close(p.eigenvalues[1], values[1], 1e-4, 'λ₂');
  assert.ok(p.range[0] <= p.range[1], 'the sharper direction gets the narrower range');
  // the share of a path's displacement inside the plane: all of 3u − 2v, none of a vector ⟂ u, v
  const inPlane = Float32Array.from(theta, (t, i) => t + 3 * p.basis.u[i] - 2 * p.basis.v[i]);
  const w = Float32Array.from(theta, (_, i) => (i % 2 ? 1 : -1));
  const wu = w.reduce((s2, x, i) => s2 + x * p.basis.u[i], 0), wv = w.reduce((s2, x, i) => s2 + x * p.basis.v[i], 0);
  const off = Float32Array.from(theta, (t, i) => t + w[i] - wu * p.basis.u[i] - wv * p.basis.v[i]);
  close(explainedBy(p.basis, [inPlane]), 1, 1e-5, 'in the plane');
  assert.ok(explainedBy(p.basis, [off]) < 1e-6, 'orthogonal');
  tf.dispose([X, Y]);
});
