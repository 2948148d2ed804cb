/** The probe options' defaults (the types are src/protocol/options.ts). */
import type { BackendName, DirectionsKind } from '../protocol/options';

export const defaultProbeOptions = {
  directions: 'goodfellow' as DirectionsKind,
  points: 41,
  alphaRange: [-0.5, 1.5] as [number, number],
  grid: 21,
  examples: 0,
  backend: 'wasm' as BackendName,
  fastFirstLayer: true,
  blas: true,
  /** curvature: top eigenvalues */
  k: 5,
  /** survey: trainings per init scheme (when neither the request nor the definition says) */
  runs: 10,
};
