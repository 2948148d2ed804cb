/**
 * 128-bit SIMD elementwise kernels (./elementwise.wat) for buffers allocated in their own
 * WebAssembly.Memory: the Dense stack's BLAS steps keep their activations and gradients there,
 * so `cblas_sgemm` (through koffi) and these kernels work on the same memory without copies.
 * JS loops over typed arrays do not vectorise: relu and its mask took ≈ 1.7 ms of a 12 ms step
 * of the 784-1024-1024-10 MLP at batch 128.
 * `SimdArena.create` returns null where WebAssembly SIMD is missing, the size is too big for
 * one memory, or LOSS_LANDSCAPE_SIMD=off; callers then keep plain arrays and JS loops.
 */
import { ELEMENTWISE_WASM } from './elementwise-wasm';
import { setting } from '../../shared/switchboard';

interface Exports {
  relu(p: number, n: number): void;
  reluMask(d: number, a: number, n: number): void;
  lincomb(dst: number, p0: number, p1: number, c1: number, p2: number, c2: number, two: number, act: number, n: number): void;
  biasAct(a: number, b: number, rows: number, units: number, act: number): void;
}
interface Memory { buffer: ArrayBuffer }
/** The part of the WebAssembly JS API used here (the Node lib types in use do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (desc: { initial: number }) => Memory;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
/** The largest arena (1 GiB): beyond it the caller's JS arrays are used. */
const MAX_BYTES = 2 ** 30;

let compiled: object | null | undefined;

function module(): object | null {
  if (compiled === undefined) {
    try { compiled = new Wasm.Module(Buffer.from(ELEMENTWISE_WASM, 'base64')); } catch { compiled = null; }
  }
  return compiled ?? null;
}

export class SimdArena {
  private used = 0;

  private constructor(private readonly memory: Memory, private readonly k: Exports) {}

  /** An arena with room for `floats` float32 values (in arrays of up to `arrays` allocations), or null. */
  static create(floats: number, arrays = 16): SimdArena | null {
    if (!setting('SIMD')) return null;
    const bytes = floats * 4 + arrays * 16;
    if (bytes > MAX_BYTES) return null;
    const mod = module();
    if (!mod) return null;
    const memory = new Wasm.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
    const inst = new Wasm.Instance(mod, { env: { memory } });
    return new SimdArena(memory, inst.exports as unknown as Exports);
  }

  /** A zeroed array of n floats in the arena (16-byte aligned). */
  alloc(n: number): Float32Array {
    const at = Math.ceil(this.used / 16) * 16;
    if (at + n * 4 > this.memory.buffer.byteLength) throw new Error(`SimdArena: ${n} floats do not fit`);
    this.used = at + n * 4;
    return new Float32Array(this.memory.buffer, at, n);
  }

  /** Whether `a` lies in this arena's memory (else the kernels below must not be given it). */
  owns(a: Float32Array): boolean {
    return a.buffer === this.memory.buffer;
  }

  /** a ← max(a, 0) in place (x < 0 → 0; NaN stays). */
  relu(a: Float32Array): void {
    this.k.relu(a.byteOffset, a.length);
  }

  /**
   * dst ← p[0] + c[0]·p[1] (+ c[1]·p[2]), then relu when asked: one or two directions (float32
   * multiply and add, in that order). All arrays in this arena, of dst's length.
   */
  lincomb(dst: Float32Array, p: Float32Array[], c: number[], relu: boolean): void {
    if (c.length < 1 || c.length > 2 || p.length !== c.length + 1) throw new Error('SimdArena.lincomb: one or two directions');
    for (const a of [dst, ...p]) if (!this.owns(a) || a.length !== dst.length) throw new Error('SimdArena.lincomb: arrays outside the arena or of other lengths');
    const two = c.length === 2;
    this.k.lincomb(dst.byteOffset, p[0].byteOffset, p[1].byteOffset, c[0], two ? p[2].byteOffset : p[0].byteOffset, two ? c[1] : 0, two ? 1 : 0, relu ? 1 : 0, dst.length);
  }

  /** a[r, j] ← a[r, j] + bias[j] over [rows, bias.length], then relu when asked (both in this arena). */
  biasAct(a: Float32Array, bias: Float32Array, relu: boolean): void {
    if (!this.owns(a) || !this.owns(bias) || a.length % bias.length !== 0) throw new Error('SimdArena.biasAct: arrays outside the arena or shapes that do not match');
    this.k.biasAct(a.byteOffset, bias.byteOffset, a.length / bias.length, bias.length, relu ? 1 : 0);
  }

  /** d ← a > 0 ? d : 0 in place (relu's derivative from its output a). */
  reluMask(d: Float32Array, a: Float32Array): void {
    if (a.length < d.length) throw new Error('SimdArena.reluMask: a is shorter than d');
    this.k.reluMask(d.byteOffset, a.byteOffset, d.length);
  }
}
