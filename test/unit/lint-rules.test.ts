/**
 * The layer rules of CONTRIBUTING.md fire: one planted violation per rule, linted in memory
 * (ESLint's lintText with a file path in the folder the rule covers; nothing is written).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..');

const PLANTS: Array<{ file: string; code: string; rule: string }> = [
  { file: 'src/engine/plant.ts', code: "import * as tf from '@tensorflow/tfjs';\nexport const b = tf.getBackend();\n", rule: 'no-restricted-properties' },
  { file: 'src/engine/plant.ts', code: 'export const e = process.env.LOSS_LANDSCAPE_X;\n', rule: 'no-restricted-properties' },
  { file: 'src/runner/plant.ts', code: 'export const e = process.env.HOME;\n', rule: 'no-restricted-properties' },
  { file: 'src/engine/plant.ts', code: "export { heapView } from '../backends/wasm/wasm-internals';\n", rule: 'no-restricted-imports' },
  { file: 'src/api/plant.ts', code: "export { readParams } from '../engine/params';\n", rule: 'no-restricted-imports' },
  { file: 'src/backends/plant.ts', code: "export { pointsPerRead } from '../engine/chunks';\n", rule: 'no-restricted-imports' },
  { file: 'src/shared/plant.ts', code: "export { pointsPerRead } from '../engine/chunks';\n", rule: 'no-restricted-imports' },
  { file: 'src/protocol/plant.ts', code: "export type { Rng } from '../shared/random';\n", rule: 'no-restricted-imports' },
  { file: 'src/cli/plant.ts', code: "import * as vscode from 'vscode';\nexport const v = vscode;\n", rule: 'no-restricted-imports' },
  { file: 'webview/plant.ts', code: "export { pointsPerRead } from '../src/engine/chunks';\n", rule: 'no-restricted-imports' },
  { file: 'webview/plant.ts', code: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", rule: 'no-restricted-imports' },
  { file: 'src/shared/plant.ts', code: Array.from({ length: 501 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n', rule: 'max-lines' },
];

test('each layer rule fires once on a planted violation, and the allowed imports pass', async () => {
  const eslint = new ESLint({ cwd: root });
  for (const p of PLANTS) {
    const [r] = await eslint.lintText(p.code, { filePath: join(root, p.file) });
    const errors = r.messages.filter((m) => m.severity === 2);
    assert.deepEqual(
      errors.map((m) => m.ruleId),
      [p.rule],
      `${p.file}: ${p.code.slice(0, 60)} → ${JSON.stringify(errors.map((m) => m.message))}`,
    );
  }
  const allowed = [
    { file: 'webview/plant.ts', code: "export { blasLabel } from '../src/shared/labels';\nexport type { ProbeResult } from '../src/protocol';\n" },
    { file: 'src/shared/plant.ts', code: "export type { ProbeResult } from '../protocol';\n" },
    { file: 'src/engine/plant.ts', code: "export { backendCapabilities } from '../backends';\n" },
  ];
  for (const p of allowed) {
    const [r] = await eslint.lintText(p.code, { filePath: join(root, p.file) });
    assert.deepEqual(
      r.messages.filter((m) => m.severity === 2),
      [],
      `${p.file} may: ${p.code}`,
    );
  }
});
