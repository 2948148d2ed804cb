/**
 * Faults of outputs (issue 9: 2, 3): result.json and report.html are replaced as a pair or not
 * at all (SIGKILL mid-write, full disk, read-only folder); a bad --out or --save-weights is
 * refused before any training; a write that still fails keeps the summary (exit 4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, statfsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture, root, runCli, startCli, tempFiles, tmp, tryExec, until } from './lib';

const tiny = fixture('tiny.landscape.ts');
const slow = join(root, 'test', 'fixtures', 'slow.landscape.ts');
const pair = (dir: string) => ({ json: readFileSync(join(dir, 'result.json'), 'utf8'), html: readFileSync(join(dir, 'report.html'), 'utf8') });
/** report.html embeds its result: the pair matches when the html holds this result's timing. */
const matches = (p: { json: string; html: string }) => p.html.includes(JSON.stringify(JSON.parse(p.json).timing));

test('2. SIGKILL during the write: result.json is the old or the new one, complete, and report.html matches it', async () => {
  const out = tmp('kill-write');
  assert.equal((await runCli(['probe', tiny, '--out', out, '--points', '5'])).code, 0);
  const old = pair(out);
  assert.ok(matches(old));
  for (const killAt of ['.report.html.tmp-', '.result.json.tmp-']) {
    // each temporary file is followed by a 1.5 s pause (test hook): kill while it exists
    const run = startCli(['probe', tiny, '--out', out, '--points', '7'], { LOSS_LANDSCAPE_TEST_WRITE_DELAY_MS: '1500' });
    assert.ok(await until(() => readdirSync(out).some((f) => f.startsWith(killAt)), 60_000), `no ${killAt}* appeared`);
    run.child.kill('SIGKILL');
    await run.done;
    const now = pair(out);
    assert.ok(JSON.parse(now.json).interpolate, 'result.json is complete');
    assert.equal(now.json, old.json, 'the old result.json survived');
    assert.equal(now.html, old.html, 'with its report.html');
  }
  // the next write sweeps the killed writer's temporaries and replaces the pair
  const r = await runCli(['probe', tiny, '--out', out, '--points', '9']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(tempFiles(out), []);
  const fresh = pair(out);
  assert.equal(JSON.parse(fresh.json).options.points, 9);
  assert.ok(matches(fresh) && fresh.json !== old.json);
});

test('3. --out that is a file, --save-weights under a file: exit 2 in under 5 s, before training', async () => {
  const dir = tmp('out-file');
  const file = join(dir, 'not-a-folder');
  writeFileSync(file, 'x');
  for (const args of [['--out', file], ['--out', join(file, 'sub')], ['--save-weights=' + join(file, 'w')]]) {
    const r = await runCli(['probe', slow, ...args]);
    assert.equal(r.code, 2, `${args}: ${r.stderr}`);
    assert.ok(r.ms < 5000, `${r.ms} ms`);
    assert.match(r.stderr, /loss-landscape: --(out|save-weights): cannot write into|is not a folder/);
    assert.doesNotMatch(r.stderr, /training|internal error|\n\s+at /);
  }
});

// Real full and read-only file systems: a small tmpfs (needs mount permission; root on CI).
const mnt = tmp('mnt');
const canMount = tryExec('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);

test('2/3. full disk: the old pair survives, the summary is printed, exit 4; read-only: refused before training (exit 2)',
  { skip: canMount ? false : 'cannot mount a tmpfs here (needs root): full-disk and read-only cases not run' }, async () => {
    try {
      const out = join(mnt, 'out');
      assert.equal((await runCli(['probe', tiny, '--out', out, '--points', '5'])).code, 0);
      const old = pair(out);
      // fill the disk, leaving room for --out's check but not for a report (≈ 1 MB)
      const st = statfsSync(mnt);
      writeFileSync(join(mnt, 'filler'), Buffer.alloc(Math.max(0, st.bavail * st.bsize - 64 * 1024)));
      const r = await runCli(['probe', tiny, '--out', out, '--points', '9']);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stdout, /monotone on \[0,1\]/, 'the summary is still printed');
      assert.match(r.stderr, /could not write result\.json and report\.html into .*no space left on the device \(ENOSPC\); the previous ones, if any, are unchanged/);
      assert.deepEqual(pair(out), old);
      assert.deepEqual(tempFiles(out), []);
      // read-only
      tryExec('rm', ['-f', join(mnt, 'filler')]);
      assert.ok(tryExec('mount', ['-o', 'remount,ro', mnt]));
      for (const where of [out, join(out, 'new-sub')]) {
        const ro = await runCli(['probe', slow, '--out', where]);
        assert.equal(ro.code, 2, ro.stderr);
        assert.ok(ro.ms < 5000);
        assert.match(ro.stderr, /--out: cannot write into .*read-only file system/);
      }
      const sw = await runCli(['probe', slow, '--save-weights=' + join(out, 'w')]);
      assert.equal(sw.code, 2);
      assert.match(sw.stderr, /--save-weights: cannot write into .*read-only file system/);
      assert.doesNotMatch(sw.stderr, /slow\.landscape\.ts:\d+/, 'not blamed on the definition');
      assert.deepEqual(pair(out), old);
    } finally {
      tryExec('umount', [mnt]);
    }
  });

test('a save-weights folder that fails late keeps the result: summary, note, exit 4', async () => {
  const dir = tmp('late');
  mkdirSync(join(dir, 'w'));
  // params.json is a folder: the check passes (the folder is writable) but the final rename fails
  mkdirSync(join(dir, 'w', 'params.json'));
  writeFileSync(join(dir, 'w', 'params.json', 'keep'), 'x');
  const r = await runCli(['probe', tiny, '--points', '5', '--save-weights=' + join(dir, 'w')]);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stdout, /monotone on \[0,1\]/);
  assert.match(r.stderr, /could not write the weights into/);
});

test('a kill at --out\'s check leaves nothing; a kill mid-write leaves temporaries the next write sweeps, whatever it writes', async () => {
  const out = tmp('sweep');
  // killed during the check (the test hook pauses it 1.5 s): its check file never shows
  const check = startCli(['probe', tiny, '--out', out, '--points', '5'], { LOSS_LANDSCAPE_TEST_WRITE_DELAY_MS: '1500' });
  const seen = new Set<string>();
  await until(() => { readdirSync(out).forEach((f) => seen.add(f)); return false; }, 700, 5);
  check.child.kill('SIGKILL');
  await check.done;
  assert.deepEqual([...seen, ...readdirSync(out)], [], 'no .loss-landscape-probe-PID, ever');
  // a plane killed while writing plane.npy / plane.vtp, then an interpolate into the same folder
  const plane = startCli(['probe', tiny, '--analysis', 'plane', '--grid', '5', '--out', out], { LOSS_LANDSCAPE_TEST_WRITE_DELAY_MS: '1500' });
  assert.ok(await until(() => readdirSync(out).some((f) => f.startsWith('.plane.vtp.tmp-')), 60_000), readdirSync(out).join(' '));
  plane.child.kill('SIGKILL');
  await plane.done;
  assert.ok(tempFiles(out).some((f) => f.startsWith('.plane.npy.tmp-')), tempFiles(out).join(' '));
  // and a check file of a process that is gone (a kill in the instant between create and unlink)
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(join(out, `.loss-landscape-probe-${gone}`), 'ok');
  // a live writer's temporary (this test's pid) is not touched
  writeFileSync(join(out, `.other.bin.tmp-${process.pid}-abc123`), 'x');
  const r = await runCli(['probe', tiny, '--out', out, '--points', '5']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(out).filter((f) => f.startsWith('.')), [`.other.bin.tmp-${process.pid}-abc123`]);
});
