/** Command-line parsing for `loss-landscape probe`. */
import { defaultProbeOptions as D, type AnyProbeOptions, type ProbeOptions } from '../protocol';
import { ANALYSES, BACKENDS, BN_MODES, DIRECTIONS, validateOptions } from '../shared/options';

export const USAGE = `usage: loss-landscape probe FILE [options]

Trains the model of a *.landscape.ts file with TensorFlow.js and probes its loss landscape.

options:
  --def NAME             the exported landscape(...) definition (default: the first)
  --analysis KIND        interpolate (default) | plane | survey | compare |
                         curvature | connect
  --directions KIND      plane directions: goodfellow | random | pca (default ${D.directions})
  --points N             interpolate: number of α values in the range (default ${D.points})
  --alpha LO,HI          interpolate: α range (default ${D.alphaRange.join(',')})
  --grid N               plane: N×N grid (default ${D.grid})
  --bn MODE              BatchNorm statistics along probes: interpolate (default) | recompute | both
  --seed2 N              interpolate between the solutions of the definition's seed and seed N
  --k N                  curvature: number of top Hessian eigenvalues (default ${D.k})
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
  -h, --help             this help`;

export interface CliArgs {
  command: 'probe';
  file: string;
  definition?: string;
  options: ProbeOptions;
  out?: string;
  json: boolean;
}

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

export function parseArgs(argv: string[]): CliArgs | 'help' {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help')) return 'help';
  const [command, ...rest] = argv;
  if (command !== 'probe') throw new UsageError(`unknown command '${command}' (try: loss-landscape probe FILE)`);
  const options: AnyProbeOptions = { analysis: 'interpolate' };
  let file: string | undefined, definition: string | undefined, out: string | undefined, json = false;
  let saveWeights: string | true | undefined;
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
      case '--analysis': options.analysis = oneOf(flag, value(), ANALYSES); break;
      case '--directions': options.directions = oneOf(flag, value(), DIRECTIONS); break;
      case '--points': options.points = num(flag, value()); break;
      case '--grid': options.grid = num(flag, value()); break;
      case '--bn': options.bn = oneOf(flag, value(), BN_MODES); break;
      case '--seed2': options.seed2 = num(flag, value()); break;
      case '--k': options.k = num(flag, value()); break;
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
      case '--save-weights': saveWeights = inline ?? true; break;
      case '--no-fast': options.fastFirstLayer = false; break;
      case '--no-blas': options.blas = false; break;
      case '--json': json = true; break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
        if (file) throw new UsageError(`one FILE only (got '${file}' and '${a}')`);
        file = a;
    }
  }
  if (!file) throw new UsageError('missing FILE (a *.landscape.ts file)');
  if (saveWeights) options.saveWeights = saveWeights === true ? (out ? `${out}/weights` : 'weights') : saveWeights;
  if (out !== undefined && !out.trim()) throw new UsageError('--out needs a folder');
  const errors = validateOptions(options, 'cli');
  if (errors.length) throw new UsageError(errors.join('\n'));
  return { command: 'probe', file, definition, options: options as ProbeOptions, out, json };
}
