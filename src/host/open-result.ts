/**
 * "Loss Landscape: Open Result…": shows any result.json (a merged cluster run, a CI artefact, a
 * colleague's) in a panel with every view and export. Nothing runs: the panel is keyed by the
 * JSON file, and re-run asks for the .landscape.ts instead. Works in untrusted workspaces too.
 */
import * as vscode from 'vscode';
import type { ProbeResult } from '../protocol';
import { RESULT_SCHEMA } from '../shared/wire';
import type { Log } from './log';
import type { LandscapePanel, PanelRegistry } from './panel';
import { newRunId } from './runs';

/** A panel that shows a saved result.json rather than a definition's runs. */
export const isSavedResultPanel = (panel: LandscapePanel) => /\.json$/i.test(panel.file.fsPath);

/** Why `value` is not a result.json of ours (undefined: it is one). */
export function notAResult(value: unknown): string | undefined {
  const r = value as Partial<ProbeResult> | null;
  if (!r || typeof r !== 'object') return 'it does not hold a JSON object';
  if (r.schema !== RESULT_SCHEMA) return `its schema is ${JSON.stringify(r.schema ?? null)}, not "${RESULT_SCHEMA}"`;
  if (typeof r.analysis !== 'string' || !r[r.analysis as keyof ProbeResult]) return `it has no '${String(r.analysis)}' result`;
  return undefined;
}

export async function openResult(panels: PanelRegistry, log: Log, uri?: vscode.Uri): Promise<LandscapePanel | undefined> {
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false, openLabel: 'Open Result', title: 'Open a Loss Landscape result.json',
      filters: { 'Loss Landscape result': ['json'] },
    });
    uri = picked?.[0];
    if (!uri) return undefined;
  }
  let result: ProbeResult;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    const why = notAResult(parsed);
    if (why) throw new Error(why);
    result = parsed as ProbeResult;
  } catch (e) {
    const message = `${vscode.workspace.asRelativePath(uri)} is not a Loss Landscape result: ${(e as Error).message}`;
    log.warn(message);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
  const panel = panels.open(uri, result.definition, false);
  const runId = newRunId();
  panel.currentRunId = runId;
  panel.lastResult = result;
  panel.post({ type: 'runStarted', runId, file: result.file, definition: result.definition, options: result.options as never, cached: true, startedAt: Date.now() });
  panel.post({ type: 'result', runId, result });
  panel.post({ type: 'runEnded', runId, status: 'done', elapsed: 0 });
  log.info(`opened result ${uri.fsPath} (${result.analysis} of ${result.definition})`);
  return panel;
}
