/**
 * The verdicts on a line's losses (pure: used by the engine and by `loss-landscape merge`, which
 * rebuilds them from a plan's shards).
 */

/**
 * Monotone on [0,1]: the loss never rises between consecutive α in [0,1] by more than `tol`
 * (relative to the loss at α = 0). Barrier B = max over α ∈ [0,1] of
 *   J(θ(α)) − ((1 − α)·J(θ_a) + α·J(θ_b)),
 * the height above the chord between the endpoints, and the α where it is reached.
 */
export function lineSummary(alpha: number[], loss: number[], tol = 1e-4) {
  const inside = alpha.map((a, i) => [a, loss[i]] as const).filter(([a]) => a >= -1e-12 && a <= 1 + 1e-12);
  const j0 = loss[alpha.indexOf(0)], j1 = loss[alpha.indexOf(1)];
  // A loss that is not finite somewhere on [0,1] leaves both questions open: say so, never "yes, 0".
  const nonFinite = inside.filter(([, l]) => !Number.isFinite(l)).map(([a]) => a);
  if (nonFinite.length) return { monotone: false, barrier: NaN, barrierAlpha: NaN, nonFinite };
  let monotone = true;
  for (let k = 1; k < inside.length; k++) if (inside[k][1] - inside[k - 1][1] > tol * Math.max(1, Math.abs(j0))) monotone = false;
  let barrier = -Infinity, barrierAlpha = 0;
  for (const [a, l] of inside) {
    const h = l - ((1 - a) * j0 + a * j1);
    if (h > barrier) { barrier = h; barrierAlpha = a; }
  }
  return { monotone, barrier: Math.max(0, barrier), barrierAlpha };
}

/**
 * The error barrier of a line: the barrier of the error 1 − accuracy (test accuracy where there is
 * a test set), as Frankle et al. 2020 and Ainsworth et al. 2022 report it; NaN without accuracy.
 */
export function errorBarrier(alpha: number[], accuracy: (number | null)[]): number {
  if (accuracy.some((a, i) => a === null && alpha[i] >= 0 && alpha[i] <= 1)) return NaN;
  return lineSummary(alpha, accuracy.map((a) => (a === null ? NaN : 1 - a))).barrier;
}
