/**
 * Einsum for the wasm backend (missing in tfjs-backend-wasm 4.22), composed from existing wasm
 * kernels: each operand is permuted/expanded to the common dim order, multiplied in, and the
 * summed dims are reduced as soon as tfjs's einsum path says they can be.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelArgs, TensorInfo, asWasm, callKernel, free, withShape } from './wasm-internals';

export function einsum(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const equation = args.attrs?.equation as string;
  const operands = Object.keys(args.inputs).sort((p, q) => +p - +q).map((k) => (args.inputs as Record<string, TensorInfo>)[k]);
  const bu = tf.backend_util;
  const { allDims, summedDims, idDims } = bu.decodeEinsumEquation(equation, operands.length);
  bu.checkEinsumDimSizes(allDims.length, idDims, operands as unknown as tf.Tensor[]);
  const { path, steps } = bu.getEinsumComputePath(summedDims, idDims);

  const owned: TensorInfo[] = []; // tensors we created (freed at the end, except the result)
  let acc: TensorInfo | null = null;
  let remaining = allDims.length;
  for (let i = 0; i < steps.length; i++) {
    for (const term of steps[i]) {
      const { permutationIndices, expandDims } = bu.getEinsumPermutation(remaining, idDims[term]);
      let t = operands[term];
      if (!bu.isIdentityPermutation(permutationIndices)) {
        t = callKernel('Transpose', backend, { x: t }, { perm: permutationIndices });
        owned.push(t);
      }
      const shape = t.shape.slice();
      for (const d of expandDims) shape.splice(d, 0, 1);
      t = withShape(t, shape);
      if (acc === null) {
        acc = t;
      } else {
        acc = callKernel('Multiply', backend, { a: t, b: acc });
        owned.push(acc);
      }
    }
    if (i < steps.length - 1) {
      if (path[i] >= 0 && acc) {
        acc = callKernel('Sum', backend, { x: acc }, { axis: path[i] - (allDims.length - remaining), keepDims: false });
        owned.push(acc);
      }
      remaining--;
    }
  }
  if (!acc) throw new Error('Einsum (wasm): no operands');
  const result = acc;
  const keep = owned.some((t) => t.dataId === result.dataId);
  for (const t of owned) if (t.dataId !== result.dataId) free(backend, t);
  if (!keep) {
    // The result aliases an input (e.g. 'ij->ij'): return a copy so the caller owns it.
    return callKernel('Identity', backend, { x: result });
  }
  return result;
}
