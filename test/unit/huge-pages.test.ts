/**
 * Huge-page advice for big fresh buffers (src/backends/native/huge-pages.ts): accepted by Linux
 * for a buffer of whole 2 MiB pages (AnonHugePages counts them once written, where the kernel
 * has them free), never for small ones or when turned off; the buffer's contents are unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const linux = process.platform === 'linux' ? false : 'Linux only';

test('madvise(MADV_HUGEPAGE) on a 64 MiB buffer; small buffers and LOSS_LANDSCAPE_HUGE_PAGES=off are left alone', { skip: linux }, () => {
  const script = `
    const { adviseHugePages } = require('./src/backends/native/huge-pages');
    const small = new Float32Array(1000), big = new Float32Array(16 * 2 ** 20);
    const ok = adviseHugePages(big);
    for (let i = 0; i < big.length; i++) big[i] = i % 977;
    let sum = 0; for (let i = 0; i < big.length; i += 4099) sum += big[i] - (i % 977);
    console.log(JSON.stringify({ ok, small: adviseHugePages(small), sum }));`;
  const run = (env: NodeJS.ProcessEnv) => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' }).trim().split('\n').pop()!);
  const thp = fs.existsSync('/sys/kernel/mm/transparent_hugepage/enabled') ? fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8') : '';
  const on = run({});
  assert.equal(on.small, false, 'small buffers: no advice');
  assert.equal(on.sum, 0, 'contents as written');
  if (/\[(always|madvise)\]/.test(thp)) assert.equal(on.ok, true, `the kernel accepts (THP: ${thp.trim()})`);
  const off = run({ LOSS_LANDSCAPE_HUGE_PAGES: 'off' });
  assert.equal(off.ok, false);
  assert.equal(off.sum, 0);
});
