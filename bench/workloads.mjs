/**
 * The benchmark workloads W1–W9, shared by `npm run bench` (scripts/bench.mjs, CPU) and
 * `npm run bench:gpu` (scripts/device/measure-gpu.mjs, on the GPU machine), and how two runs'
 * numbers are compared.
 */
export const FULL = [
  { id: 'W1', kind: 'line', model: 'big', n: 10000, points: 51, alpha: [-1, 1.5], desc: 'interpolation θ₀→θ_T, 51 points, MLP 784-1024-1024-10, 10,000 MNIST' },
  { id: 'W2', kind: 'plane', model: 'big', n: 2000, grid: 25, range: [-1, 1], desc: 'plane 25×25 (random filter-normalized dirs), same MLP, 2,000 MNIST' },
  { id: 'W3', kind: 'train', model: 'big', n: 10000, batch: 128, lr: 0.01, epochs: 1, desc: 'one epoch SGD lr 0.01, batch 128, same MLP, 10,000 MNIST' },
  { id: 'W4a', kind: 'line', model: 'small', n: 10000, points: 51, alpha: [-1, 1.5], desc: 'interpolation, 51 points, MLP 784-100-10, 10,000 MNIST' },
  { id: 'W4b', kind: 'plane', model: 'small', n: 2000, grid: 25, range: [-1, 1], desc: 'plane 25×25, MLP 784-100-10, 2,000 MNIST' },
  { id: 'W5', kind: 'plane', model: 'conv', n: 2000, grid: 21, range: [-1, 1], desc: 'plane 21×21, conv3×3×8-pool-conv3×3×16-pool-dense10, 2,000 MNIST [n,28,28,1]' },
  { id: 'W6', kind: 'curvature', model: 'small', n: 2000, k: 5, desc: 'curvature: top-5 Hessian eigenvalues at θ_T, MLP 784-100-10, 2,000 MNIST (ours: Lanczos; PyTorch: PyHessian power iteration)' },
  { id: 'W6b', kind: 'density', model: 'small', n: 2000, runs: 1, steps: 100, desc: 'spectral density at θ_T by stochastic Lanczos quadrature, 1 run × 100 steps (PyHessian density() defaults), MLP 784-100-10, 2,000 MNIST' },
  { id: 'W7', kind: 'plane', model: 'cnn', n: 2000, grid: 21, range: [-1, 1], desc: 'plane 21×21 (random filter-normalized dirs), CNN conv3×3×32-conv3×3×32-pool-conv3×3×64-conv3×3×64-pool-dense10, 2,000 MNIST [n,28,28,1]' },
  { id: 'W8', kind: 'train', model: 'cnn', n: 10000, batch: 128, lr: 0.01, epochs: 1, desc: 'one epoch SGD lr 0.01, batch 128, same CNN, 10,000 MNIST' },
  { id: 'W9a', kind: 'plane', model: 'resnet', n: 1000, grid: 11, range: [-1, 1], desc: 'plane 11×11, ResNet (stem 16 + 3 residual blocks 16/32/64, BatchNorm, GAP, dense10), 1,000 MNIST; BN in inference mode with θ_T\'s moving statistics, directions zero on BN γ/β (and biases), as Li et al.\'s tool' },
  { id: 'W9b', kind: 'train', model: 'resnet', n: 10000, batch: 128, lr: 0.01, epochs: 1, desc: 'one epoch SGD lr 0.01, batch 128, same ResNet (BN on batch statistics), 10,000 MNIST' },
];
export const QUICK_SIZES = {
  W1: { n: 2000, points: 11 }, W2: { n: 1000, grid: 5 }, W3: { n: 2000 },
  W4a: { n: 2000, points: 11 }, W4b: { n: 1000, grid: 5 }, W5: { n: 1000, grid: 5 }, W6: { n: 500 }, W6b: { n: 500 },
  W7: { n: 500, grid: 3 }, W8: { n: 2000 }, W9a: { n: 500, grid: 3 }, W9b: { n: 2000 },
};

/** max_i |a_i − b_i| / |b_i| over the entries finite on either side (NaN when lengths differ). */
export function maxRelDiff(a, b) {
  let m = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (!Number.isFinite(a[i]) && !Number.isFinite(b[i])) continue;
    m = Math.max(m, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  }
  return a.length === b.length ? m : NaN;
}
