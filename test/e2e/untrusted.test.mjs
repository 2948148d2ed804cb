// Restricted Mode: workspace trust enabled and the folder NOT trusted. The extension still
// activates (untrustedWorkspaces: limited), the CodeLens opens the panel with the untrusted
// message, and no runner is ever forked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openWorkbench, quickOpen, clickCodeLens, waitInWebview, shot, lap, SEL, runnerProcesses, dumpConsole, extHostLog, sleep } from './lib.mjs';

let wb, page;
before(async () => { wb = await openWorkbench(); page = wb.page; });
after(async () => {
  if (process.exitCode) { dumpConsole(wb?.consoleLines ?? []); console.log(extHostLog()); }
  await wb?.browser.close();
});

test('untrusted workspace: the panel explains, nothing runs', { timeout: 180_000 }, async () => {
  try {
    // the startup trust prompt: answer "No"
    const no = page.locator('.monaco-dialog-box .monaco-button', { hasText: "No, I don't trust the authors" });
    await no.waitFor({ timeout: 30_000 });
    await shot(page, 'untrusted-01-trust-prompt');
    await no.click();
    await page.locator('.monaco-dialog-box').waitFor({ state: 'detached' });
    const t = Date.now();
    await quickOpen(page, 'mnist-mlp.landscape.ts');
    await clickCodeLens(page, 'interpolate');
    await page.locator(SEL.tab('Landscape: mlp')).waitFor();
    const msg = await waitInWebview(page, () => window.__ll?.model?.untrusted, undefined, { timeout: 30_000, label: 'untrusted message' });
    lap('CodeLens in Restricted Mode -> untrusted message', t);
    console.log(`  panel: ${msg}`);
    assert.match(msg, /Restricted Mode/);
    const shown = await waitInWebview(page, () => document.querySelector('.ll-untrusted:not([hidden])')?.textContent
      ?? (document.body.innerText.includes('Restricted Mode') && document.body.innerText.slice(0, 300)), undefined, { timeout: 10_000, label: 'untrusted box visible' });
    assert.ok(shown);
    await sleep(1500); // a runner would have been forked by now
    assert.deepEqual(runnerProcesses(), [], 'no runner forked');
    await shot(page, 'untrusted-02-panel');

    // the notification offers to manage trust
    const toast = page.locator(SEL.toast).filter({ hasText: 'Restricted Mode' }).first();
    await toast.waitFor({ timeout: 10_000 });
    await toast.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).click();
    await page.locator(SEL.tab('Workspace Trust')).waitFor({ timeout: 15_000 });
    await page.locator('.workspace-trust-editor').filter({ hasText: 'Restricted Mode' }).first().waitFor({ timeout: 15_000 }).catch(() => {});
    await sleep(500);
    await shot(page, 'untrusted-03-manage-trust');
    assert.deepEqual(runnerProcesses(), [], 'still no runner');
  } catch (e) {
    await shot(page, 'untrusted-99-failure').catch(() => {});
    throw e;
  }
});
