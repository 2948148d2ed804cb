/**
 * TensorFlow.js on WebGPU in Node: Dawn (npm `webgpu`, a native `dawn.node` per platform:
 * Vulkan on Linux, Metal on macOS, D3D12 on Windows) under `@tensorflow/tfjs-backend-webgpu`.
 *
 * The recipe (../shared/device/README.md): the WebGPU globals from `webgpu` on globalThis,
 * `navigator.gpu = create([])`, and only then load tfjs-backend-webgpu (it registers its
 * backend at load time, and only when `navigator.gpu` exists), then `tf.setBackend('webgpu')`.
 * `dataSync()` throws there ("OffscreenCanvas is not defined"): the engine reads with
 * `await t.data()` (see src/engine/chunks.ts).
 *
 * Software adapters (Mesa llvmpipe/lavapipe, SwiftShader: Dawn marks them `isFallbackAdapter`)
 * are correct but slow: `auto` never takes them; `--backend webgpu` does (that is how the tests
 * run on machines without a GPU).
 */
import * as tf from '@tensorflow/tfjs';
import { patchWebGpuKernels } from './patch-kernels';
import { quietStderr } from '../native/quiet-stderr';

/** `--backend webgpu` on a machine where WebGPU cannot start: a usage error, not the user's code. */
export class BackendUnavailableError extends Error {
  constructor(message: string) { super(message); this.name = 'BackendUnavailableError'; }
}

const NO_ADAPTER = 'WebGPU found no adapter on this machine (no GPU driver for Vulkan, or no Vulkan loader: libvulkan1)';

/** What the adapter says about itself, with our verdict on whether it is a real GPU. */
export interface AdapterInfo {
  /** One line for humans: "nvidia NVIDIA H200 (Vulkan driver 580.…)", "llvmpipe: Mesa 25.0.7 …". */
  description: string;
  vendor: string;
  architecture: string;
  device: string;
  /** A CPU rasterizer (llvmpipe, lavapipe, SwiftShader) rather than a GPU. */
  software: boolean;
}

interface GpuLike { requestAdapter(o?: { powerPreference?: string }): Promise<AdapterLike | null> }
interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

let gpu: GpuLike | undefined;
let loadError: string | undefined;

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|softpipe|software|microsoft basic render/i;

/** Loads Dawn and installs `navigator.gpu` once; null (and the reason) when it cannot. */
async function dawn(): Promise<GpuLike | null> {
  if (gpu) return gpu;
  if (loadError) return null;
  try {
    // an ES module with a native addon: loaded at run time (external to the bundles)
    const { create, globals } = (await import('webgpu')) as unknown as { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
    Object.assign(globalThis, globals);
    gpu = create([]);
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (g.navigator) {
      try { g.navigator.gpu = gpu; } catch { /* read-only navigator (Node ≥ 21): replaced below */ }
    }
    if (!g.navigator || g.navigator.gpu !== gpu) {
      Object.defineProperty(globalThis, 'navigator', { value: { ...(g.navigator ?? {}), gpu }, configurable: true, writable: true });
    }
    return gpu;
  } catch (e) {
    loadError = `the WebGPU runtime (npm 'webgpu', Dawn) could not be loaded: ${(e as Error).message.split('\n')[0]}`;
    return null;
  }
}

function describe(a: AdapterLike): AdapterInfo {
  const i = a.info ?? {};
  const vendor = i.vendor ?? '', architecture = i.architecture ?? '', device = i.device ?? '';
  const description = (i.description || [vendor, device].filter(Boolean).join(' ') || 'unknown adapter').trim();
  const software = !!(i.isFallbackAdapter ?? a.isFallbackAdapter) || architecture === 'software'
    || SOFTWARE.test(`${description} ${device} ${vendor}`);
  return { description, vendor, architecture, device, software };
}

/**
 * The adapter WebGPU would give us (high-performance preference), without starting TF.js on it;
 * `{ error }` in words when there is none (no Dawn, no Vulkan loader, no driver).
 */
export async function findAdapter(): Promise<{ adapter: AdapterInfo } | { error: string }> {
  const g = await dawn();
  if (!g) return { error: loadError! };
  try {
    // Dawn's own warnings (the Vulkan loader's "Found no drivers!", a C++ trace) go to fd 2: not shown
    const a = await quietStderr(() => g.requestAdapter({ powerPreference: 'high-performance' }));
    if (!a) return { error: NO_ADAPTER };
    return { adapter: describe(a) };
  } catch (e) {
    return { error: `WebGPU found no adapter: ${(e as Error).message.split('\n')[0]}` };
  }
}

let ready: AdapterInfo | undefined;

/** Starts TF.js on WebGPU (idempotent); throws with the reason when it cannot. */
export async function initWebGpu(log?: (msg: string) => void): Promise<AdapterInfo> {
  if (ready && tf.getBackend() === 'webgpu') return ready;
  const found = await findAdapter();
  if ('error' in found) {
    throw new BackendUnavailableError(`--backend webgpu: ${found.error}: use --backend wasm, or auto (WebGPU when there is a GPU, else wasm)`);
  }
  if (tf.findBackend('webgpu') == null && !tf.engine().registryFactory['webgpu']) {
    // registers 'webgpu' now that navigator.gpu exists (it checks at load time)
    require('@tensorflow/tfjs-backend-webgpu');
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error(`TF.js could not start on the WebGPU adapter ${found.adapter.description}`);
  await tf.ready();
  const { added, replaced } = patchWebGpuKernels();
  if (added.length || replaced.length) log?.(`[backend] webgpu kernels: replaced ${replaced.join(', ') || '-'}; added ${added.join(', ') || '-'}`);
  log?.(`[backend] webgpu on ${found.adapter.description}${found.adapter.software ? ' (software rasterizer: slow)' : ''}`);
  ready = found.adapter;
  return ready;
}
