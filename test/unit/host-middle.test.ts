/**
 * The middle layer without VS Code: the cache key (on what actually runs), the settings →
 * options mapping, the one definition finder, and the defaults kept in one place.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { cacheKey, codeIdentity } from '../../src/host/cache-key';
import { optionsFromGetter } from '../../src/host/settings-options';
import { findDefinitions } from '../../src/shared/definitions';
import { ANALYSIS_INFO } from '../../src/shared/analyses';
import { LIMITS } from '../../src/shared/options';
import type { AnalysisKind, AnyProbeOptions } from '../../src/protocol';
import { defaultProbeOptions } from '../../src/shared/defaults';
import { loadFile } from '../../src/runner/load';

after(() => esbuild.stop());

const DEF = `import * as tf from '@tensorflow/tfjs';
import { landscape } from 'loss-landscape';
import { units } from './helper';

export const a = landscape({
  data: { x: [[0], [1]], y: [[0], [1]] },
  model: () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units })] }),
  loss: 'meanSquaredError',
  optimizer: () => tf.train.sgd(0.1),
});
`;

test('the cache key follows what runs: editing an imported module misses the cache', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-key-'));
  const file = join(dir, 'k.landscape.ts');
  writeFileSync(file, DEF);
  writeFileSync(join(dir, 'helper.ts'), 'export const units = 1;\n');
  const options = { analysis: 'interpolate' as const, points: 21 };
  const key = async () => cacheKey({ code: await codeIdentity(file, readFileSync(file, 'utf8')), definition: 'a', options, version: '1' });
  const k1 = await key();
  assert.equal(await key(), k1, 'same code, same key');
  writeFileSync(join(dir, 'helper.ts'), 'export const units = 1; // a comment only\n');
  assert.equal(await key(), k1, 'a comment does not change the bundle');
  writeFileSync(join(dir, 'helper.ts'), 'export const units = 2;\n');
  const k2 = await key();
  assert.notEqual(k2, k1, 'an edit of the imported module misses');
  // options, definition and version are in the key too; option order is not
  const code = await codeIdentity(file, DEF);
  assert.notEqual(cacheKey({ code, definition: 'b', options, version: '1' }), k2);
  assert.notEqual(cacheKey({ code, definition: 'a', options: { ...options, points: 5 }, version: '1' }), k2);
  assert.equal(cacheKey({ code, definition: 'a', options: { points: 21, analysis: 'interpolate' }, version: '1' }), k2);
  // a file that does not bundle is keyed on its text (the runner reports the syntax error)
  writeFileSync(file, DEF.replace('sgd(0.1),', 'sgd(0.1),)'));
  assert.match(await codeIdentity(file, 'x'), /^text:/);
});

test('settings → options: each analysis takes the settings its table entry lists, nothing else', () => {
  const settings: Record<string, unknown> = { backend: 'wasm', examples: 500, points: 31, grid: 15, alphaRange: [-1, 2], directions: 'pca',
    batchNorm: 'default', surveyRuns: 0, curvatureK: 7 };
  const get = <T>(key: string, fallback: T) => (key in settings ? settings[key] as T : fallback);
  const o = (a: AnalysisKind, d?: 'random') => optionsFromGetter(get, a, d) as AnyProbeOptions;
  assert.deepEqual(o('interpolate'), { analysis: 'interpolate', backend: 'wasm', examples: 500, points: 31, alphaRange: [-1, 2] });
  assert.deepEqual(o('plane'), { analysis: 'plane', backend: 'wasm', examples: 500, grid: 15, directions: 'pca' });
  assert.deepEqual(o('plane', 'random').directions, 'random', 'the CodeLens/palette choice wins');
  assert.deepEqual(o('survey'), { analysis: 'survey', backend: 'wasm', examples: 500, grid: 15, points: 31 }, 'surveyRuns 0 = the definition\'s');
  assert.deepEqual(o('curvature'), { analysis: 'curvature', backend: 'wasm', examples: 500, k: 7 });
  assert.deepEqual(o('connect'), { analysis: 'connect', backend: 'wasm', examples: 500, points: 31 });
  assert.deepEqual(o('compare'), { analysis: 'compare', backend: 'wasm', examples: 500, points: 31, grid: 15, alphaRange: [-1, 2] });
  settings.batchNorm = 'recompute'; settings.surveyRuns = 4;
  assert.equal(o('interpolate').bn, 'recompute');
  assert.equal(o('survey').runs, 4);
  assert.equal(o('curvature').bn, undefined, 'bn only where it is used');
});

test('one definition finder: 1-based lines, the same for the CodeLens and the runner', async () => {
  const text = `// header\nexport const first = landscape({});\n\n  export let second: Def =\n  landscape<Cfg>({});\nconst notExported = landscape({});\n`;
  assert.deepEqual(findDefinitions(text), [{ name: 'first', line: 2 }, { name: 'second', line: 4 }]);
  const loaded = await loadFile(join(__dirname, '..', 'fixtures', 'two-defs.landscape.ts'));
  const found = findDefinitions(readFileSync(loaded.file, 'utf8'));
  assert.deepEqual(loaded.infos, found);
});

test('defaults live in one place: package.json settings = defaultProbeOptions; every analysis is in the table', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const props = pkg.contributes.configuration.properties;
  for (const [key, field] of [['points', 'points'], ['grid', 'grid'], ['examples', 'examples'], ['alphaRange', 'alphaRange'],
    ['directions', 'directions'], ['backend', 'backend'], ['curvatureK', 'k']] as const) {
    assert.deepEqual(props[`lossLandscape.${key}`].default, defaultProbeOptions[field], `lossLandscape.${key}`);
  }
  assert.deepEqual(Object.keys(ANALYSIS_INFO).sort(), ['compare', 'connect', 'curvature', 'instability', 'interpolate', 'plane', 'survey']);
});

test('limits live in one place: package.json settings\' bounds = LIMITS', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const props = pkg.contributes.configuration.properties;
  const integers = Object.entries(props).filter(([, p]) => (p as { type: string }).type === 'integer').map(([k]) => k).sort();
  const fields = { points: 'points', grid: 'grid', examples: 'examples', curvatureK: 'k', surveyRuns: 'runs' } as const;
  assert.deepEqual(integers, Object.keys(fields).map((k) => `lossLandscape.${k}`).sort(), 'every integer setting has its LIMITS entry here');
  for (const [key, field] of Object.entries(fields) as [keyof typeof fields, keyof typeof LIMITS][]) {
    const p = props[`lossLandscape.${key}`];
    // surveyRuns: 0 is "unset" (the definition's survey.runs, else the default), below LIMITS.runs.min
    assert.equal(p.minimum, key === 'surveyRuns' ? 0 : LIMITS[field].min, `lossLandscape.${key} minimum`);
    assert.equal(p.maximum, LIMITS[field].max, `lossLandscape.${key} maximum`);
  }
});
