/**
 * CodeLenses "interpolate" and "plane" above every `export const X = landscape(` of a
 * `*.landscape.ts` file. Definitions are found with a regex over the document text (cheap,
 * works while the file does not even compile).
 */
import * as vscode from 'vscode';

export const LANDSCAPE_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.landscape.ts' },
  { scheme: 'untitled', pattern: '**/*.landscape.ts' },
];

export function isLandscapeFile(uri: vscode.Uri): boolean {
  return /\.landscape\.ts$/.test(uri.path);
}

export interface FoundDefinition {
  name: string;
  /** 0-based line of the `export const` */
  line: number;
}

const DEFINITION = /^[ \t]*export[ \t]+(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]*)?=[ \t\n]*landscape[ \t]*(?:<[^>\n]*>)?[ \t]*\(/gm;

export function findDefinitions(text: string): FoundDefinition[] {
  const out: FoundDefinition[] = [];
  DEFINITION.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = DEFINITION.exec(text)); ) {
    const start = m.index + (m[0].length - m[0].trimStart().length);
    let line = 0;
    for (let i = 0; i < start; i++) if (text.charCodeAt(i) === 10) line++;
    out.push({ name: m[1], line });
  }
  return out;
}

export class LandscapeCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const def of findDefinitions(document.getText())) {
      const range = new vscode.Range(def.line, 0, def.line, 0);
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
