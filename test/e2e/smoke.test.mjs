// Smoke: the extension activates in the workspace, its CodeLenses show, the panel opens and
// gets a result from the runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWorkbench, quickOpen, clickCodeLens, waitInWebview, shot, lap, SEL, dumpConsole, extHostLog } from './lib.mjs';

const FILE = process.env.E2E_FILE ?? 'mnist-mlp.landscape.ts';

test('activation, CodeLens, panel with a result', { timeout: 240_000 }, async () => {
  const { browser, page, consoleLines } = await openWorkbench();
  try {
    await shot(page, 'smoke-01-workbench');
    let t = Date.now();
    await quickOpen(page, FILE);
    await page.locator(SEL.codeLens('interpolate')).first().waitFor({ timeout: 60_000 });
    lap('open file -> CodeLens visible', t);
    await shot(page, 'smoke-02-codelens');
    t = Date.now();
    await clickCodeLens(page, 'interpolate');
    await page.locator(SEL.tab('Landscape: ')).first().waitFor();
    const res = await waitInWebview(page, () => window.__ll?.model?.status === 'done' && window.__ll.model.result, undefined, { label: 'result in window.__ll.model' });
    lap('CodeLens click -> result in the webview', t);
    assert.equal(res.schema, 'loss-landscape/result@1');
    await shot(page, 'smoke-03-panel');
  } catch (e) {
    await shot(page, 'smoke-99-failure').catch(() => {});
    dumpConsole(consoleLines);
    console.log(extHostLog());
    throw e;
  } finally {
    await browser.close();
  }
});
