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
  // Only when off: results cached with the default stay valid.
  if (!c.get<boolean>('blas', true)) o.blas = false;
  const bn = c.get<'interpolate' | 'recompute' | 'both' | 'default'>('batchNorm', 'default');
  if (bn !== 'default' && (analysis === 'interpolate' || analysis === 'plane')) o.bn = bn;
  if (analysis === 'interpolate') {
    o.points = c.get<number>('points', 41);
    o.alphaRange = c.get<[number, number]>('alphaRange', [-0.5, 1.5]);
  } else if (analysis === 'survey') {
    const runs = c.get<number>('surveyRuns', 0);
    if (runs > 0) o.runs = runs;
    o.grid = c.get<number>('grid', 21);
    o.points = c.get<number>('points', 41);
  } else if (analysis === 'curvature') {
    o.k = c.get<number>('curvatureK', 5);
  } else if (analysis === 'connect') {
    o.points = Math.max(31, c.get<number>('points', 41));
  } else if (analysis === 'compare') {
    o.points = c.get<number>('points', 41);
    o.grid = c.get<number>('grid', 21);
    o.alphaRange = c.get<[number, number]>('alphaRange', [-0.5, 1.5]);
  } else {
    o.grid = c.get<number>('grid', 21);
    o.directions = directions ?? c.get<DirectionsKind>('directions', 'goodfellow');
  }
  return o;
}

