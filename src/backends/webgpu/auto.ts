/**
 * `--backend auto`: WebGPU when a hardware GPU adapter is there and the model is big enough to
 * gain, else the CPU path (wasm), with one line saying which and why — never an error.
 *
 * Where the line is: a training step costs about 6·P·B FLOP (P parameters, batch B); wasm runs
 * ≈ 25 GFLOP/s here, while a WebGPU step pays a fixed ≈ 10–15 ms of dispatch and queue overhead
 * whatever its size (measured on an H200: one SGD epoch of a 1.86 M-parameter MLP at batch 128,
 * 79 steps, 1.22 s; the 80 k-parameter MLP's probe took as long as the big one's). So the GPU
 * gains once a wasm step would take longer than that: P·B ≥ 5·10⁷ (e.g. 400 k parameters at
 * batch 128, 1.6 M at batch 32). The threshold is an estimate from those numbers; `npm run
 * bench:gpu` measures both sides (override: LOSS_LANDSCAPE_AUTO_GPU_MIN_WORK).
 * Software adapters (llvmpipe and the like) are never chosen.
 */
import type { AdapterInfo } from './init';
import { setting } from '../../shared/switchboard';

export const AUTO_MIN_WORK = 5e7;

export interface ModelSize { parameters: number; batchSize: number }

/** Whether `auto` takes the GPU, and the one line that says why. */
export function chooseAuto(found: { adapter: AdapterInfo } | { error: string }, size: ModelSize | undefined): { gpu: boolean; why: string } {
  if ('error' in found) return { gpu: false, why: `auto: no usable GPU (${found.error}); using the CPU (wasm)` };
  const a = found.adapter;
  if (a.software) return { gpu: false, why: `auto: the only WebGPU adapter is a software rasterizer (${a.description}); using the CPU (wasm)` };
  const min = setting('AUTO_GPU_MIN_WORK') ?? AUTO_MIN_WORK;
  if (!size) return { gpu: true, why: `auto: GPU ${a.description}` };
  const work = size.parameters * size.batchSize;
  if (work >= min) return { gpu: true, why: `auto: GPU ${a.description} (${size.parameters.toLocaleString('en-US')} parameters × batch ${size.batchSize})` };
  return { gpu: false, why: `auto: the model is small for the GPU ${a.description} (${size.parameters.toLocaleString('en-US')} parameters × batch ${size.batchSize} < ${min.toExponential(0)}); using the CPU (wasm)` };
}

/**
 * The model's size for `chooseAuto`, from one build of it on the cpu backend (cheap: only its
 * initializers run; no backend has been chosen yet). Undefined when building throws (the
 * probe will report that error itself).
 */
export async function modelSize(build: () => unknown, batchSize: number): Promise<ModelSize | undefined> {
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const before = tf.engine().backendName as string | undefined; // (tf.getBackend() would start the best backend)
  try {
    await tf.setBackend('cpu');
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false; // no "install tfjs-node" banner for this
    const m = build() as { countParams(): number; dispose(): unknown };
    const parameters = m.countParams();
    m.dispose();
    return { parameters, batchSize };
  } catch {
    return undefined;
  } finally {
    if (before && before !== 'cpu') await tf.setBackend(before);
  }
}
