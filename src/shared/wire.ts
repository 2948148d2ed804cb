/** The few values of the wire (the protocol's types are in src/protocol): markers, the schema's name. */
import type { ResultSchema } from '../protocol/result';

/**
 * The runner's watchdog writes one line to stderr starting with this before it ends the process
 * (its event loop may be blocked, so not over IPC): `… out of memory: …` or `… parent … gone`.
 */
export const WATCHDOG_MARKER = 'loss-landscape-runner:';

/** The format of result.json (and of ProbeResult): bump when a field changes meaning. */
export const RESULT_SCHEMA: ResultSchema = 'loss-landscape/result@1';
