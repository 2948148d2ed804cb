/** Command-line parsing for `loss-landscape probe`, `plan` and `merge`. */
import type { AnyProbeOptions, ProbeOptions } from '../protocol';
import { defaultProbeOptions as D } from '../shared/defaults';
import { ALIGN_MODES, ANALYSES, BACKENDS, BN_MODES, DIRECTIONS, OPERATORS, TRACE_METHODS, validateOptions } from '../shared/options';

export const USAGE = `usage: loss-landscape probe FILE [options]
       loss-landscape plan FILE --analysis plane|interpolate [options] --shards N --out PLAN
       loss-landscape probe [FILE] --plan PLAN --shard K/N|K|auto [--out SHARDS]
       loss-landscape merge PLAN [SHARD...] --out DIR [--partial] [--json]

Trains the model of a *.landscape.ts file with TensorFlow.js and probes its loss landscape.
Beyond one machine: \`plan\` trains once and fixes the grid into the folder PLAN; each
\`probe --plan\` evaluates one shard of it (no training; run again, it resumes); \`merge\`
builds result.json and report.html from the shards (see docs/cluster.md).

options:
  --def NAME             the exported landscape(...) definition (default: the first)
  --analysis KIND        interpolate (default) | plane | survey | compare |
                         curvature | connect | instability
  --directions KIND      plane directions: goodfellow | random | pca | hessian (the top two Hessian
                         eigenvectors at θ_T) (default ${D.directions})
  --points N             interpolate: number of α values in the range (default ${D.points})
  --alpha LO,HI          interpolate: α range (default ${D.alphaRange.join(',')})
  --grid N               plane: N×N grid (default ${D.grid})
  --bn MODE              BatchNorm statistics along probes: interpolate (default) | recompute | both
  --seed2 N              interpolate between the solutions of the definition's seed and seed N
  --align MODE           interpolate --seed2 (or compareTo), connect: permute the second
                         solution's hidden units onto the first's: weights | activations | none
  --spawn LIST           instability: spawn two copies at these epochs (steps with a suffix s),
                         e.g. 0,1,2,5,10 or 0,100s,500s (default 0,1,2,5,10)
  --k N                  curvature: number of top Hessian eigenvalues (default ${D.k})
  --operator OP          curvature: hessian (default) | ggn (generalized Gauss–Newton JᵀH_LJ)
  --trace-method M       curvature: hutch++ (default) | hutchinson
  --trace-error X        curvature: the trace samples until its relative standard error ≤ X (default 0.01)
  --runs N               survey: trainings per init scheme (default ${D.runs})
  --tolerance X          survey: stuck when final loss > best + X (default 0.01 + 10 % of best)
  --examples N           evaluate on the first N train and N test examples (default: all)
  --backend NAME         wasm | cpu | node (@tensorflow/tfjs-node, when it loads) | webgpu | auto
                         (a hardware GPU through WebGPU when the model is big enough, else wasm; default ${D.backend})
  --out DIR              write result.json and report.html into DIR (a plane: also plane.npy
                         and plane.vtp, its loss grid for NumPy and its surface for ParaView)
  --save-weights[=DIR]   write θ_a, θ_b and the trajectory as float32 + params.json
                         (default DIR: <out>/weights)
  --no-fast              disable the first-layer linearity trick (straightforward evaluation)
  --no-blas              wasm backend: matrix products on the wasm kernels, not the
                         machine's BLAS (OpenBLAS, Accelerate, ...; used when one loads)
  --json                 print result.json to stdout instead of the summary
  -h, --help             this help

plan, shards, merge:
  --shards N             plan: the number of shards the plan is made for
  --plan PLAN            probe: evaluate a shard of this plan (FILE: default the plan's)
  --shard K/N            probe --plan: shard K (1..N) of N; K alone: N is the plan's;
                         auto: K from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or
                         SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN), 0-based, + 1
  --out SHARDS           probe --plan: folder of the shard file shard-K-of-N.jsonl
                         (default PLAN/shards)
  --partial              merge: merge what is there when points are missing`;

/** --shard: K and N as given (N undefined: the plan's), or 'auto' (from the scheduler's index). */
export type ShardSpec = { k: number; n?: number } | 'auto';

export type CliArgs =
  | { command: 'probe'; file?: string; definition?: string; options: ProbeOptions; out?: string; json: boolean;
      /** probe --plan: the options given on the command line (each must be the plan's) */
      plan?: { dir: string; shard: ShardSpec; given: Partial<AnyProbeOptions> } }
  | { command: 'plan'; file: string; definition?: string; options: ProbeOptions; out: string; shards: number }
  | { command: 'merge'; plan: string; shards: string[]; out?: string; partial: boolean; json: boolean };

export class UsageError extends Error {}

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got '${v}')`);
  return v as T;
}
/** A number as typed; range and integrality are checked by validateOptions (one wording everywhere). */
function num(flag: string, v: string): number {
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} needs a number (got '${v}')`);
  return n;
}

function shardSpec(v: string): ShardSpec {
  if (v === 'auto') return 'auto';
  const m = /^(\d+)(?:\/(\d+))?$/.exec(v);
  const k = m ? Number(m[1]) : NaN, n = m?.[2] !== undefined ? Number(m[2]) : undefined;
  if (!m || k < 1 || (n !== undefined && k > n)) throw new UsageError(`--shard needs K/N with 1 ≤ K ≤ N, K alone, or auto (got '${v}')`);
  return { k, n };
}

const COMMANDS = ['probe', 'plan', 'merge'] as const;

export function parseArgs(argv: string[]): CliArgs | 'help' {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help')) return 'help';
  const [cmd, ...rest] = argv;
  if (!(COMMANDS as readonly string[]).includes(cmd)) throw new UsageError(`unknown command '${cmd}' (try: loss-landscape probe FILE)`);
  const command = cmd as (typeof COMMANDS)[number];
  const options: AnyProbeOptions = { analysis: 'interpolate' };
  let definition: string | undefined, out: string | undefined, json = false;
  let analysisGiven = false;
  let saveWeights: string | true | undefined, shards: number | undefined, plan: string | undefined, shard: ShardSpec | undefined, partial = false;
  const positional: string[] = [];
  const only = (flag: string, where: boolean) => { if (!where) throw new UsageError(`${flag} does not apply to '${command}'`); };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--def': definition = value(); break;
      case '--analysis': options.analysis = oneOf(flag, value(), ANALYSES); analysisGiven = true; break;
      case '--directions': options.directions = oneOf(flag, value(), DIRECTIONS); break;
      case '--points': options.points = num(flag, value()); break;
      case '--grid': options.grid = num(flag, value()); break;
      case '--bn': options.bn = oneOf(flag, value(), BN_MODES); break;
      case '--seed2': options.seed2 = num(flag, value()); break;
      case '--align': options.align = oneOf(flag, value(), ALIGN_MODES); break;
      case '--spawn': options.spawn = value(); break;
      case '--k': options.k = num(flag, value()); break;
      case '--operator': options.operator = oneOf(flag, value(), OPERATORS); break;
      case '--trace-method': options.traceMethod = oneOf(flag, value(), TRACE_METHODS); break;
      case '--trace-error': options.traceError = num(flag, value()); break;
      case '--runs': options.runs = num(flag, value()); break;
      case '--tolerance': options.tolerance = num(flag, value()); break;
      case '--examples': options.examples = num(flag, value()); break;
      case '--backend': options.backend = oneOf(flag, value(), BACKENDS); break;
      case '--out': out = value(); break;
      case '--alpha': {
        const raw = value(), parts = raw.split(',').map((p) => (p.trim() === '' ? NaN : Number(p)));
        if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p))) throw new UsageError(`--alpha needs LO,HI with LO < HI, both finite (got '${raw}')`);
        options.alphaRange = [parts[0], parts[1]];
        break;
      }
      case '--save-weights': only(flag, command === 'probe'); saveWeights = inline ?? true; break;
      case '--no-fast': options.fastFirstLayer = false; break;
      case '--no-blas': options.blas = false; break;
      case '--json': only(flag, command !== 'plan'); json = true; break;
      case '--shards': {
        only(flag, command === 'plan');
        const v = value();
        shards = /^\d+$/.test(v) ? Number(v) : NaN;
        if (!(shards >= 1 && shards <= 100_000)) throw new UsageError(`--shards needs an integer from 1 to 100,000 (got '${v}')`);
        break;
      }
      case '--plan': only(flag, command === 'probe'); plan = value(); break;
      case '--shard': only(flag, command === 'probe'); shard = shardSpec(value()); break;
      case '--partial': only(flag, command === 'merge'); partial = true; break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
        positional.push(a);
    }
  }
  if (out !== undefined && !out.trim()) throw new UsageError('--out needs a folder');
  if (command === 'merge') {
    const [planDir, ...shardArgs] = positional;
    if (!planDir) throw new UsageError('merge needs the PLAN folder (loss-landscape merge PLAN [SHARD...] --out DIR)');
    const probeFlag = Object.keys(options).find((k) => k !== 'analysis') ?? (definition !== undefined ? 'def' : undefined);
    if (probeFlag || options.analysis !== 'interpolate') throw new UsageError('merge takes no probe options: the plan fixes them');
    return { command, plan: planDir, shards: shardArgs, out, partial, json };
  }
  if (positional.length > 1) throw new UsageError(`one FILE only (got '${positional[0]}' and '${positional[1]}')`);
  const file = positional[0];
  const { analysis: _a, ...rest2 } = options;
  const given: Partial<AnyProbeOptions> = analysisGiven ? { ...rest2, analysis: options.analysis } : rest2;
  if (saveWeights) options.saveWeights = saveWeights === true ? (out ? `${out}/weights` : 'weights') : saveWeights;
  const errors = validateOptions(options, 'cli');
  if (errors.length) throw new UsageError(errors.join('\n'));
  if (command === 'plan') {
    if (!file) throw new UsageError('missing FILE (a *.landscape.ts file)');
    if (!out) throw new UsageError('plan needs --out PLAN (the folder the plan is written into)');
    if (shards === undefined) throw new UsageError('plan needs --shards N (the number of shards to split the grid into)');
    return { command, file, definition, options: options as ProbeOptions, out, shards };
  }
  if (shard !== undefined && plan === undefined) throw new UsageError('--shard needs --plan PLAN');
  if (plan !== undefined) {
    if (shard === undefined) throw new UsageError('--plan needs --shard K/N (or --shard auto, from the scheduler\'s array index)');
    if (saveWeights || json) throw new UsageError(`${saveWeights ? '--save-weights' : '--json'} does not apply to a shard: merge writes the result`);
    return { command, file, definition, options: options as ProbeOptions, out, json, plan: { dir: plan, shard, given } };
  }
  if (!file) throw new UsageError('missing FILE (a *.landscape.ts file)');
  return { command, file, definition, options: options as ProbeOptions, out, json };
}
