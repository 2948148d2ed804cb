/**
 * Plans and shards without processes (issue 14): the shards of any N partition the grid, values
 * survive the shard file exactly (NaN, ±Infinity, null), a torn last line is ignored and
 * reported, a merge fills the result and recomputes the line's verdicts, the command line of
 * plan / probe --plan / merge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dec, enc, pointsOf, readShard, recordHash, SHARD_SCHEMA, type PlanFile } from '../../src/shards/format';
import { mergeShards } from '../../src/shards/merge';
import { parseArgs } from '../../src/cli/args';
import { coarseToFine } from '../../src/engine/order';

function linePlan(n: number): PlanFile {
  const alpha = Array.from({ length: n }, (_, i) => i / (n - 1));
  return {
    schema: 'loss-landscape/plan@1', id: 'plan-1', created: '', file: '/x.landscape.ts', definition: 'd', codeHash: 'c', dataHash: 'h',
    grid: 'line', options: { analysis: 'interpolate' }, shards: 3, points: n, order: coarseToFine(n), line: { alpha }, vectors: {},
    result: {
      analysis: 'interpolate', notes: [], timing: { loadSeconds: 0, trainSeconds: 0, probeSeconds: 0 },
      interpolate: { alpha, trainLoss: [], testLoss: [], trainAccuracy: [], testAccuracy: [], trainLossSE: [], monotone: false, barrier: NaN, barrierAlpha: NaN, nonFinite: alpha },
    } as unknown as PlanFile['result'],
  };
}

function writeShard(dir: string, plan: PlanFile, k: number, n: number, value: (p: number) => (number | null)[], o: { torn?: boolean; skip?: number } = {}): string {
  const path = join(dir, `shard-${k}-of-${n}.jsonl`);
  const pts = pointsOf(plan, k, n).slice(o.skip ?? 0);
  const v = pts.map((p) => value(p).map(enc));
  const lines = [JSON.stringify({ schema: SHARD_SCHEMA, plan: plan.id, shard: k, of: n, points: pts.length, created: '', host: '' }),
    JSON.stringify({ p: pts, v, s: 0.5, h: recordHash(pts, v) })];
  writeFileSync(path, `${lines.join('\n')}\n${o.torn ? '{"p":[1,2' : ''}`);
  return path;
}

test('the shards of any N partition the grid, each in coarse-to-fine order', () => {
  const plan = { order: coarseToFine(441) };
  for (let n = 1; n <= 9; n++) {
    const all = Array.from({ length: n }, (_, k) => pointsOf(plan, k + 1, n)).flat();
    assert.equal(all.length, 441);
    assert.equal(new Set(all).size, 441);
  }
  assert.deepEqual(pointsOf(plan, 1, 1), plan.order);
});

test('values survive the shard file exactly', () => {
  for (const x of [0.1 + 0.2, -0, 1e-310, NaN, Infinity, -Infinity, null, 2.5]) {
    assert.ok(Object.is(dec(JSON.parse(JSON.stringify(enc(x)))), x), String(x));
  }
});

test('a merge fills the line, recomputes its verdicts, and lists what is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-shards-unit-'));
  const plan = linePlan(9);
  const loss = (p: number) => [(p / 8 - 0.5) ** 2, NaN, 0.5, null, 0.01, NaN, NaN];
  const files = [1, 2, 3].map((k) => writeShard(dir, plan, k, 3, loss, { torn: k === 2 }));
  const { result } = mergeShards(plan, files);
  const it = result.interpolate!;
  assert.deepEqual(it.trainLoss, plan.line!.alpha.map((a) => (a - 0.5) ** 2));
  assert.equal(it.monotone, false);
  assert.equal(it.nonFinite, undefined, 'the plan\'s blank verdicts are replaced');
  assert.ok(it.barrier === 0 && it.testAccuracy.every((x) => x === null));
  assert.equal(result.timing.probeSeconds, 1.5);
  assert.equal(readShard(files[1], plan, 7).torn, true);

  const holes = writeShard(dir, plan, 2, 3, loss, { skip: 1 });
  assert.throws(() => mergeShards(plan, [files[0], holes, files[2]]), /1 of 9 point\(s\) missing:\nshard 2\/3: 1 of 3 point\(s\) missing .*α\[\d\]=/);
  const partial = mergeShards(plan, [files[0], holes], { partial: true });
  assert.deepEqual(partial.result.partial, { missing: 4, of: 9 });
  assert.match(partial.lines.join('\n'), /shard 3\/3: no file \(3 point\(s\)\)/);
});

test('the command lines of plan, probe --plan and merge', () => {
  assert.deepEqual(parseArgs(['plan', 'f.ts', '--analysis', 'plane', '--grid', '31', '--shards', '8', '--out', 'p']),
    { command: 'plan', file: 'f.ts', definition: undefined, options: { analysis: 'plane', grid: 31 }, out: 'p', shards: 8 });
  const shard = parseArgs(['probe', '--plan', 'p', '--shard', '3/8', '--grid', '31']);
  assert.ok(shard !== 'help' && shard.command === 'probe');
  assert.deepEqual(shard.plan, { dir: 'p', shard: { k: 3, n: 8 }, given: { grid: 31 } });
  const auto = parseArgs(['probe', 'f.ts', '--plan', 'p', '--shard', 'auto']);
  assert.ok(auto !== 'help' && auto.command === 'probe' && auto.plan?.shard === 'auto');
  assert.deepEqual(parseArgs(['merge', 'p', 'a', 'b/', '--out', 'o', '--partial']), { command: 'merge', plan: 'p', shards: ['a', 'b/'], out: 'o', partial: true, json: false });
  for (const [argv, msg] of [
    [['plan', 'f.ts', '--out', 'p'], /plan needs --shards N/],
    [['plan', 'f.ts', '--shards', '0', '--out', 'p'], /--shards needs an integer from 1/],
    [['probe', '--plan', 'p'], /--plan needs --shard K\/N/],
    [['probe', '--plan', 'p', '--shard', '5/4'], /--shard needs K\/N with 1 ≤ K ≤ N/],
    [['probe', 'f.ts', '--shards', '4'], /--shards does not apply to 'probe'/],
    [['merge', 'p', '--grid', '9'], /merge takes no probe options/],
    [['probe', '--plan', 'p', '--shard', '1', '--save-weights'], /does not apply to a shard/],
  ] as const) assert.throws(() => parseArgs([...argv]), msg, argv.join(' '));
});
