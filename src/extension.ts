/**
 * Loss Landscape — VS Code extension entry. Wiring only: every piece lives in src/host/.
 * Data flows runner (child process) → extension host → webview panel.
 */
import * as vscode from 'vscode';
import { ResultCache } from './host/cache';
import { registerCodeLens } from './host/codelens';
import { registerCommands } from './host/commands';
import { RunDiagnostics } from './host/diagnostics';
import { createLog } from './host/log';
import { PanelRegistry } from './host/panel';
import { Prober } from './host/prober';
import { RunManager } from './host/runs';
import { onTrusted } from './host/trust';
import { setting } from './shared/switchboard';

let runs: RunManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog(context);
  log.info(`activate: Loss Landscape ${context.extension.packageJSON.version}, VS Code ${vscode.version}, node ${process.version}, trusted=${vscode.workspace.isTrusted}`);

  // LOSS_LANDSCAPE_RUNNER: an alternative runner script (tests).
  const runnerPath = setting('RUNNER') || context.asAbsolutePath('dist/runner.js');
  runs = new RunManager(runnerPath, log);
  const diagnostics = new RunDiagnostics();
  const cache = new ResultCache(context, log);
  // the panels route webview messages to the prober, which needs the panels: tie the knot once
  const ref: { prober?: Prober } = {};
  const panels = new PanelRegistry(context, (panel, m) => ref.prober?.handleWebview(panel, m), log);
  const p = (ref.prober = new Prober(context, log, panels, runs, cache, diagnostics));

  context.subscriptions.push(
    runs,
    diagnostics,
    panels,
    p,
    panels.registerSerializer((panel) => void p.restore(panel)),
    vscode.workspace.onDidSaveTextDocument((doc) => p.onSaved(doc)),
    onTrusted(() => p.onTrusted()),
  );
  registerCodeLens(context);
  registerCommands(context, p, log, panels);
}

export function deactivate(): void {
  runs?.cancelAll();
}
