/**
 * Weight matching (Ainsworth, Hayase & Srinivasa 2022, Algorithm 1): the permutations π of θ_B's
 * hidden units that maximize Σ_ℓ ⟨W_ℓ^A, P_ℓ W_ℓ^B P_{ℓ−1}ᵀ⟩ — θ_B brought as close to θ_A as its
 * symmetry allows. Coordinate descent over the groups (one hidden layer each) in a seeded random
 * order: with the other permutations fixed, group ℓ's problem is a linear assignment on the n × n
 * matrix C[i][j] = Σ over the weights it touches ⟨A's unit i, B's unit j⟩, solved exactly by the
 * Jonker–Volgenant algorithm of the `linear-sum-assignment` package. Sweeps repeat until one
 * improves nothing (the objective never decreases), or `maxSweeps`.
 */
import * as tf from '@tensorflow/tfjs';
import { linearSumAssignment } from 'linear-sum-assignment';
import { mulberry32, permutation } from '../../shared/random';
import { identityPerm, permuteAxis, unitRows, type PermutationSpec } from './permute';

export interface MatchResult {
  perms: Int32Array[];
  /** Full sweeps over the groups done. */
  sweeps: number;
  /** Σ_ℓ ⟨A, π(B)⟩ before (identity) and after. */
  objectiveBefore: number;
  objectiveAfter: number;
}

/** Row i of C·(similarity) is A's unit i; the assignment maximizing Σ_i C[i][perm[i]]. */
export function assignMax(c: Float64Array | Float32Array, n: number): Int32Array {
  const rows: Float64Array[] = [];
  for (let i = 0; i < n; i++) rows.push(Float64Array.from(c.subarray(i * n, (i + 1) * n)));
  const { rowAssignments } = linearSumAssignment(rows, { maximaze: true });
  const perm = Int32Array.from(rowAssignments);
  if (perm.some((j) => j < 0)) throw new Error('linear assignment left a unit unassigned');
  return perm;
}

/** Σ_i C[i][perm[i]]. */
function gain(c: Float32Array, n: number, perm: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += c[i * n + perm[i]];
  return s;
}

/** C[i][j] = Σ_{weights of group g} ⟨A's unit i, B's unit j⟩ with B's other axes permuted by `perms`. */
async function similarity(spec: PermutationSpec, g: number, thetaA: Float32Array, thetaB: Float32Array, perms: Int32Array[]): Promise<Float32Array> {
  const group = spec.groups[g], n = group.size;
  const c = tf.tidy(() => {
    let acc: tf.Tensor = tf.zeros([n, n]);
    for (const use of group.uses) {
      const e = spec.layout.entries[use.entry];
      const a = thetaA.subarray(e.offset, e.offset + e.size);
      let b = thetaB.subarray(e.offset, e.offset + e.size);
      // the weight's other axes (a kernel's input or output units) in the current permutation
      spec.groups.forEach((other, k) => {
        if (k === g) return;
        for (const u of other.uses) if (u.entry === use.entry) b = permuteAxis(b, e.shape, u.axis, perms[k]);
      });
      const R = e.size / n;
      const ma = tf.tensor2d(unitRows(a, e.shape, use.axis, n), [n, R]), mb = tf.tensor2d(unitRows(b, e.shape, use.axis, n), [n, R]);
      acc = tf.add(acc, tf.matMul(ma, mb, false, true));
    }
    return acc;
  });
  try { return (await c.data()) as Float32Array; } finally { c.dispose(); }
}

export async function weightMatching(spec: PermutationSpec, thetaA: Float32Array, thetaB: Float32Array,
  opts: { seed?: number; maxSweeps?: number } = {}): Promise<MatchResult> {
  const G = spec.groups.length;
  const perms = spec.groups.map((g) => identityPerm(g.size));
  const rng = mulberry32((opts.seed ?? 1) * 7919 + 3);
  const maxSweeps = opts.maxSweeps ?? 100;
  const objective = async () => {
    // Σ_ℓ ⟨A, π(B)⟩ over the weights of the groups, each weight counted once
    let s = 0;
    const seen = new Set<number>();
    for (const group of spec.groups) {
      for (const u of group.uses) {
        if (seen.has(u.entry)) continue;
        seen.add(u.entry);
        const e = spec.layout.entries[u.entry];
        let b = thetaB.subarray(e.offset, e.offset + e.size);
        spec.groups.forEach((other, k) => { for (const v of other.uses) if (v.entry === u.entry) b = permuteAxis(b, e.shape, v.axis, perms[k]); });
        for (let i = 0; i < e.size; i++) s += thetaA[e.offset + i] * b[i];
      }
    }
    return s;
  };
  const objectiveBefore = await objective();
  // group g's matrix depends only on the permutations of the groups it shares a weight with: while
  // none of those changed since g was last solved, its optimum is the permutation it has (skipped)
  const neighbours = spec.groups.map((g, k) => spec.groups.map((_, j) => j).filter((j) => j !== k && spec.groups[j].uses.some((u) => g.uses.some((v) => v.entry === u.entry))));
  const version = new Array<number>(G).fill(0);
  const solvedAt: (string | undefined)[] = new Array(G).fill(undefined);
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let improved = false;
    for (const g of permutation(G, rng)) {
      const key = neighbours[g].map((j) => version[j]).join(',');
      if (solvedAt[g] === key) continue;
      const n = spec.groups[g].size;
      const c = await similarity(spec, g, thetaA, thetaB, perms);
      const next = assignMax(c, n);
      const before = gain(c, n, perms[g]), after = gain(c, n, next);
      if (after > before + 1e-12 * Math.max(1, Math.abs(before))) { perms[g] = next; version[g]++; improved = true; }
      solvedAt[g] = key;
    }
    if (!improved) { sweeps++; break; }
  }
  return { perms, sweeps, objectiveBefore, objectiveAfter: await objective() };
}
