/**
 * The headless CLI end to end (needs `npm run build`): the MNIST example's must-show numbers,
 * the plane, and a clear message + non-zero exit + no process left for each kind of failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const fixture = (n: string) => join(root, 'test', 'fixtures', n);

function runCli(args: string[], opts: { killAfterMs?: number; onStderr?: (s: string, pid: number) => boolean; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; pid: number }>((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let stdout = '', stderr = '', sent = false;
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && opts.onStderr?.(stderr, p.pid!)) { sent = true; p.kill('SIGINT'); }
    });
    p.on('exit', (code) => resolve({ code, stdout, stderr, pid: p.pid! }));
  });
}

import { alive, descendants } from '../faults/lib';

test('mnist-mlp: interpolate from the CLI, ≥ 90 % test accuracy, monotone, result.json + report.html', async () => {
  const out = mkdtempSync(join(tmpdir(), 'll-cli-'));
  const t0 = Date.now();
  const r = await runCli(['probe', 'examples/mnist-mlp.landscape.ts', '--out', out, '--save-weights']);
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  for (const k of ['schema', 'definition', 'analysis', 'backend', 'examples', 'interpolate', 'timing']) assert.ok(k in res, `result.json has ${k}`);
  for (const k of ['alpha', 'trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy', 'monotone', 'barrier', 'barrierAlpha']) assert.ok(k in res.interpolate, `interpolate.${k}`);
  assert.ok('trainSeconds' in res.timing && 'probeSeconds' in res.timing);
  assert.equal(res.backend, 'wasm');
  assert.ok('blas' in res, 'result.json has blas');
  if (res.blas) assert.match(r.stdout, new RegExp(`backend wasm \\+ \\S+.* \\(${res.blas.threads} threads?\\)`));
  assert.ok(res.interpolate.alpha.length >= 41);
  const i1 = res.interpolate.alpha.indexOf(1);
  assert.ok(res.interpolate.testAccuracy[i1] >= 0.9, `test accuracy ${res.interpolate.testAccuracy[i1]}`);
  assert.equal(res.interpolate.monotone, true);
  assert.match(r.stdout, /monotone on \[0,1\]: yes/);
  assert.match(r.stdout, /α=0\.5/);
  assert.ok(statSync(join(out, 'report.html')).size > 10000);
  const manifest = JSON.parse(readFileSync(join(out, 'weights', 'params.json'), 'utf8'));
  assert.equal(statSync(join(out, 'weights', 'theta_b.f32')).size, manifest.total * 4);
  const b = readFileSync(join(out, 'weights', 'theta_b.f32'));
  assert.ok(Number.isFinite(b.readFloatLE(0)));
  console.log(`mnist-mlp interpolate: ${seconds.toFixed(1)} s wall, train ${res.timing.trainSeconds} s, probe ${res.timing.probeSeconds} s`);
  assert.ok(seconds < 60, `the whole run took ${seconds} s`);
});

test('mnist-mlp: goodfellow plane ≥ 21×21 with the trajectory ending at (1, 0)', async () => {
  const out = mkdtempSync(join(tmpdir(), 'll-cli-'));
  const r = await runCli(['probe', 'examples/mnist-mlp.landscape.ts', '--analysis', 'plane', '--grid', '21', '--examples', '2000', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  const p = res.plane;
  assert.equal(p.directions, 'goodfellow');
  assert.equal(p.loss.length, 21); assert.equal(p.loss[0].length, 21);
  assert.ok(p.loss.flat().every(Number.isFinite));
  assert.ok(Math.abs(p.trajectory.a.at(-1) - 1) < 1e-3 && Math.abs(p.trajectory.b.at(-1)) < 1e-3);
  assert.ok(p.trajectory.a.length > 10 && p.randomWalk.a.length === p.trajectory.a.length);
  assert.match(r.stdout, /plane 21×21/);
});

test('--no-blas and a BLAS that does not load: wasm kernels, blas null, a note for the latter', async () => {
  for (const [args, env, note] of [
    [['--no-blas'], {}, false],
    [[], { LOSS_LANDSCAPE_BLAS: '/nonexistent/libnoblas.so' }, true],
  ] as const) {
    const out = mkdtempSync(join(tmpdir(), 'll-cli-'));
    const r = await runCli(['probe', 'examples/mnist-mlp.landscape.ts', '--points', '5', '--examples', '300', '--out', out, ...args], { env });
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    assert.equal(res.blas, null);
    assert.match(r.stdout, /backend wasm\n/);
    assert.equal(res.notes.some((n: string) => /BLAS not used: .*libnoblas/.test(n)), note, res.notes.join(' | '));
  }
});

test('a syntax error points at file:line:column and exits 1', async () => {
  const r = await runCli(['probe', fixture('syntax-error.landscape.ts')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /syntax-error\.landscape\.ts:8:\d+: error \(syntax\)/);
});

test('a throwing model() points at the throw', async () => {
  const r = await runCli(['probe', fixture('throwing-model.landscape.ts')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /throwing-model\.landscape\.ts:5:\d+: error \(train\): model\(\): this model cannot be built/);
});

test('a shape mismatch is reported on the definition', async () => {
  const r = await runCli(['probe', fixture('shape-mismatch.landscape.ts')]);
  assert.equal(r.code, 1);
  // found before training (issue 19): the data and the model named, not TF.js's "Input 0 is incompatible"
  assert.match(r.stderr, /shape-mismatch\.landscape\.ts:4: error \(data\): the model's input takes examples of shape \[2\] but the data's x has examples of shape \[3\]/);
});

test('a NaN loss stops training with a clear message', async () => {
  const r = await runCli(['probe', fixture('nan-loss.landscape.ts')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nan-loss\.landscape\.ts:7: error \(nan\): the training loss became (NaN|Infinity)/);
});

test('an unknown definition and a bad flag are clear', async () => {
  const r = await runCli(['probe', fixture('two-defs.landscape.ts'), '--def', 'third']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no definition 'third'.*first, second/);
  const u = await runCli(['probe', fixture('two-defs.landscape.ts'), '--analysis', 'cube']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /--analysis must be one of interpolate, plane/);
  const ok = await runCli(['probe', fixture('two-defs.landscape.ts'), '--def', 'second', '--points', '5', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).definition, 'second');
});

test('Ctrl-C cancels: exit 130 and no runner process left behind', async () => {
  // the CLI's own process tree, by pid (other jobs on this machine run runners of their own)
  let tree: number[] = [];
  const r = await runCli(['probe', fixture('slow.landscape.ts')], {
    onStderr: (s, pid) => { const hit = /epoch 1\//.test(s) || /train/.test(s); if (hit) tree = descendants(pid); return hit; },
  });
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /cancelled/);
  assert.ok(tree.length >= 1, 'the runner was seen');
  await new Promise((res) => setTimeout(res, 1500));
  assert.deepEqual(tree.filter(alive), [], 'no runner process left behind');
});

test('the CLI exists after the build', () => { assert.ok(existsSync(cli)); });

test('a plane split over two runner processes equals the single-process plane', async () => {
  const outs = [1, 2].map(() => mkdtempSync(join(tmpdir(), 'll-split-')));
  for (const [k, workers] of [[0, '1'], [1, '2']] as const) {
    const r = await runCli(['probe', fixture('two-defs.landscape.ts'), '--analysis', 'plane', '--grid', '9', '--out', outs[k]], { env: { LOSS_LANDSCAPE_WORKERS: workers } });
    assert.equal(r.code, 0, r.stderr);
    if (workers === '2') assert.match(r.stdout, /split over 2 processes/);
  }
  const [a, b] = outs.map((o) => JSON.parse(readFileSync(join(o, 'result.json'), 'utf8')).plane.loss);
  assert.deepEqual(a, b);
  assert.ok(a.flat().every(Number.isFinite));
});

test('a line split over two runner processes equals the single-process line, bit for bit', async () => {
  const outs = [1, 2].map(() => mkdtempSync(join(tmpdir(), 'll-split-line-')));
  for (const [k, workers] of [[0, '1'], [1, '2']] as const) {
    const r = await runCli(['probe', fixture('two-defs.landscape.ts'), '--points', '31', '--out', outs[k]], { env: { LOSS_LANDSCAPE_WORKERS: workers } });
    assert.equal(r.code, 0, r.stderr);
    if (workers === '2') assert.match(r.stdout, /line points split over 2 processes/);
    else assert.doesNotMatch(r.stdout, /split over/);
  }
  const [a, b] = outs.map((o) => JSON.parse(readFileSync(join(o, 'result.json'), 'utf8')).interpolate);
  for (const k of ['alpha', 'trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy', 'trainLossSE', 'monotone', 'barrier', 'barrierAlpha']) {
    assert.deepEqual(b[k], a[k], k);
  }
  assert.ok(a.trainLoss.length >= 31);
  assert.ok(a.trainLoss.every(Number.isFinite));
});

test('--out for a plane also writes plane.npy (the loss grid) and plane.vtp (the surface); not for a line', async () => {
  const out = mkdtempSync(join(tmpdir(), 'll-cli-npy-'));
  const r = await runCli(['probe', fixture('two-defs.landscape.ts'), '--analysis', 'plane', '--grid', '7', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*plane\.npy.*plane\.vtp.*result\.json/);
  const plane = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).plane as { a: number[]; b: number[]; loss: number[][]; trajectory: { a: number[] } };
  const npy = readFileSync(join(out, 'plane.npy'));
  assert.deepEqual([...npy.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const hlen = npy.readUInt16LE(8);
  assert.match(npy.subarray(10, 10 + hlen).toString('latin1'), /'descr': '<f8', 'fortran_order': False, 'shape': \(7, 7\)/);
  const values = Array.from({ length: 49 }, (_, k) => npy.readDoubleLE(10 + hlen + 8 * k));
  assert.equal(npy.length, 10 + hlen + 49 * 8);
  assert.deepEqual(values, plane.loss.flat());
  const vtp = readFileSync(join(out, 'plane.vtp'), 'utf8');
  const path = plane.trajectory.a.length >= 2 ? plane.trajectory.a.length : 0;
  assert.match(vtp, /<VTKFile type="PolyData"/);
  assert.ok(vtp.includes(`NumberOfPoints="${49 + path}"`) && vtp.includes('NumberOfPolys="36"'), vtp.slice(0, 400));
  // an interpolation has no plane: neither file
  const out2 = mkdtempSync(join(tmpdir(), 'll-cli-npy-'));
  const r2 = await runCli(['probe', fixture('two-defs.landscape.ts'), '--points', '5', '--out', out2]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(existsSync(join(out2, 'result.json')) && !existsSync(join(out2, 'plane.npy')) && !existsSync(join(out2, 'plane.vtp')));
});

test('curvature from the CLI: --operator ggn, --trace-method, the density, the layers and the Hessian plane in result.json and the summary', async () => {
  const out = mkdtempSync(join(tmpdir(), 'll-cli-curv-'));
  const r = await runCli(['probe', fixture('two-defs.landscape.ts'), '--analysis', 'curvature', '--operator', 'ggn', '--trace-method', 'hutchinson', '--trace-error', '0.05', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).curvature;
  assert.equal(c.operator, 'ggn'); assert.equal(c.traceMethod, 'hutchinson'); assert.equal(c.traceTarget, 0.05);
  assert.ok(c.density.x.length === 1001 && c.density.density.length === 1001 && c.density.runs === 1 && c.density.steps >= 2);
  assert.ok(c.layers.length >= 1 && c.layers.every((l: { lambdaMin: number }) => l.lambdaMin >= -1e-5 * c.eigenvalues[0]), 'GGN blocks PSD');
  assert.match(r.stdout, /operator: generalized Gauss–Newton/);
  assert.match(r.stdout, /spectral density \(stochastic Lanczos quadrature, 1 run × \d+ steps\): \d+ outliers? above the bulk/);
  assert.match(r.stdout, /per layer \(its own parameters' block\): the sharpest is/);
  const p = await runCli(['probe', fixture('two-defs.landscape.ts'), '--analysis', 'plane', '--directions', 'hessian', '--grid', '5', '--json']);
  assert.equal(p.code, 0, p.stderr);
  const res = JSON.parse(p.stdout);
  assert.equal(res.plane.directions, 'hessian');
  assert.ok(res.notes.some((n: string) => /top two Hessian eigenvectors at θ_T: λ₁ = /.test(n)), res.notes.join(' | '));
});
