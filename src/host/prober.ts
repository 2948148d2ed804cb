/**
 * Runs an analysis of one definition into its panel: trust check, cache, runner, progress,
 * diagnostics; re-runs on save (debounced) and restores panels after a reload.
 */
import * as vscode from 'vscode';
import type { ProbeOptions, RunnerMessage, RunRequest, WebviewToHost } from '../protocol';
import { cacheKey, type ResultCache } from './cache';
import { codeIdentity } from './cache-key';
import { isLandscapeFile } from './codelens';
import type { RunDiagnostics } from './diagnostics';
import { saveExport } from './export';
import { optionsFromSettings } from './settings';
import type { Log } from './log';
import type { LandscapePanel, PanelRegistry } from './panel';
import { newRunId, showRunProgress, type RunHandle, type RunManager } from './runs';
import { isTrusted, manageTrust, UNTRUSTED_MESSAGE, warnUntrusted } from './trust';
import { filesUnchanged } from '../api/files';
import { validateOptions } from '../shared/options';
import { analysisInfo } from '../shared/analyses';
import { isSavedResultPanel } from './open-result';

export interface ProbeTarget {
  uri: vscode.Uri;
  definition: string;
}

export interface ProbeHow {
  /** Ignore the cache (the panel's "run again"). */
  force?: boolean;
  /** Focus the panel (default: keep the focus in the editor). */
  focus?: boolean;
}

const SAVE_DEBOUNCE_MS = 500;

export function analysisLabel(o: ProbeOptions): string {
  return analysisInfo(o.analysis).label(o);
}

export class Prober implements vscode.Disposable {
  private readonly runsByPanel = new Map<string, RunHandle>();
  private readonly saveTimers = new Map<string, NodeJS.Timeout>();
  /** files we saved ourselves before a run (their save must not trigger a re-run) */
  private readonly selfSaves = new Set<string>();
  private readonly version: string;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly panels: PanelRegistry,
    private readonly runs: RunManager,
    private readonly cache: ResultCache,
    private readonly diagnostics: RunDiagnostics,
  ) {
    this.version = String(context.extension?.packageJSON?.version ?? '0');
  }

  /** Opens/reveals the panel of `target` and runs `options` in it (or replays the cache). */
  async probe(target: ProbeTarget, options: ProbeOptions, how: ProbeHow = {}): Promise<void> {
    let uri = target.uri;
    // The runner reads the file from disk: save first (an untitled file asks where).
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.isUntitled) {
      const saved = await vscode.workspace.save(uri);
      if (!saved) return;
      uri = saved;
    } else if (doc.isDirty) {
      this.selfSaves.add(uri.fsPath);
      if (!(await doc.save())) this.selfSaves.delete(uri.fsPath);
    }
    const { definition } = target;
    const panel = this.panels.open(uri, definition, !how.focus);
    panel.lastOptions = options;
    void this.panels.persist();

    if (!isTrusted()) {
      this.log.info(`probe ${definition}: workspace not trusted, not running`);
      this.cancelPanelRun(panel);
      panel.currentRunId = undefined;
      panel.post({ type: 'untrusted', message: UNTRUSTED_MESSAGE });
      warnUntrusted();
      return;
    }

    // Settings are typed by hand in settings.json: check them before anything runs.
    const invalid = validateOptions(options, 'settings');
    if (invalid.length) {
      this.cancelPanelRun(panel);
      const runId = newRunId();
      panel.currentRunId = runId;
      const message = `Invalid settings: ${invalid.join('; ')}. Fix them in your settings (File > Preferences > Settings, "Loss Landscape").`;
      this.log.warn(`probe ${definition}: ${message}`);
      panel.post({ type: 'runStarted', runId, file: uri.fsPath, definition, options, cached: false, startedAt: Date.now() });
      panel.post({ type: 'error', runId, error: { kind: 'options', message } });
      panel.post({ type: 'runEnded', runId, status: 'error', elapsed: 0 });
      void vscode.window.showErrorMessage(`Loss Landscape: ${message}`, 'Open Settings').then((pick) => {
        if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'lossLandscape');
      });
      return;
    }

    const text = (await vscode.workspace.openTextDocument(uri)).getText();
    // keyed on what runs: the file and every local module it imports
    const key = cacheKey({ code: await codeIdentity(uri.fsPath, text), definition, options, version: this.version });
    const file = uri.fsPath;
    this.cancelPanelRun(panel);
    const runId = newRunId();
    panel.currentRunId = runId;
    const startedAt = Date.now();

    if (!how.force) {
      const cached = await this.cache.get(key);
      if (panel.currentRunId !== runId) return; // superseded meanwhile
      // a result that read workspace files (CSV, images, saved models) is stale once they change
      const hit = cached && (!cached.inputs || filesUnchanged(cached.inputs)) ? cached : undefined;
      if (hit) {
        this.log.info(`probe ${definition} ${analysisLabel(options)}: cache hit ${key.slice(0, 12)}`);
        panel.post({ type: 'runStarted', runId, file, definition, options, cached: true, startedAt });
        panel.post({ type: 'result', runId, result: hit });
        panel.post({ type: 'runEnded', runId, status: 'done', elapsed: Date.now() - startedAt });
        panel.lastResult = hit;
        panel.lastResultKey = key;
        void this.panels.persist();
        this.diagnostics.clear(uri);
        return;
      }
    }

    if (panel.currentRunId !== runId) return;
    const request: RunRequest = { runId, file, definition, options };
    panel.post({ type: 'runStarted', runId, file, definition, options, cached: false, startedAt });
    const listeners: ((m: RunnerMessage) => void)[] = [];
    const handle = this.runs.start(request, (m) => {
      panel.post(m);
      for (const l of listeners) l(m);
    });
    this.runsByPanel.set(panel.key, handle);
    showRunProgress(`Loss Landscape: ${analysisLabel(options)} · ${definition}`, handle, (l) => listeners.push(l));

    const outcome = await handle.done;
    if (this.runsByPanel.get(panel.key) === handle) this.runsByPanel.delete(panel.key);
    const elapsed = Date.now() - startedAt;
    switch (outcome.status) {
      case 'done':
        panel.post({ type: 'runEnded', runId, status: 'done', elapsed });
        this.diagnostics.clear(uri);
        await this.cache.put(key, outcome.result);
        if (panel.currentRunId === runId) {
          panel.lastResult = outcome.result;
          panel.lastResultKey = key;
          void this.panels.persist();
        }
        break;
      case 'error':
        panel.post({ type: 'runEnded', runId, status: 'error', elapsed });
        if (panel.currentRunId === runId) this.diagnostics.report(uri, outcome.error);
        break;
      case 'cancelled':
        panel.post({ type: 'runEnded', runId, status: 'cancelled', elapsed });
        break;
    }
  }

  private cancelPanelRun(panel: LandscapePanel): void {
    const h = this.runsByPanel.get(panel.key);
    if (h) {
      this.runsByPanel.delete(panel.key);
      h.cancel();
    }
  }

  /** Cancels the run of `panel`, else of the active panel, else every run. */
  cancel(panel?: LandscapePanel): void {
    const p = panel ?? this.panels.active();
    if (p && this.runsByPanel.has(p.key)) return this.cancelPanelRun(p);
    this.runs.cancelAll();
  }

  /** A `.landscape.ts` file was saved: re-run its panels' last analyses (debounced). */
  onSaved(doc: vscode.TextDocument): void {
    if (!isLandscapeFile(doc.uri) || doc.uri.scheme !== 'file') return;
    const file = doc.uri.fsPath;
    if (this.selfSaves.delete(file)) return;
    if (!vscode.workspace.getConfiguration('lossLandscape', doc.uri).get<boolean>('rerunOnSave', true)) return;
    const panels = this.panels.forFile(doc.uri).filter((p) => p.lastOptions);
    if (!panels.length) return;
    clearTimeout(this.saveTimers.get(file));
    this.saveTimers.set(
      file,
      setTimeout(() => {
        this.saveTimers.delete(file);
        for (const p of this.panels.forFile(doc.uri)) {
          if (!p.lastOptions) continue;
          this.log.info(`saved ${file}: re-running ${analysisLabel(p.lastOptions)} of ${p.definition}`);
          void this.probe({ uri: p.file, definition: p.definition }, p.lastOptions).catch((e) => this.log.error(String(e)));
        }
      }, SAVE_DEBOUNCE_MS),
    );
  }

  /** After a reload: replay the panel's last result from the cache (the webview also restores its own state). */
  async restore(panel: LandscapePanel): Promise<void> {
    if (!panel.lastResultKey) return;
    const hit = await this.cache.get(panel.lastResultKey);
    if (!hit || panel.currentRunId) return;
    const runId = newRunId();
    panel.currentRunId = runId;
    const options = panel.lastOptions ?? hit.options;
    panel.post({ type: 'runStarted', runId, file: panel.file.fsPath, definition: panel.definition, options, cached: true, startedAt: Date.now() });
    panel.post({ type: 'result', runId, result: hit });
    panel.post({ type: 'runEnded', runId, status: 'done', elapsed: 0 });
    panel.lastResult = hit;
  }

  /** The workspace became trusted: run what the panels were asked to show. */
  onTrusted(): void {
    for (const p of this.panels.all()) {
      if (p.lastOptions && !p.lastResult) void this.probe({ uri: p.file, definition: p.definition }, p.lastOptions);
    }
  }

  /** Messages from a panel's webview. */
  handleWebview(panel: LandscapePanel, m: WebviewToHost): void {
    switch (m.type) {
      case 'manageTrust':
        void manageTrust();
        break;
      case 'ready':
        break;
      case 'cancel':
        if (!m.runId || m.runId === panel.currentRunId) this.cancelPanelRun(panel);
        break;
      case 'rerun': {
        if (isSavedResultPanel(panel)) {
          void vscode.window.showInformationMessage(`This panel shows a saved result (${vscode.workspace.asRelativePath(panel.file)}): open its .landscape.ts to run it again.`);
          break;
        }
        let base = panel.lastOptions ?? panel.lastResult?.options;
        const overrides = m.options ?? {};
        // another analysis (the panel's Plane/Interpolate switch): start from its settings
        if (overrides.analysis && overrides.analysis !== base?.analysis) base = optionsFromSettings(panel.file, overrides.analysis);
        if (!base) break;
        const force = Object.keys(overrides).length === 0;
        void this.probe({ uri: panel.file, definition: panel.definition }, { ...base, ...overrides }, { force })
          .catch((e) => this.log.error(String(e)));
        break;
      }
      case 'export':
        void saveExport(m, panel.file, this.log);
        break;
      case 'openFile': {
        const uri = vscode.Uri.file(m.file);
        const line = Math.max(0, (m.line ?? 1) - 1);
        const col = Math.max(0, (m.column ?? 1) - 1);
        const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === uri.fsPath);
        void vscode.window.showTextDocument(uri, {
          viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One,
          selection: new vscode.Range(line, col, line, col),
          preview: false,
        });
        break;
      }
      default: {
        const never: never = m;
        this.log.warn(`unknown webview message ${JSON.stringify(never)}`);
      }
    }
  }

  dispose(): void {
    for (const t of this.saveTimers.values()) clearTimeout(t);
    this.saveTimers.clear();
  }
}
