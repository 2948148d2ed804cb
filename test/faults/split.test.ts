/**
 * The split over two runner processes (issue 19, 2): every analysis that hands points to a second
 * process (interpolate — also between two seeds —, plane) writes the same result.json numbers and
 * verdicts with LOSS_LANDSCAPE_WORKERS=1 and 2; only the timing and the split's own note differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, root, runCli, tmp } from './lib';

const tiny = fixture('tiny.landscape.ts');

async function resultWith(workers: 1 | 2, file: string, args: string[]) {
  const out = tmp(`split-w${workers}`);
  const r = await runCli(['probe', file, ...args, '--out', out], { LOSS_LANDSCAPE_WORKERS: String(workers) });
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  const { timing: _t, notes, ...rest } = result;
  const stdout = r.stdout.replace(/ in \d+\.\d s/g, '').split('\n').filter((l) => !l.startsWith('wrote ')).join('\n');
  return { rest, notes: notes as string[], stdout };
}

const mnist = join(root, 'examples', 'mnist-mlp.landscape.ts');
const LINE = 'line points split over 2 processes', PLANE = 'plane rows split over 2 processes';
const cases: Array<[string, string, string[], string]> = [
  ['interpolate (the issue\'s mnist-mlp, train and test sets)', mnist, ['--points', '11', '--examples', '200'], LINE],
  ['interpolate beyond [0,1]', tiny, ['--points', '15', '--alpha', '-0.5,1.5'], LINE],
  ['interpolate between two seeds', tiny, ['--points', '9', '--seed2', '5'], LINE],
  ['plane', tiny, ['--analysis', 'plane', '--grid', '6'], PLANE],
];

for (const [name, file, args, splitNote] of cases) {
  test(`${name}: WORKERS=2 gives WORKERS=1's numbers and verdicts`, async () => {
    const one = await resultWith(1, file, args), two = await resultWith(2, file, args);
    assert.ok(two.notes.includes(splitNote), `the run was split: ${two.notes.join('; ')}`);
    assert.ok(!one.notes.includes(splitNote));
    assert.deepEqual(two.rest, one.rest);
    assert.deepEqual(two.notes.filter((n) => n !== splitNote), one.notes);
    // the summary (verdicts included) is the same, but for the split's note and the times
    assert.equal(two.stdout.split('\n').filter((l) => !l.includes(splitNote)).join('\n'), one.stdout);
    if (one.rest.interpolate) {
      assert.equal(one.rest.interpolate.nonFinite, undefined, 'every loss is finite');
      assert.doesNotMatch(two.stdout, /unknown/);
    }
  });
}
