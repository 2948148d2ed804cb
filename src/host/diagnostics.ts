/**
 * Runner errors that carry a file/line/column (syntax errors, exceptions mapped back through
 * the source map) become diagnostics on the user's file; they are cleared by the next
 * successful run of that file.
 */
import * as vscode from 'vscode';
import type { UserError } from '../protocol';

export class RunDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('lossLandscape');
  /** user file (fsPath) -> files that got a diagnostic from its runs */
  private readonly byRunFile = new Map<string, Set<string>>();

  /** Shows `error` on its file (or the run's file) when it has a line. Returns true if shown. */
  report(runFile: vscode.Uri, error: UserError): boolean {
    if (!error.line || error.kind === 'cancelled') return false;
    const uri = error.file ? vscode.Uri.file(error.file) : runFile;
    const line = Math.max(0, error.line - 1);
    const col = Math.max(0, (error.column ?? 1) - 1);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let range: vscode.Range;
    if (doc && line < doc.lineCount) {
      const text = doc.lineAt(line);
      const start = Math.min(col, text.range.end.character);
      const word = doc.getWordRangeAtPosition(new vscode.Position(line, start));
      range = word ?? new vscode.Range(line, start, line, Math.max(start + 1, text.range.end.character));
      if (range.isEmpty) range = new vscode.Range(line, text.firstNonWhitespaceCharacterIndex, line, text.range.end.character);
    } else {
      range = new vscode.Range(line, col, line, col + 1);
    }
    const label = error.kind === 'syntax' ? 'Syntax error' : error.kind === 'nan' ? 'Training diverged' : 'Loss Landscape';
    const d = new vscode.Diagnostic(range, `${label}: ${error.message}`, vscode.DiagnosticSeverity.Error);
    d.source = 'loss-landscape';
    d.code = error.kind;
    this.collection.set(uri, [d]);
    const key = runFile.fsPath;
    if (!this.byRunFile.has(key)) this.byRunFile.set(key, new Set());
    this.byRunFile.get(key)!.add(uri.toString());
    return true;
  }

  /** A successful run of `runFile`: clear what its runs reported. */
  clear(runFile: vscode.Uri): void {
    this.collection.delete(runFile);
    for (const u of this.byRunFile.get(runFile.fsPath) ?? []) this.collection.delete(vscode.Uri.parse(u));
    this.byRunFile.delete(runFile.fsPath);
  }

  dispose(): void {
    this.collection.dispose();
  }
}
