/**
 * The recipes of docs/cluster.md (issue 14): the local one runs (4 processes at once: GNU
 * parallel when installed, else xargs -P), the Kubernetes manifest parses as an Indexed Job, the
 * Slurm script passes `bash -n`; `--shard auto` reads the schedulers' index variables.
 * Needs `npm run build`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cli, fixture, root, runCli, tmp } from './lib';

const recipes = join(root, 'docs', 'recipes');
const tiny = fixture('tiny.landscape.ts');

test('the local recipe: plan, 4 shards as 4 processes at once, merge', () => {
  const dir = tmp('recipe-local');
  const out = execFileSync('bash', [join(recipes, 'local-parallel.sh'), tiny, join(dir, 'plan'), '4', join(dir, 'result'), '--analysis', 'plane', '--grid', '9'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, LOSS_LANDSCAPE: `${process.execPath} ${cli}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(out, /plane 9×9/);
  assert.deepEqual(readdirSync(join(dir, 'plan', 'shards')).sort(), [1, 2, 3, 4].map((k) => `shard-${k}-of-4.jsonl`));
  const res = JSON.parse(readFileSync(join(dir, 'result', 'result.json'), 'utf8'));
  assert.equal(res.plane.loss.flat().length, 81);
  assert.ok(res.plane.loss.flat().every(Number.isFinite));
  assert.equal(res.partial, undefined);
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

test('the Slurm script is valid bash, an array of 16 tasks running --shard auto', () => {
  const script = join(recipes, 'slurm-array.sh');
  execFileSync('bash', ['-n', script]);
  const text = readFileSync(script, 'utf8');
  assert.match(text, /^#SBATCH --array=0-15$/m);
  assert.match(text, /probe "\$FILE" --plan "\$PLAN" --shard auto/);
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
