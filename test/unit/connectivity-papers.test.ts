/**
 * The connectivity papers' findings, asserted on examples/connectivity.landscape.ts (with
 * evaluation subsets, and smaller training sets where the finding holds on them, to stay within
 * minutes on 2 cores; the full-size numbers come from the examples' CLI runs, in examples/README.md):
 * - Ainsworth, Hayase & Srinivasa 2022 (Git Re-Basin): two seeds of a 784-512-512-512-10 MNIST MLP;
 *   the loss barrier after weight matching is ≤ 20 % of the barrier before.
 * - Entezari, Sedghi, Saukh & Neyshabur 2022: after alignment the barrier decreases with width
 *   (32 → 128 → 512 hidden units, one hidden layer).
 * - Frankle, Dziugaite, Roy & Carbin 2020: for LeNet-300-100 the barrier between two copies spawned
 *   at k = 0 with different data orders is far smaller than between two independent initializations.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { initBackend } from '../../src/backends';
import { loadFile } from '../../src/runner/load';
import { resolveOptions, runProbe } from '../../src/engine/run-probe';
import { datasets } from '../../src/api';
import type { LandscapeConfig } from '../../src/api/types';
import type { ProbeOptions, ProbeResult } from '../../src/protocol';

before(async () => { await initBackend('wasm'); });

async function probe(def: string, change: Partial<LandscapeConfig>, o: Partial<ProbeOptions>): Promise<ProbeResult> {
  const loaded = await loadFile(join(__dirname, '..', '..', 'examples', 'connectivity.landscape.ts'));
  const d = loaded.definitions.get(def);
  assert.ok(d, `connectivity.landscape.ts exports ${def}`);
  const config = { ...d.config, ...change };
  return runProbe(def, config, resolveOptions(config, { analysis: 'interpolate', ...o }), 'wasm');
}

/** A smaller training set than the example's (the model and the optimizer are the example's). */
const smaller = (train: number, epochs: number): Partial<LandscapeConfig> => ({ data: () => datasets.mnist({ train, test: 1000 }), epochs });

test('Ainsworth et al.: weight matching removes ≥ 80 % of the loss barrier between two seeds of a 784-512-512-512-10 MLP', async () => {
  // the example's own training (9,000 digits, 15 epochs: ≈ 1 min on 2 quiet cores); on 3,000 digits
  // × 20 epochs the barrier falls only to ≈ 27 % of before (measured)
  const r = await probe('rebasin', {}, { examples: 1000, points: 11 });
  const a = r.alignment!;
  console.log(`rebasin: train loss ${r.train.finalTrainLoss.toFixed(4)}; loss barrier ${a.barrierBefore.toFixed(4)} → ${a.barrierAfter.toFixed(4)} (${(100 * a.barrierAfter / a.barrierBefore).toFixed(1)} %); ` +
    `error barrier ${(100 * a.errorBarrierBefore).toFixed(1)} % → ${(100 * a.errorBarrierAfter).toFixed(1)} %; weight matching ${a.seconds.toFixed(1)} s, ${a.sweeps} sweeps`);
  assert.deepEqual(a.layers.map((l) => l.units), [512, 512, 512]);
  assert.ok(a.barrierBefore > 0.2, `a barrier before alignment: ${a.barrierBefore}`);
  assert.ok(a.barrierAfter <= 0.2 * a.barrierBefore, `after ${a.barrierAfter} vs before ${a.barrierBefore}`);
  assert.ok(a.errorBarrierAfter < a.errorBarrierBefore);
});

/** The barriers before and after weight matching of the one-hidden-layer MLPs of these widths. */
async function widths(defs: string[], change: Partial<LandscapeConfig>, examples: number): Promise<{ before: number[]; after: number[] }> {
  const before: number[] = [], after: number[] = [];
  for (const def of defs) {
    const r = await probe(def, change, { examples, points: 11 });
    before.push(r.alignment!.barrierBefore); after.push(r.alignment!.barrierAfter);
  }
  console.log(`${defs.join(' / ')}: barrier before ${before.map((b) => b.toFixed(4)).join(' / ')}; after ${after.map((b) => b.toFixed(4)).join(' / ')}`);
  return { before, after };
}

test('Entezari et al.: after weight matching the barrier is lower for the wider MLP (32 → 128 hidden units)', async () => {
  // 3,000 digits × 10 epochs (measured: 0.060 → 0.046 after alignment; 512 units then gave 0.056:
  // the full chain 32 → 128 → 512 needs the example's own training, the opt-in test below)
  const { before, after } = await widths(['width32', 'width128'], smaller(3000, 10), 1000);
  assert.ok(after[0] > after[1], `after alignment: ${after}`);
  for (let k = 0; k < 2; k++) assert.ok(after[k] < 0.5 * before[k], `width ${k}: ${before[k]} → ${after[k]}`);
});

// The full chain on the example's own training and every example (≈ 2 min on 2 quiet cores): opt in
// with LOSS_LANDSCAPE_SLOW_PAPERS=1. Measured (CLI, examples/README.md): 0.0976 → 0.0331 → 0.0310.
test('Entezari et al.: after weight matching the barrier decreases with width, 32 → 128 → 512 (opt-in: LOSS_LANDSCAPE_SLOW_PAPERS=1)',
  { skip: process.env.LOSS_LANDSCAPE_SLOW_PAPERS !== '1' }, async () => {
    const { after } = await widths(['width32', 'width128', 'width512'], {}, 0);
    assert.ok(after[0] > after[1] && after[1] > after[2], `after alignment: ${after}`);
  });

test('Frankle et al.: LeNet-300-100 copies spawned at k = 0 are linearly connected; independent initializations are not', async () => {
  const change = smaller(3000, 6);
  const spawned = await probe('lenet', change, { analysis: 'instability', spawn: '0', points: 11, examples: 1000 });
  const independent = await probe('lenet', change, { analysis: 'interpolate', seed2: 2, alphaRange: [0, 1], points: 11, examples: 1000 });
  const s = spawned.instability!;
  const errIndependent = (() => {
    const it = independent.interpolate!;
    const err = it.testAccuracy.map((x) => 1 - x!);
    return Math.max(...it.alpha.map((al, i) => err[i] - ((1 - al) * err[0] + al * err[err.length - 1])));
  })();
  console.log(`LeNet-300-100: spawned at k = 0: loss barrier ${s.lossBarrier[0].toFixed(4)}, error barrier ${(100 * s.errorBarrier[0]).toFixed(2)} %; ` +
    `independent: loss barrier ${independent.interpolate!.barrier.toFixed(4)}, error barrier ${(100 * errIndependent).toFixed(2)} %; first stable k ${s.firstStable}`);
  assert.ok(s.lossBarrier[0] < 0.2 * independent.interpolate!.barrier, `${s.lossBarrier[0]} vs ${independent.interpolate!.barrier}`);
  assert.ok(s.errorBarrier[0] <= s.tolerance, `error barrier at k = 0: ${s.errorBarrier[0]}`);
  assert.equal(s.firstStable, '0');
});
