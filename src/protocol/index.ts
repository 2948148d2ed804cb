/**
 * The protocol, one file per channel, types only: options.ts (what a run is asked), runner.ts
 * (runner ↔ host), worker.ts (a runner ↔ its worker runner), webview.ts (host ↔ panel) and
 * result.ts (result.json). Every layer imports it; it imports nothing of ours but the few
 * runtime values of the wire, re-exported here from src/shared so that `from '../protocol'` keeps
 * serving them (new code imports them from src/shared directly).
 */
export type * from './options';
export type * from './result';
export type * from './runner';
export type * from './worker';
export type * from './webview';
export { RESULT_SCHEMA, WATCHDOG_MARKER } from '../shared/wire';
export { defaultProbeOptions } from '../shared/defaults';
export { blasLabel } from '../shared/labels';
