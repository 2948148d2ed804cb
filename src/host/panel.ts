/**
 * One webview panel per (file, definition), opened beside the editor. The panel queues
 * messages until its webview says `ready`, survives a window reload through a
 * WebviewPanelSerializer (the webview restores its last result from its own state; the host
 * also replays the last result from the cache), and remembers its last analysis for
 * re-run on save.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostToWebview, ProbeOptions, ProbeResult, WebviewToHost } from '../protocol';
import type { Log } from './log';

export const PANEL_VIEW_TYPE = 'lossLandscape.panel';
const STATE_KEY = 'lossLandscape.panels';

/** What a panel shows; persisted in workspaceState so a reload can restore it. */
export interface PanelRecord {
  file: string; // fsPath
  definition: string;
  options?: ProbeOptions;
  /** cache key of the last successful result */
  resultKey?: string;
}

export function panelKey(file: vscode.Uri | string, definition: string): string {
  return `${typeof file === 'string' ? file : file.fsPath}#${definition}`;
}

export class LandscapePanel implements vscode.Disposable {
  readonly key: string;
  /** Options of the last analysis shown (for re-run on save / rerun). */
  lastOptions?: ProbeOptions;
  lastResultKey?: string;
  lastResult?: ProbeResult;
  /** The run whose messages the panel accepts; anything else is stale. */
  currentRunId?: string;
  private ready = false;
  private queue: HostToWebview[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeListeners: (() => void)[] = [];
  private disposed = false;

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    readonly file: vscode.Uri,
    readonly definition: string,
    private readonly extensionUri: vscode.Uri,
    private readonly onMessage: (panel: LandscapePanel, m: WebviewToHost) => void,
    private readonly log: Log,
  ) {
    this.key = panelKey(file, definition);
    const webview = webviewPanel.webview;
    webview.options = webviewOptions(extensionUri);
    webviewPanel.title = panelTitle(definition, file);
    const icon = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    if (existsSync(icon.fsPath)) webviewPanel.iconPath = icon;
    this.disposables.push(
      webview.onDidReceiveMessage((m: WebviewToHost) => this.receive(m)),
      webviewPanel.onDidDispose(() => this.dispose()),
    );
    webview.html = renderHtml(webview, extensionUri, definition, file);
  }

  get visible(): boolean {
    return this.webviewPanel.visible;
  }

  /** Posts now if the webview is ready, else queues (nothing is posted before `ready`). */
  post(msg: HostToWebview): void {
    if (this.disposed) return;
    if ('runId' in msg && msg.type !== 'runStarted' && this.currentRunId && msg.runId !== this.currentRunId) return; // stale
    if (!this.ready) {
      this.queue.push(msg);
      return;
    }
    void this.webviewPanel.webview.postMessage(msg);
  }

  reveal(preserveFocus = true): void {
    this.webviewPanel.reveal(undefined, preserveFocus);
  }

  onDidDispose(fn: () => void): void {
    this.disposeListeners.push(fn);
  }

  private receive(m: WebviewToHost): void {
    if (!m || typeof m !== 'object') return;
    if (m.type === 'ready') {
      const again = this.ready;
      this.ready = true;
      const q = this.queue;
      this.queue = [];
      this.log.debug(`panel ${this.key}: webview ready${again ? ' (again)' : ''}, flushing ${q.length} message(s)`);
      for (const msg of q) void this.webviewPanel.webview.postMessage(msg);
    }
    this.onMessage(this, m);
  }

  record(): PanelRecord {
    return { file: this.file.fsPath, definition: this.definition, options: this.lastOptions, resultKey: this.lastResultKey };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const fn of this.disposeListeners) fn();
    for (const d of this.disposables) d.dispose();
    this.webviewPanel.dispose();
  }
}

/** "Landscape: mlp · mnist-mlp" (definition · file name without .landscape.ts) */
export function panelTitle(definition: string, file: vscode.Uri | string): string {
  const base = path.basename(typeof file === 'string' ? file : file.fsPath).replace(/\.landscape\.ts$/, '').replace(/\.ts$/, '');
  return `Landscape: ${definition} · ${base}`;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderHtml(webview: vscode.Webview, extensionUri: vscode.Uri, definition: string, file: vscode.Uri): string {
  const n = nonce();
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const hasBundle = existsSync(path.join(dist.fsPath, 'webview.js'));
  const hasCss = existsSync(path.join(dist.fsPath, 'webview.css'));
  const js = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js'));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${n}'`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${hasCss ? `<link rel="stylesheet" href="${css}">` : ''}
<title>${escapeAttr(panelTitle(definition, file))}</title>
</head>
<body data-definition="${escapeAttr(definition)}" data-file="${escapeAttr(file.fsPath)}">
${hasBundle ? `<script nonce="${n}" src="${js}"></script>` : '<p><b>The panel is not built</b> (dist/webview.js is missing): run <code>npm run build</code>.</p>'}
</body>
</html>`;
}

/** All open panels, keyed by file#definition, and their persistence for reload. */
export class PanelRegistry implements vscode.Disposable {
  private readonly panels = new Map<string, LandscapePanel>();
  private readonly createdListeners: ((p: LandscapePanel) => void)[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly onMessage: (panel: LandscapePanel, m: WebviewToHost) => void,
    private readonly log: Log,
  ) {}

  get(file: vscode.Uri, definition: string): LandscapePanel | undefined {
    return this.panels.get(panelKey(file, definition));
  }

  forFile(file: vscode.Uri): LandscapePanel[] {
    return [...this.panels.values()].filter((p) => p.file.fsPath === file.fsPath);
  }

  all(): LandscapePanel[] {
    return [...this.panels.values()];
  }

  /** The panel the user looks at (active), else the only/most recent one. */
  active(): LandscapePanel | undefined {
    const all = this.all();
    return all.find((p) => p.webviewPanel.active) ?? all.find((p) => p.visible) ?? all[all.length - 1];
  }

  onCreated(fn: (p: LandscapePanel) => void): void {
    this.createdListeners.push(fn);
  }

  /** Existing panel (revealed) or a new one beside the editor. */
  open(file: vscode.Uri, definition: string, preserveFocus = true): LandscapePanel {
    const existing = this.get(file, definition);
    if (existing) {
      if (!existing.visible) existing.reveal(preserveFocus);
      return existing;
    }
    // After a reload VS Code restores a background panel's tab but deserializes it only when it
    // is shown: such a tab is this definition's panel too. Take its place (same group) rather
    // than opening a second tab with the same title.
    const stale = this.unrestoredTabs(panelTitle(definition, file));
    const viewColumn = stale[0]?.group.viewColumn ?? vscode.ViewColumn.Beside;
    if (stale.length) {
      this.log.info(`panel ${panelKey(file, definition)}: replacing ${stale.length} unrestored tab(s)`);
      void vscode.window.tabGroups.close(stale, true).then(undefined, (e: unknown) => this.log.warn(`closing unrestored tab: ${String(e)}`));
    }
    const wp = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      panelTitle(definition, file),
      { viewColumn, preserveFocus },
      { ...webviewOptions(this.context.extensionUri), retainContextWhenHidden: true },
    );
    return this.adopt(wp, file, definition);
  }

  /** Tabs of our panels with this title that no live panel owns (restored but not yet shown). */
  private unrestoredTabs(title: string): vscode.Tab[] {
    if (this.all().some((p) => p.webviewPanel.title === title)) return []; // a live panel owns it
    const tabs: vscode.Tab[] = [];
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (!(input instanceof vscode.TabInputWebview) || !input.viewType.endsWith(PANEL_VIEW_TYPE)) continue;
        if (tab.label === title) tabs.push(tab);
      }
    }
    return tabs;
  }

  /** Wraps a (new or deserialized) webview panel. */
  adopt(wp: vscode.WebviewPanel, file: vscode.Uri, definition: string, record?: PanelRecord): LandscapePanel {
    const panel = new LandscapePanel(wp, file, definition, this.context.extensionUri, this.onMessage, this.log);
    if (record) {
      panel.lastOptions = record.options;
      panel.lastResultKey = record.resultKey;
    }
    this.panels.set(panel.key, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(panel.key) === panel) this.panels.delete(panel.key);
      void this.persist();
    });
    for (const fn of this.createdListeners) fn(panel);
    void this.persist();
    return panel;
  }

  records(): PanelRecord[] {
    return this.context.workspaceState.get<PanelRecord[]>(STATE_KEY, []);
  }

  async persist(): Promise<void> {
    const open = this.all().map((p) => p.record());
    await this.context.workspaceState.update(STATE_KEY, open);
  }

  /** Restores panels after a reload. `restore` replays the last result into the panel. */
  registerSerializer(restore: (panel: LandscapePanel) => void): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (wp, state: unknown) => {
        const target = this.identify(wp, state);
        if (!target) {
          this.log.warn('restore: could not tell which file this panel showed; closing it');
          wp.dispose();
          return;
        }
        this.log.info(`restore: panel ${target.file}#${target.definition}`);
        wp.webview.options = webviewOptions(this.context.extensionUri);
        const existing = this.get(vscode.Uri.file(target.file), target.definition);
        if (existing) {
          // the user already opened (and maybe runs) this definition's panel: it stays the one
          this.log.info(`restore: ${existing.key} is already open; closing the restored copy`);
          wp.dispose();
          return;
        }
        const panel = this.adopt(wp, vscode.Uri.file(target.file), target.definition, target);
        restore(panel);
      },
    });
  }

  /** Which file/definition a restored panel showed: from its webview state, else our records. */
  private identify(wp: vscode.WebviewPanel, state: unknown): PanelRecord | undefined {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- state saved by any earlier version of the webview
    const s = (state ?? {}) as Record<string, any>;
    const candidates = [s, s.model, s.result, s.run, s.result?.result].filter((x) => x && typeof x === 'object');
    const records = this.records();
    for (const c of candidates) {
      if (typeof c.file === 'string' && typeof c.definition === 'string') {
        const rec = records.find((r) => r.file === c.file && r.definition === c.definition);
        return rec ?? { file: c.file, definition: c.definition, options: c.options };
      }
    }
    // No usable webview state: match the restored title against the panels open before.
    const open = new Set(this.all().map((p) => p.key));
    const title = wp.title;
    return records.find((r) => !open.has(panelKey(r.file, r.definition)) && panelTitle(r.definition, r.file) === title)
      ?? records.find((r) => !open.has(panelKey(r.file, r.definition)));
  }

  /** On shutdown the panels stay (the serializer restores them): forget them, close nothing. */
  dispose(): void {
    this.panels.clear();
  }
}
