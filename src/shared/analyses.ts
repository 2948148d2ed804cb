/**
 * The analyses, as data every layer can read without importing TF.js: what each is called, the
 * probe options it takes (the settings and the CLI pick those), how a run of it is labelled and
 * the lines the CLI prints for its result. The engine's runs are in src/engine/analyses/, the
 * panel's views in webview/; adding an analysis = one entry here, one there, one view.
 * Imports types only.
 */
import type { AnalysisKind, AnyProbeOptions, OptionFields, ProbeResult } from '../protocol';

type Field = keyof OptionFields;

export interface AnalysisInfo {
  kind: AnalysisKind;
  /** For pickers and titles. */
  title: string;
  /** The probe options this analysis reads, besides the common ones (backend, examples, …). */
  options: readonly Field[];
  /** Progress notifications and the log: e.g. "plane (random)". */
  label(o: Partial<AnyProbeOptions>): string;
  /** The CLI's lines for this analysis's part of a result. */
  summary(r: ProbeResult): string[];
}

/** Options every analysis reads. */
export const COMMON_OPTIONS: readonly Field[] = ['backend', 'examples', 'fastFirstLayer', 'saveWeights'];

const f = (x: number | null | undefined, d = 4) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));
export const pct = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)} %`);
export { f as fixed };

function interpolateSummary(r: ProbeResult): string[] {
  const L: string[] = [];
  if (!r.interpolate) return L;
  const it = r.interpolate;
  const ends = it.endpoints ?? { a: 'θ₀', b: 'θ_T' };
  L.push(`loss along θ(α) = (1−α)·a + α·b, a = ${ends.a}, b = ${ends.b}:`);
  for (const a of [0, 0.5, 1]) {
    const i = it.alpha.findIndex((x) => Math.abs(x - a) < 1e-9);
    if (i < 0) continue;
    L.push(`  α=${String(a).padEnd(4)} train ${f(it.trainLoss[i])}  test ${f(it.testLoss[i])}  test accuracy ${pct(it.testAccuracy[i])}`);
  }
  if (it.nonFinite?.length) {
    L.push(`monotone on [0,1]: unknown (the loss is not finite at α = ${it.nonFinite.slice(0, 5).map((a) => a.toFixed(2)).join(', ')}${it.nonFinite.length > 5 ? ', …' : ''})`);
    L.push('barrier: unknown');
  } else L.push(`monotone on [0,1]: ${it.monotone ? 'yes' : 'no'}`);
  if (!it.nonFinite?.length) L.push(`barrier: ${it.barrier > 0 ? `${f(it.barrier)} at α=${it.barrierAlpha.toFixed(2)}` : '0 (none: the loss stays on or below the chord between the endpoints)'}`);
  L.push(...alignmentSummary(r));
  L.push(`probe: ${it.alpha.length} points in ${r.timing.probeSeconds.toFixed(1)} s`);
  return L;
}

/** The alignment's lines (interpolate and connect with `align`). */
function alignmentSummary(r: ProbeResult): string[] {
  const a = r.alignment;
  if (!a) return [];
  const ratio = a.barrierBefore > 0 ? ` (${pct(a.barrierAfter / a.barrierBefore)} of before)` : '';
  const moved = a.layers.map((l) => `${l.moved}/${l.units}`).join(', ');
  return [
    `aligned by ${a.method === 'weights' ? `weight matching (${a.sweeps} sweeps)` : 'activation matching'} in ${a.seconds.toFixed(1)} s; units moved per layer: ${moved}`,
    `  loss barrier: ${f(a.barrierBefore)} before → ${f(a.barrierAfter)} after alignment${ratio}`,
    `  error barrier (${a.errorSet}): ${pct(a.errorBarrierBefore)} before → ${pct(a.errorBarrierAfter)} after`,
    ...(a.bn ? [`  BatchNorm statistics along the aligned line: ${a.bn === 'interpolate' ? 'interpolated between θ_a\'s and π(θ_b)\'s (try --bn recompute)' : a.bn === 'recompute' ? 'recomputed at each α' : 'interpolated and recomputed (both)'}`] : []),
  ];
}

function instabilitySummary(r: ProbeResult): string[] {
  const s = r.instability;
  if (!s) return [];
  const L = [`instability: two copies spawned at each k, trained to step ${s.totalSteps} with different data orders; barriers on the ${s.set} set`];
  s.spawn.forEach((k, i) => L.push(`  k = ${k.padEnd(6)} (step ${String(s.spawnSteps[i]).padEnd(6)}) error barrier ${pct(s.errorBarrier[i]).padEnd(8)} loss barrier ${f(s.lossBarrier[i])}  copies' errors ${pct(s.finalError[i][0])} / ${pct(s.finalError[i][1])}`));
  L.push(`first stable k (error barrier ≤ ${pct(s.tolerance)}): ${s.firstStable ?? 'none of those tried'}`);
  return L;
}

function planeSummary(r: ProbeResult): string[] {
  const L: string[] = [];
  if (!r.plane) return L;
  const p = r.plane;
  let min = Infinity, max = -Infinity, at: [number, number] = [0, 0];
  p.loss.forEach((row, i) => row.forEach((v, j) => { if (v < min) { min = v; at = [p.a[j], p.b[i]]; } if (v > max) max = v; }));
  L.push(`plane ${p.a.length}×${p.b.length}: a ∈ [${f(p.a[0], 2)}, ${f(p.a[p.a.length - 1], 2)}], b ∈ [${f(p.b[0], 2)}, ${f(p.b[p.b.length - 1], 2)}]`);
  L.push(`  loss from ${f(min)} (at a=${at[0].toFixed(2)}, b=${at[1].toFixed(2)}) to ${f(max)}`);
  L.push(`  θ₀ at (${f(p.init[0], 3)}, ${f(p.init[1], 3)}), θ_T at (${f(p.final[0], 3)}, ${f(p.final[1], 3)}); the plane holds ${pct(p.explained)} of the path's displacement`);
  const rw = p.randomWalk, n = rw.a.length - 1;
  const dist = (a: number[], b: number[], k: number) => Math.hypot(a[k] - a[0], b[k] - b[0]);
  L.push(`  path ends ${f(dist(p.trajectory.a, p.trajectory.b, p.trajectory.a.length - 1), 3)} from θ₀ on the plane; the random-walk control (same step norms) ends ${f(dist(rw.a, rw.b, n), 3)}`);
  L.push(`probe: ${p.a.length * p.b.length} points in ${r.timing.probeSeconds.toFixed(1)} s`);
  return L;
}

function surveySummary(r: ProbeResult): string[] {
  const L: string[] = [];
  if (!r.survey) return L;
  const s = r.survey, best = s.runs[s.best];
  L.push(`survey: ${s.runs.length} trainings, ${s.stuckCount} stuck (final loss > best ${f(best.finalLoss)} + tolerance ${f(s.tolerance)})`);
  for (const [init, c] of Object.entries(s.byInit)) L.push(`  init ${init.padEnd(12)} ${c.stuck}/${c.runs} stuck (${pct(c.stuck / c.runs)})`);
  const losses = s.runs.map((x) => x.finalLoss);
  L.push(`  final losses: min ${f(Math.min(...losses))}, median ${f([...losses].sort((a, b) => a - b)[Math.floor(losses.length / 2)])}, max ${f(Math.max(...losses))}`);
  const dead = s.runs.filter((x) => x.stuck && (x.deadUnits ?? 0) + (x.blindExamples ?? 0) > 0).length;
  const sat = s.runs.filter((x) => x.stuck && (x.saturatedUnits ?? 0) > 0).length;
  if (s.stuckCount) L.push(`  stuck runs with dead units or blind-spot examples: ${dead}; with saturated units: ${sat}`);
  if (s.stuck !== undefined && s.bestToStuck) {
    const w = s.runs[s.stuck];
    L.push(`  best (seed ${best.seed}, ${best.init}) → worst stuck (seed ${w.seed}, ${w.init}, loss ${f(w.finalLoss)}): barrier ${f(s.bestToStuck.barrier)} at α=${s.bestToStuck.barrierAlpha.toFixed(2)}`);
  }
  return L;
}

function compareSummary(r: ProbeResult): string[] {
  const L: string[] = [];
  if (!r.compare) return L;
  L.push(`compare: ${r.compare.runs.length} runs from the same θ₀`);
  for (const c of r.compare.runs) {
    const end = c.path.a.length - 1;
    L.push(`  ${c.name.padEnd(14)} train ${f(c.finalTrainLoss)}  test ${f(c.finalTestLoss)}  acc ${pct(c.finalTestAccuracy)}  line θ₀→θ_T ${c.curve.monotone ? 'monotone' : `barrier ${f(c.curve.barrier)}`}  ends at (${f(c.path.a[end], 2)}, ${f(c.path.b[end], 2)})  ${c.trainSeconds.toFixed(1)} s`);
  }
  return L;
}

function curvatureSummary(r: ProbeResult): string[] {
  const L: string[] = [];
  if (!r.curvature) return L;
  const c = r.curvature;
  L.push(`curvature at θ_T: ${c.verdictText}`);
  if (c.operator === 'ggn') L.push(`  operator: generalized Gauss–Newton JᵀH_LJ (positive semi-definite; split at the ${c.ggnSplit ?? 'output'})`);
  const pm = c.lambdaMinResidual !== undefined ? ` (± ${c.lambdaMinResidual.toPrecision(2)})` : '';
  L.push(`  top eigenvalues ${c.eigenvalues.map((v) => v.toPrecision(4)).join(', ')}; λ_min ${c.lambdaMin.toPrecision(4)}${pm}; trace ${c.trace.toPrecision(4)} ± ${c.traceSE.toPrecision(2)}`);
  if (c.converged === false) L.push(`  estimates: Lanczos did not converge in ${c.lanczosSteps} steps (residuals ${[...c.residuals, c.lambdaMinResidual ?? NaN].map((v) => v.toPrecision(2)).join(', ')} bound each eigenvalue's error)`);
  else if (c.converged) L.push(`  converged in ${c.lanczosSteps} Lanczos steps: each eigenvalue within its residual (≤ 5 %)`);
  if (c.traceMethod) {
    L.push(`  trace ${c.traceExact ? `${c.trace.toPrecision(4)} (exact)` : `${c.trace.toPrecision(4)} ± ${c.traceSE.toPrecision(2)}`} by ${c.traceMethod}, ${c.traceProducts} products` +
      (c.traceExact ? '' : `; relative standard error ${pct(Math.abs(c.traceSE / c.trace))} (target ${pct(c.traceTarget)}${c.traceReached ? '' : ': not reached'})`));
  }
  if (c.density) {
    const d = c.density;
    L.push(`  spectral density (stochastic Lanczos quadrature, ${d.runs} run${d.runs === 1 ? '' : 's'} × ${d.steps} steps): ${d.outliers} outlier${d.outliers === 1 ? '' : 's'} above the bulk, bulk edge ${d.bulkEdge.toPrecision(3)}; moments ${d.moments[0].toPrecision(3)} (tr/n), ${d.moments[1].toPrecision(3)} (tr(A²)/n)`);
  }
  if (c.layers?.length) {
    const top = c.layers.reduce((a, b) => (b.lambdaMax > a.lambdaMax ? b : a));
    L.push(`  per layer (its own parameters' block): the sharpest is ${top.name} (λ_max ${top.lambdaMax.toPrecision(4)})`);
    for (const l of c.layers) {
      L.push(`    ${l.name.padEnd(16)} ${String(l.parameters).padStart(8)} parameters  λ_max ${l.lambdaMax.toPrecision(4)}  λ_min ${l.lambdaMin.toPrecision(4)}  trace ${l.trace.toPrecision(4)}${l.traceSE ? ` ± ${l.traceSE.toPrecision(2)}` : ''}${l.converged ? '' : ' (estimates)'}`);
    }
  }
  if (c.seed !== undefined) L.push(`  seeded (seed ${c.seed}): the same seed gives the same numbers; ${c.products ?? '?'} operator products at θ_T`);
  if (c.alongPath.step.length) L.push(`  along the path (estimates: 20-step Lanczos per point): λ_max ${c.alongPath.lambdaMax.map((v) => v.toPrecision(3)).join(' → ')}; λ_min ${c.alongPath.lambdaMin.map((v) => v.toPrecision(3)).join(' → ')}`);
  return L;
}

function connectSummary(r: ProbeResult): string[] {
  const L: string[] = [];
  if (!r.connect) return L;
  const c = r.connect;
  L.push(`connect seeds ${c.seeds[0]} ↔ ${c.seeds[1]}: endpoints test loss ${f(c.endpointTestLoss[0])} / ${f(c.endpointTestLoss[1])}`);
  L.push(`  straight line: max test loss ${f(c.lineMaxTestLoss)}; trained Bézier curve: max test loss ${f(c.curveMaxTestLoss)} (${c.t.length} points)`);
  if (r.alignment) L.push('  (the curve and the line join θ_a and the aligned π(θ_b))', ...alignmentSummary(r));
  return L;
}

export const ANALYSIS_INFO: { readonly [K in AnalysisKind]: AnalysisInfo & { kind: K } } = {
  interpolate: {
    kind: 'interpolate', title: 'Interpolate init→final', options: ['points', 'alphaRange', 'bn', 'seed2', 'align'],
    label: (o) => (o.align && o.align !== 'none' ? `interpolate (align ${o.align})` : 'interpolate'), summary: interpolateSummary,
  },
  plane: {
    kind: 'plane', title: 'Plane', options: ['grid', 'directions', 'bn'],
    label: (o) => `plane (${o.directions ?? 'goodfellow'})`, summary: planeSummary,
  },
  survey: {
    kind: 'survey', title: 'Survey (many seeds / init schemes)', options: ['runs', 'tolerance', 'grid', 'points'],
    label: () => 'survey', summary: surveySummary,
  },
  compare: {
    kind: 'compare', title: 'Compare runs', options: ['points', 'grid', 'alphaRange'],
    label: () => 'compare', summary: compareSummary,
  },
  curvature: {
    kind: 'curvature', title: 'Curvature (Hessian spectrum)', options: ['k', 'operator', 'traceMethod', 'traceError'],
    label: () => 'curvature', summary: curvatureSummary,
  },
  connect: {
    kind: 'connect', title: 'Connect two solutions', options: ['points', 'seed2', 'align'],
    label: (o) => (o.align && o.align !== 'none' ? `connect (align ${o.align})` : 'connect'), summary: connectSummary,
  },
  instability: {
    kind: 'instability', title: 'Instability (spawn two copies at θ_k)', options: ['points', 'spawn', 'bn'],
    label: (o) => `instability (${o.spawn ?? '0,1,2,5,10'})`, summary: instabilitySummary,
  },
};

export function analysisInfo(kind: AnalysisKind): AnalysisInfo {
  const info = ANALYSIS_INFO[kind];
  if (!info) throw new Error(`unknown analysis '${kind}'`);
  return info;
}
