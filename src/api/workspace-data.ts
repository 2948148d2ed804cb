/**
 * Data from the user's workspace: `datasets.csv(path, …)` (a table: one column is the label,
 * the others numeric features) and `datasets.images(folder, …)` (one sub-folder per class,
 * PNG/JPEG decoded by pngjs/jpeg-js and resized bilinearly to one shape). Paths resolve against
 * the definition's file; every file read is recorded (see files.ts) for the cache key, and is
 * also listed on the returned data as `files`.
 *
 * The train/test split is deterministic: the examples are put in a fixed pseudo-random order
 * (seeded by `seed`, default 1, independent of the run's seed) and the last `testFraction` of
 * that order is the test set (`shuffle: false` keeps file order: the last rows are the test set).
 */
import * as tf from '@tensorflow/tfjs';
import { parse } from 'csv-parse/sync';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32, permutation } from '../shared/random';
import { readUserFile, recordFile, resolveUserPath } from './files';
import type { Data } from './types';

/** What `datasets.csv` and `datasets.images` return: the data plus what was read. */
export interface WorkspaceData extends Data {
  /** Class names in label order (index k ↔ classes[k]) for classification labels. */
  classes?: string[];
  /** Absolute paths of the files (and folders) read. */
  files: string[];
}

export interface SplitOptions {
  /** Share of the examples held out as the test set (default 0.2; 0 = no test set). */
  testFraction?: number;
  /** Seed of the fixed order the split is taken from (default 1). */
  seed?: number;
  /** Put the examples in the seeded order before splitting (default true). */
  shuffle?: boolean;
}

function splitIndices(n: number, o: SplitOptions, what: string): { train: number[]; test: number[] } {
  const f = o.testFraction ?? 0.2;
  if (!(f >= 0 && f < 1)) throw new RangeError(`${what}: testFraction must be in [0, 1), got ${f}`);
  const order = o.shuffle === false ? Array.from({ length: n }, (_, i) => i) : permutation(n, mulberry32(o.seed ?? 1));
  const nTest = Math.round(n * f);
  if (n - nTest < 1) throw new RangeError(`${what}: ${n} example(s) leave none for training with testFraction ${f}`);
  return { train: order.slice(0, n - nTest), test: order.slice(n - nTest) };
}

/** Labels as one-hot rows or one column of values, for the given example order. */
function labelTensor(values: number[], idx: number[], oneHot: number | false): tf.Tensor2D {
  if (oneHot === false) return tf.tensor2d(idx.map((i) => values[i]), [idx.length, 1]);
  const y = new Float32Array(idx.length * oneHot);
  idx.forEach((i, r) => { y[r * oneHot + values[i]] = 1; });
  return tf.tensor2d(y, [idx.length, oneHot]);
}

const asNumber = (cell: string): number | undefined => {
  const t = cell.trim();
  if (t === '') return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
};

// ---- CSV ---------------------------------------------------------------------------------

export interface CsvOptions extends SplitOptions {
  /** The label column: its header name, or its 0-based index (negative counts from the end: -1 = last). */
  label: string | number;
  /** Feature columns (names or indices; default every column but the label). */
  features?: Array<string | number>;
  /**
   * One-hot labels (for categoricalCrossentropy; default false). Without it the label column is
   * one value per row: the number itself, or for text labels the class index (for
   * sparseCategoricalCrossentropy). Integer labels 0…K−1 are their own class index; other labels
   * are classes in sorted order (listed as `classes`).
   */
  oneHot?: boolean;
  /** Does the first row name the columns? Default: yes when `label` is a name, else when any of its feature cells is not a number. */
  header?: boolean;
  /** Field delimiter (default ','). */
  delimiter?: string;
  /** Scale each feature with the training rows' statistics: 'standard' (mean 0, std 1), 'minmax' ([0, 1]) or 'none' (default). */
  normalize?: 'none' | 'standard' | 'minmax';
}

/**
 * A CSV file as a dataset. Every feature cell must be a number: an error names the file, the
 * row (the line in the file) and the column otherwise.
 *
 *   data: () => datasets.csv('./data/iris.csv', { label: 'species', oneHot: true })
 */
export function csv(path: string, options: CsvOptions): WorkspaceData {
  const what = 'datasets.csv';
  if (!options || (typeof options.label !== 'string' && typeof options.label !== 'number')) {
    throw new TypeError(`${what}: give the label column, e.g. { label: 'species' } or { label: -1 }`);
  }
  const abs = resolveUserPath(path, what);
  const text = readUserFile(abs, what).toString('utf8');
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, { delimiter: options.delimiter ?? ',', info: true, skip_empty_lines: true, trim: true, bom: true, relax_quotes: true }) as unknown as typeof rows;
  } catch (e) {
    throw new Error(`${what}: ${abs}: ${(e as Error).message}`);
  }
  if (rows.length === 0) throw new Error(`${what}: ${abs} is empty`);
  const width = rows[0].record.length;
  const colIndex = (c: string | number, names: string[] | undefined, role: string): number => {
    if (typeof c === 'number') {
      const k = c < 0 ? width + c : c;
      if (!Number.isInteger(c) || k < 0 || k >= width) throw new RangeError(`${what}: ${abs}: ${role} column ${c} is out of range (the file has ${width} columns)`);
      return k;
    }
    if (!names) throw new Error(`${what}: ${abs}: ${role} column '${c}' is a name but the file has no header row (header: false)`);
    const k = names.indexOf(c);
    if (k < 0) throw new Error(`${what}: ${abs}: no column '${c}' (the header names ${names.map((n) => `'${n}'`).join(', ')})`);
    return k;
  };
  // header: explicit, or implied by a label name, or guessed from the first row's non-label cells
  const labelGuess = typeof options.label === 'number' ? (options.label < 0 ? width + options.label : options.label) : -1;
  const header = options.header ?? (typeof options.label === 'string' || rows[0].record.some((c, k) => k !== labelGuess && asNumber(c) === undefined));
  const names = header ? rows[0].record : undefined;
  const body = header ? rows.slice(1) : rows;
  if (body.length === 0) throw new Error(`${what}: ${abs} has a header but no data rows`);
  const label = colIndex(options.label, names, 'label');
  const features = (options.features ?? Array.from({ length: width }, (_, k) => k).filter((k) => k !== label)).map((c) => colIndex(c, names, 'feature'));
  if (features.length === 0) throw new Error(`${what}: ${abs}: no feature columns besides the label`);
  const colName = (k: number) => (names ? `${k + 1} ('${names[k]}')` : `${k + 1}`);

  const n = body.length, d = features.length;
  const x = new Float32Array(n * d);
  const rawLabels: string[] = [];
  body.forEach(({ record, info }, r) => {
    features.forEach((k, j) => {
      const v = asNumber(record[k] ?? '');
      if (v === undefined) {
        const cell = record[k] ?? '';
        throw new Error(`${what}: ${abs}: row ${info.lines}, column ${colName(k)}: ${cell.trim() === '' ? 'empty cell' : `'${cell.length > 40 ? cell.slice(0, 40) + '…' : cell}' is not a number`}`);
      }
      x[r * d + j] = v;
    });
    rawLabels.push(record[label]);
  });

  // labels: numbers, class indices, or one-hot
  let values: number[];
  let classes: string[] | undefined;
  const numeric = rawLabels.map(asNumber);
  const allNumeric = numeric.every((v) => v !== undefined);
  const integerClasses = allNumeric && numeric.every((v) => Number.isInteger(v) && v! >= 0);
  if (allNumeric && (!options.oneHot || integerClasses)) {
    values = numeric as number[];
    if (integerClasses) classes = Array.from({ length: Math.max(...values) + 1 }, (_, k) => String(k));
  } else {
    if (!allNumeric && rawLabels.some((v) => v.trim() === '')) {
      const r = rawLabels.findIndex((v) => v.trim() === '');
      throw new Error(`${what}: ${abs}: row ${body[r].info.lines}, column ${colName(label)}: empty label`);
    }
    classes = [...new Set(rawLabels)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const id = new Map(classes.map((c, k) => [c, k]));
    values = rawLabels.map((v) => id.get(v)!);
  }
  const oneHot = options.oneHot ? classes!.length : false;

  const split = splitIndices(n, options, `${what}: ${abs}`);
  const norm = normalizer(x, n, d, split.train, options.normalize ?? 'none');
  const pick = (idx: number[]) => {
    const xs = new Float32Array(idx.length * d);
    idx.forEach((i, r) => { for (let j = 0; j < d; j++) xs[r * d + j] = norm(x[i * d + j], j); });
    return { x: tf.tensor2d(xs, [idx.length, d]), y: labelTensor(values, idx, oneHot) };
  };
  const tr = pick(split.train);
  const te = split.test.length ? pick(split.test) : undefined;
  const file = abs.split(/[\\/]/).pop();
  return {
    x: tr.x, y: tr.y, xTest: te?.x, yTest: te?.y, classes: oneHot || !allNumeric ? classes : undefined, files: [abs],
    name: `${file} (${split.train.length} train / ${split.test.length} test, ${d} features)`,
  };
}

function normalizer(x: Float32Array, n: number, d: number, rows: number[], how: 'none' | 'standard' | 'minmax'): (v: number, j: number) => number {
  if (how === 'none') return (v) => v;
  const a = new Float64Array(d), b = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const col = rows.map((i) => x[i * d + j]);
    if (how === 'standard') {
      const mean = col.reduce((s, v) => s + v, 0) / col.length;
      const sd = Math.sqrt(col.reduce((s, v) => s + (v - mean) ** 2, 0) / col.length);
      a[j] = mean; b[j] = sd > 0 ? sd : 1;
    } else {
      const lo = Math.min(...col), hi = Math.max(...col);
      a[j] = lo; b[j] = hi > lo ? hi - lo : 1;
    }
  }
  void n;
  return (v, j) => (v - a[j]) / b[j];
}

// ---- images ------------------------------------------------------------------------------

export interface ImagesOptions extends SplitOptions {
  /** [height, width] every image is brought to. */
  shape: [number, number];
  /** 1 (grey: luminance 0.299 R + 0.587 G + 0.114 B), 3 (RGB, default) or 4 (RGBA). Images are converted. */
  channels?: 1 | 3 | 4;
  /** Resize images of another size bilinearly (default true); false makes such an image an error naming it. */
  resize?: boolean;
  /** One-hot labels (default true); false gives class indices (for sparseCategoricalCrossentropy). */
  oneHot?: boolean;
  /** Flatten each image to a vector of h·w·channels (default false: [n, h, w, channels]). */
  flatten?: boolean;
}

const IMAGE = /\.(png|jpe?g)$/i;

interface Decoded { width: number; height: number; rgba: Uint8Array }

/** Decodes a PNG or JPEG (told apart by their first bytes) to 8-bit RGBA. */
export function decodeImage(bytes: Buffer, path: string): Decoded {
  try {
    if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
      const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: j.width, height: j.height, rgba: j.data };
    }
  } catch (e) {
    throw new Error(`datasets.images: cannot decode ${path}: ${(e as Error).message}`);
  }
  throw new Error(`datasets.images: ${path} is neither a PNG nor a JPEG`);
}

/**
 * Bilinear resize of 8-bit RGBA to [h, w] with `channels` channels scaled to [0, 1], written at
 * `out[offset…]`. Pixel centres are aligned (half-pixel convention, like tf.image.resizeBilinear
 * with halfPixelCenters), so a same-size image is copied exactly.
 */
export function resizeBilinear(img: Decoded, h: number, w: number, channels: 1 | 3 | 4, out: Float32Array, offset: number): void {
  const sy = img.height / h, sx = img.width / w;
  const px = (x: number, y: number, c: number) => img.rgba[(y * img.width + x) * 4 + c];
  for (let i = 0; i < h; i++) {
    const fy = Math.min(Math.max((i + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, img.height - 1), dy = fy - y0;
    for (let j = 0; j < w; j++) {
      const fx = Math.min(Math.max((j + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, img.width - 1), dx = fx - x0;
      const at = (c: number) => (px(x0, y0, c) * (1 - dx) + px(x1, y0, c) * dx) * (1 - dy) + (px(x0, y1, c) * (1 - dx) + px(x1, y1, c) * dx) * dy;
      const o = offset + (i * w + j) * channels;
      if (channels === 1) out[o] = (0.299 * at(0) + 0.587 * at(1) + 0.114 * at(2)) / 255;
      else for (let c = 0; c < channels; c++) out[o + c] = at(c) / 255;
    }
  }
}

/**
 * A folder of images, one sub-folder per class (the sub-folder names, sorted, are the
 * classes), as a dataset of [n, h, w, channels] pixels in [0, 1].
 *
 *   data: () => datasets.images('./data/shapes', { shape: [32, 32], channels: 1 })
 */
export function images(folder: string, options: ImagesOptions): WorkspaceData {
  const what = 'datasets.images';
  const shape = options?.shape;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((s) => Number.isInteger(s) && s > 0)) {
    throw new TypeError(`${what}: give shape: [height, width] in pixels, e.g. { shape: [28, 28] }`);
  }
  const channels = options.channels ?? 3;
  if (![1, 3, 4].includes(channels)) throw new RangeError(`${what}: channels must be 1, 3 or 4, got ${channels}`);
  const [h, w] = shape;
  const abs = resolveUserPath(folder, what);
  const list = (dir: string) => {
    try { return readdirSync(dir, { withFileTypes: true }); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`${what}: cannot read the folder ${dir}: ${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (e as Error).message}`);
    }
  };
  const classes = list(abs).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  recordFile(abs);
  if (classes.length === 0) throw new Error(`${what}: ${abs} has no sub-folders: put each class's images in a sub-folder named after it`);
  const files: Array<{ path: string; label: number }> = [];
  classes.forEach((c, k) => {
    const dir = join(abs, c);
    recordFile(dir);
    for (const f of list(dir).filter((d) => d.isFile() && IMAGE.test(d.name)).map((d) => d.name).sort()) files.push({ path: join(dir, f), label: k });
  });
  if (files.length === 0) throw new Error(`${what}: no .png/.jpg/.jpeg images in the sub-folders of ${abs}`);
  const per = h * w * channels;
  const x = new Float32Array(files.length * per);
  files.forEach((f, i) => {
    const img = decodeImage(readUserFile(f.path, what), f.path);
    if (options.resize === false && (img.width !== w || img.height !== h)) {
      throw new Error(`${what}: ${f.path} is ${img.height}×${img.width} (height×width), not the ${h}×${w} of shape (resize: false): resize the file, or drop resize: false to resize it bilinearly`);
    }
    resizeBilinear(img, h, w, channels, x, i * per);
  });
  const split = splitIndices(files.length, options, `${what}: ${abs}`);
  const labels = files.map((f) => f.label);
  const xShape = (m: number) => (options.flatten ? [m, per] : [m, h, w, channels]);
  const pick = (idx: number[]) => {
    const xs = new Float32Array(idx.length * per);
    idx.forEach((i, r) => xs.set(x.subarray(i * per, (i + 1) * per), r * per));
    return { x: tf.tensor(xs, xShape(idx.length)), y: labelTensor(labels, idx, options.oneHot === false ? false : classes.length) };
  };
  const tr = pick(split.train);
  const te = split.test.length ? pick(split.test) : undefined;
  return {
    x: tr.x, y: tr.y, xTest: te?.x, yTest: te?.y, classes, files: [abs, ...files.map((f) => f.path)],
    name: `${abs.split(/[\\/]/).pop()} (${classes.length} classes, ${split.train.length} train / ${split.test.length} test, ${h}×${w}×${channels})`,
  };
}
