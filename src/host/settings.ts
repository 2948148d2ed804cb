/** Probe options from the `lossLandscape.*` settings of a file's workspace folder. */
import * as vscode from 'vscode';
import type { AnalysisKind, DirectionsKind, ProbeOptions } from '../protocol';
import { optionsFromGetter } from './settings-options';

/** Only what the analysis uses, so unrelated settings do not change the cache key. */
export function optionsFromSettings(uri: vscode.Uri, analysis: AnalysisKind, directions?: DirectionsKind): ProbeOptions {
  const c = vscode.workspace.getConfiguration('lossLandscape', uri);
  return optionsFromGetter((key, fallback) => c.get(key, fallback), analysis, directions);
}
