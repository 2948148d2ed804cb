// The .vsix from `npm run package`, installed with --install-extension into a fresh profile
// (run-e2e.sh), activates and runs a real probe: its runner, esbuild binary, TF.js wasm files
// and MNIST digits all come from the package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openWorkbench, quickOpen, clickCodeLens, waitInWebview, shot, lap, SEL, RUN_DIR, runnerProcesses, dumpConsole, extHostLog, sleep } from './lib.mjs';

test('installed .vsix activates and probes', { timeout: 240_000 }, async () => {
  const installed = readdirSync(join(RUN_DIR, 'ext')).filter((d) => d.startsWith('loss-landscape.'));
  console.log(`  installed: ${installed.join(', ')}`);
  assert.equal(installed.length, 1);
  const { browser, page, consoleLines } = await openWorkbench();
  try {
    let t = Date.now();
    await quickOpen(page, 'mnist-mlp.landscape.ts');
    await page.locator(SEL.codeLens('interpolate')).first().waitFor({ timeout: 60_000 });
    lap('vsix: open file -> CodeLens (activated)', t);
    t = Date.now();
    await clickCodeLens(page, 'interpolate');
    let runner = [];
    for (let i = 0; i < 50 && !runner.length; i++) { runner = runnerProcesses(); await sleep(100); }
    console.log(`  runner: ${runner.join(' | ')}`);
    assert.ok(runner.some((r) => r.includes(join(RUN_DIR, 'ext', installed[0], 'dist/runner.js'))), 'the packaged runner runs');
    const m = await waitInWebview(page, () => window.__ll?.model?.status !== 'loading' && ['done', 'error'].includes(window.__ll?.model?.status) && window.__ll.model,
      undefined, { timeout: 180_000, label: 'result' });
    lap('vsix: interpolate -> result', t);
    await shot(page, 'vsix-01-result');
    assert.equal(m.status, 'done', JSON.stringify(m.error));
    assert.equal(m.result.interpolate.alpha.length, 21);
  } catch (e) {
    await shot(page, 'vsix-99-failure').catch(() => {});
    dumpConsole(consoleLines);
    console.log(extHostLog());
    throw e;
  } finally {
    await browser.close();
  }
});
