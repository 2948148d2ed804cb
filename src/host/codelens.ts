/**
 * CodeLenses "interpolate" and "plane" above every `export const X = landscape(` of a
 * `*.landscape.ts` file (found by shared/definitions.ts).
 */
import * as vscode from 'vscode';
import { findDefinitions } from '../shared/definitions';

export { findDefinitions };

export const LANDSCAPE_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.landscape.ts' },
  { scheme: 'untitled', pattern: '**/*.landscape.ts' },
];

export function isLandscapeFile(uri: vscode.Uri): boolean {
  return /\.landscape\.ts$/.test(uri.path);
}

export class LandscapeCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const def of findDefinitions(document.getText())) {
      const range = new vscode.Range(def.line - 1, 0, def.line - 1, 0);
      lenses.push(
        new vscode.CodeLens(range, {
          title: 'interpolate',
          tooltip: `Train ${def.name} and plot the loss along the line init → final (Goodfellow et al. 2015)`,
          command: 'lossLandscape.interpolate',
          arguments: [document.uri, def.name],
        }),
        new vscode.CodeLens(range, {
          title: 'plane',
          tooltip: `Train ${def.name} and plot the loss on a plane through the final weights, with the training path`,
          command: 'lossLandscape.plane',
          arguments: [document.uri, def.name],
        }),
        new vscode.CodeLens(range, {
          title: 'more…',
          tooltip: `Survey, curvature, connect, compare, other planes of ${def.name}`,
          command: 'lossLandscape.probe',
          arguments: [document.uri, def.name],
        }),
      );
    }
    return lenses;
  }
}

export function registerCodeLens(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.languages.registerCodeLensProvider(LANDSCAPE_SELECTOR, new LandscapeCodeLensProvider()));
}
