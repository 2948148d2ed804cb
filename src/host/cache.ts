/**
 * Result cache. Key = ./cache-key.ts (the bundled code, definition, probe options, version);
 * value = the ProbeResult JSON under the extension's workspace storage (global storage when no
 * folder is open). A hit replays the result instantly (`cached: true`).
 */
import * as vscode from 'vscode';
import type { ProbeResult } from '../protocol';
import { RESULT_SCHEMA } from '../shared/wire';

export { cacheKey } from './cache-key';
import type { Log } from './log';

const MAX_ENTRIES = 200;

export class ResultCache {
  private readonly dir: vscode.Uri;

  constructor(context: vscode.ExtensionContext, private readonly log: Log) {
    this.dir = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'results');
  }

  private uri(key: string): vscode.Uri {
    return vscode.Uri.joinPath(this.dir, `${key}.json`);
  }

  async get(key: string): Promise<ProbeResult | undefined> {
    try {
      const bytes = await vscode.workspace.fs.readFile(this.uri(key));
      const result = JSON.parse(new TextDecoder().decode(bytes)) as ProbeResult;
      return result?.schema === RESULT_SCHEMA ? result : undefined;
    } catch {
      return undefined;
    }
  }

  async put(key: string, result: ProbeResult): Promise<void> {
    try {
      await vscode.workspace.fs.createDirectory(this.dir);
      await vscode.workspace.fs.writeFile(this.uri(key), new TextEncoder().encode(JSON.stringify(result)));
      void this.prune();
    } catch (e) {
      this.log.warn(`cache: could not store ${key}: ${(e as Error).message}`);
    }
  }

  /** Keeps the newest MAX_ENTRIES results. */
  private async prune(): Promise<void> {
    const entries = (await vscode.workspace.fs.readDirectory(this.dir)).filter(([n]) => n.endsWith('.json'));
    if (entries.length <= MAX_ENTRIES) return;
    const stats = await Promise.all(entries.map(async ([n]) => ({ n, mtime: (await vscode.workspace.fs.stat(vscode.Uri.joinPath(this.dir, n))).mtime })));
    stats.sort((a, b) => a.mtime - b.mtime);
    for (const { n } of stats.slice(0, stats.length - MAX_ENTRIES)) {
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(this.dir, n)).then(undefined, () => undefined);
    }
  }
}
