/**
 * PyTorch state_dicts saved as `.safetensors` (https://huggingface.co/docs/safetensors: an
 * 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, the raw
 * little-endian tensors), mapped onto an ONNX graph's initializers by name.
 *
 * The mapping: an initializer takes the state_dict tensor of its own name, shapes checked. The
 * exporter renames some weights (`onnx::MatMul_135`: a Linear applied to a 3-D input is exported
 * as MatMul with the transposed weight); such an initializer takes the one unclaimed tensor of
 * the module its node belongs to (`/block/linear1/MatMul` → `block.linear1.*`) whose shape is
 * its shape or its transpose. Integer tensors (num_batches_tracked) are ignored.
 */
import type { PreparedGraph } from './graph';
import type { GraphWeights } from './layer';

export interface StateTensor { shape: number[]; data: Float32Array }

const SIZES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1, e = (bits >> 10) & 0x1f, f = bits & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** The float tensors of a safetensors file, by name; errors name the file. */
export function readSafetensors(bytes: Uint8Array, file: string): Map<string, StateTensor> {
  const bad = (why: string) => new Error(`models.checkpoints: ${file} is not a safetensors file: ${why}`);
  if (bytes.byteLength < 8) throw bad('shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n <= 0 || 8 + n > bytes.byteLength) throw bad(`its header length ${n} does not fit the file's ${bytes.byteLength} bytes`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try { header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))); } catch (e) { throw bad(`its header is not JSON (${(e as Error).message})`); }
  const out = new Map<string, StateTensor>();
  const base = 8 + n;
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const bytesPer = SIZES[h?.dtype];
    if (!bytesPer || !Array.isArray(h.shape) || !Array.isArray(h.data_offsets)) throw bad(`the entry '${name}' has no valid dtype, shape and data_offsets`);
    const size = h.shape.reduce((a, b) => a * b, 1);
    const [b, e] = h.data_offsets;
    if (e - b !== size * bytesPer || base + e > bytes.byteLength) throw bad(`the entry '${name}' (${h.dtype} [${h.shape}]) has data_offsets [${b}, ${e}] that do not fit`);
    if (!['F32', 'F64', 'F16', 'BF16'].includes(h.dtype)) continue;
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const o = base + b + i * bytesPer;
      data[i] = h.dtype === 'F32' ? view.getFloat32(o, true) : h.dtype === 'F64' ? view.getFloat64(o, true)
        : h.dtype === 'F16' ? half(view.getUint16(o, true)) : new Float32Array(new Uint32Array([view.getUint16(o, true) << 16]).buffer)[0];
    }
    out.set(name, { shape: h.shape, data });
  }
  return out;
}

const same = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function transpose2d(t: StateTensor): Float32Array {
  const [r, c] = t.shape;
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  return out;
}

/** The module path of the node reading an initializer: '/block/linear1/MatMul' → 'block.linear1'. */
const modulePath = (nodeName: string) => nodeName.replace(/^\//, '').split('/').slice(0, -1).join('.');

/** The graph's weights from a state_dict: every parameter and running statistic found and shape-checked. */
export function weightsFromStateDict(prep: PreparedGraph, dict: Map<string, StateTensor>, file: string): GraphWeights {
  const claimed = new Set<string>();
  const all = [...prep.params, ...prep.state];
  for (const t of all) if (dict.has(t.name)) claimed.add(t.name);
  const list = (names: string[]) => `${names.slice(0, 8).join(', ')}${names.length > 8 ? `, … (${names.length})` : ''}`;
  const values = all.map((t) => {
    const own = dict.get(t.name);
    if (own) {
      if (!same(own.shape, t.shape)) {
        throw new Error(`models.checkpoints: ${file}: '${t.name}' has shape [${own.shape}] but ${prep.graph.file} has [${t.shape}] (a checkpoint of another model?)`);
      }
      return own.data;
    }
    const uses = prep.consumers.get(t.name) ?? [];
    const prefixes = [...new Set(uses.map((u) => modulePath(u.node.name)).filter((p) => p !== ''))];
    const candidates = [...dict.entries()].filter(([k, v]) => !claimed.has(k) && prefixes.some((p) => k.startsWith(`${p}.`)) &&
      (same(v.shape, t.shape) || (t.shape.length === 2 && same(v.shape, [t.shape[1], t.shape[0]]))));
    if (candidates.length === 1) {
      const [k, v] = candidates[0];
      claimed.add(k);
      const transposed = t.shape.length === 2 && same(v.shape, [t.shape[1], t.shape[0]]) && (/MatMul/.test(t.name) || !same(v.shape, t.shape));
      return transposed ? transpose2d(v) : v.data;
    }
    throw new Error(`models.checkpoints: ${file} has no tensor for ${prep.graph.file}'s initializer '${t.name}' [${t.shape}]` +
      `${candidates.length > 1 ? ` (ambiguous: ${candidates.map(([k]) => k).join(', ')})` : ''} (a checkpoint of another model? it holds ${list([...dict.keys()])})`);
  });
  return { params: values.slice(0, prep.params.length), state: values.slice(prep.params.length) };
}
