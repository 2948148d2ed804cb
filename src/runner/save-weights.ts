/**
 * `--save-weights DIR`: θ_a (init), θ_b (trained) and the trajectory as raw little-endian
 * float32, with a params.json manifest (names, shapes, offsets, order) so anyone can load them
 * (numpy: np.fromfile('theta_b.f32', '<f4')) and check our numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainRecord } from '../engine/train';

function le(buf: Float32Array): Buffer {
  const out = Buffer.alloc(buf.length * 4);
  for (let i = 0; i < buf.length; i++) out.writeFloatLE(buf[i], i * 4);
  return out;
}

export function saveWeights(dir: string, rec: TrainRecord, definition: string): string[] {
  mkdirSync(dir, { recursive: true });
  const traj = new Float32Array(rec.snapshots.length * rec.layout.total);
  rec.snapshots.forEach((s, k) => traj.set(s, k * rec.layout.total));
  const files = {
    theta_a: 'theta_a.f32', theta_b: 'theta_b.f32', trajectory: 'trajectory.f32',
    state_a: 'state_a.f32', state_b: 'state_b.f32',
  };
  writeFileSync(join(dir, files.theta_a), le(rec.theta0));
  writeFileSync(join(dir, files.theta_b), le(rec.thetaT));
  writeFileSync(join(dir, files.trajectory), le(traj));
  writeFileSync(join(dir, files.state_a), le(rec.state0));
  writeFileSync(join(dir, files.state_b), le(rec.stateT));
  const manifest = {
    schema: 'loss-landscape/params@1', definition, dtype: 'float32', byteOrder: 'little-endian',
    total: rec.layout.total,
    order: 'trainable weights in layer order, each flattened row-major (C order)',
    params: rec.layout.entries.map((e) => ({ name: e.name, shape: e.shape, offset: e.offset, size: e.size, kind: e.kind, layer: e.layer })),
    trajectory: { file: files.trajectory, shape: [rec.snapshots.length, rec.layout.total], steps: rec.snapshotSteps },
    files,
  };
  writeFileSync(join(dir, 'params.json'), JSON.stringify(manifest, null, 2));
  return Object.values(files).concat('params.json').map((f) => join(dir, f));
}
