/** Host ↔ webview (the panel): postMessage both ways. Types only. */
import type { ProbeOptions } from './options';
import type { RunnerMessage } from './runner';

/** Host → webview: everything the runner says, plus run bookkeeping. */
export type HostToWebview =
  | RunnerMessage
  | { type: 'runStarted'; runId: string; file: string; definition?: string; options: ProbeOptions; cached: boolean; startedAt: number }
  /** `elapsed` in milliseconds. */
  | { type: 'runEnded'; runId: string; status: 'done' | 'error' | 'cancelled'; elapsed: number }
  | { type: 'untrusted'; message: string };

/** What the panel exports: npy (NumPy) and vtp (ParaView) for a plane only. */
export type ExportFormat = 'png' | 'csv' | 'json' | 'npy' | 'vtp';

/** Webview → host. */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'cancel'; runId: string }
  | { type: 'rerun'; options?: Partial<ProbeOptions> }
  /** png and npy: base64 (png as a data: URL); csv, json and vtp: text. */
  | { type: 'export'; format: ExportFormat; name: string; data: string }
  | { type: 'openFile'; file: string; line?: number; column?: number }
  /** The untrusted box's button: open the workspace trust editor. */
  | { type: 'manageTrust' };
