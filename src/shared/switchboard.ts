/**
 * The switchboard: every `LOSS_LANDSCAPE_*` environment variable, in one table — its name, what it
 * does, its default and its parser. Code reads a variable only through `setting(key)` (read at the
 * call, so a test may set one before it calls); a child process gets this one's through `childEnv`.
 * README.md's "Environment variables" section is this table (test/unit/switchboard.test.ts checks
 * it against `switchboardMarkdown()`). Lint: `process.env` is read here and in the entry points only.
 */

/** The one spelling of "off": `off`, `0`, `false`, `no` or `none` (any case). */
const OFF = /^(off|0|false|no|none)$/i;

interface Switch<T> {
  /** What it does, in a sentence (the README's column). */
  meaning: string;
  /** Its default in words (the README's column). */
  default: string;
  parse(raw: string | undefined): T;
}

const sw = <T>(meaning: string, dflt: string, parse: (raw: string | undefined) => T): Switch<T> => ({ meaning, default: dflt, parse });

/** On unless the variable says off. */
const onUnlessOff = (raw: string | undefined): boolean => !OFF.test(raw ?? '');
/** A number when it is one (> 0 or ≥ 0), else undefined (the caller's default). */
const positive = (raw: string | undefined): number | undefined => {
  const n = Number(raw);
  return raw !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
};
const positiveInteger = (raw: string | undefined): number | undefined => {
  const n = positive(raw);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
};
const nonNegative = (raw: string | undefined): number | undefined => {
  const n = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
};
const text = (raw: string | undefined): string | undefined => raw || undefined;

export const SWITCHES = {
  BLAS: sw(
    'the BLAS under the wasm backend: `off` for none, a library file to load that one',
    'the first that loads (OpenBLAS, MKL, libcblas, Accelerate)',
    (raw): { off: true } | { off: false; file?: string } =>
      raw && OFF.test(raw) ? { off: true } : { off: false, file: raw && !/^(on|1|true|yes|auto)$/i.test(raw) ? raw : undefined },
  ),
  BLAS_THREADS: sw('the BLAS threads for large products', 'one per core', positiveInteger),
  BLAS_MIN_MACS: sw('smallest product (multiply-adds) computed by the BLAS, not the wasm kernel', '32768', (raw) => Number(raw ?? 32768)),
  BLAS_PARALLEL_MACS: sw('smallest product (multiply-adds) computed on more than one BLAS thread', '2^26', (raw) => Number(raw ?? 2 ** 26)),
  BLAS_CONV: sw('`off`: convolutions on the wasm kernels (XNNPACK), not im2col + sgemm on the BLAS', 'on', onUnlessOff),
  DENSE_TRAIN: sw('`off`: Dense stacks train by TF.js autodiff, not the BLAS steps', 'on', onUnlessOff),
  DENSE_EVAL: sw("`off`: Dense stacks' points evaluated by TF.js, not on the BLAS", 'on', onUnlessOff),
  DENSE_HVP: sw('`off`: Hessian-vector products by double backprop, not the R-operator on the BLAS', 'on', onUnlessOff),
  SIMD: sw('`off`: no SIMD elementwise kernels', 'on', onUnlessOff),
  HUGE_PAGES: sw('`off`: no transparent huge pages for big fresh buffers (Linux)', 'on', onUnlessOff),
  STACK: sw('`1`: evaluate several points per pass on any backend; `0`: never', 'on WebGPU only', (raw): boolean | undefined =>
    raw === '1' ? true : raw === '0' ? false : undefined,
  ),
  POINTS_PER_READ: sw('points evaluated per awaited read of the backend', '32 on WebGPU, else 1', positiveInteger),
  WORKERS: sw('processes a plane or a line is evaluated in (1 or 2)', '2 for large jobs on 2+ cores, else 1', (raw): 1 | 2 | undefined =>
    raw === undefined ? undefined : (Math.max(1, Math.min(2, Number(raw) || 1)) as 1 | 2),
  ),
  AUTO_GPU_MIN_WORK: sw('`--backend auto`: parameters × batch size from which the GPU is used', '5e7', nonNegative),
  MAX_MEMORY_MB: sw('the memory a run may use (checked before it starts, watched while it runs)', '60 % of RAM, at most 8 GiB', positive),
  HEAP_MB: sw("the runner's JavaScript heap", '4096', positive),
  WASM_DIR: sw('folder of the tfjs-backend-wasm binaries', "beside dist/runner.js, else the package's", text),
  ESBUILD: sw(
    "`wasm` or `native`: which esbuild bundles the user's file",
    'native, esbuild-wasm when it does not start',
    (raw): 'wasm' | 'native' | undefined => (raw === 'wasm' || raw === 'native' ? raw : undefined),
  ),
  MNIST_DIR: sw("folder of the MNIST digits (the `mnist` package's layout)", "the `mnist` package's", text),
  RUNNER: sw('tests: another runner script for the extension', 'dist/runner.js', text),
  TEST_POINT_DELAY_MS: sw('tests: sleep this long after each point (to kill a run half-way)', '0', positive),
  TEST_WRITE_DELAY_MS: sw('tests: sleep this long after each temporary output file', '0', positive),
} as const;

export type SwitchKey = keyof typeof SWITCHES;
export type SwitchValue<K extends SwitchKey> = ReturnType<(typeof SWITCHES)[K]['parse']>;

/** The environment variable of a switch. */
export const switchName = (key: SwitchKey): string => `LOSS_LANDSCAPE_${key}`;

/** A switch's value now (parsed from the environment at each call). */
export function setting<K extends SwitchKey>(key: K): SwitchValue<K> {
  return SWITCHES[key].parse(process.env[switchName(key)]) as SwitchValue<K>;
}

/** The environment of a child process: this one's (every switch included), plus `extra`. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

/** The README's table of the switches. */
export function switchboardMarkdown(): string {
  const rows = (Object.keys(SWITCHES) as SwitchKey[]).map((k) => `| \`${switchName(k)}\` | ${SWITCHES[k].meaning} | ${SWITCHES[k].default} |`);
  return ['| variable | what it does | default |', '| --- | --- | --- |', ...rows].join('\n');
}
