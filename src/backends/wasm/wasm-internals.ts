/**
 * Typed access to the parts of tfjs-backend-wasm 4.22's `BackendWasm` that our kernels use,
 * plus small helpers to call other registered wasm kernels from inside a kernel.
 *
 * Rules every kernel here follows:
 *  - Tensors created inside a kernel (by calling other kernels or `makeOutput`) are freed with
 *    `free(backend, info)` unless they are the kernel's result.
 *  - A "reshaped" TensorInfo (same dataId, other shape, made with `withShape`) owns no reference
 *    and must NOT be freed.
 *  - Typed-array views of the wasm heap are invalidated whenever the heap grows, i.e. after any
 *    allocation: always take them (`f32`) after the last allocation of a step.
 */
import * as tf from '@tensorflow/tfjs';

export type TensorInfo = tf.TensorInfo;

interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: tf.DataType;
  refCount: number;
}

export interface WasmModule {
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

/** The subset of tfjs-backend-wasm's BackendWasm used by our kernels. */
export interface WasmBackend {
  wasm: WasmModule;
  dataIdNextNumber: number;
  dataIdMap: {
    get(dataId: object): WasmTensorData;
    set(dataId: object, value: WasmTensorData): void;
    delete(dataId: object): void;
    has(dataId: object): boolean;
  };
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
  readSync(dataId: object): tf.backend_util.BackendValues;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
export type KernelImpl = (args: KernelArgs) => TensorInfo | TensorInfo[];

export function asWasm(backend: unknown): WasmBackend {
  return backend as WasmBackend;
}

/** Runs the kernel currently registered for `name` on the wasm backend. */
export function callKernel(
  name: string, backend: WasmBackend, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {},
): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  return k.kernelFunc({ inputs, backend: backend as unknown as tf.KernelBackend, attrs }) as TensorInfo;
}

/** Frees tensors created inside a kernel (one reference each). */
export function free(backend: WasmBackend, ...infos: (TensorInfo | null | undefined)[]): void {
  for (const t of infos) if (t) backend.disposeData(t.dataId);
}

/** Same data, another shape; owns no reference (never `free` it). */
export function withShape(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Float32 view of a tensor on the wasm heap (invalidated by the next allocation). */
export function f32(backend: WasmBackend, t: TensorInfo): Float32Array {
  const { memoryOffset } = backend.dataIdMap.get(t.dataId);
  return new Float32Array(backend.wasm.HEAPU8.buffer, memoryOffset, sizeOf(t.shape));
}

/** Byte offset of a tensor's data on the wasm heap. */
export function heapOffset(backend: WasmBackend, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** Allocates a zero-filled float32 output tensor. */
export function zeros(backend: WasmBackend, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).fill(0);
  return out;
}

/**
 * A tensor aliasing part of another tensor's memory (`elemOffset` float32 elements in), without
 * copying. It is known to the C++ side under its own id, so it can be passed to wasm kernels as
 * an input. Release it with `releaseView` (never `free`): its memory belongs to the parent.
 */
export function makeView(backend: WasmBackend, parent: TensorInfo, elemOffset: number, shape: number[]): TensorInfo {
  const base = backend.dataIdMap.get(parent.dataId);
  const id = backend.dataIdNextNumber++;
  const dataId = { id };
  const memoryOffset = base.memoryOffset + elemOffset * 4;
  backend.dataIdMap.set(dataId, { id, memoryOffset, shape, dtype: parent.dtype, refCount: 1 });
  backend.wasm.tfjs.registerTensor(id, sizeOf(shape), memoryOffset);
  return { dataId, shape, dtype: parent.dtype };
}

export function releaseView(backend: WasmBackend, view: TensorInfo): void {
  if (!backend.dataIdMap.has(view.dataId)) return;
  const data = backend.dataIdMap.get(view.dataId);
  // Forget the id on both sides (this also drops any XNNPACK operator cached for it) but do not
  // free the memory, which belongs to the parent tensor.
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(view.dataId);
}

/** Copies `count` float32 elements between tensors (both on the wasm heap). */
export function copyElems(
  backend: WasmBackend, src: TensorInfo, srcElem: number, dst: TensorInfo, dstElem: number, count: number,
): void {
  const heap = backend.wasm.HEAPU8;
  const s = heapOffset(backend, src) + srcElem * 4;
  const d = heapOffset(backend, dst) + dstElem * 4;
  heap.copyWithin(d, s, s + count * 4);
}

/** Transposes the last two dims of a rank-3 tensor with the wasm Transpose kernel. */
export function transposeLast2(backend: WasmBackend, t: TensorInfo): TensorInfo {
  return callKernel('Transpose', backend, { x: t }, { perm: [0, 2, 1] });
}

/**
 * The float32 tensors' values as one flat vector, copied straight from the wasm heap (one copy,
 * no kernel): null when the backend in use is not wasm or a tensor is not float32. For reading
 * θ (snapshots while training, readParams): a concat + read took ≈ 7 ms for 1.9 M parameters,
 * this ≈ 1 ms. `into`: written there instead of a new array.
 */
export function readFlatFromHeap(tensors: readonly tf.Tensor[], into?: Float32Array): Float32Array | null {
  if (tf.getBackend() !== 'wasm') return null;
  let total = 0;
  for (const t of tensors) {
    if (t.dtype !== 'float32' || t.isDisposed) return null;
    total += t.size;
  }
  const backend = asWasm(tf.backend());
  if (into && into.length !== total) throw new Error(`readFlatFromHeap: ${total} values into ${into.length}`);
  const out = into ?? new Float32Array(total);
  let pos = 0;
  for (const t of tensors) {
    out.set(f32(backend, t), pos);
    pos += t.size;
  }
  return out;
}

/**
 * A float32 tensor's data as a view of the wasm heap (no copy), or null off wasm / for other
 * dtypes. Invalid after the next allocation on the backend: take it again after any.
 */
export function heapView(t: tf.Tensor): Float32Array | null {
  if (tf.getBackend() !== 'wasm' || t.dtype !== 'float32' || t.isDisposed) return null;
  return f32(asWasm(tf.backend()), t);
}
