/** Probe options from the `lossLandscape.*` settings. */
import * as vscode from 'vscode';
import type { AnalysisKind, BackendName, DirectionsKind, ProbeOptions } from '../protocol';

/** Only what the analysis uses, so unrelated settings do not change the cache key. */
export function optionsFromSettings(uri: vscode.Uri, analysis: AnalysisKind, directions?: DirectionsKind): ProbeOptions {
  const c = vscode.workspace.getConfiguration('lossLandscape', uri);
  const o: ProbeOptions = {
    analysis,
    backend: c.get<BackendName>('backend', 'wasm'),
    examples: c.get<number>('examples', 0),
  };
  if (analysis === 'interpolate') {
    o.points = c.get<number>('points', 41);
    o.alphaRange = c.get<[number, number]>('alphaRange', [-0.5, 1.5]);
  } else {
    o.grid = c.get<number>('grid', 21);
    o.directions = directions ?? c.get<DirectionsKind>('directions', 'goodfellow');
  }
  return o;
}

