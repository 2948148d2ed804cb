/**
 * Curvature per layer: the diagonal block H_ll of a curvature operator for each layer's own
 * parameters (its kernel and bias), as the operator v_l ↦ (A·[0 … v_l … 0])_l. Its top eigenvalue
 * and λ_min by Lanczos (iterated until each is within 5 % or 0.1 % of the block's λ_max), its trace by Hutch++ on the same Krylov basis. Which layer
 * carries the sharpness: the largest block λ_max (λ_max of the whole is at least every block's).
 */
import type { CurvatureLayer } from '../../protocol';
import type { ParamLayout } from '../params';
import type { SymOp } from '../lanczos';
import { topEigen } from '../lanczos';
import { traceEstimate, type TraceMethod } from './hutchpp';

export interface LayerBlock {
  /** The layer's name (its variables' prefix, e.g. "dense_Dense1"). */
  name: string;
  offset: number;
  size: number;
}

/** The layers' blocks of a layout, in order: consecutive variables with the same layer name. */
export function layerBlocks(layout: ParamLayout): LayerBlock[] {
  const out: LayerBlock[] = [];
  for (const e of layout.entries) {
    const slash = e.name.lastIndexOf('/');
    const name = slash > 0 ? e.name.slice(0, slash) : e.name;
    const last = out[out.length - 1];
    if (last && last.name === name && last.offset + last.size === e.offset) last.size += e.size;
    else out.push({ name, offset: e.offset, size: e.size });
  }
  return out;
}

/** The block of `op` (dimension n) on the parameters [offset, offset + size). */
export function blockOperator(op: SymOp, n: number, block: LayerBlock): SymOp {
  return async (v) => {
    const full = new Float32Array(n);
    full.set(v, block.offset);
    const av = await op(full);
    return av.slice(block.offset, block.offset + block.size);
  };
}

/** A block's numbers (the result's `curvature.layers[i]`), its Lanczos residuals (λ_max, λ_min) and products. */
export interface LayerCurvature extends CurvatureLayer {
  residuals: [number, number];
  products: number;
}

export interface PerLayerOptions {
  /** Lanczos steps to start with (default 20; doubled up to `maxSteps` (default 80) until within 5 %). */
  steps?: number;
  maxSteps?: number;
  seed?: number;
  traceMethod?: TraceMethod;
  relError?: number;
  maxSamples?: number;
  onProduct?: () => void | Promise<void>;
}

/** λ_max, λ_min and the trace of each block (see the file comment). */
export async function perLayerCurvature(op: SymOp, n: number, blocks: LayerBlock[], opts: PerLayerOptions = {}): Promise<LayerCurvature[]> {
  const out: LayerCurvature[] = [];
  for (const [i, block] of blocks.entries()) {
    let products = 0;
    const counted: SymOp = async (v) => { products++; const r = await blockOperator(op, n, block)(v); await opts.onProduct?.(); return r; };
    const seed = (opts.seed ?? 1) + 101 * (i + 1);
    const eig = await topEigen(counted, block.size, 1, { steps: Math.min(block.size, opts.steps ?? 20), seed, relTol: 0.05, absTol: 1e-3,
      maxSteps: Math.min(block.size, opts.maxSteps ?? 80) });
    const run = eig.run;
    const tr = await traceEstimate(counted, block.size, {
      method: opts.traceMethod, relError: opts.relError, maxSamples: opts.maxSamples ?? 50, seed,
      ...(opts.traceMethod !== 'hutchinson' ? { sketch: { rows: run.rows, count: run.alpha.length, trace: run.alpha.reduce((a, b) => a + b, 0) } } : {}),
    });
    out.push({
      name: block.name, parameters: block.size, lambdaMax: eig.values[0], lambdaMin: eig.min, trace: tr.trace, traceSE: tr.se,
      residuals: [eig.residuals[0], eig.minResidual], converged: eig.converged, products,
    });
  }
  return out;
}
