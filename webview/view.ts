import type { Theme } from './theme';

/** UI choices persisted with the state (they survive a reload, not a new run). */
export interface UiState {
  logY: boolean;
  planeLog: boolean;
  contours: boolean;
  paths: boolean;
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
