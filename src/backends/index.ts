/**
 * Selects and initialises the TensorFlow.js backend used by the engine.
 *  - 'wasm' (default): tfjs-backend-wasm (single-threaded SIMD build) plus our kernel fixes
 *    (fast transposed/batched matmul, faster conv input gradient, and the kernels training needs
 *    that the wasm backend lacks; see ./wasm/), and, unless turned off, the machine's BLAS for
 *    matrix products (see ./blas/; without one the wasm kernels stay, with a note saying so).
 *  - 'node': @tensorflow/tfjs-node when it can be loaded (optional, not bundled); else wasm.
 *  - 'cpu': the pure-JS backend (slow; for comparison and debugging).
 *  - 'webgpu' / 'auto': see src/backends/webgpu/ (WebGPU through Dawn; auto falls back to wasm).
 * Calling it again is cheap and safe.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'fs';
import * as path from 'path';
import { patchWasmKernels } from './wasm/patch-kernels';
import { BlasInfo, blasInfo, installBlas, uninstallBlas } from './blas/install';
import { findAdapter, initWebGpu, type AdapterInfo } from './webgpu/init';
import { chooseAuto, type ModelSize } from './webgpu/auto';
import { setting } from '../shared/switchboard';

import { backendCapabilities, type BackendCapabilities } from './capabilities';

export type { BlasInfo, BackendCapabilities };
export { backendCapabilities };
export { activeBlas, activeDgemv } from './blas/install';
/**
 * Reading tensors without a copy where the backend keeps them in our memory (the wasm heap):
 * `tensorView` a float32 tensor's values as a view (valid until the next allocation; null
 * elsewhere), `readFlatDirect` several tensors into one flat vector (null elsewhere).
 */
export { heapView as tensorView, readFlatFromHeap as readFlatDirect } from './wasm/wasm-internals';
export type { Dgemv } from './blas/library';

export type EngineBackend = 'wasm' | 'cpu' | 'node' | 'webgpu';

const WASM_BINARY = 'tfjs-backend-wasm-simd.wasm';

let wasmPathsSet = false;
let wasmDir: string | undefined;

/** Directory holding the tfjs-backend-wasm binaries, with a trailing separator. */
export function findWasmDir(): string {
  const fromEnv = setting('WASM_DIR');
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

export interface BackendChoice {
  name: EngineBackend;
  /** Why the backend asked for is not the one in use (a warning). */
  note?: string;
  /** The BLAS under the wasm backend's matrix products; null when none is used. */
  blas: BlasInfo | null;
  /** Why no BLAS is used although it was asked for (an information). */
  blasNote?: string;
  /** WebGPU: the adapter in use. */
  adapter?: AdapterInfo;
}

/** The backend chosen and started, with what it can do (the engine reads backendCapabilities()). */
export type BackendStarted = BackendChoice & { capabilities: BackendCapabilities };

/** Registers (or removes) the BLAS kernels on the wasm backend and says what happened. */
function chooseBlas(want: boolean, log?: (msg: string) => void): Pick<BackendChoice, 'blas' | 'blasNote'> {
  if (!want) { uninstallBlas(); return { blas: null }; }
  const load = installBlas();
  if (!load.ok) {
    const blasNote = `BLAS not used: ${load.reason}; matrix products on the wasm kernels`;
    log?.(`[backend] ${blasNote}`);
    return { blas: null, blasNote };
  }
  const info = blasInfo(load.lib);
  log?.(`[backend] BLAS: ${info.library} (${info.threads} thread${info.threads === 1 ? '' : 's'}) from ${load.lib.file}`);
  return { blas: info };
}

export async function initBackend(
  name: EngineBackend | 'auto' = 'wasm', log?: (msg: string) => void, opts: { blas?: boolean; size?: ModelSize } = {},
): Promise<BackendStarted> {
  const choice = await startBackend(name, log, opts);
  return { ...choice, capabilities: backendCapabilities() };
}

async function startBackend(
  name: EngineBackend | 'auto', log: ((msg: string) => void) | undefined, opts: { blas?: boolean; size?: ModelSize },
): Promise<BackendChoice> {
  const wantBlas = opts.blas ?? true;
  if (name === 'webgpu') return { name: 'webgpu', adapter: await initWebGpu(log), blas: null };
  if (name === 'auto') {
    // a hardware GPU when there is one and the model is big enough to gain, else the CPU path
    const choice = chooseAuto(await findAdapter(), opts.size);
    log?.(`[backend] ${choice.why}`);
    if (choice.gpu) {
      try { return { name: 'webgpu', adapter: await initWebGpu(log), note: choice.why, blas: null }; } catch (e) {
        const note = `auto: WebGPU did not start (${(e as Error).message.split('\n')[0]}); using the CPU (wasm)`;
        await initWasm(log);
        return { name: 'wasm', note, ...chooseBlas(wantBlas, log) };
      }
    }
    await initWasm(log);
    return { name: 'wasm', note: choice.why, ...chooseBlas(wantBlas, log) };
  }
  if (name === 'node') {
    const err = tryLoadNode();
    if (err == null && (await tf.setBackend('tensorflow'))) {
      await tf.ready();
      log?.('[backend] tfjs-node');
      return { name: 'node', blas: null };
    }
    const note = err != null
      ? `@tensorflow/tfjs-node could not be loaded (${err}); using wasm instead`
      : `@tensorflow/tfjs-node loaded but its 'tensorflow' backend did not initialise; using wasm instead`;
    log?.(`[backend] ${note}`);
    await initWasm(log);
    return { name: 'wasm', note, ...chooseBlas(wantBlas, log) };
  }
  if (name === 'cpu') {
    if (!(await tf.setBackend('cpu'))) throw new Error('could not initialise the cpu backend');
    await tf.ready();
    log?.('[backend] cpu');
    return { name: 'cpu', blas: null };
  }
  await initWasm(log);
  return { name: 'wasm', ...chooseBlas(wantBlas, log) };
}
