/**
 * The Loss Landscape panel. Runs in a VS Code webview (messages from the host, `acquireVsCodeApi`)
 * and, unchanged, in the static `report.html` written by the CLI (`window.__LOSS_LANDSCAPE_RESULT__`).
 */
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { blasLabel } from '../src/shared/labels';
import type { AnalysisKind, ExportFormat, HostToWebview, ProbeResult, UserError, WebviewToHost } from '../src/protocol';
import { applyChartTheme, registerCharts } from './charts';
import { el } from './dom';
import { basename, fmtDuration, fmtInt } from './format';
import { composePng, download, exportName, planeExport, shownPlane, toCsv, toJson, type PngSection } from './exporter';
import { ANALYSES, pointsDone, traitsOf } from './analyses';
import { VIEWS } from './analysis-views';
import { CompareView } from './compare-view';
import { InstabilityView } from './instability-view';
import { ConnectView } from './connect-view';
import { CurvatureView } from './curvature-view';
import { InterpView } from './interp-view';
import { elapsedMs, emptyModel, isRunning, modelFromResult, reduce, runsDone, type RunModel } from './state';
import { PlaneView } from './plane-view';
import { SurveyView } from './survey-view';
import { readTheme, themeKind, watchTheme, type Theme } from './theme';
import { TrainView } from './train-view';
import { defaultUi, type AnalysisView, type UiState, type ViewContext } from './view';

interface VsCodeApi {
  postMessage(msg: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare const acquireVsCodeApi: undefined | (() => VsCodeApi);

declare global {
  interface Window {
    __LOSS_LANDSCAPE_RESULT__?: ProbeResult;
    /** Debug / test handle. */
    __ll?: App;
  }
}

interface SavedState { v: 1; model: RunModel; ui: UiState }

const STATE_LABEL: Record<RunModel['status'], string> = {
  idle: 'idle', loading: 'loading', training: 'training', probing: 'probing', done: 'done', error: 'error', cancelled: 'cancelled',
};

const ERROR_TITLE: Record<UserError['kind'], string> = {
  syntax: 'Syntax error', load: 'Could not load the file', definition: 'Problem with the landscape definition',
  options: 'Invalid options', data: 'Problem with the data', train: 'Training failed', probe: 'Probing failed',
  nan: 'The loss became NaN', resources: 'Too big for this machine', output: 'Could not write the outputs', backend: 'The backend cannot start here', cancelled: 'Cancelled',
  crash: 'The runner crashed', internal: 'Internal error',
};

type Button = HTMLElement & { disabled: boolean };

const EXPORT_MIME: Record<ExportFormat, string> = {
  png: 'image/png', csv: 'text/csv', json: 'application/json', npy: 'application/octet-stream', vtp: 'application/xml',
};

export class App implements ViewContext {
  readonly mode: 'vscode' | 'report';
  model: RunModel = emptyModel();
  ui: UiState = defaultUi();
  theme: Theme;
  /** The view of the current analysis (built from the factory table VIEWS), and its kind. */
  view?: AnalysisView;
  private viewKind?: AnalysisKind;
  train: TrainView;
  private api?: VsCodeApi;
  private root: HTMLElement;
  private titleEl: HTMLElement;
  private statusEl: HTMLElement;
  private elapsedEl: HTMLElement;
  private stateEl: HTMLElement;
  private ring: HTMLElement;
  private bar: HTMLElement;
  private barFill: HTMLElement;
  private buttons: Record<'cancel' | 'rerun' | 'switch' | ExportFormat, Button>;
  private untrustedBox: HTMLElement;
  private errorBox: HTMLElement;
  private mainEl: HTMLElement;
  private emptyEl: HTMLElement;
  private notesEl: HTMLElement;
  private renderQueued = false;
  private saveTimer?: number;
  private ticker?: number;
  /** Messages posted to the host (report mode: none). */
  readonly sent: WebviewToHost[] = [];

  constructor(api: VsCodeApi | undefined) {
    this.api = api;
    this.mode = api ? 'vscode' : 'report';
    if (this.mode === 'report') {
      document.body.classList.add('ll-report');
      if (!/\bvscode-(light|dark|high-contrast)/.test(document.body.className)) {
        document.body.classList.add(themeKind(document.body) === 'light' ? 'vscode-light' : 'vscode-dark');
      }
    }
    registerCharts();
    this.theme = readTheme();
    applyChartTheme(this.theme);

    const btn = (label: string, title: string, onClick: () => void, secondary = true) => {
      const b = el('vscode-button', { title, secondary }, label) as Button;
      b.addEventListener('click', () => { if (!b.disabled) onClick(); });
      return b;
    };
    this.buttons = {
      cancel: btn('Cancel', 'Stop the running analysis', () => this.cancel()),
      rerun: btn('Re-run', 'Run the same analysis again', () => this.post({ type: 'rerun' }), false),
      switch: btn('Plane', 'Run the other analysis on the same definition', () => this.switchAnalysis()),
      png: btn('PNG', 'Export the visible plots as a PNG image', () => this.export('png')),
      csv: btn('CSV', 'Export the numbers shown as CSV', () => this.export('csv')),
      json: btn('JSON', 'Export the full result as JSON', () => this.export('json')),
      npy: btn('NPY', 'Export the plane\'s loss grid as a NumPy .npy array (rows b, columns a)', () => this.export('npy')),
      vtp: btn('VTP', 'Export the plane as a 3-D surface with the training path for ParaView (.vtp)', () => this.export('vtp')),
    };
    this.titleEl = el('div', { class: 'll-title' });
    this.ring = el('vscode-progress-ring', { class: 'll-ring', 'aria-hidden': 'true' });
    this.stateEl = el('span', { class: 'll-state' });
    this.elapsedEl = el('span', { class: 'll-elapsed', 'aria-hidden': 'true' });
    this.statusEl = el('div', { class: 'll-status', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    this.barFill = el('div', { class: 'll-bar-fill' });
    this.bar = el('div', { class: 'll-bar', role: 'progressbar', 'aria-label': 'Progress', 'aria-valuemin': '0', 'aria-valuemax': '100' }, this.barFill);
    const runButtons = this.mode === 'vscode' ? [this.buttons.cancel, this.buttons.rerun, this.buttons.switch] : [];
    const header = el('header', { class: 'll-header' },
      el('div', { class: 'll-title-row' }, this.titleEl, this.ring),
      el('div', { class: 'll-status-row' }, this.stateEl, this.statusEl, this.elapsedEl),
      this.bar,
      el('div', { class: 'll-actions', role: 'toolbar', 'aria-label': 'Run and export' },
        ...runButtons,
        runButtons.length ? el('span', { class: 'll-sep', 'aria-hidden': 'true' }) : null,
        el('span', { class: 'll-export-label ll-muted' }, 'Export'),
        this.buttons.png, this.buttons.csv, this.buttons.json, this.buttons.npy, this.buttons.vtp));
    this.untrustedBox = el('div', { class: 'll-box ll-untrusted', role: 'alert' });
    this.errorBox = el('div', { class: 'll-box ll-error', role: 'alert' });
    this.untrustedBox.hidden = this.errorBox.hidden = true;
    this.emptyEl = el('div', { class: 'll-empty ll-muted' });
    this.mainEl = el('div', { class: 'll-main' });
    this.train = new TrainView(this);
    this.notesEl = el('div', { class: 'll-notes' });
    this.root = el('div', { class: 'll-app' }, header, this.untrustedBox, this.errorBox, this.emptyEl, this.mainEl, this.train.el, this.notesEl);
    document.body.append(this.root);

    watchTheme(() => this.onTheme());
    if (typeof matchMedia === 'function' && this.mode === 'report') {
      matchMedia('(prefers-color-scheme: light)').addEventListener('change', (e) => {
        document.body.classList.remove('vscode-light', 'vscode-dark');
        document.body.classList.add(e.matches ? 'vscode-light' : 'vscode-dark');
      });
    }
  }

  // ---- state ------------------------------------------------------------------------------

  restore(saved: unknown): void {
    const s = saved as Partial<SavedState> | undefined;
    if (!s || s.v !== 1 || !s.model || s.model.v !== 1) return;
    this.model = s.model;
    this.ui = { ...defaultUi(), ...(s.ui ?? {}) };
    this.render();
  }

  loadResult(r: ProbeResult): void {
    this.model = modelFromResult(r);
    this.render();
  }

  saveUi(): void { this.scheduleSave(); }

  private scheduleSave(now = false): void {
    if (!this.api) return;
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    const save = () => { this.saveTimer = undefined; this.api!.setState({ v: 1, model: this.model, ui: this.ui } satisfies SavedState); };
    if (now) save(); else this.saveTimer = window.setTimeout(save, 300);
  }

  // ---- messages ---------------------------------------------------------------------------

  handle(msg: HostToWebview): void {
    const prev = this.model;
    const next = reduce(prev, msg);
    if (!next) return;
    if (next !== prev) this.ui = { ...this.ui, selectedAlpha: undefined, selectedCell: undefined, selectedRun: undefined };
    this.model = next;
    this.scheduleRender();
    this.scheduleSave(msg.type === 'result' || msg.type === 'runEnded' || msg.type === 'error' || msg.type === 'runStarted');
  }

  private post(msg: WebviewToHost): void {
    this.sent.push(msg);
    this.api?.postMessage(msg);
  }

  private cancel(): void {
    if (this.model.runId && isRunning(this.model)) this.post({ type: 'cancel', runId: this.model.runId });
  }

  private switchAnalysis(): void {
    this.post({ type: 'rerun', options: { analysis: traitsOf(this.currentAnalysis())?.switchTo.analysis ?? 'plane' } });
  }

  private export(format: ExportFormat): void {
    const m = this.model;
    const name = exportName(m, format);
    let data: string | null;
    if (format === 'png') {
      this.view?.prepareExport();
      this.train.prepareExport();
      const sections: PngSection[] = this.view?.sections(m) ?? [];
      if (!this.train.el.hidden) sections.push({ title: this.train.title(m) === 'Training' ? 'Training loss' : `${this.train.title(m)}: loss`, canvases: this.train.canvases() });
      const title = [m.file ? basename(m.file) : '', m.definition, m.analysis].filter(Boolean).join(' · ') || 'Loss landscape';
      const verdict = this.root.querySelector('.ll-verdict')?.textContent ?? '';
      const subtitle = [this.statusEl.textContent ?? '', verdict].filter(Boolean).join(' · ');
      data = composePng(sections, title, subtitle, this.theme);
    } else if (format === 'csv') data = toCsv(m);
    else if (format === 'json') data = toJson(m);
    else data = planeExport(m, format);
    if (data === null) return;
    if (this.mode === 'vscode') this.post({ type: 'export', format, name, data });
    else download(name, data, EXPORT_MIME[format], format === 'npy');
  }

  // ---- theme ------------------------------------------------------------------------------

  private onTheme(): void {
    const t = readTheme();
    if (JSON.stringify(t) === JSON.stringify(this.theme)) return;
    this.theme = t;
    applyChartTheme(t);
    this.view?.applyTheme();
    this.train.applyTheme();
  }

  // ---- rendering --------------------------------------------------------------------------

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => { this.renderQueued = false; this.render(); });
  }

  /** Test / debug handles (`window.__ll.plane` …): the current view when it is of that class. */
  get interp(): InterpView | undefined { return this.viewAs(InterpView); }
  get plane(): PlaneView | undefined { return this.viewAs(PlaneView); }
  get survey(): SurveyView | undefined { return this.viewAs(SurveyView); }
  get curvature(): CurvatureView | undefined { return this.viewAs(CurvatureView); }
  get connect(): ConnectView | undefined { return this.viewAs(ConnectView); }
  get compare(): CompareView | undefined { return this.viewAs(CompareView); }
  get instability(): InstabilityView | undefined { return this.viewAs(InstabilityView); }

  private viewAs<T>(cls: abstract new (...args: never[]) => T): T | undefined {
    return this.view instanceof cls ? this.view : undefined;
  }

  private currentAnalysis() {
    return this.model.analysis ?? this.model.options?.analysis;
  }

  render(): void {
    const m = this.model;
    this.renderHeader();
    this.renderBoxes();
    const analysis = this.currentAnalysis();
    const hasRun = !!(m.runId || m.result);
    this.emptyEl.hidden = hasRun || !!m.untrusted;
    this.emptyEl.textContent = this.mode === 'report'
      ? 'This report holds no result.'
      : 'No run yet. Open a *.landscape.ts file and run “Loss Landscape: Probe” (or use the code lens above a landscape(…) definition).';
    // One view per analysis: (re)create it when the analysis changes.
    const want = traitsOf(analysis) ? analysis : undefined;
    if (want !== this.viewKind) {
      this.view?.destroy();
      this.view = want ? VIEWS[want](this) : undefined;
      this.viewKind = want;
      this.mainEl.replaceChildren(...(this.view ? [this.view.el] : []));
    }
    const hasData = !!(m.curve || m.plane || m.survey || m.result?.curvature || m.result?.connect || m.result?.compare || m.result?.instability);
    this.mainEl.hidden = !analysis || !hasRun || (!hasData && !isRunning(m));
    this.view?.update(m);
    // A survey / compare streams no epochs (its training summary, the best / first run's, comes at the end).
    const showTrain = hasRun && (m.epochs.length > 0 || !!m.train || (m.status === 'training' && traitsOf(analysis)?.streamsEpochs !== false));
    this.train.el.hidden = !showTrain;
    if (showTrain) this.train.update(m);
    this.renderNotes();
  }

  private renderHeader(): void {
    const m = this.model;
    const t = this.titleEl;
    t.replaceChildren();
    if (m.file) {
      const defLine = m.definitions?.find((d) => d.name === m.definition)?.line;
      const fileEl = this.mode === 'vscode'
        ? el('a', { href: '#', class: 'll-file', title: `${m.file}${defLine ? `:${defLine}` : ''} (open in the editor)` }, basename(m.file))
        : el('span', { class: 'll-file', title: m.file }, basename(m.file));
      if (this.mode === 'vscode') fileEl.addEventListener('click', (e) => { e.preventDefault(); this.post({ type: 'openFile', file: m.file!, line: defLine }); });
      t.append(fileEl);
      if (m.definition) t.append(el('span', { class: 'll-chevron', 'aria-hidden': 'true' }, ' › '), el('span', { class: 'll-def' }, m.definition));
      if (m.definitions && m.definitions.length > 1) {
        const k = m.definitions.findIndex((d) => d.name === m.definition);
        t.append(el('span', { class: 'll-muted', title: m.definitions.map((d) => d.name).join(', ') }, ` (${k >= 0 ? `${k + 1} of ` : ''}${m.definitions.length} definitions)`));
      }
    } else {
      t.append(el('span', { class: 'll-app-title' }, 'Loss Landscape'));
    }
    const analysis = this.currentAnalysis();
    const traits = traitsOf(analysis);
    if (analysis) t.append(el('span', { class: 'll-badge' }, traits ? traits.badge(m) : analysis));
    if (m.cached) t.append(el('span', { class: 'll-badge ll-badge-muted', title: 'Result reused from the cache' }, 'cached'));

    const running = isRunning(m);
    this.ring.hidden = !running;
    this.stateEl.textContent = m.runId || m.result ? STATE_LABEL[m.status] : '';
    this.stateEl.className = `ll-state ll-state-${m.status}`;
    const parts: string[] = [];
    const backend = m.backend ?? m.options?.backend;
    if (backend) parts.push(`backend ${backend}${blasLabel(m.blas)}${m.adapter ? ` (${m.adapter})` : ''}`);
    const ex = m.examples;
    if (ex) {
      const subset = ex.evalTrain < ex.train || ex.evalTest < ex.test;
      parts.push(subset
        ? `eval on ${fmtInt(ex.evalTrain)} of ${fmtInt(ex.train)} train, ${fmtInt(ex.evalTest)} of ${fmtInt(ex.test)} test examples (subset)`
        : `eval on all ${fmtInt(ex.train)} train, ${fmtInt(ex.test)} test examples`);
    } else if (m.options?.examples) {
      parts.push(`eval on the first ${fmtInt(m.options.examples)} examples (subset)`);
    }
    const pts = pointsDone(m);
    if (pts && (m.status === 'probing' || m.status === 'done' || pts.done > 0)) parts.push(`${fmtInt(pts.done)}/${fmtInt(pts.total)} points`);
    const runs = traits?.countsRuns ? runsDone(m) : undefined;
    if (runs) parts.push(`${fmtInt(runs.done)}/${fmtInt(runs.total)} runs`);
    // Analyses without points (curvature, connect, compare) count their probe work in progress messages.
    const phaseNow = m.status === 'training' ? 'train' : m.status === 'loading' ? 'load' : m.status === 'probing' && !pts ? 'probe' : null;
    if (runs && m.progress?.phase === 'train' && running) {
      // "run 8/20: default, seed 8", then "interpolating best (run 16) ↔ stuck (run 12)"
      if (m.progress.message) parts.push(m.progress.message);
    } else if (m.progress && m.progress.phase === phaseNow && m.progress.total > 0) {
      const verb = m.progress.phase === 'train' ? 'training' : m.progress.phase === 'probe' ? 'probing' : 'loading';
      const msg = m.progress.message ? (m.progress.phase === 'probe' ? `: ${m.progress.message}` : ` (${m.progress.message})`) : '';
      parts.push(`${verb} ${fmtInt(m.progress.done)}/${fmtInt(m.progress.total)}${msg}`);
    }
    const text = parts.join(' · ');
    if (this.statusEl.textContent !== text) this.statusEl.textContent = text;
    this.tick();

    // progress bar
    let frac: number | null = null;
    if (running) {
      if (m.status === 'probing' && pts && pts.total) frac = pts.done / pts.total;
      else if (m.progress && m.progress.phase === phaseNow && m.progress.total) frac = m.progress.done / m.progress.total;
    }
    this.bar.hidden = frac === null;
    if (frac !== null) {
      this.barFill.style.width = `${Math.round(Math.min(1, Math.max(0, frac)) * 100)}%`;
      this.bar.setAttribute('aria-valuenow', String(Math.round(frac * 100)));
    }

    this.buttons.cancel.disabled = !running;
    this.buttons.rerun.disabled = !m.file && !m.runId;
    this.buttons.switch.disabled = running || (!m.file && !m.runId);
    const switchTo = traits?.switchTo ?? ANALYSES.interpolate.switchTo;
    this.buttons.switch.textContent = switchTo.label;
    this.buttons.switch.title = switchTo.title;
    const hasData = !!(m.curve || m.plane || m.train || m.epochs.length || m.survey?.runs.some((r) => r) || m.result);
    this.buttons.png.disabled = !hasData;
    this.buttons.csv.disabled = !hasData;
    this.buttons.json.disabled = !m.result;
    // a plane's own formats: shown only when the panel holds a plane (partial while it streams)
    const plane = shownPlane(m);
    for (const b of [this.buttons.npy, this.buttons.vtp]) { b.hidden = !plane; b.disabled = !plane || plane.a.length < 2 || plane.b.length < 2; }

    if (running && this.ticker === undefined) this.ticker = window.setInterval(() => this.tick(), 500);
    if (!running && this.ticker !== undefined) { clearInterval(this.ticker); this.ticker = undefined; }
  }

  private tick(): void {
    const ms = elapsedMs(this.model);
    const s = ms === undefined ? '' : `elapsed ${fmtDuration(ms)}`;
    if (this.elapsedEl.textContent !== s) this.elapsedEl.textContent = s;
  }

  private renderBoxes(): void {
    const m = this.model;
    const u = this.untrustedBox;
    u.hidden = !m.untrusted;
    if (m.untrusted) {
      u.replaceChildren(el('strong', {}, 'Nothing runs in an untrusted workspace. '), el('span', {}, m.untrusted));
    }
    const e = this.errorBox;
    const err = m.error;
    e.hidden = !err;
    if (!err) return;
    e.className = err.kind === 'cancelled' ? 'll-box ll-cancelled' : 'll-box ll-error';
    const children: (Node | string)[] = [el('div', { class: 'll-error-title' }, ERROR_TITLE[err.kind] ?? 'Error')];
    if (err.file) {
      const loc = `${basename(err.file)}${err.line ? `:${err.line}` : ''}${err.line && err.column ? `:${err.column}` : ''}`;
      if (this.mode === 'vscode') {
        const a = el('a', { href: '#', class: 'll-loc', title: `Open ${err.file}${err.line ? ` at line ${err.line}` : ''}` }, loc);
        a.addEventListener('click', (ev) => { ev.preventDefault(); this.post({ type: 'openFile', file: err.file!, line: err.line, column: err.column }); });
        children.push(a);
      } else children.push(el('span', { class: 'll-loc' }, loc));
    }
    children.push(el('pre', { class: 'll-error-message' }, err.message));
    if (err.stack) children.push(el('details', {}, el('summary', {}, 'Stack trace'), el('pre', { class: 'll-stack' }, err.stack)));
    e.replaceChildren(...children);
  }

  private renderNotes(): void {
    const m = this.model;
    const notes = m.result?.notes ?? [];
    const warns = m.logs.filter((l) => l.level === 'warn');
    const kids: Node[] = [];
    if (notes.length || warns.length) {
      kids.push(el('ul', { class: 'll-note-list' },
        ...warns.map((w) => el('li', { class: 'll-warn' }, w.message)),
        ...notes.map((n) => el('li', {}, n))));
    }
    if (m.result?.timing) {
      const tm = m.result.timing;
      kids.push(el('div', { class: 'll-muted ll-timing' },
        `load ${fmtDuration(tm.loadSeconds * 1000)} · train ${fmtDuration(tm.trainSeconds * 1000)} · probe ${fmtDuration(tm.probeSeconds * 1000)}`));
    }
    if (m.logs.length) {
      kids.push(el('details', { class: 'll-log' }, el('summary', {}, `Log (${m.logs.length})`),
        el('pre', {}, m.logs.map((l) => `${l.level === 'warn' ? '⚠ ' : ''}${l.message}`).join('\n'))));
    }
    this.notesEl.replaceChildren(...kids);
  }
}

function start(): void {
  const api = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  const app = new App(api);
  window.__ll = app;
  if (api) {
    app.restore(api.getState());
    window.addEventListener('message', (e: MessageEvent) => app.handle(e.data as HostToWebview));
    api.postMessage({ type: 'ready' });
  } else if (window.__LOSS_LANDSCAPE_RESULT__) {
    app.loadResult(window.__LOSS_LANDSCAPE_RESULT__);
  } else {
    app.render();
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
