/**
 * The switchboard (src/shared/switchboard.ts): every LOSS_LANDSCAPE_* variable the code names is in
 * its table, README's section is the table, and the parsers read "off" and numbers one way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setting, SWITCHES, switchboardMarkdown, switchName, type SwitchKey } from '../../src/shared/switchboard';

const root = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|mjs)$/.test(n) ? [p] : [];
  });
}

test('README.md\'s "Environment variables" section is the switchboard\'s table', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /<!-- switchboard:start -->\n([\s\S]*?)\n<!-- switchboard:end -->/.exec(readme);
  assert.ok(m, 'README.md has no <!-- switchboard:start --> … <!-- switchboard:end --> section');
  assert.equal(m[1], switchboardMarkdown(), "README.md's table differs from src/shared/switchboard.ts: paste switchboardMarkdown() between the markers");
});

test('every LOSS_LANDSCAPE_* variable named in src/ and webview/ is in the table, and only the switchboard reads one', () => {
  const known = new Set(Object.keys(SWITCHES).map((k) => switchName(k as SwitchKey)));
  for (const file of [...sources(join(root, 'src')), ...sources(join(root, 'webview'))]) {
    const text = readFileSync(file, 'utf8');
    for (const [name] of text.matchAll(/LOSS_LANDSCAPE_[A-Z0-9_]*[A-Z0-9]/g)) {
      if (name === 'LOSS_LANDSCAPE_RESULT') continue; // report.html's placeholder, not a variable
      assert.ok(known.has(name), `${file} names ${name}, which is not in src/shared/switchboard.ts`);
    }
    if (!file.endsWith('switchboard.ts')) assert.doesNotMatch(text, /process\.env\.LOSS_LANDSCAPE_/, `${file} reads a switch itself`);
  }
});

test('the parsers: one "off", numbers with their defaults', () => {
  const with_ = <T>(vars: Record<string, string | undefined>, fn: () => T): T => {
    const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    const put = (v: Record<string, string | undefined>) => {
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined) delete process.env[k];
        else process.env[k] = x;
      }
    };
    put(vars);
    try {
      return fn();
    } finally {
      put(before);
    }
  };
  const cases: Array<[SwitchKey, string | undefined, unknown]> = [
    ...['off', 'OFF', '0', 'false', 'no', 'none'].flatMap((off): Array<[SwitchKey, string, unknown]> => [
      ['DENSE_EVAL', off, false],
      ['BLAS', off, { off: true }],
    ]),
    ['DENSE_EVAL', undefined, true],
    ['DENSE_EVAL', 'on', true],
    ['BLAS', '/x/libblas.so', { off: false, file: '/x/libblas.so' }],
    ['BLAS', 'auto', { off: false, file: undefined }],
    ['BLAS_MIN_MACS', undefined, 32768],
    ['POINTS_PER_READ', '2.5', undefined],
    ['POINTS_PER_READ', '8', 8],
    ['WORKERS', '7', 2],
    ['WORKERS', 'x', 1],
    ['STACK', '1', true],
    ['STACK', '0', false],
    ['STACK', undefined, undefined],
    ['MAX_MEMORY_MB', '-3', undefined],
  ];
  for (const [key, raw, expected] of cases) {
    assert.deepEqual(
      with_({ [switchName(key)]: raw }, () => setting(key)),
      expected,
      `${switchName(key)}=${raw}`,
    );
  }
});
