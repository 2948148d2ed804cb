/**
 * Bad input (issue 9: 4–7): empty and non-finite data, invalid options from every source,
 * work too big for the machine, and the bundle no longer written to a shared temp folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, runCli, startCli, tmp, until } from './lib';
import { validateOptions } from '../../src/shared/options';
import { checkCost, estimateCost, probeWatch, ResourceError } from '../../src/engine/cost';
import { EXIT } from '../../src/cli/exit-codes';

test('4. empty data (arrays, tensors) and non-finite values are refused with where they are', async () => {
  const f = fixture('empty-data.landscape.ts');
  const cases: Array<[string, RegExp]> = [
    ['emptyArrays', /empty-data\.landscape\.ts:4: error \(data\): data\.x has 0 examples/],
    ['emptyTensors', /empty-data\.landscape\.ts:11: error \(data\): data\.x has 0 examples/],
    ['nanLabel', /error \(data\): data\.yTest: 1 value is not finite; the first, NaN, is at example 2 \(yTest\[2\]\[0\]\)/],
    ['infInput', /error \(data\): data\.x: 1 value is not finite; the first, Infinity, is at example 1 \(x\[1\]\[1\]\)/],
  ];
  for (const [def, re] of cases) {
    const r = await runCli(['probe', f, '--def', def]);
    assert.equal(r.code, 1, `${def}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stdout, /monotone|barrier/);
  }
});

test('5. a definition\'s probe/survey options are validated like the CLI\'s, at the definition\'s line', async () => {
  const f = fixture('bad-options.landscape.ts');
  const cases: Array<[string, string[], RegExp]> = [
    ['tinyGrid', ['--analysis', 'plane'], /:11: error \(options\): the definition's options are invalid: probe\.points needs an integer ≥ 2 \(got 0\); probe\.grid needs an integer ≥ 2 \(got 1\)/],
    ['noRuns', ['--analysis', 'survey'], /:13: error \(options\): .*survey\.runs needs an integer ≥ 1 \(got 0\)/],
    ['reversedAlpha', [], /:15: error \(options\): .*probe\.alphaRange needs LO,HI with LO < HI, both finite \(got \[1, -1\]\)/],
  ];
  for (const [def, extra, re] of cases) {
    const r = await runCli(['probe', f, '--def', def, ...extra]);
    assert.equal(r.code, 1, `${def}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /Cannot read properties/);
  }
  // the CLI's own flags: usage errors, same wording
  for (const [args, re] of [[['--grid', '1'], /--grid needs an integer ≥ 2 \(got 1\)/], [['--alpha', '1,-1'], /--alpha needs LO,HI with LO < HI/],
    [['--alpha', 'NaN,1'], /--alpha needs LO,HI/], [['--points', 'abc'], /--points needs a number \(got 'abc'\)/], [['--points', '2.5'], /--points needs an integer ≥ 2 \(got 2\.5\)/]] as const) {
    const r = await runCli(['probe', fixture('tiny.landscape.ts'), ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
  }
});

test('5. one validation for every source: settings and runner requests get the same rules, named as written', () => {
  assert.deepEqual(validateOptions({ analysis: 'plane', grid: 'x' as never, points: 0, alphaRange: [2, 1], runs: -1, k: 0 }, 'settings'), [
    "lossLandscape.points needs an integer ≥ 2 (got 0)", "lossLandscape.grid needs an integer ≥ 2 (got 'x')",
    'lossLandscape.curvatureK needs an integer ≥ 1 (got 0)', 'lossLandscape.surveyRuns needs an integer ≥ 1 (got -1)',
    'lossLandscape.alphaRange needs LO,HI with LO < HI, both finite (got [2, 1])',
  ]);
  assert.deepEqual(validateOptions({ analysis: 'nope' as never, backend: 'gpu' as never, alphaRange: [0, NaN] }, 'request'), [
    "options.analysis must be one of interpolate, plane, survey, compare, curvature, connect, instability (got 'nope')",
    "options.backend must be one of wasm, cpu, node, webgpu, auto (got 'gpu')",
    'options.alphaRange needs LO,HI with LO < HI, both finite (got [0, NaN])',
  ]);
  assert.deepEqual(validateOptions({ analysis: 'interpolate', points: 41, grid: 21, alphaRange: [-0.5, 1.5], examples: 0 }, 'settings'), []);
});

test('6. work the machine cannot do: refused before it starts, with its size and what to change', async () => {
  const big = await runCli(['probe', fixture('tiny.landscape.ts'), '--points', '1e9']);
  assert.equal(big.code, 2);
  assert.match(big.stderr, /--points is at most 100,001 \(got 1,000,000,000\)/);
  const base = { analysis: 'plane' as const, parameters: 1e8, state: 0, trainExamples: 1e4, evalTrain: 1e4, evalTest: 0, epochs: 1, points: 41, grid: 21, snapshots: 201 };
  assert.throws(() => checkCost(base, 8 * 2 ** 30), (e: Error) => e instanceof ResourceError && /needs about 77\.5 GiB of memory .* more than the runner's limit of 8\.0 GiB: use a smaller grid/.test(e.message));
  const slow = checkCost({ ...base, parameters: 1e6, snapshots: 10, grid: 101 }, 8 * 2 ** 30);
  assert.match(slow!, /this probe is big: 10,201 cells \(grid 101×101\) × 10,000 examples × 1,000,000 parameters ≈ 204\.1 TFLOP, roughly 2\.8 h \(estimated from the model's size at a nominal 20 GFLOP\/s\)/);
  assert.equal(checkCost({ ...base, parameters: 1000, snapshots: 10 }, 8 * 2 ** 30), undefined);
  assert.ok(estimateCost({ ...base, analysis: 'interpolate', parameters: 100 }).flops > 0);
  // issue 19: a 21×21 plane over 2.1 million rows of a small model at a measured 1 µs per example: ≈ 15 min, announced
  const rows = { ...base, parameters: 2000, snapshots: 201, trainExamples: 2.1e6, evalTrain: 2.1e6, grid: 21 };
  const measured = { perExample: 1e-6, source: 'a measured forward pass: 1.0 µs per example on wasm' };
  assert.match(checkCost(rows, 8 * 2 ** 30, measured)!, /this probe is big: 441 cells \(grid 21×21\) × 2,100,000 examples × 2,000 parameters ≈ 3\.7 TFLOP, roughly 16 min \(estimated from a measured forward pass: 1\.0 µs per example on wasm\)/);
  // … and --grid 1000 on the 6-example, 3-parameter model is no long work
  assert.equal(checkCost({ ...base, parameters: 3, snapshots: 61, trainExamples: 6, evalTrain: 6, epochs: 20, grid: 1000 }, 8 * 2 ** 30), undefined);
  const tiny = startCli(['probe', fixture('tiny.landscape.ts'), '--analysis', 'plane', '--grid', '1000']);
  assert.ok(await until(() => /\] probe/.test(tiny.stderr), 60_000), tiny.stderr);
  tiny.child.kill('SIGINT');
  assert.equal((await tiny.done).code, 130);
  assert.doesNotMatch(tiny.stderr, /this probe is big/);
  // a probe that is long on any CPU: announced before training, from the measured rate, then cancellable
  const run = startCli(['probe', fixture('big-work.landscape.ts'), '--analysis', 'plane', '--grid', '101']);
  try {
    assert.ok(await until(() => /warn: this probe is big: 10,201 cells .* roughly [\d.]+ (min|h|days) \(estimated from a measured forward pass: [\d.]+ µs per example on wasm\)/.test(run.stderr), 90_000), run.stderr);
  } finally {
    run.child.kill('SIGINT');
  }
  assert.equal((await run.done).code, 130);
});

test('6. the estimate again from the probe\'s first points: a long probe is announced once, a short one not', () => {
  let t = 0;
  const said: string[] = [];
  const watch = probeWatch((m) => said.push(m), false, 2, () => t);
  watch(0, 441); t = 1000; watch(0, 441); t = 2100; watch(1, 441); t = 4200; watch(2, 441);
  assert.deepEqual(said, ['this probe is big: 441 points, roughly 15 min more (estimated from the first 1 point(s) timed: 2.1 s each); --examples N (setting lossLandscape.examples) or a smaller grid / fewer points make it faster']);
  const quiet: string[] = [];
  const fast = probeWatch((m) => quiet.push(m), false, 2, () => t);
  t = 0; fast(0, 1e6); t = 2000; fast(40_000, 1e6);
  assert.deepEqual(quiet, [], '1,000,000 points at 50 µs: 50 s');
  const twice: string[] = [];
  const warned = probeWatch((m) => twice.push(m), true, 2, () => t);
  t = 0; warned(0, 441); t = 9000; warned(1, 441);
  assert.deepEqual(twice, [], 'not twice');
});

test('6. memory: an allocation in model() stops at the runner\'s cap with "out of memory" and the size', async () => {
  const r = await runCli(['probe', fixture('huge-model.landscape.ts')], { LOSS_LANDSCAPE_MAX_MEMORY_MB: '1500' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /error \(resources\): out of memory: the runner used \d+ MiB, over its limit of 1500 MiB \(set LOSS_LANDSCAPE_MAX_MEMORY_MB/);
  assert.ok(r.ms < 30_000, `${r.ms} ms`);
  const heap = await runCli(['probe', fixture('heap-hog.landscape.ts')], { LOSS_LANDSCAPE_HEAP_MB: '96' });
  assert.equal(heap.code, 1, heap.stderr);
  assert.match(heap.stderr, /error \(resources\): out of memory: the runner's JavaScript heap is full \(limit 96 MiB\)/);
});

test('7. nothing is written to the temp folder; a 249-character file name works', async () => {
  const t = tmp('tmpdir');
  const dir = tmp('long');
  const long = join(dir, `${'l'.repeat(249 - '.landscape.ts'.length)}.landscape.ts`);
  copyFileSync(fixture('tiny.landscape.ts'), long);
  const r = await runCli(['probe', long, '--points', '5'], { TMPDIR: t });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(t), [], 'the temp folder stays empty');
  assert.deepEqual(readdirSync(dir), [long.split('/').pop()], 'nothing beside the file either');
});

test('the README\'s exit-code table is the CLI\'s', () => {
  const readme = require('node:fs').readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8') as string;
  const rows = [...readme.matchAll(/^\| (\d+) \| /gm)].map((m) => Number(m[1]));
  assert.deepEqual(rows, Object.values(EXIT));
});
