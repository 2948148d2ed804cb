/**
 * Finds and loads the machine's BLAS through `koffi` (a prebuilt FFI; nothing is compiled):
 *  - `LOSS_LANDSCAPE_BLAS=off` disables it; `LOSS_LANDSCAPE_BLAS=/path/lib.so` tries only that file;
 *  - Linux: libopenblas.so.0, then any libcblas.so* / libblas.so.3 / MKL that exports cblas_sgemm;
 *  - macOS: Accelerate; Windows: an OpenBLAS DLL on the PATH, if any.
 * `cblas_sgemm` is bound with `float *` arguments: koffi passes a Float32Array's own memory
 * (no copy), so it can work directly on views of the TF.js wasm heap.
 * The thread count is set once (`openblas_set_num_threads` / `MKL_Set_Num_Threads` when exported):
 * LOSS_LANDSCAPE_BLAS_THREADS, else one per core but one (left to VS Code and the host). Measured on
 * the 2-core bench machine while shared: 2 OpenBLAS threads made W3 2.9× slower than 1 (16.5 s vs
 * 5.7 s wall) and PyTorch's 2 threads lost to its 1 thread on every workload (W2 250 s vs 63 s);
 * idle, 2 threads gained 1.3× on a 1024² product.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROW_MAJOR = 101;
export const NO_TRANS = 111;
export const TRANS = 112;

/** cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc). */
export type Sgemm = (
  order: number, transA: number, transB: number, M: number, N: number, K: number,
  alpha: number, A: Float32Array, lda: number, B: Float32Array, ldb: number, beta: number, C: Float32Array, ldc: number,
) => void;

export interface BlasLibrary {
  /** What was loaded, e.g. 'OpenBLAS 0.3.21' or 'Accelerate'. */
  library: string;
  /** The file it came from. */
  file: string;
  /** Threads it uses (as set, or as the library reports). */
  threads: number;
  sgemm: Sgemm;
  /** Changes the thread count when the library lets us (returns the count in effect). */
  setThreads(n: number): number;
}

export type BlasLoad = { ok: true; lib: BlasLibrary } | { ok: false; reason: string };

interface KoffiLib { func(signature: string): (...args: unknown[]) => unknown }
interface Koffi { load(file: string): KoffiLib }

const SGEMM_SIG = 'void cblas_sgemm(int, int, int, int, int, int, float, float *, int, float *, int, float, float *, int)';

/** Library files to try, in order. */
export function candidates(platform = process.platform): string[] {
  if (platform === 'darwin') {
    return ['/System/Library/Frameworks/Accelerate.framework/Accelerate', 'libopenblas.dylib', '/opt/homebrew/opt/openblas/lib/libopenblas.dylib'];
  }
  if (platform === 'win32') return ['libopenblas.dll', 'openblas.dll', 'mkl_rt.dll'];
  const out = ['libopenblas.so.0', 'libopenblas.so'];
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  for (const dir of dirs) {
    let names: string[] = [];
    try { names = fs.readdirSync(dir); } catch { continue; }
    for (const n of names.filter((n) => /^libcblas\.so/.test(n)).sort()) out.push(path.join(dir, n));
  }
  out.push('libblas.so.3', 'libmkl_rt.so', 'libmkl_rt.so.2');
  return out;
}

function wantedThreads(): number {
  const env = Number(process.env.LOSS_LANDSCAPE_BLAS_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, cores - 1);
}

function optional(lib: KoffiLib, sig: string): ((...a: unknown[]) => unknown) | null {
  try { return lib.func(sig); } catch { return null; }
}

function bind(koffi: Koffi, file: string): BlasLibrary {
  const lib = koffi.load(file);
  const sgemm = lib.func(SGEMM_SIG) as unknown as Sgemm;
  const obConfig = optional(lib, 'const char *openblas_get_config()');
  const obSet = optional(lib, 'void openblas_set_num_threads(int)');
  const obGet = optional(lib, 'int openblas_get_num_threads()');
  const mklSet = obSet ? null : optional(lib, 'void MKL_Set_Num_Threads(int)');
  const mklGet = obGet ? null : optional(lib, 'int MKL_Get_Max_Threads()');
  let library: string;
  if (obConfig) {
    const version = /OpenBLAS\s+([\d.]+)/.exec(String(obConfig() ?? ''))?.[1];
    library = version ? `OpenBLAS ${version}` : 'OpenBLAS';
  } else if (mklSet || mklGet) library = 'MKL';
  else if (/Accelerate/.test(file)) library = 'Accelerate';
  else library = path.basename(file);
  let threads = wantedThreads();
  const setThreads = (n: number): number => {
    if (obSet) obSet(n); else if (mklSet) mklSet(n);
    threads = obGet ? Number(obGet()) : mklGet ? Number(mklGet()) : n;
    return threads;
  };
  setThreads(threads);
  return { library, file, get threads() { return threads; }, sgemm, setThreads };
}

/** Loads the first BLAS that works; `{ ok: false, reason }` when none does. */
export function loadBlas(): BlasLoad {
  const env = process.env.LOSS_LANDSCAPE_BLAS;
  if (env && /^(off|0|false|no|none)$/i.test(env)) return { ok: false, reason: 'disabled by LOSS_LANDSCAPE_BLAS' };
  let koffi: Koffi;
  try {
    // Native module, loaded at run time (the build marks it external).
    koffi = require('koffi') as Koffi;
  } catch (e) {
    return { ok: false, reason: `koffi could not be loaded (${(e as Error).message.split('\n')[0]})` };
  }
  const files = env && !/^(on|1|true|yes|auto)$/i.test(env) ? [env] : candidates();
  const errors: string[] = [];
  for (const file of files) {
    try {
      return { ok: true, lib: bind(koffi, file) };
    } catch (e) {
      errors.push(`${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const tried = files.length === 1 ? errors[0] : `${files.length} libraries; first: ${errors[0]}`;
  return { ok: false, reason: `no BLAS with cblas_sgemm found (${tried})` };
}
