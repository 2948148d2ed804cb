/** datasets.csv / datasets.images: parsing, labels, the deterministic split, errors naming path/row/column, resizing. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { csv, images, resizeBilinear } from '../../src/api/workspace-data';
import { dataFiles, filesUnchanged, fingerprintFiles, setDefinitionFile } from '../../src/api/files';

let dir: string;
before(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'll-data-'));
  setDefinitionFile(join(dir, 'x.landscape.ts')); // relative paths resolve against this file's folder
});
after(() => { setDefinitionFile(undefined); rmSync(dir, { recursive: true, force: true }); });

const arr = (t: unknown) => (t as tf.Tensor).arraySync();

test('csv: label by name, one-hot classes, deterministic disjoint split, files recorded', () => {
  const rows = ['a,b,species'];
  for (let i = 0; i < 20; i++) rows.push(`${i},${i * 2},${['setosa', 'virginica', 'versicolor'][i % 3]}`);
  writeFileSync(join(dir, 'iris.csv'), rows.join('\n') + '\n');
  const d = csv('./iris.csv', { label: 'species', oneHot: true, testFraction: 0.25 });
  assert.deepEqual(d.classes, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual((d.x as tf.Tensor).shape, [15, 2]);
  assert.deepEqual((d.y as tf.Tensor).shape, [15, 3]);
  assert.deepEqual((d.xTest as tf.Tensor).shape, [5, 2]);
  // every row once, labels consistent with the features (species from the row number a)
  const all = [...arr(d.x) as number[][], ...arr(d.xTest) as number[][]];
  assert.deepEqual(all.map((r) => r[0]).sort((p, q) => p - q), Array.from({ length: 20 }, (_, i) => i));
  const ys = [...arr(d.y) as number[][], ...arr(d.yTest) as number[][]];
  all.forEach((r, k) => assert.equal(ys[k].indexOf(1), [0, 2, 1][r[0] % 3]));
  // same call, same split
  const again = csv('./iris.csv', { label: 'species', oneHot: true, testFraction: 0.25 });
  assert.deepEqual(arr(again.xTest), arr(d.xTest));
  assert.deepEqual(d.files, [join(dir, 'iris.csv')]);
  assert.ok(dataFiles().includes(join(dir, 'iris.csv')));
});

test('csv: label by index, numbers kept as one column, no header guessed, normalize', () => {
  writeFileSync(join(dir, 'reg.csv'), '1,2,0.5\n3,4,1.5\n5,6,2.5\n7,8,3.5\n');
  const d = csv('reg.csv', { label: -1, testFraction: 0, shuffle: false, normalize: 'minmax' });
  assert.deepEqual(arr(d.y), [[0.5], [1.5], [2.5], [3.5]]);
  assert.deepEqual(arr(d.x), [[0, 0], [1 / 3, 1 / 3], [2 / 3, 2 / 3], [1, 1]].map((r) => r.map((v) => Math.fround(v))));
  assert.equal(d.xTest, undefined);
  // integer labels are class indices: one-hot by their value
  writeFileSync(join(dir, 'cls.csv'), 'x,y\n0.1,0\n0.2,2\n0.3,1\n');
  const c = csv('cls.csv', { label: 'y', oneHot: true, testFraction: 0, shuffle: false });
  assert.deepEqual(arr(c.y), [[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
});

test('csv: a non-numeric cell is an error naming the file, row and column', () => {
  writeFileSync(join(dir, 'bad.csv'), 'a,b,label\n1,2,0\n3,4,1\n5,oops,0\n');
  assert.throws(() => csv('./bad.csv', { label: 'label' }), (e: Error) => {
    assert.match(e.message, /bad\.csv/);
    assert.match(e.message, /row 4, column 2 \('b'\): 'oops' is not a number/);
    assert.ok(e.message.includes(join(dir, 'bad.csv')));
    return true;
  });
  writeFileSync(join(dir, 'empty-cell.csv'), '1,2,0\n3,,1\n');
  assert.throws(() => csv('./empty-cell.csv', { label: 2 }), /row 2, column 2: empty cell/);
  writeFileSync(join(dir, 'ragged.csv'), 'a,b,label\n1,2,0\n3,1\n');
  assert.throws(() => csv('./ragged.csv', { label: 'label' }), /ragged\.csv.*(record|length)/i);
  assert.throws(() => csv('./iris.csv', { label: 'kind' }), /no column 'kind' \(the header names 'a', 'b', 'species'\)/);
});

test('csv / images: a missing file or folder is an error naming the path', () => {
  assert.throws(() => csv('./nope.csv', { label: 0 }), (e: Error) => e.message.includes(join(dir, 'nope.csv')) && /no such file/.test(e.message));
  assert.throws(() => images('./no-images', { shape: [4, 4] }), (e: Error) => e.message.includes(join(dir, 'no-images')) && /no such folder/.test(e.message));
});

function png(w: number, h: number, rgb: (x: number, y: number) => [number, number, number]): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const [r, g, b] = rgb(x, y); const o = (y * w + x) * 4;
    p.data[o] = r; p.data[o + 1] = g; p.data[o + 2] = b; p.data[o + 3] = 255;
  }
  return PNG.sync.write(p);
}

test('images: one sub-folder per class, PNG and JPEG, grey and RGB, other sizes resized (or an error naming the file)', () => {
  const root = join(dir, 'shapes');
  mkdirSync(join(root, 'dark'), { recursive: true });
  mkdirSync(join(root, 'light'), { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(join(root, 'dark', `d${i}.png`), png(4, 4, () => [20 * i, 20 * i, 20 * i]));
  writeFileSync(join(root, 'light', 'l0.png'), png(4, 4, () => [255, 255, 255]));
  writeFileSync(join(root, 'light', 'big.png'), png(8, 8, () => [200, 100, 50])); // another size: resized
  const jpg = jpeg.encode({ width: 4, height: 4, data: Buffer.alloc(4 * 4 * 4, 250) }, 95).data;
  writeFileSync(join(root, 'light', 'l1.jpg'), jpg);
  writeFileSync(join(root, 'light', 'notes.txt'), 'ignored');
  const d = images('./shapes', { shape: [4, 4], testFraction: 0 });
  assert.deepEqual(d.classes, ['dark', 'light']);
  assert.deepEqual((d.x as tf.Tensor).shape, [6, 4, 4, 3]);
  assert.deepEqual((d.y as tf.Tensor).shape, [6, 2]);
  const xs = arr(d.x) as number[][][][], ys = arr(d.y) as number[][];
  // the resized 8×8 constant image stays constant: (200, 100, 50)/255 everywhere
  const k = xs.findIndex((im) => Math.abs(im[0][0][0] - 200 / 255) < 1e-6);
  assert.ok(k >= 0, 'the 8×8 image is there');
  assert.deepEqual(ys[k], [0, 1]);
  for (const row of xs[k]) for (const px of row) px.forEach((v, c) => assert.ok(Math.abs(v - [200, 100, 50][c] / 255) < 1e-6));
  assert.equal(d.files.length, 1 + 6);
  const grey = images('./shapes', { shape: [2, 2], channels: 1, flatten: true, oneHot: false, testFraction: 0 });
  assert.deepEqual((grey.x as tf.Tensor).shape, [6, 4]);
  assert.deepEqual((grey.y as tf.Tensor).shape, [6, 1]);
  assert.throws(() => images('./shapes', { shape: [4, 4], resize: false }), (e: Error) =>
    e.message.includes(join(root, 'light', 'big.png')) && /is 8×8 \(height×width\), not the 4×4/.test(e.message));
  writeFileSync(join(root, 'light', 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]));
  assert.throws(() => images('./shapes', { shape: [4, 4] }), (e: Error) => e.message.includes(join(root, 'light', 'broken.png')) && /cannot decode/.test(e.message));
  rmSync(join(root, 'light', 'broken.png'));
});

test('resizeBilinear matches tf.image.resizeBilinear with half-pixel centres', () => {
  const w = 5, h = 3, H = 7, W = 4;
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37) % 256;
  const out = new Float32Array(H * W * 3);
  resizeBilinear({ width: w, height: h, rgba }, H, W, 3, out, 0);
  const img = tf.tensor3d(Array.from(rgba), [h, w, 4]).slice([0, 0, 0], [h, w, 3]);
  const ref = tf.image.resizeBilinear(img as tf.Tensor3D, [H, W], false, true).div(255).dataSync();
  for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i] - ref[i]) < 1e-5, `${i}: ${out[i]} vs ${ref[i]}`);
});

test('fingerprints: a changed file or a new image invalidates', () => {
  writeFileSync(join(dir, 'f.csv'), '1,0\n2,1\n');
  const prints = fingerprintFiles([join(dir, 'f.csv'), join(dir, 'shapes', 'dark')]);
  assert.ok(filesUnchanged(prints));
  writeFileSync(join(dir, 'f.csv'), '1,0\n3,1\n');
  assert.ok(!filesUnchanged(prints));
  const p2 = fingerprintFiles([join(dir, 'shapes', 'dark')]);
  writeFileSync(join(dir, 'shapes', 'dark', 'd9.png'), png(4, 4, () => [0, 0, 0]));
  assert.ok(!filesUnchanged(p2));
});
