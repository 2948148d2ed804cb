/**
 * Commands: Probe Loss Landscape (palette: definition, then analysis), interpolate / plane
 * (CodeLens; args uri, definition), New Landscape File, Cancel, Manage Trust, Show Log.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnalysisKind, DirectionsKind } from '../protocol';
import { findDefinitions, isLandscapeFile } from './codelens';
import type { Log } from './log';
import type { Prober, ProbeTarget } from './prober';
import type { PanelRegistry } from './panel';
import { newLandscapeFile } from './scaffold';
import { optionsFromSettings } from './settings';
import { openResult } from './open-result';
import { manageTrust } from './trust';

interface AnalysisItem extends vscode.QuickPickItem {
  analysis: AnalysisKind;
  directions?: DirectionsKind;
}

export const ANALYSES: AnalysisItem[] = [
  { label: 'Interpolate init→final', analysis: 'interpolate', detail: 'Loss along θ(α) = (1−α)θ₀ + αθ_T (Goodfellow et al. 2015)' },
  { label: 'Plane (goodfellow)', analysis: 'plane', directions: 'goodfellow', detail: 'u = θ_T − θ₀, v = the trajectory\'s largest orthogonal component' },
  { label: 'Plane (random, filter-normalized)', analysis: 'plane', directions: 'random', detail: 'Random directions scaled filter by filter (Li et al. 2018)' },
  { label: 'Plane (pca)', analysis: 'plane', directions: 'pca', detail: 'The two principal components of the training trajectory' },
  { label: 'Plane (hessian)', analysis: 'plane', directions: 'hessian', detail: 'The top two Hessian eigenvectors at the solution' },
  { label: 'Survey (many seeds / init schemes)', analysis: 'survey', detail: 'Stuck runs, dead and saturated units, best ↔ stuck (Swirszcz et al. 2016)' },
  { label: 'Curvature (Hessian spectrum)', analysis: 'curvature', detail: 'Top and bottom eigenvalues by Lanczos, trace, minimum / saddle / flat, along the path' },
  { label: 'Connect two solutions (Bézier curve)', analysis: 'connect', detail: 'Seeds s and s+1: straight line vs a trained low-loss curve (Garipov et al. 2018)' },
  { label: 'Instability (spawn two copies at θ_k)', analysis: 'instability', detail: 'Copies of θ_k trained with different data orders: error barrier vs k, the first stable k (Frankle et al. 2020)' },
  { label: 'Compare runs (the definition\'s variants)', analysis: 'compare', detail: 'Every compare: {...} variant from the same θ₀: curves on one chart, paths on one plane' },
];

function asUri(x: unknown): vscode.Uri | undefined {
  if (x instanceof vscode.Uri) return x;
  if (typeof x === 'string') return x.includes('://') || x.startsWith('untitled:') ? vscode.Uri.parse(x) : vscode.Uri.file(x);
  if (x && typeof x === 'object' && 'fsPath' in x && typeof (x as vscode.Uri).fsPath === 'string') return vscode.Uri.file((x as vscode.Uri).fsPath);
  return undefined;
}

/** The file (argument, active editor, or a pick among the workspace's landscape files). */
async function pickFile(arg: unknown): Promise<vscode.Uri | undefined> {
  const given = asUri(arg);
  if (given) return given;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isLandscapeFile(active)) return active;
  const files = await vscode.workspace.findFiles('**/*.landscape.ts', '**/node_modules/**', 200);
  if (files.length === 0) {
    const create = 'New Landscape File';
    const pick = await vscode.window.showInformationMessage('Loss Landscape: no *.landscape.ts file in this workspace.', create);
    if (pick === create) await vscode.commands.executeCommand('lossLandscape.newFile');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((f) => ({ label: path.basename(f.fsPath), description: vscode.workspace.asRelativePath(f, false), uri: f })),
    { placeHolder: 'Which landscape file?' },
  );
  return picked?.uri;
}

/** The definition (argument, the only one in the file, or a pick). */
async function pickTarget(fileArg: unknown, defArg: unknown): Promise<ProbeTarget | undefined> {
  const uri = await pickFile(fileArg);
  if (!uri) return undefined;
  if (typeof defArg === 'string' && defArg) return { uri, definition: defArg };
  const doc = await vscode.workspace.openTextDocument(uri);
  const defs = findDefinitions(doc.getText());
  if (defs.length === 0) {
    void vscode.window.showWarningMessage(
      `Loss Landscape: ${path.basename(uri.fsPath)} has no \`export const name = landscape({...})\` definition.`,
    );
    return undefined;
  }
  if (defs.length === 1) return { uri, definition: defs[0].name };
  const picked = await vscode.window.showQuickPick(
    defs.map((d) => ({ label: d.name, description: `line ${d.line}` })),
    { placeHolder: 'Which definition?' },
  );
  return picked ? { uri, definition: picked.label } : undefined;
}

export function registerCommands(context: vscode.ExtensionContext, prober: Prober, log: Log, panels: PanelRegistry): void {
  const run = (fn: (...args: unknown[]) => Promise<unknown> | unknown) => async (...args: unknown[]) => {
    try {
      await fn(...args);
    } catch (e) {
      log.error(`command failed: ${(e as Error).stack ?? e}`);
      void vscode.window.showErrorMessage(`Loss Landscape: ${(e as Error).message}`);
    }
  };
  const reg = (id: string, fn: (...args: unknown[]) => Promise<unknown> | unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, run(fn)));

  reg('lossLandscape.probe', async (fileArg?: unknown, defArg?: unknown) => {
    const target = await pickTarget(fileArg, defArg);
    if (!target) return;
    const item = await vscode.window.showQuickPick(ANALYSES, { placeHolder: `Analysis of ${target.definition}` });
    if (!item) return;
    await prober.probe(target, optionsFromSettings(target.uri, item.analysis, item.directions));
  });
  reg('lossLandscape.interpolate', async (fileArg?: unknown, defArg?: unknown) => {
    const target = await pickTarget(fileArg, defArg);
    if (target) await prober.probe(target, optionsFromSettings(target.uri, 'interpolate'));
  });
  reg('lossLandscape.plane', async (fileArg?: unknown, defArg?: unknown) => {
    const target = await pickTarget(fileArg, defArg);
    if (target) await prober.probe(target, optionsFromSettings(target.uri, 'plane'));
  });
  reg('lossLandscape.newFile', () => newLandscapeFile());
  reg('lossLandscape.cancel', () => prober.cancel());
  reg('lossLandscape.manageTrust', () => manageTrust());
  reg('lossLandscape.showLog', () => log.show(true));
  reg('lossLandscape.openResult', (uri?: unknown) => openResult(panels, log, uri instanceof vscode.Uri ? uri : undefined));
}
