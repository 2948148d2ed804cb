/**
 * Reading an ONNX file (what `torch.onnx.export` writes) into plain data: the graph's nodes,
 * its initializers as typed arrays, its inputs and outputs with their declared shapes, the
 * opset. The protobuf is decoded by `onnx-proto` (the ONNX .proto compiled with protobufjs);
 * nothing here parses bytes by hand. Every error names the file.
 */
import { onnx } from 'onnx-proto';

/** ONNX TensorProto.DataType values we read. */
const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7, BOOL = 9, DOUBLE = 11;

export type Attr = number | number[] | string | OnnxTensor | undefined;

export interface OnnxNode {
  opType: string;
  /** The node's name, or `#k opType` when the file gives none. */
  name: string;
  inputs: string[];
  outputs: string[];
  /** '' or 'ai.onnx' for the standard operators. */
  domain: string;
  attrs: Record<string, Attr>;
}

/** A tensor of the file: float data as Float32Array, integers and booleans as plain numbers. */
export interface OnnxTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int';
  data: Float32Array | number[];
}

export interface OnnxValueInfo {
  name: string;
  /** Declared dimensions: a number, or null for a symbolic one (the batch axis). */
  shape: (number | null)[];
}

export interface OnnxGraph {
  file: string;
  opset: number;
  producer: string;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  /** Graph inputs that are not initializers (the data). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

const toNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(String(v)));

function tensorOf(t: onnx.ITensorProto, file: string): OnnxTensor {
  const name = t.name ?? '';
  const shape = (t.dims ?? []).map(toNumber);
  const size = shape.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new Error(`models.onnx: ${file}: the tensor '${name}' is stored in an external file (a model over 2 GB): export it in one file`);
  }
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const check = (n: number, bytes: number) => {
    if (n !== size) throw new Error(`models.onnx: ${file}: the tensor '${name}' of shape [${shape}] holds ${n} values (corrupt file?)`);
    if (view && view.byteLength !== size * bytes) throw new Error(`models.onnx: ${file}: the tensor '${name}' of shape [${shape}] holds ${view.byteLength} bytes (corrupt file?)`);
  };
  switch (t.dataType) {
    case FLOAT: case DOUBLE: {
      const bytes = t.dataType === FLOAT ? 4 : 8;
      const data = new Float32Array(size);
      if (view) {
        check(size, bytes);
        for (let i = 0; i < size; i++) data[i] = bytes === 4 ? view.getFloat32(4 * i, true) : view.getFloat64(8 * i, true);
      } else {
        const src = (t.dataType === FLOAT ? t.floatData : t.doubleData) ?? [];
        check(src.length, bytes);
        data.set(src);
      }
      return { name, shape, dtype: 'float32', data };
    }
    case INT64: case INT32: case INT8: case UINT8: case BOOL: {
      const bytes = t.dataType === INT64 ? 8 : t.dataType === INT32 ? 4 : 1;
      const data: number[] = new Array(size);
      if (view) {
        check(size, bytes);
        for (let i = 0; i < size; i++) {
          data[i] = bytes === 8 ? Number(view.getBigInt64(8 * i, true)) : bytes === 4 ? view.getInt32(4 * i, true)
            : t.dataType === INT8 ? view.getInt8(i) : view.getUint8(i);
        }
      } else {
        const src = (t.dataType === INT64 ? t.int64Data : t.int32Data) ?? [];
        check(src.length, bytes);
        src.forEach((v, i) => { data[i] = toNumber(v); });
      }
      return { name, shape, dtype: 'int', data };
    }
    default:
      throw new Error(`models.onnx: ${file}: the tensor '${name}' has ONNX data type ${t.dataType}; only float, double, int64, int32, int8, uint8 and bool tensors are read`);
  }
}

function attrOf(a: onnx.IAttributeProto, file: string): Attr {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT: return a.f ?? 0;
    case T.INT: return toNumber(a.i ?? 0);
    case T.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array(0));
    case T.FLOATS: return [...(a.floats ?? [])];
    case T.INTS: return (a.ints ?? []).map(toNumber);
    case T.TENSOR: return a.t ? tensorOf(a.t, file) : undefined;
    default: return undefined; // graphs, sparse tensors: no supported operator reads them
  }
}

function valueInfo(v: onnx.IValueInfoProto): OnnxValueInfo {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  return {
    name: v.name ?? '',
    shape: dims.map((d) => (d.dimValue !== undefined && d.dimValue !== null && toNumber(d.dimValue) > 0 ? toNumber(d.dimValue) : null)),
  };
}

/** Decodes the bytes of an ONNX file; `file` names it in errors. */
export function parseOnnx(bytes: Uint8Array, file: string): OnnxGraph {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`models.onnx: ${file} is not an ONNX file (protobuf decoding failed: ${(e as Error).message})`);
  }
  const g = model.graph;
  if (!g || !g.node || g.node.length === 0) throw new Error(`models.onnx: ${file} is not an ONNX model (no graph nodes; corrupt or another kind of file)`);
  const opset = Math.max(0, ...(model.opsetImport ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx').map((o) => toNumber(o.version ?? 0)));
  const initializers = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) initializers.set(t.name ?? '', tensorOf(t, file));
  const nodes = g.node.map((n, k): OnnxNode => {
    const attrs: Record<string, Attr> = {};
    for (const a of n.attribute ?? []) attrs[a.name ?? ''] = attrOf(a, file);
    return { opType: n.opType ?? '', name: n.name || `#${k} ${n.opType}`, inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], domain: n.domain ?? '', attrs };
  });
  const inputs = (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(valueInfo);
  if (inputs.length !== 1) throw new Error(`models.onnx: ${file}: the graph has ${inputs.length} data inputs (${inputs.map((i) => i.name).join(', ')}); a probed model takes one`);
  return { file, opset, producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(), nodes, initializers, inputs, outputs: (g.output ?? []).map(valueInfo) };
}
