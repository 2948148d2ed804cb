/**
 * The recipes of docs/cluster.md run on their schedulers (issues 14, 19): a one-node Slurm started
 * here runs `docs/recipes/slurm-array.sh` as an array over a plan, one task is cancelled half-way
 * (`scancel`) and submitted again, the merge equals a plain probe cell for cell; GNU parallel runs
 * `docs/recipes/local-parallel.sh` the same way (stopped half-way by Ctrl-C, run again). Both run
 * the recipes as written, through `npx loss-landscape`. The Kubernetes manifest parses as an
 * Indexed Job; `--shard auto` reads the schedulers' index variables. Needs `npm run build`; the
 * Slurm test needs root and slurm-wlm + munge (skipped, saying why, without them), the parallel
 * one GNU parallel.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { alive, cli, fixture, root, runCli, shardPoints, tmp, until } from './lib';
import { startSlurm } from './slurm-cluster';

const recipes = join(root, 'docs', 'recipes');
const tiny = fixture('tiny.landscape.ts');

const held = fixture('held-shard.landscape.ts');
const GRID = ['--analysis', 'plane', '--grid', '9']; // 81 points: 4 shards of 21, 20, 20, 20
const json = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
/** "shard 2/4 of plan …: 20 point(s): 12 evaluated now, 8 already in …" → [12, 8] */
const counts = (out: string) => { const m = /shard 2\/4 of plan .*: (\d+) evaluated now, (\d+) already/.exec(out); return m ? [Number(m[1]), Number(m[2])] : undefined; };

/** One plan of `held` in 4 shards and one plain probe of the same plane, for both recipes. */
let base: Promise<{ plan: string; plain: string }> | undefined;
const prepared = () => (base ??= (async () => {
  const dir = tmp('recipes');
  const [plan, plain] = await Promise.all([
    runCli(['plan', held, ...GRID, '--shards', '4', '--out', join(dir, 'plan')]),
    runCli(['probe', held, ...GRID, '--out', join(dir, 'plain')]),
  ]);
  assert.equal(plan.code, 0, plan.stderr);
  assert.equal(plain.code, 0, plain.stderr);
  return { plan: join(dir, 'plan'), plain: join(dir, 'plain', 'result.json') };
})());

/** A fresh copy of the plan (no shards yet) in a folder of its own, and the file that slows shard 2 while it exists. */
async function planHeld(tag: string) {
  const dir = tmp(tag);
  const plan = join(dir, 'plan'), hold = join(dir, 'hold');
  cpSync((await prepared()).plan, plan, { recursive: true });
  writeFileSync(hold, '');
  return { dir, plan, hold, shard2: join(plan, 'shards', 'shard-2-of-4.jsonl'), lock2: join(plan, 'shards', '.shard-2-of-4.lock') };
}

/** The merged plane equals the plain probe of the same options, every cell, and nothing is missing. */
async function assertMergeIsPlainProbe(merged: string) {
  const m = json(join(merged, 'result.json')), p = json((await prepared()).plain);
  assert.equal(m.plane.loss.flat().length, 81);
  assert.ok(m.plane.loss.flat().every(Number.isFinite));
  assert.deepEqual(m.plane, p.plane, 'the merge = a plain probe, every cell');
  assert.deepEqual(m.train, p.train);
  assert.equal(m.partial, undefined);
}

/** No process of shard 2 left: its lock is gone or names a dead process. */
const shard2Stopped = (lock: string) => { try { return !alive(JSON.parse(readFileSync(lock, 'utf8')).pid); } catch { return true; } };

test('Slurm: the array recipe over a plan, a task cancelled half-way and submitted again, merge = plain probe', { timeout: 240_000 }, async (t: TestContext) => {
  const t0 = Date.now();
  const cluster = await startSlurm();
  if (typeof cluster === 'string') { t.skip(cluster); return; }
  const say = (line: string) => t.diagnostic(`[slurm +${((Date.now() - t0) / 1000).toFixed(1)} s] ${line}`);
  try {
    say(`one-node cluster ${cluster.node}: ${cluster.run('sinfo', ['-h', '-o', '%P %a %D %T %c CPUs']).trim()} (${cluster.dir})`);
    const { dir, plan, hold, shard2, lock2 } = await planHeld('recipe-slurm');
    const script = join(recipes, 'slurm-array.sh');
    // submitted as from a user's shell: without the npm_* variables of `npm test` (a nested npx
    // reads them as its own configuration), so that the tasks' npx runs as a user's would
    const shell = Object.fromEntries(Object.entries(cluster.env).filter(([k]) => !/^npm_/i.test(k)));
    const sbatch = (array: string) => cluster.run('sbatch', ['--parsable', `--array=${array}`, `--output=${join(dir, 'slurm-%A_%a.log')}`, script, plan, held],
      { cwd: root, env: { ...shell, LL_TEST_SLOW_TASK: '1', LL_TEST_SLOW_WHILE: hold } }).trim();
    /** Is the job (or the task JOB_I) out of the queue? */
    const ended = (job: string) => { try { return cluster.run('squeue', ['-h', '-r', '-j', job]).trim() === ''; } catch { return false; } };
    const done = (job: string) => until(() => ended(job), 120_000, 250);
    const tasks = (job: string) => cluster.run('scontrol', ['-o', 'show', 'job', job]).trim().split('\n')
      .map((l) => Object.fromEntries(l.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])))
      .sort((a, b) => Number(a.ArrayTaskId) - Number(b.ArrayTaskId));
    const taskLog = (job: string, i: number) => readFileSync(join(dir, `slurm-${job}_${i}.log`), 'utf8');
    /** A task's log without its progress lines ("[1.2s] …"), on one line. */
    const lastLines = (log: string) => log.trim().split('\n').filter((l) => !/^\[[\d.]+s\]/.test(l)).join(' / ');

    const job = sbatch('0-3');
    say(`sbatch --array=0-3 docs/recipes/slurm-array.sh PLAN ${held.slice(root.length + 1)} → job ${job}`);
    // array task 1 = shard 2 runs slowly: once its first points are on disk, cancel it
    const points2 = () => (existsSync(shard2) ? shardPoints(shard2).length : 0);
    await until(() => points2() > 0 || ended(`${job}_1`), 120_000, 100);
    assert.ok(points2() > 0, `task 1 (shard 2) wrote no points; its log:\n${existsSync(join(dir, `slurm-${job}_1.log`)) ? taskLog(job, 1) : '(none)'}`);
    cluster.run('scancel', [`${job}_1`]);
    say(`scancel ${job}_1 (shard 2 had ${shardPoints(shard2).length} of its 20 points on disk)`);
    assert.ok(await done(job), `job ${job} did not end`);
    const first = tasks(job);
    for (const x of first) say(`job ${job}_${x.ArrayTaskId}: ${x.JobState} ExitCode=${x.ExitCode}: ${lastLines(taskLog(job, Number(x.ArrayTaskId)))}`);
    assert.deepEqual(first.map((x) => x.JobState), ['COMPLETED', 'CANCELLED', 'COMPLETED', 'COMPLETED']);
    for (const i of [0, 2, 3]) assert.match(taskLog(job, i), new RegExp(`^shard ${i + 1}/4 of plan .*: ${i === 0 ? 21 : 20} evaluated now, 0 already`, 'm'));
    assert.match(taskLog(job, 1), /CANCELLED AT/);
    // the cancel stopped the shard: nothing of it runs on outside the job, and it stopped half-way
    assert.ok(await until(() => shard2Stopped(lock2), 10_000), 'a process of the cancelled task still runs');
    const kept = shardPoints(shard2).length;
    assert.ok(kept > 0 && kept < 20, `the cancelled task stopped half-way (${kept} of 20 points)`);

    rmSync(hold);
    const again = sbatch('1');
    say(`sbatch --array=1 docs/recipes/slurm-array.sh PLAN … → job ${again} (shard 2 again)`);
    assert.ok(await done(again), `job ${again} did not end`);
    const [re] = tasks(again);
    const out = taskLog(again, 1);
    say(`job ${again}_1: ${re.JobState} ExitCode=${re.ExitCode}: ${lastLines(out)}`);
    assert.equal(re.JobState, 'COMPLETED');
    assert.deepEqual(counts(out), [20 - kept, kept], 'the resubmitted task resumed: it kept the points on disk and evaluated the others');

    const m = await runCli(['merge', plan, '--out', join(dir, 'merged')]);
    assert.equal(m.code, 0, m.stderr);
    say(`loss-landscape merge PLAN --out merged: ${m.stdout.trim().split('\n').filter((l) => /^plane|^wrote/.test(l)).join(' / ')}`);
    await assertMergeIsPlainProbe(join(dir, 'merged'));
    say('merged result.json = plain probe of the same plane, all 81 cells');
  } finally {
    await cluster.stop();
  }
});

const hasParallel = (() => { try { execFileSync('sh', ['-c', 'command -v parallel'], { stdio: 'ignore' }); return true; } catch { return false; } })();

test('GNU parallel: the local recipe, stopped half-way (Ctrl-C) and run again, resumes; merge = plain probe', { timeout: 240_000, skip: hasParallel ? false : 'GNU parallel is not installed (apt-get install parallel)' }, async (t: TestContext) => {
  const t0 = Date.now();
  const say = (line: string) => t.diagnostic(`[parallel +${((Date.now() - t0) / 1000).toFixed(1)} s] ${line}`);
  const { dir, plan, hold, shard2, lock2 } = await planHeld('recipe-parallel');
  const out = join(dir, 'result');
  const args = [join(recipes, 'local-parallel.sh'), held, plan, '4', out, ...GRID];
  // the built CLI itself (the Slurm test runs the recipes' default, npx loss-landscape)
  const env = { ...process.env, LOSS_LANDSCAPE: `${process.execPath} ${cli}`, LL_TEST_SLOW_TASK: '2', LL_TEST_SLOW_WHILE: hold };
  // the first run, in a process group of its own (a terminal's foreground job): Ctrl-C = SIGINT to it
  const run = spawn('bash', args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  run.stdout!.setEncoding('utf8').on('data', (d: string) => { output += d; });
  run.stderr!.setEncoding('utf8').on('data', (d: string) => { output += d; });
  const ended = new Promise<number | null>((resolve) => run.on('close', (code) => resolve(code)));
  await until(() => (existsSync(shard2) && shardPoints(shard2).length > 0) || run.exitCode !== null, 120_000, 100);
  assert.ok(existsSync(shard2) && shardPoints(shard2).length > 0, `shard 2 wrote no points:\n${output}`);
  process.kill(-run.pid!, 'SIGINT');
  say(`Ctrl-C with ${shardPoints(shard2).length} of shard 2's 20 points on disk`);
  const code = await ended;
  assert.notEqual(code, 0, 'the interrupted run fails');
  assert.ok(!existsSync(join(out, 'result.json')), 'nothing merged');
  assert.ok(await until(() => shard2Stopped(lock2), 10_000), 'a process of shard 2 still runs');
  const kept = shardPoints(shard2).length;
  assert.ok(kept > 0 && kept < 20, `shard 2 stopped half-way (${kept} of 20 points)`);

  rmSync(hold);
  const again = execFileSync('bash', args, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  say(`run again: ${again.trim().split('\n').filter((l) => /^shard 2\/4|^plane|^wrote/.test(l)).join(' / ')}`);
  assert.deepEqual(counts(again), [20 - kept, kept], 'shard 2 resumed from its file');
  assert.match(again, /plane 9×9/);
  await assertMergeIsPlainProbe(out);
});

test('the Kubernetes manifest is an Indexed Job of as many completions as shards, running --shard auto', () => {
  const docs = parseAllDocuments(readFileSync(join(recipes, 'k8s-indexed-job.yaml'), 'utf8'));
  assert.equal(docs.length, 1);
  assert.deepEqual(docs[0].errors, []);
  const job = docs[0].toJS();
  assert.equal(job.apiVersion, 'batch/v1');
  assert.equal(job.kind, 'Job');
  assert.equal(job.spec.completionMode, 'Indexed');
  assert.equal(job.spec.completions, 16);
  assert.equal(job.spec.parallelism, 16);
  assert.equal(job.spec.template.spec.restartPolicy, 'Never', 'podFailurePolicy needs restartPolicy Never');
  const [c] = job.spec.template.spec.containers;
  assert.deepEqual(c.command.slice(c.command.indexOf('--plan')), ['--plan', '/work/plan', '--shard', 'auto']);
  assert.deepEqual(job.spec.podFailurePolicy.rules[0].onExitCodes.values, [1, 2]);
  // the doc's plan command makes as many shards as the Job has completions
  assert.match(readFileSync(join(root, 'docs', 'cluster.md'), 'utf8'), /--shards 16 --out \/work\/plan/);
});

test('the Slurm script is valid bash, an array of 16 tasks, index i running shard i + 1', () => {
  const script = join(recipes, 'slurm-array.sh');
  execFileSync('bash', ['-n', script]);
  const text = readFileSync(script, 'utf8');
  assert.match(text, /^#SBATCH --array=0-15$/m);
  assert.match(text, /probe "\$FILE" --plan "\$PLAN" --shard "\$K"/);
});

test('--shard auto: JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID (minus its minimum), or a clear refusal', async () => {
  const dir = tmp('recipe-auto');
  const plan = join(dir, 'plan');
  assert.equal((await runCli(['plan', tiny, '--analysis', 'plane', '--grid', '5', '--shards', '4', '--out', plan])).code, 0);
  const clean = { JOB_COMPLETION_INDEX: undefined, SLURM_ARRAY_TASK_ID: undefined, SLURM_ARRAY_TASK_MIN: undefined, SLURM_ARRAY_TASK_COUNT: undefined };
  let r = await runCli(['probe', '--plan', plan, '--shard', 'auto'], { ...clean, JOB_COMPLETION_INDEX: '2' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^shard 3\/4 of plan/m);
  r = await runCli(['probe', '--plan', plan, '--shard', 'auto'], { ...clean, SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^shard 4\/4 of plan/m);
  r = await runCli(['probe', '--plan', plan, '--shard', 'auto'], { ...clean, SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '8' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the Slurm array has 8 tasks but the plan 4 shards/);
  r = await runCli(['probe', '--plan', plan, '--shard', 'auto'], clean);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--shard auto needs JOB_COMPLETION_INDEX .* or SLURM_ARRAY_TASK_ID/);
  assert.ok(!existsSync(join(plan, 'shards', 'shard-1-of-4.jsonl')));
});
