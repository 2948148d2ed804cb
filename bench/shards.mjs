// Shard scaling (issue 14): one plan, evaluated with 1, 2, 4, 8, 16 shards run at once on this
// machine; wall time and speed-up per shard count → bench/results-shards.md and .json.
//   npm run bench:shards [-- --shards 1,2,4 --grid 21 --examples 2000 --no-fast --file examples/mnist-mlp.landscape.ts]
// Needs `npm run build`. Plans and shard files go to bench/.work/shards/ (git-ignored).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const cli = join(root, 'dist', 'cli.js');
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const counts = arg('shards', '1,2,4,8,16').split(',').map(Number);
const grid = Number(arg('grid', '21')), examples = Number(arg('examples', '2000'));
const file = arg('file', 'examples/mnist-mlp.landscape.ts');
// --no-fast: without the first-layer trick every cell pays the 784×128 matmul (a heavier, more typical cell)
const extra = process.argv.includes('--no-fast') ? ['--no-fast'] : [];
const work = join(root, 'bench', '.work', 'shards');

function run(args) {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => (code === 0 ? resolve({ seconds: (Date.now() - t0) / 1000, out }) : reject(new Error(`${args.join(' ')}: exit ${code}\n${err.slice(-2000)}`))));
  });
}

const loadBefore = loadavg()[0];
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const plan = join(work, 'plan');
const planned = await run(['plan', file, '--analysis', 'plane', '--grid', String(grid), '--examples', String(examples), ...extra, '--shards', String(Math.max(...counts)), '--out', plan]);
console.log(`plan: ${planned.seconds.toFixed(1)} s (training included)`);
const rows = [];
for (const n of counts) {
  const out = join(work, `n${n}`);
  const t0 = Date.now();
  const shards = await Promise.all(Array.from({ length: n }, (_, k) => run(['probe', file, '--plan', plan, '--shard', `${k + 1}/${n}`, '--out', out])));
  const wall = (Date.now() - t0) / 1000;
  const merged = await run(['merge', plan, out, '--out', join(out, 'result')]);
  rows.push({ shards: n, wallSeconds: wall, slowestShard: Math.max(...shards.map((s) => s.seconds)), fastestShard: Math.min(...shards.map((s) => s.seconds)), mergeSeconds: merged.seconds });
  console.log(`${n} shard(s): ${wall.toFixed(1)} s wall`);
}
const base = rows.find((r) => r.shards === 1)?.wallSeconds ?? rows[0].wallSeconds;
for (const r of rows) r.speedup = Math.round((base / r.wallSeconds) * 100) / 100;
// other work on the machine skews the times: the 1-minute load average before and after says how much
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version,
  loadAverage: [loadBefore, loadavg()[0]].map((x) => Math.round(x * 100) / 100) };
const when = new Date().toISOString();
const setup = { file, analysis: 'plane', grid, examples, fastFirstLayer: !extra.length, points: grid * grid, planSeconds: planned.seconds };
writeFileSync(join(root, 'bench', 'results-shards.json'), `${JSON.stringify({ when, machine, setup, rows }, null, 1)}\n`);
writeFileSync(join(root, 'bench', 'results-shards.md'), [
  '# Shard scaling', '',
  `${when}: ${file}, plane ${grid}×${grid} (${grid * grid} points) on ${examples} examples${extra.length ? ' (--no-fast)' : ''}; the plan (training) took ${planned.seconds.toFixed(1)} s and is not in the times below.`,
  `Machine: ${machine.cpus} CPU(s) (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}; 1-minute load average ${machine.loadAverage.join(' before, ')} after. All shards run at once as separate processes;`,
  'wall = from starting them to the last one finishing (each shard loads the data and builds its model again).', '',
  '| shards | wall (s) | speed-up | slowest shard (s) | fastest shard (s) | merge (s) |',
  '|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.shards} | ${r.wallSeconds.toFixed(1)} | ${r.speedup.toFixed(2)}× | ${r.slowestShard.toFixed(1)} | ${r.fastestShard.toFixed(1)} | ${r.mergeSeconds.toFixed(1)} |`),
  '',
].join('\n'));
console.log(`wrote bench/results-shards.md, bench/results-shards.json`);
