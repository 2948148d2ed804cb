/**
 * `--save-weights DIR`: the real endpoints of the line or curve (α = 0 and α = 1), the initial
 * weights, the trajectory and, for a plane, its centre and directions, as raw little-endian
 * float32 with a params.json manifest (names, shapes, offsets, what each file is) so anyone can
 * load them (numpy: np.fromfile('theta_b.f32', '<f4')) and recompute any point or cell.
 * Files are written to temporary names and renamed, params.json last.
 */
import type { TrainRecord } from '../engine/train';
import type { PlaneBasis } from '../engine/directions';
import { writeFilesAtomically } from '../util/atomic-write';

/** Float32 values as little-endian bytes (whatever the machine's byte order). */
export function le(buf: Float32Array): Buffer {
  const out = Buffer.alloc(buf.length * 4);
  for (let i = 0; i < buf.length; i++) out.writeFloatLE(buf[i], i * 4);
  return out;
}

export interface WeightsToSave {
  definition: string;
  analysis: string;
  record: TrainRecord;
  seed: number;
  /** The second solution (seed2 / connect): then α = 0 is θ_T(seed) and α = 1 is θ_T(seed2). */
  second?: { record: TrainRecord; seed: number };
  plane?: { basis: PlaneBasis; a: number[]; b: number[] };
}

/** Writes the files; returns their paths (params.json last). Throws on any I/O error (old files kept). */
export function saveWeights(dir: string, w: WeightsToSave): string[] {
  const rec = w.record;
  const traj = new Float32Array(rec.snapshots.length * rec.layout.total);
  rec.snapshots.forEach((s, k) => traj.set(s, k * rec.layout.total));
  const entries: Array<{ key: string; file: string; data: Float32Array; what: string }> = [];
  const add = (key: string, data: Float32Array, what: string) => entries.push({ key, file: `${key}.f32`, data, what });
  if (w.second) {
    add('theta_a', rec.thetaT, `α = 0: θ_T, the trained weights of seed ${w.seed}`);
    add('theta_b', w.second.record.thetaT, `α = 1: θ_T, the trained weights of seed ${w.second.seed}`);
    add('state_a', rec.stateT, `non-trainable state (e.g. BatchNorm statistics) at α = 0`);
    add('state_b', w.second.record.stateT, `non-trainable state at α = 1`);
  } else {
    add('theta_a', rec.theta0, `α = 0: θ₀, the initial weights (seed ${w.seed})`);
    add('theta_b', rec.thetaT, `α = 1: θ_T, the trained weights (seed ${w.seed})`);
    add('state_a', rec.state0, 'non-trainable state (e.g. BatchNorm statistics) at α = 0');
    add('state_b', rec.stateT, 'non-trainable state at α = 1');
  }
  add('theta_init', rec.theta0, `θ₀, the initial weights of the recorded training (seed ${w.seed})`);
  add('trajectory', traj, `${rec.snapshots.length} snapshots of the recorded training, one row each, at the steps in trajectory.steps`);
  if (w.plane) {
    add('plane_center', w.plane.basis.center, 'the plane\'s centre θ_c: cell (a, b) is θ_c + a·u + b·v');
    add('plane_u', w.plane.basis.u, `the plane's first direction u (${w.plane.basis.kind})`);
    add('plane_v', w.plane.basis.v, `the plane's second direction v (${w.plane.basis.kind})`);
  }
  const manifest = {
    schema: 'loss-landscape/params@2', definition: w.definition, analysis: w.analysis, dtype: 'float32', byteOrder: 'little-endian',
    total: rec.layout.total,
    order: 'trainable weights in layer order, each flattened row-major (C order)',
    params: rec.layout.entries.map((e) => ({ name: e.name, shape: e.shape, offset: e.offset, size: e.size, kind: e.kind, layer: e.layer })),
    trajectory: { file: 'trajectory.f32', shape: [rec.snapshots.length, rec.layout.total], steps: rec.snapshotSteps },
    ...(w.plane ? { plane: { kind: w.plane.basis.kind, a: w.plane.a, b: w.plane.b, center: 'plane_center.f32', u: 'plane_u.f32', v: 'plane_v.f32',
      cell: 'loss[i][j] is the loss at θ_c + a[j]·u + b[i]·v' } } : {}),
    files: Object.fromEntries(entries.map((e) => [e.key, e.file])),
    describe: Object.fromEntries(entries.map((e) => [e.file, e.what])),
  };
  const files = entries.map((e) => ({ name: e.file, data: le(e.data) }));
  files.push({ name: 'params.json', data: Buffer.from(JSON.stringify(manifest, null, 2)) });
  return writeFilesAtomically(dir, files);
}
