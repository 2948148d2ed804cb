/**
 * Selects and initialises the TensorFlow.js backend used by the engine.
 *  - 'wasm' (default): tfjs-backend-wasm (single-threaded SIMD build) plus our kernel fixes
 *    (fast transposed/batched matmul, faster conv input gradient, and the kernels training needs
 *    that the wasm backend lacks). See ./wasm/.
 *  - 'node': @tensorflow/tfjs-node when it can be loaded (optional, not bundled); else wasm.
 *  - 'cpu': the pure-JS backend (slow; for comparison and debugging).
 *  - 'webgpu' / 'auto': see src/backends/webgpu/ (WebGPU through Dawn; auto falls back to wasm).
 * Calling it again is cheap and safe.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'fs';
import * as path from 'path';
import { patchWasmKernels } from './wasm/patch_kernels';
// ---- webgpu (issue 12) begin ----
import { findAdapter, initWebGpu, type AdapterInfo } from '../backends/webgpu/init';
import { chooseAuto, type ModelSize } from '../backends/webgpu/auto';
// ---- webgpu (issue 12) end ----

export type EngineBackend = 'wasm' | 'cpu' | 'node' | 'webgpu';

const WASM_BINARY = 'tfjs-backend-wasm-simd.wasm';

let wasmPathsSet = false;
let wasmDir: string | undefined;

/** Directory holding the tfjs-backend-wasm binaries, with a trailing separator. */
export function findWasmDir(): string {
  const fromEnv = process.env.LOSS_LANDSCAPE_WASM_DIR;
  let dir: string;
  if (fromEnv) dir = fromEnv;
  else if (typeof __dirname === 'string' && fs.existsSync(path.join(__dirname, WASM_BINARY))) dir = __dirname;
  else dir = path.dirname(require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${WASM_BINARY}`));
  return dir.endsWith('/') || dir.endsWith(path.sep) ? dir : dir + '/';
}

async function initWasm(log?: (msg: string) => void): Promise<void> {
  if (!wasmPathsSet && tf.findBackend('wasm') == null) {
    // Only before the wasm backend first initialises (setWasmPaths throws afterwards).
    wasmDir = findWasmDir();
    setWasmPaths(wasmDir);
    wasmPathsSet = true;
    log?.(`[backend] wasm binaries from ${wasmDir}`);
  }
  if (!(await tf.setBackend('wasm'))) {
    throw new Error(`could not initialise the wasm backend (binaries looked up in ${wasmDir ?? 'the default place'})`);
  }
  await tf.ready();
  const { replaced, added } = patchWasmKernels();
  if (replaced.length || added.length) {
    log?.(`[backend] wasm kernels: replaced ${replaced.join(', ') || '-'}; added ${added.join(', ') || '-'}`);
  }
}

function tryLoadNode(): string | null {
  try {
    // Optional dependency, loaded at run time (the build marks it external).
    require('@tensorflow/tfjs-node');
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

export async function initBackend(
  name: EngineBackend | 'auto' = 'wasm', log?: (msg: string) => void, size?: ModelSize,
): Promise<{ name: EngineBackend; note?: string; adapter?: AdapterInfo }> {
  // ---- webgpu (issue 12) begin ----
  if (name === 'webgpu') return { name: 'webgpu', adapter: await initWebGpu(log) };
  if (name === 'auto') {
    const choice = chooseAuto(await findAdapter(), size);
    log?.(`[backend] ${choice.why}`);
    if (choice.gpu) {
      try { return { name: 'webgpu', adapter: await initWebGpu(log), note: choice.why }; } catch (e) {
        const note = `auto: WebGPU did not start (${(e as Error).message.split('\n')[0]}); using the CPU (wasm)`;
        await initWasm(log);
        return { name: 'wasm', note };
      }
    }
    await initWasm(log);
    return { name: 'wasm', note: choice.why };
  }
  // ---- webgpu (issue 12) end ----
  if (name === 'node') {
    const err = tryLoadNode();
    if (err == null && (await tf.setBackend('tensorflow'))) {
      await tf.ready();
      log?.('[backend] tfjs-node');
      return { name: 'node' };
    }
    const note = err != null
      ? `@tensorflow/tfjs-node could not be loaded (${err}); using wasm instead`
      : `@tensorflow/tfjs-node loaded but its 'tensorflow' backend did not initialise; using wasm instead`;
    log?.(`[backend] ${note}`);
    await initWasm(log);
    return { name: 'wasm', note };
  }
  if (name === 'cpu') {
    if (!(await tf.setBackend('cpu'))) throw new Error('could not initialise the cpu backend');
    await tf.ready();
    log?.('[backend] cpu');
    return { name: 'cpu' };
  }
  await initWasm(log);
  return { name: 'wasm' };
}
