/**
 * The connectivity lab from the CLI (needs `npm run build`): --align with --seed2 (result.json's
 * `alignment` and `interpolate.aligned`, the summary lines), --analysis instability --spawn
 * (result.json's `instability`), and clear messages for bad values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

function runCli(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('interpolate --seed2 2 --align weights: both lines, the barriers before and after, in result.json and the summary', async () => {
  const out = mkdtempSync(join(tmpdir(), 'll-align-'));
  const r = await runCli(['probe', 'examples/mnist-mlp.landscape.ts', '--seed2', '2', '--align', 'weights', '--points', '5', '--alpha', '0,1', '--examples', '1000', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  const a = res.alignment;
  for (const k of ['method', 'layers', 'seconds', 'barrierBefore', 'barrierAfter']) assert.ok(k in a, `alignment.${k}`);
  assert.equal(a.method, 'weights');
  assert.deepEqual(a.layers.map((l: { units: number }) => l.units), [128]);
  assert.equal(res.options.align, 'weights');
  const it = res.interpolate, al = it.aligned;
  for (const k of ['alpha', 'trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy', 'barrier']) assert.ok(k in al, `interpolate.aligned.${k}`);
  assert.deepEqual(al.alpha, it.alpha);
  // the same endpoint θ_a; at α = 1 the permuted θ_b computes the same function as θ_b
  assert.equal(al.trainLoss[0], it.trainLoss[0]);
  assert.ok(Math.abs(al.trainLoss[4] - it.trainLoss[4]) < 1e-4, `${al.trainLoss[4]} vs ${it.trainLoss[4]}`);
  assert.equal(a.barrierBefore, it.barrier);
  assert.equal(a.barrierAfter, al.barrier);
  assert.ok(a.barrierAfter < a.barrierBefore, `barrier ${a.barrierBefore} → ${a.barrierAfter}`);
  assert.match(r.stdout, /aligned by weight matching \(\d+ sweeps\) in [\d.]+ s; units moved per layer: \d+\/128/);
  assert.match(r.stdout, /loss barrier: [\d.]+ before → [\d.]+ after alignment/);
  assert.match(r.stdout, /error barrier \(test\): /);
});

test('connect --align activations: the curve joins θ_a and π(θ_b), the line to θ_b kept beside it', async () => {
  const out = mkdtempSync(join(tmpdir(), 'll-connect-align-'));
  const r = await runCli(['probe', 'examples/mnist-mlp.landscape.ts', '--analysis', 'connect', '--align', 'activations', '--points', '5', '--examples', '500', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  const c = res.connect, a = res.alignment;
  assert.equal(a.method, 'activations');
  assert.equal(c.unaligned.lineTrainLoss.length, c.t.length);
  // t = 0 is θ_a on both lines; at t = 1 the permuted θ_b computes what θ_b computes
  assert.ok(Math.abs(c.unaligned.lineTrainLoss[0] - c.lineTrainLoss[0]) < 1e-6);
  const n = c.t.length - 1;
  assert.ok(Math.abs(c.unaligned.lineTrainLoss[n] - c.lineTrainLoss[n]) < 1e-4, `${c.unaligned.lineTrainLoss[n]} vs ${c.lineTrainLoss[n]}`);
  assert.ok(a.barrierAfter < a.barrierBefore, `${a.barrierBefore} → ${a.barrierAfter}`);
  assert.match(r.stdout, /\(the curve and the line join θ_a and the aligned π\(θ_b\)\)/);
  assert.match(r.stdout, /aligned by activation matching in [\d.]+ s/);
});

test('--analysis instability --spawn 0,50s: barriers per spawn point and the first stable k', async () => {
  const out = mkdtempSync(join(tmpdir(), 'll-instab-'));
  const r = await runCli(['probe', 'examples/mnist-mlp.landscape.ts', '--analysis', 'instability', '--spawn', '0,50s', '--points', '5', '--examples', '500', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).instability;
  for (const k of ['spawn', 'lossBarrier', 'errorBarrier', 'firstStable']) assert.ok(k in s, `instability.${k}`);
  assert.deepEqual(s.spawn, ['0', '50s']);
  assert.deepEqual(s.spawnSteps, [0, 50]);
  assert.equal(s.totalSteps, 5 * Math.ceil(5000 / 32));
  assert.equal(s.lossBarrier.length, 2);
  assert.ok(s.errorBarrier.every((e: number) => e >= 0 && e < 1));
  assert.ok(s.firstStable === null || s.spawn.includes(s.firstStable));
  assert.match(r.stdout, /k = 50s\s+\(step 50\s*\) error barrier/);
  assert.match(r.stdout, /first stable k \(error barrier ≤ 2\.0 %\): /);
});

test('bad --align / --spawn values and --align without a second solution are clear', async () => {
  const a = await runCli(['probe', 'examples/mnist-mlp.landscape.ts', '--align', 'sideways']);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--align must be one of weights, activations, none \(got 'sideways'\)/);
  const s = await runCli(['probe', 'examples/mnist-mlp.landscape.ts', '--analysis', 'instability', '--spawn', '1,2x']);
  assert.notEqual(s.code, 0);
  assert.match(s.stderr, /--spawn needs a comma list of epochs and steps.*'2x'/);
  const late = await runCli(['probe', 'examples/mnist-mlp.landscape.ts', '--analysis', 'instability', '--spawn', '5', '--examples', '200']);
  assert.notEqual(late.code, 0);
  assert.match(late.stderr, /spawn point '5' \(step 785\) is not before the end of training/);
  const alone = await runCli(['probe', 'examples/mnist-mlp.landscape.ts', '--align', 'weights', '--points', '3', '--examples', '200']);
  assert.notEqual(alone.code, 0);
  assert.match(alone.stderr, /align 'weights' permutes a second solution onto the first: give seed2/);
});
