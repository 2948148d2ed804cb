/** Saves what the panel exports (PNG / CSV / JSON, a plane's NumPy .npy / ParaView .vtp) where the user chooses. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WebviewToHost } from '../protocol';
import type { Log } from './log';

type ExportMessage = Extract<WebviewToHost, { type: 'export' }>;

const FILTERS: Record<ExportMessage['format'], Record<string, string[]>> = {
  png: { 'PNG image': ['png'] },
  csv: { 'CSV table': ['csv'] },
  json: { JSON: ['json'] },
  npy: { 'NumPy array': ['npy'] },
  vtp: { 'VTK PolyData (ParaView)': ['vtp'] },
};

/** PNG and NPY data arrive as base64 (PNG as a data: URL); CSV, JSON and VTP as text. */
export function exportBytes(m: ExportMessage): Uint8Array {
  if (m.format === 'png' || m.format === 'npy') {
    const b64 = m.data.startsWith('data:') ? m.data.slice(m.data.indexOf(',') + 1) : m.data;
    return Buffer.from(b64, 'base64');
  }
  return new TextEncoder().encode(m.data);
}

export async function saveExport(m: ExportMessage, near: vscode.Uri, log: Log): Promise<vscode.Uri | undefined> {
  const base = (m.name || 'landscape').replace(/[\\/:*?"<>|]+/g, '-');
  const file = base.toLowerCase().endsWith(`.${m.format}`) ? base : `${base}.${m.format}`;
  const dir = near.scheme === 'file' ? vscode.Uri.file(path.dirname(near.fsPath)) : vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: dir ? vscode.Uri.joinPath(dir, file) : undefined,
    filters: FILTERS[m.format],
    saveLabel: `Export ${m.format.toUpperCase()}`,
  });
  if (!target) return undefined;
  try {
    await vscode.workspace.fs.writeFile(target, exportBytes(m));
    log.info(`exported ${m.format} to ${target.fsPath}`);
    const open = 'Open';
    void vscode.window.showInformationMessage(`Saved ${path.basename(target.fsPath)}`, open).then((pick) => {
      if (pick === open) void vscode.commands.executeCommand('vscode.open', target);
    });
    return target;
  } catch (e) {
    void vscode.window.showErrorMessage(`Loss Landscape: could not save ${target.fsPath}: ${(e as Error).message}`);
    return undefined;
  }
}
