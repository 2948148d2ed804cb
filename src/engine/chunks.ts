/**
 * How many probe points are evaluated between two reads from the backend. On the CPU backends a
 * read costs nothing and one point per read streams results as soon as they exist; on WebGPU a
 * read is a round trip through the GPU's queue (and `dataSync` is not available at all in
 * Node), so points are queued in chunks and their results read back together.
 */
import { backendCapabilities } from '../backends';

/** Points per awaited read on the current backend (override: LOSS_LANDSCAPE_POINTS_PER_READ). */
export function pointsPerRead(): number {
  return backendCapabilities().pointsPerRead;
}

/** `xs` cut into consecutive pieces of at most `size` items. */
export function chunked<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += Math.max(1, size)) out.push(xs.slice(i, i + Math.max(1, size)));
  return out;
}
