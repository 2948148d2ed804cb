/** Command-line parsing for `loss-landscape probe`. */
import type { AnalysisKind, BackendName, DirectionsKind, ProbeOptions } from '../protocol';

export const USAGE = `usage: loss-landscape probe FILE [options]

Trains the model of a *.landscape.ts file with TensorFlow.js and probes its loss landscape.

options:
  --def NAME             the exported landscape(...) definition (default: the first)
  --analysis KIND        interpolate (default) | plane | survey | compare |
                         curvature | connect
  --directions KIND      plane directions: goodfellow (default) | random | pca
  --points N             interpolate: number of α values in the range (default 41)
  --alpha LO,HI          interpolate: α range (default -0.5,1.5)
  --grid N               plane: N×N grid (default 21)
  --bn MODE              BatchNorm statistics along probes: interpolate (default) | recompute | both
  --seed2 N              interpolate between the solutions of the definition's seed and seed N
  --k N                  curvature: number of top Hessian eigenvalues (default 5)
  --runs N               survey: trainings per init scheme (default 10)
  --tolerance X          survey: stuck when final loss > best + X (default 0.01 + 10 % of best)
  --examples N           evaluate on the first N train and N test examples (default: all)
  --backend NAME         wasm (default) | cpu | node (@tensorflow/tfjs-node, when it loads)
  --out DIR              write result.json and report.html into DIR
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

const ANALYSES: AnalysisKind[] = ['interpolate', 'plane', 'survey', 'compare', 'curvature', 'connect'];
const DIRECTIONS: DirectionsKind[] = ['goodfellow', 'random', 'pca'];
const BACKENDS: BackendName[] = ['wasm', 'cpu', 'node'];

function oneOf<T extends string>(flag: string, v: string, allowed: T[]): T {
  if (!allowed.includes(v as T)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got '${v}')`);
  return v as T;
}
function int(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} needs an integer ≥ ${min} (got '${v}')`);
  return n;
}

export function parseArgs(argv: string[]): CliArgs | 'help' {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help')) return 'help';
  const [command, ...rest] = argv;
  if (command !== 'probe') throw new UsageError(`unknown command '${command}' (try: loss-landscape probe FILE)`);
  const options: ProbeOptions = { analysis: 'interpolate' };
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
      case '--points': options.points = int(flag, value(), 2); break;
      case '--grid': options.grid = int(flag, value(), 2); break;
      case '--bn': options.bn = oneOf(flag, value(), ['interpolate', 'recompute', 'both'] as Array<'interpolate' | 'recompute' | 'both'>); break;
      case '--seed2': options.seed2 = int(flag, value(), 0); break;
      case '--k': options.k = int(flag, value(), 1); break;
      case '--runs': options.runs = int(flag, value(), 1); break;
      case '--tolerance': {
        const t = Number(value());
        if (!(t >= 0)) throw new UsageError('--tolerance needs a number ≥ 0');
        options.tolerance = t;
        break;
      }
      case '--examples': options.examples = int(flag, value(), 0); break;
      case '--backend': options.backend = oneOf(flag, value(), BACKENDS); break;
      case '--out': out = value(); break;
      case '--alpha': {
        const parts = value().split(',').map(Number);
        if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p)) || parts[0] >= parts[1]) throw new UsageError('--alpha needs LO,HI with LO < HI');
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
  return { command: 'probe', file, definition, options, out, json };
}
