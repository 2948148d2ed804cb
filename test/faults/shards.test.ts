/**
 * Beyond one machine (issue 14): plan a 21×21 plane, evaluate it as 4 shards in 4 processes,
 * one killed half-way (SIGKILL by pid) and rerun: it resumes and does not redo its points; the
 * merge equals `probe --plan --shard 1/1` and a plain `probe` bit for bit. Bad input: a shard of
 * another plan, a plan from edited code, a missing or corrupted shard file, the same K twice, other
 * options: each a clear message, nothing overwritten. Needs `npm run build`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, descendants, fixture, root, runCli, shardPoints, startCli, tmp, until } from './lib';

const tiny = fixture('tiny.landscape.ts');
const json = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
const evaluatedNow = (stdout: string) => Number(/: (\d+) evaluated now, (\d+) already/.exec(stdout)?.[1]);

let plan = '';
const shardFile = (k: number, n = 4) => join(plan, 'shards', `shard-${k}-of-${n}.jsonl`);

test('plan 21×21 in 4 shards, one killed half-way resumes, merge = one process = plain probe, bit for bit', async () => {
  const dir = tmp('shards');
  plan = join(dir, 'plan');
  const opts = ['--analysis', 'plane', '--grid', '21'];
  const p = await runCli(['plan', tiny, ...opts, '--shards', '4', '--out', plan]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /441 point\(s\) for 4 shard\(s\)/);
  const meta = json(join(plan, 'plan.json'));
  assert.equal(meta.points, 441);
  assert.equal(meta.order.length, 441);
  assert.deepEqual(Object.keys(meta.vectors).sort(), ['center', 'state', 'u', 'v']);

  // 4 processes at once; shard 2 slowed down (test hook) and killed once its file holds some points
  const slow = { LOSS_LANDSCAPE_TEST_POINT_DELAY_MS: '40' };
  const runs = [1, 2, 3, 4].map((k) => startCli(['probe', '--plan', plan, '--shard', `${k}/4`], k === 2 ? slow : {}));
  assert.ok(await until(() => existsSync(shardFile(2)) && shardPoints(shardFile(2)).length >= 20, 60_000), 'shard 2 wrote no points');
  const victims = [...descendants(runs[1].child.pid!), runs[1].child.pid!];
  for (const pid of victims) process.kill(pid, 'SIGKILL');
  const killed = await runs[1].done;
  assert.ok(await until(() => victims.every((pid) => !alive(pid)), 10_000), 'the killed shard left a process');
  assert.notEqual(killed.code, 0);
  const before = shardPoints(shardFile(2));
  assert.ok(before.length > 0 && before.length < 110, `killed half-way: ${before.length} of 110 points written`);
  for (const k of [0, 2, 3]) { const r = await runs[k].done; assert.equal(r.code, 0, r.stderr); assert.equal(evaluatedNow(r.stdout), k === 0 ? 111 : 110); }

  const incomplete = await runCli(['merge', plan, '--out', join(dir, 'early')]);
  assert.equal(incomplete.code, 5, incomplete.stderr);
  assert.match(incomplete.stderr, new RegExp(`shard 2/4: ${110 - before.length} of 110 point\\(s\\) missing`));
  assert.ok(!existsSync(join(dir, 'early', 'result.json')), 'nothing written');

  const again = await runCli(['probe', '--plan', plan, '--shard', '2/4']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`${110 - before.length} evaluated now, ${before.length} already in .* \\(resumed\\)`));
  const after = shardPoints(shardFile(2));
  assert.equal(after.length, 110, 'every point written once');
  assert.equal(new Set(after).size, 110, 'no point evaluated twice');
  assert.deepEqual(after.slice(0, before.length), before, 'the points written before the kill are kept');

  const m = await runCli(['merge', plan, '--out', join(dir, 'merged')]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /plane 21×21/);
  const one = await runCli(['probe', tiny, '--plan', plan, '--shard', '1/1', '--out', join(dir, 'one')]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(evaluatedNow(one.stdout), 441);
  assert.equal((await runCli(['merge', plan, join(dir, 'one'), '--out', join(dir, 'merged1')])).code, 0);
  const plain = await runCli(['probe', tiny, ...opts, '--out', join(dir, 'plain')]);
  assert.equal(plain.code, 0, plain.stderr);

  const merged = json(join(dir, 'merged', 'result.json')), merged1 = json(join(dir, 'merged1', 'result.json')), direct = json(join(dir, 'plain', 'result.json'));
  assert.ok(merged.plane.loss.flat().every(Number.isFinite));
  assert.deepEqual(merged.plane, merged1.plane, '4 shards = 1 shard');
  assert.deepEqual(merged.plane, direct.plane, 'the merge = a plain probe of the same options, every cell and the set-up');
  assert.deepEqual(merged.train, direct.train);
  assert.deepEqual(merged.options, direct.options);
  assert.equal(merged.partial, undefined);
  assert.ok(readFileSync(join(dir, 'merged', 'report.html'), 'utf8').length > 10_000);
});

test('interpolate: a plan in 3 shards merges to the plain probe\'s curve', async () => {
  const dir = tmp('shards-line');
  const p = await runCli(['plan', tiny, '--points', '17', '--shards', '3', '--out', join(dir, 'plan')]);
  assert.equal(p.code, 0, p.stderr);
  for (const k of [1, 2, 3]) assert.equal((await runCli(['probe', '--plan', join(dir, 'plan'), '--shard', String(k)])).code, 0);
  assert.equal((await runCli(['merge', join(dir, 'plan'), '--out', join(dir, 'merged')])).code, 0);
  assert.equal((await runCli(['probe', tiny, '--points', '17', '--out', join(dir, 'plain')])).code, 0);
  assert.deepEqual(json(join(dir, 'merged', 'result.json')).interpolate, json(join(dir, 'plain', 'result.json')).interpolate);
});

test('bad input: another plan\'s shard, edited code, missing / corrupted shard, K twice, other options: clear messages, nothing overwritten', async () => {
  assert.ok(plan, 'needs the first test\'s plan');
  const dir = tmp('shards-bad');
  const out = join(dir, 'out');
  mkdirSync(out);
  writeFileSync(join(out, 'result.json'), 'the previous result');
  const unchanged = () => assert.equal(readFileSync(join(out, 'result.json'), 'utf8'), 'the previous result', 'result.json not overwritten');

  // a shard of another plan
  const other = join(dir, 'other');
  assert.equal((await runCli(['plan', tiny, '--analysis', 'plane', '--grid', '5', '--shards', '2', '--out', other])).code, 0);
  assert.equal((await runCli(['probe', '--plan', other, '--shard', '1/2'])).code, 0);
  let r = await runCli(['merge', plan, join(plan, 'shards'), join(other, 'shards', 'shard-1-of-2.jsonl'), '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /shard-1-of-2\.jsonl is a shard of another plan/);
  unchanged();
  // ... nor does a shard run append to another plan's file
  const foreign = join(dir, 'foreign');
  mkdirSync(foreign);
  copyFileSync(join(other, 'shards', 'shard-1-of-2.jsonl'), join(foreign, 'shard-1-of-2.jsonl'));
  const foreignBytes = readFileSync(join(foreign, 'shard-1-of-2.jsonl'));
  r = await runCli(['probe', '--plan', plan, '--shard', '1/2', '--out', foreign]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is a shard of another plan/);
  assert.deepEqual(readFileSync(join(foreign, 'shard-1-of-2.jsonl')), foreignBytes);

  // one process per shard file: a second one is refused while the first runs. The first is slow
  // enough (10 s a point) to still run however long the second takes to start (25 points × 150 ms
  // once finished first on a loaded machine); it is then stopped (Ctrl-C) and run again: it resumes.
  const first = startCli(['probe', '--plan', other, '--shard', '1/1'], { LOSS_LANDSCAPE_TEST_POINT_DELAY_MS: '10000' });
  try {
    assert.ok(await until(() => existsSync(join(other, 'shards', 'shard-1-of-1.jsonl')), 60_000));
    r = await runCli(['probe', '--plan', other, '--shard', '1/1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /shard-1-of-1\.jsonl is being written by pid \d+ on this machine: one process per shard/);
  } finally { first.child.kill('SIGINT'); }
  assert.equal((await first.done).code, 130);
  assert.equal((await runCli(['probe', '--plan', other, '--shard', '1/1'])).code, 0);
  assert.equal(new Set(shardPoints(join(other, 'shards', 'shard-1-of-1.jsonl'))).size, 25);

  // a plan from edited code
  const code = join(dir, 'code');
  mkdirSync(code);
  const file = join(code, 'tiny.landscape.ts');
  copyFileSync(tiny, file);
  const edited = join(dir, 'edited-plan');
  assert.equal((await runCli(['plan', file, '--analysis', 'plane', '--grid', '5', '--shards', '2', '--out', edited])).code, 0);
  writeFileSync(file, readFileSync(file, 'utf8').replace('epochs: 20', 'epochs: 21'));
  r = await runCli(['probe', '--plan', edited, '--shard', '1/2']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is not the code this plan was made from .*edited since `loss-landscape plan`/);
  assert.ok(!existsSync(join(edited, 'shards', 'shard-1-of-2.jsonl')), 'no shard file started');

  // other options than the plan's
  r = await runCli(['probe', '--plan', plan, '--shard', '1/4', '--grid', '31']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the plan fixes the options: grid is 21 .* not 31/);

  // a missing shard: listed, nothing written; --partial merges what is there, marked partial
  const three = [1, 2, 4].map((k) => shardFile(k));
  r = await runCli(['merge', plan, ...three, '--out', out]);
  assert.equal(r.code, 5);
  assert.match(r.stderr, /110 of 441 point\(s\) missing/);
  assert.match(r.stderr, /shard 3\/4: no file \(110 point\(s\)\): \(\d+,\d+\)/);
  unchanged();
  r = await runCli(['merge', plan, join(dir, 'nowhere.jsonl'), '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no such shard file or folder: .*nowhere\.jsonl/);
  unchanged();
  const part = join(dir, 'partial');
  r = await runCli(['merge', plan, ...three, '--partial', '--out', part]);
  assert.equal(r.code, 0, r.stderr);
  const res = json(join(part, 'result.json'));
  assert.deepEqual(res.partial, { missing: 110, of: 441 });
  assert.equal(res.plane.loss.flat().filter((x: unknown) => x === null).length, 110);
  assert.ok(res.notes.some((n: string) => /partial: 110 of 441/.test(n)));

  // a corrupted shard file
  const bad = join(dir, 'bad');
  mkdirSync(bad);
  const lines = readFileSync(shardFile(3), 'utf8').split('\n');
  lines[1] = lines[1].replace(/(\d)(\D*)$/, (_m, d: string, rest: string) => `${(Number(d) + 1) % 10}${rest}`);
  writeFileSync(join(bad, 'shard-3-of-4.jsonl'), lines.join('\n'));
  r = await runCli(['merge', plan, ...three, join(bad, 'shard-3-of-4.jsonl'), '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /shard-3-of-4\.jsonl is corrupted at line 2: checksum mismatch/);
  unchanged();

  // the same K twice
  const twin = join(dir, 'twin');
  mkdirSync(twin);
  copyFileSync(shardFile(2), join(twin, 'shard-2-of-4.jsonl'));
  r = await runCli(['merge', plan, join(plan, 'shards'), twin, '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /shard 2\/4 is given twice: .*shard-2-of-4\.jsonl and .*twin\/shard-2-of-4\.jsonl/);
  unchanged();

  // a plan folder is never planned over
  r = await runCli(['plan', tiny, '--analysis', 'plane', '--shards', '2', '--out', plan]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /already holds a plan: not overwritten/);
  assert.deepEqual(readdirSync(join(plan, 'shards')).sort(), [1, 2, 3, 4].map((k) => `shard-${k}-of-4.jsonl`));
});

test('a plane split over two processes recomputes BatchNorm statistics in the second one too (as a shard does)', async () => {
  const dir = tmp('split-bn');
  const args = ['probe', join(root, 'examples', 'batchnorm.landscape.ts'), '--analysis', 'plane', '--bn', 'recompute', '--grid', '5', '--examples', '300'];
  for (const w of ['1', '2']) assert.equal((await runCli([...args, '--out', join(dir, w)], { LOSS_LANDSCAPE_WORKERS: w })).code, 0);
  assert.deepEqual(json(join(dir, '2', 'result.json')).plane.loss, json(join(dir, '1', 'result.json')).plane.loss);
});

test('plan.json is checksummed: an edited grid (still valid JSON) is refused by probe --plan and merge', async () => {
  const dir = tmp('plan-sum');
  const p = join(dir, 'plan');
  const made = await runCli(['plan', tiny, '--analysis', 'interpolate', '--points', '5', '--shards', '1', '--out', p]);
  assert.equal(made.code, 0, made.stderr);
  assert.match(json(join(p, 'plan.json')).checksum, /^[0-9a-f]{64}$/);
  const one = await runCli(['probe', '--plan', p, '--shard', '1/1']);
  assert.equal(one.code, 0, one.stderr);
  // an α of the grid edited by hand: valid JSON, a plan that would label points at the wrong coordinates
  const text = readFileSync(join(p, 'plan.json'), 'utf8');
  const edited = json(join(p, 'plan.json'));
  edited.line.alpha[1] = 0.3;
  writeFileSync(join(p, 'plan.json'), JSON.stringify(edited, null, 1));
  const shard = await runCli(['probe', '--plan', p, '--shard', '1/1', '--out', join(dir, 'other-shards')]);
  const merge = await runCli(['merge', p, '--out', join(dir, 'merged')]);
  for (const r of [shard, merge]) {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /plan\.json was changed after `loss-landscape plan` wrote it \(its checksum differs\): make the plan again rather than editing it/);
  }
  assert.ok(!existsSync(join(dir, 'merged', 'result.json')));
  writeFileSync(join(p, 'plan.json'), text);
  assert.equal((await runCli(['merge', p, '--out', join(dir, 'merged')])).code, 0);
});
