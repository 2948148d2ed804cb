/**
 * Workspace trust. Probing runs the code of the user's `.landscape.ts` file (training is just
 * running it), so in Restricted Mode the runner is never forked: the panel explains why and
 * offers to manage trust instead.
 */
import * as vscode from 'vscode';

export const UNTRUSTED_MESSAGE =
  'This workspace is in Restricted Mode. Probing a loss landscape runs the code of the ' +
  '.landscape.ts file (it trains your model), so Loss Landscape does not run anything in an ' +
  'untrusted workspace. Trust the workspace (Manage Workspace Trust) to probe it.';

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

export async function manageTrust(): Promise<void> {
  await vscode.commands.executeCommand('workbench.trust.manage');
}

/** A notification with a button to manage trust (non-blocking). */
export function warnUntrusted(): void {
  const manage = 'Manage Workspace Trust';
  void vscode.window
    .showWarningMessage('Loss Landscape: probes are disabled in Restricted Mode (they run the file\'s code).', manage)
    .then((pick) => (pick === manage ? manageTrust() : undefined));
}

/** Runs `fn` once the workspace becomes trusted. */
export function onTrusted(fn: () => void): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(fn);
}
