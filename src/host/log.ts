/** The extension's log: an Output channel "Loss Landscape" (Output ▸ Loss Landscape). */
import * as vscode from 'vscode';

export type Log = vscode.LogOutputChannel;

export function createLog(context: vscode.ExtensionContext): Log {
  const log = vscode.window.createOutputChannel('Loss Landscape', { log: true });
  context.subscriptions.push(log);
  return log;
}
