/** The plane's .npy and .vtp exports: exact bytes of the npy header, a vtp that parses with the right counts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, planeToNpy, planeToVtp } from '../../src/shared/plane-formats';

const plane = {
  a: [-1, 0, 1, 2], b: [-0.5, 0.5, 1.5],
  loss: [[1, 2, 3, 4], [5, 6, NaN, 8], [9, 10, 11, 12.5]],
  testLoss: [[2, 3, 4, 5], [6, 7, 8, 9], [10, 11, 12, 13]],
  trajectory: { a: [0, 0.5, 1], b: [0, 0.25, 0.5], step: [0, 1, 2] },
};
const python = spawnSync('python3', ['-c', 'import numpy, xml.etree.ElementTree'], { encoding: 'utf8' }).status === 0;

test('encodeNpy: magic, version, header dict, 64-byte alignment, little-endian values', () => {
  const bytes = encodeNpy([1.5, -2, 3], [3], '<f8');
  assert.deepEqual([...bytes.slice(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const headerLen = bytes[8] | (bytes[9] << 8);
  assert.equal((10 + headerLen) % 64, 0);
  const header = Buffer.from(bytes.slice(10, 10 + headerLen)).toString('latin1');
  assert.equal(header.trimEnd(), "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }");
  assert.ok(header.endsWith('\n'));
  assert.equal(bytes.length, 10 + headerLen + 24);
  const dv = new DataView(bytes.buffer, 10 + headerLen);
  assert.deepEqual([dv.getFloat64(0, true), dv.getFloat64(8, true), dv.getFloat64(16, true)], [1.5, -2, 3]);
  assert.throws(() => encodeNpy([1, 2], [3]), /holds 3 values, got 2/);
  const f4 = encodeNpy([1, 2, 3, 4, 5, 6], [2, 3], '<f4');
  assert.match(Buffer.from(f4.slice(10, 74)).toString('latin1'), /'descr': '<f4'.*'shape': \(2, 3\)/);
});

test('planeToNpy: (len(b), len(a)) float64, rows of b, NaN kept; numpy reads it', () => {
  const bytes = planeToNpy(plane);
  const headerLen = bytes[8] | (bytes[9] << 8);
  assert.match(Buffer.from(bytes.slice(10, 10 + headerLen)).toString('latin1'), /'shape': \(3, 4\)/);
  const v = new Float64Array(bytes.slice(10 + headerLen).buffer);
  assert.equal(v.length, 12);
  assert.equal(v[4 + 1], 6);
  assert.ok(Number.isNaN(v[4 + 2]));
  assert.equal(v[11], 12.5);
  if (!python) return;
  const dir = mkdtempSync(join(tmpdir(), 'll-npy-'));
  try {
    writeFileSync(join(dir, 'loss.npy'), bytes);
    const r = spawnSync('python3', ['-c', `import numpy as np; a = np.load(${JSON.stringify(join(dir, 'loss.npy'))}); print(a.shape, a.dtype, a[2, 3], np.isnan(a[1, 2]))`], { encoding: 'utf8' });
    assert.equal(r.stdout.trim(), '(3, 4) float64 12.5 True', r.stderr);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('planeToVtp: PolyData with grid + path points, quads, loss point data; parses as XML', () => {
  const xml = planeToVtp(plane);
  assert.ok(xml.startsWith('<?xml version="1.0"?>\n<VTKFile type="PolyData"'));
  assert.match(xml, /NumberOfPoints="15"/); // 4×3 grid + 3 path points
  assert.match(xml, /NumberOfPolys="6"/);
  assert.match(xml, /NumberOfLines="1"/);
  const arrays = [...xml.matchAll(/<DataArray([^>]*)>([^<]*)<\/DataArray>/g)].map((m) => ({ attrs: m[1], values: m[2].trim().split(/\s+/).map(Number) }));
  const named = (n: string) => arrays.find((x) => x.attrs.includes(`Name="${n}"`));
  assert.equal(named('loss')!.values.length, 15);
  assert.equal(named('test_loss')!.values.length, 15);
  const pts = arrays.find((x) => x.attrs.includes('NumberOfComponents="3"'))!.values;
  assert.equal(pts.length, 45);
  assert.deepEqual(pts.slice(0, 3), [-1, -0.5, 1]);
  assert.equal(pts[3 * 6 + 2], 12.5, 'the NaN cell is drawn at the highest finite loss');
  // the path starts at (0, 0): a = 0 is a grid column, b = 0 halfway between rows -0.5 and 0.5: height (2 + 6) / 2
  assert.deepEqual(pts.slice(36, 39), [0, 0, 4]);
  assert.ok(arrays.every((x) => x.values.every(Number.isFinite)));
  const log = planeToVtp(plane, { log: true, zMax: 2, path: false });
  assert.match(log, /NumberOfPoints="12"/);
  assert.doesNotMatch(log, /<Lines>/);
  if (!python) return;
  const dir = mkdtempSync(join(tmpdir(), 'll-vtp-'));
  try {
    writeFileSync(join(dir, 'plane.vtp'), xml);
    const script = `import xml.etree.ElementTree as ET
r = ET.parse(${JSON.stringify(join(dir, 'plane.vtp'))}).getroot()
p = r.find('PolyData/Piece')
n = int(p.get('NumberOfPoints'))
pts = r.find('PolyData/Piece/Points/DataArray').text.split()
conn = r.find("PolyData/Piece/Polys/DataArray[@Name='connectivity']").text.split()
print(r.get('type'), n, len(pts) // 3, len(conn) // 4, max(map(int, conn)) < n)`;
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    assert.equal(r.stdout.trim(), 'PolyData 15 15 6 True', r.stderr);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
