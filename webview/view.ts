/**
 * What every view of the panel shares: the UI choices saved with the state, the context a view is
 * given (theme, UI state, save), the `AnalysisView` interface of the one analysis view shown, and
 * the shared "log y" toggle.
 */
import type { PngSection } from './exporter';
import type { RunModel } from './state';
import type { Theme } from './theme';
import { el } from './dom';

/** The plane as a contour map, a 3-D surface or both (side by side when wide). */
export type PlaneMode = '2d' | '3d' | 'both';

/** UI choices persisted with the state (they survive a reload, not a new run). */
export interface UiState {
  logY: boolean;
  planeLog: boolean;
  contours: boolean;
  paths: boolean;
  /** Plane: contour map / 3-D surface / both; unset = both when the panel is wide, else the map. */
  planeMode?: PlaneMode;
  /** Selected α index in the interpolation view. */
  selectedAlpha?: number;
  /** Pinned cell [i (row, b), j (column, a)] in the plane view. */
  selectedCell?: [number, number];
  /** Survey: index of the selected run (table row / strip cell). */
  selectedRun?: number;
  /** Survey: sort of the runs table (column key, 1 ascending / -1 descending). */
  surveySort?: { key: string; dir: 1 | -1 };
}

export function defaultUi(): UiState {
  return { logY: true, planeLog: true, contours: true, paths: true };
}

export interface ViewContext {
  theme: Theme;
  ui: UiState;
  saveUi(): void;
}

/** The shared "log y" checkbox of the loss charts: bound to `ctx.ui.logY`, saved, then `onChange()`. */
export function logYToggle(ctx: ViewContext, onChange: () => void): HTMLElement & { checked: boolean } {
  const box = el('vscode-checkbox', { label: 'log y', title: 'Logarithmic loss axis' }) as HTMLElement & { checked: boolean };
  box.checked = ctx.ui.logY;
  box.addEventListener('change', () => {
    ctx.ui.logY = !!box.checked;
    ctx.saveUi();
    onChange();
  });
  return box;
}

/**
 * The view of one analysis (the panel shows one at a time, built from the factory table in
 * analysis-views.ts). `update` is called on every model change (views skip work by `m.rev`).
 */
export interface AnalysisView {
  readonly el: HTMLElement;
  update(m: RunModel): void;
  /** Re-read the theme's colours (`ViewContext.theme`) and redraw. */
  applyTheme(): void;
  /** Drop hover highlights / tooltips before the canvases are copied into a PNG. */
  prepareExport(): void;
  /** The PNG export's captioned canvases (only the visible ones). */
  sections(m: RunModel): PngSection[];
  destroy(): void;
}
