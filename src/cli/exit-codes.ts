/** Exit codes of `loss-landscape` (the README's table is checked against this by test/faults). */
export const EXIT = {
  /** the probe ran; every output asked for was written */
  ok: 0,
  /** an error in the user's file, definition, data or options (file:line: error (kind): message), or a probe too big for the machine */
  user: 1,
  /** bad command line: unknown flag, bad value, --out / --save-weights not writable (checked before training), a backend that cannot start here */
  usage: 2,
  /** internal error: the runner crashed or was killed from outside, or a bug of ours */
  internal: 3,
  /** the probe ran and its summary was printed, but result.json / report.html or the weights could not be written */
  output: 4,
  /** merge: points are missing (listed); nothing written — rerun those shards, or merge with --partial */
  incomplete: 5,
  /** cancelled: Ctrl-C (SIGINT), SIGTERM or SIGHUP (terminal closed) */
  cancelled: 130,
} as const;
