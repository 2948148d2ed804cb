/**
 * Finds and loads the machine's BLAS through `koffi` (a prebuilt FFI; nothing is compiled):
 *  - `LOSS_LANDSCAPE_BLAS=off` disables it; `LOSS_LANDSCAPE_BLAS=/path/lib.so` tries only that file;
 *  - Linux: libopenblas.so.0, then any libcblas.so* / libblas.so.3 / MKL that exports cblas_sgemm;
 *  - macOS: Accelerate; Windows: an OpenBLAS DLL on the PATH, if any.
 * `cblas_sgemm` is bound with `float *` arguments: koffi passes a Float32Array's own memory
 * (no copy), so it can work directly on views of the TF.js wasm heap.
 * The thread count is set once (`openblas_set_num_threads` / `MKL_Set_Num_Threads` when exported):
 * LOSS_LANDSCAPE_BLAS_THREADS, else one per core, as PyTorch does (OpenBLAS itself runs products
 * under ≈ 256k multiply-adds on one thread). Measured on the idle 2-core bench machine: 2 threads
 * took W1 from 15.8 s to 12.9 s and W2 from 45.2 s to 31.1 s; a 1024² product runs at 85 GFLOP/s
 * on one thread, 170 on two. (An earlier default of cores − 1 came from runs on a machine shared
 * with other jobs, where the second thread had no core to run on.) Products below
 * PARALLEL_MIN_MACS run on one thread (`threadsFor`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setting } from '../../shared/switchboard';

export const ROW_MAJOR = 101;
export const NO_TRANS = 111;
export const TRANS = 112;

/** cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc). */
export type Sgemm = (
  order: number, transA: number, transB: number, M: number, N: number, K: number,
  alpha: number, A: Float32Array, lda: number, B: Float32Array, ldb: number, beta: number, C: Float32Array, ldc: number,
) => void;

/** cblas_dgemv(order, trans, M, N, alpha, A, lda, x, incx, beta, y, incy) (float64). */
export type Dgemv = (
  order: number, trans: number, M: number, N: number, alpha: number, A: Float64Array, lda: number,
  x: Float64Array, incX: number, beta: number, y: Float64Array, incY: number,
) => void;

/** cblas_sgemv(order, trans, M, N, alpha, A, lda, x, incx, beta, y, incy). */
export type Sgemv = (
  order: number, trans: number, M: number, N: number, alpha: number, A: Float32Array, lda: number,
  x: Float32Array, incX: number, beta: number, y: Float32Array, incY: number,
) => void;
/** cblas_saxpy(n, alpha, x, incx, y, incy): y ← αx + y. */
export type Saxpy = (n: number, alpha: number, x: Float32Array, incX: number, y: Float32Array, incY: number) => void;

export interface BlasLibrary {
  /** What was loaded, e.g. 'OpenBLAS 0.3.21' or 'Accelerate'. */
  library: string;
  /** The file it came from. */
  file: string;
  /** Threads it uses (as set, or as the library reports). */
  threads: number;
  sgemm: Sgemm;
  /** Double-precision matrix-vector product, when the library exports it. */
  dgemv: Dgemv | null;
  /** Single-precision matrix-vector product and y ← αx + y, when exported. */
  sgemv: Sgemv | null;
  saxpy: Saxpy | null;
  /** Changes the thread count when the library lets us (returns the count in effect). */
  setThreads(n: number): number;
  /**
   * Before a product of `macs` multiply-adds: all `threads` for big ones, one thread below
   * PARALLEL_MIN_MACS (where the second thread cost more than it gave, see there).
   */
  threadsFor(macs: number): void;
}

/**
 * Products below this many multiply-adds run on one BLAS thread (LOSS_LANDSCAPE_BLAS_PARALLEL_MACS
 * overrides). On the 2-core bench machine (5 alternating runs each): W3's training epoch took
 * 1.58 s (median) with 2^26, 1.78 s with 2^27 (its 128×784×1024 products, 103 M, on two threads
 * or one); W6's Hessian-vector products (1000×784×100, 78 M) were the same either way (0.97 s vs
 * 0.96 s). Smaller products gain little from a second thread and pay its start and stop.
 */
export const PARALLEL_MIN_MACS = setting('BLAS_PARALLEL_MACS');

export type BlasLoad = { ok: true; lib: BlasLibrary } | { ok: false; reason: string };

interface KoffiLib { func(signature: string): (...args: unknown[]) => unknown }
interface Koffi { load(file: string): KoffiLib }

const SGEMM_SIG = 'void cblas_sgemm(int, int, int, int, int, int, float, float *, int, float *, int, float, float *, int)';
const SGEMV_SIG = 'void cblas_sgemv(int, int, int, int, float, float *, int, float *, int, float, float *, int)';
const SAXPY_SIG = 'void cblas_saxpy(int, float, float *, int, float *, int)';
const DGEMV_SIG = 'void cblas_dgemv(int, int, int, int, double, double *, int, double *, int, double, double *, int)';

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
  const forced = setting('BLAS_THREADS');
  if (forced !== undefined) return forced;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, cores);
}

function optional(lib: KoffiLib, sig: string): ((...a: unknown[]) => unknown) | null {
  try { return lib.func(sig); } catch { return null; }
}

function bind(koffi: Koffi, file: string): BlasLibrary {
  const lib = koffi.load(file);
  const sgemm = lib.func(SGEMM_SIG) as unknown as Sgemm;
  const dgemv = optional(lib, DGEMV_SIG) as unknown as Dgemv | null;
  const sgemv = optional(lib, SGEMV_SIG) as unknown as Sgemv | null;
  const saxpy = optional(lib, SAXPY_SIG) as unknown as Saxpy | null;
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
  let current = 0;
  const apply = (n: number) => { if (n !== current) { if (obSet) obSet(n); else if (mklSet) mklSet(n); current = n; } };
  const setThreads = (n: number): number => {
    apply(n);
    threads = obGet ? Number(obGet()) : mklGet ? Number(mklGet()) : n;
    current = threads;
    return threads;
  };
  setThreads(threads);
  const threadsFor = (macs: number) => apply(macs >= PARALLEL_MIN_MACS ? threads : 1);
  return { library, file, get threads() { return threads; }, sgemm, dgemv, sgemv, saxpy, setThreads, threadsFor };
}

/** Loads the first BLAS that works; `{ ok: false, reason }` when none does. */
export function loadBlas(): BlasLoad {
  const choice = setting('BLAS');
  if (choice.off) return { ok: false, reason: 'disabled by LOSS_LANDSCAPE_BLAS' };
  let koffi: Koffi;
  try {
    // Native module, loaded at run time (the build marks it external).
    koffi = require('koffi') as Koffi;
  } catch (e) {
    return { ok: false, reason: `koffi could not be loaded (${(e as Error).message.split('\n')[0]})` };
  }
  const files = choice.file ? [choice.file] : candidates();
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
