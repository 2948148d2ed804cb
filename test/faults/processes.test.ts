/**
 * Faults of processes (issue 9: 1, 8, 9): a killed or hung-up CLI leaves no runner behind,
 * whatever the user's code does; a killed plane worker is named as such; a cancelled split
 * plane leaves nothing in the temp folder; what the user's code prints reaches the user.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { alive, descendants, fixture, runCli, startCli, tmp, until } from './lib';

test('1. SIGKILL of the CLI while the user\'s file loops at top level: no runner or esbuild process of it is alive 5 s later', async () => {
  const run = startCli(['probe', fixture('top-level-loop.landscape.ts')]);
  // wait until the runner is busy in the user's loop (bundled, evaluating)
  assert.ok(await until(() => /bundling/.test(run.stderr), 20_000), run.stderr);
  await new Promise((r) => setTimeout(r, 1500));
  const tree = descendants(run.child.pid!);
  assert.ok(tree.length >= 1, 'the runner was started');
  run.child.kill('SIGKILL');
  await run.done;
  const gone = await until(() => tree.every((p) => !alive(p)), 5000);
  assert.ok(gone, `still alive 5 s after the CLI was killed: ${tree.filter(alive).join(', ')}`);
});

test('1. SIGHUP (terminal closed) cancels: exit 130 and the runner is gone', async () => {
  const run = startCli(['probe', fixture('top-level-loop.landscape.ts')]);
  assert.ok(await until(() => /bundling/.test(run.stderr), 20_000), run.stderr);
  await new Promise((r) => setTimeout(r, 1000));
  const tree = descendants(run.child.pid!);
  run.child.kill('SIGHUP');
  const r = await run.done;
  assert.equal(r.code, 130, r.stderr);
  assert.ok(await until(() => tree.every((p) => !alive(p)), 5000), `alive: ${tree.filter(alive)}`);
});

test('a runner killed from outside is reported as such (exit 3), not blamed on the user\'s file', async () => {
  const run = startCli(['probe', fixture('top-level-loop.landscape.ts')]);
  assert.ok(await until(() => /bundling/.test(run.stderr), 20_000));
  await new Promise((r) => setTimeout(r, 1000));
  const [runner] = descendants(run.child.pid!);
  process.kill(runner, 'SIGKILL');
  const r = await run.done;
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`error \\(crash\\): the runner process \\(pid ${runner}\\) was killed \\(SIGKILL`));
  assert.doesNotMatch(r.stderr, /landscape\.ts:\d+/);
});

test('8. a cancelled split plane leaves no folder in the temp folder; a killed plane worker is named, not the user\'s line', async () => {
  const t = tmp('split');
  // the worker slowed down (test hook, per chunk of cells): the plane is still running when cancelled
  const env = { TMPDIR: t, LOSS_LANDSCAPE_WORKERS: '2', LOSS_LANDSCAPE_TEST_POINT_DELAY_MS: '30' };
  const args = ['probe', fixture('tiny.landscape.ts'), '--analysis', 'plane', '--grid', '120'];
  // cancel half-way
  const a = startCli(args, env);
  assert.ok(await until(() => /\[[\d.]+s\] probe/.test(a.stderr), 60_000), a.stderr);
  await new Promise((r) => setTimeout(r, 1500));
  a.child.kill('SIGINT');
  assert.equal((await a.done).code, 130);
  assert.deepEqual(readdirSync(t), [], 'nothing left in TMPDIR');
  // kill the worker (the runner's child) half-way
  const b = startCli(args, env);
  assert.ok(await until(() => /\[[\d.]+s\] probe/.test(b.stderr), 60_000), b.stderr);
  let worker: number | undefined;
  assert.ok(await until(() => { const [runner] = descendants(b.child.pid!); worker = runner && descendants(runner)[0]; return !!worker; }, 10_000), 'a worker was forked');
  process.kill(worker!, 'SIGKILL');
  const r = await b.done;
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`error \\(crash\\): the plane's second worker process \\(pid ${worker}\\) was killed \\(SIGKILL\\)`));
  assert.doesNotMatch(r.stderr, /tiny\.landscape\.ts:\d+/);
  assert.deepEqual(readdirSync(t), []);
});

test('8b. a killed line worker is named, not the user\'s line; nothing is left running', async () => {
  const t = tmp('split-line');
  const env = { TMPDIR: t, LOSS_LANDSCAPE_WORKERS: '2', LOSS_LANDSCAPE_TEST_POINT_DELAY_MS: '50' };
  const b = startCli(['probe', fixture('tiny.landscape.ts'), '--points', '400'], env);
  assert.ok(await until(() => /\[[\d.]+s\] probe/.test(b.stderr), 60_000), b.stderr);
  let worker: number | undefined, runner: number | undefined;
  assert.ok(await until(() => { [runner] = descendants(b.child.pid!); worker = runner && descendants(runner)[0]; return !!worker; }, 10_000), 'a worker was forked');
  process.kill(worker!, 'SIGKILL');
  const r = await b.done;
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`error \\(crash\\): the line's second worker process \\(pid ${worker}\\) was killed \\(SIGKILL\\)`));
  assert.doesNotMatch(r.stderr, /tiny\.landscape\.ts:\d+/);
  assert.ok(await until(() => !alive(runner!), 5_000), 'the runner is gone');
  assert.deepEqual(readdirSync(t), []);
});

test('9. what the user\'s code prints goes to stderr, bounded, and --json stays valid JSON', async () => {
  const r = await runCli(['probe', fixture('tiny.landscape.ts'), '--json', '--points', '5']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /building the tiny model/);
  const res = JSON.parse(r.stdout);
  assert.equal(res.definition, 'tiny');
  const chatty = await runCli(['probe', fixture('chatty.landscape.ts'), '--points', '5']);
  assert.equal(chatty.code, 0, chatty.stderr);
  const lines = chatty.stderr.split('\n').filter((l) => l.startsWith('line '));
  assert.equal(lines.length, 2000);
  assert.match(chatty.stderr, /… 3000 more line\(s\) of output not shown/);
});
