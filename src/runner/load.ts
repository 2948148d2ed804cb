/**
 * Loads a user's `*.landscape.ts`: bundle it with esbuild (inline source maps), resolve
 * `loss-landscape` and `@tensorflow/tfjs*` to the runner's own copies (one TF.js instance),
 * evaluate it, and collect every exported `landscape(...)` definition.
 * Errors come back as `UserError`s pointing at the user's file, line and column.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import * as api from '../api';
import { setDefinitionFile } from '../api/files';
import type { LandscapeDefinition } from '../api/types';
import type { DefinitionInfo, UserError } from '../protocol';
import { definitionLines } from '../shared/definitions';
import { bundle, PROVIDED, UserFacingError } from '../bundle/bundle';

export { bundle, UserFacingError };

export interface LoadedFile {
  file: string;
  definitions: Map<string, LandscapeDefinition>;
  infos: DefinitionInfo[];
  /** sha256 of the bundled code: the part of a cache key that changes when the code does. */
  codeHash: string;
}

/** file:line:column of the first stack frame inside `file` (stacks are source-mapped). */
export function locateInStack(stack: string | undefined, file: string): { line: number; column: number } | undefined {
  if (!stack) return undefined;
  const esc = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${esc}:(\\d+):(\\d+)`).exec(stack);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

/** Turns anything thrown by user code into a UserError pointing at the user's file. */
export function toUserError(e: unknown, file: string, kind: UserError['kind'], fallbackLine?: number): UserError {
  if (e instanceof UserFacingError) return e.error;
  const err = e instanceof Error ? e : new Error(String(e));
  const cause = (err as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? cause : err;
  const at = locateInStack(inner.stack, file) ?? locateInStack(err.stack, file);
  return {
    kind, message: err.message, file,
    line: at?.line ?? fallbackLine, column: at?.column,
    stack: inner.stack?.split('\n').slice(0, 12).join('\n'),
  };
}

const keptModules: Module[] = [];

/** The landscape files loaded in this runner: a process.exit called from one of them is refused. */
const userFiles = new Set<string>();
let exitGuarded = false;

/**
 * `process.exit(...)` from the user's code (at its top level, in model(), data()…) would end the
 * runner with no message but a crash: it throws instead, so the run ends as the user's error at
 * that line. Calls from anywhere else (the runner itself, TF.js) exit as before.
 */
function guardExit(): void {
  if (exitGuarded) return;
  exitGuarded = true;
  const realExit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    const stack = new Error().stack;
    Error.stackTraceLimit = limit;
    if ([...userFiles].some((f) => locateInStack(stack, f))) {
      throw new Error(`process.exit(${code ?? ''}) called by the landscape file: it must not end the runner process (throw an Error to stop with a message)`);
    }
    return realExit(code);
  }) as typeof process.exit;
}

export async function loadFile(file: string): Promise<LoadedFile> {
  const abs = resolve(file);
  let source: string;
  try { source = readFileSync(abs, 'utf8'); } catch (e) {
    throw new UserFacingError({ kind: 'load', message: `cannot read ${abs}: ${(e as Error).message}`, file: abs });
  }
  const { code, outfile } = await bundle(abs);
  process.setSourceMapsEnabled(true);
  const m = new Module(outfile) as Module & { _compile(code: string, filename: string): void };
  m.filename = outfile;
  m.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(dirname(abs));
  const realRequire = m.require.bind(m);
  m.require = ((id: string) => {
    if (id === 'loss-landscape' || id.startsWith('loss-landscape/')) return api;
    if (PROVIDED.test(id)) return tf;
    return realRequire(id);
  }) as NodeJS.Require;
  setDefinitionFile(abs); // relative paths in datasets.csv / models.load / ... resolve against the file
  // Node keeps a module's source map only as long as the Module object lives (a weak map): keep
  // it, or a later error in the user's code would point into the bundle instead of the file.
  keptModules.push(m);
  userFiles.add(abs);
  guardExit();
  try {
    m._compile(code, outfile);
  } catch (e) {
    throw new UserFacingError(toUserError(e, abs, 'load'));
  }
  const lines = definitionLines(source);
  const definitions = new Map<string, LandscapeDefinition>();
  for (const [name, value] of Object.entries(m.exports as Record<string, unknown>)) {
    if (api.isLandscapeDefinition(value)) definitions.set(name, value);
  }
  if (definitions.size === 0) {
    throw new UserFacingError({ kind: 'definition', file: abs, line: 1,
      message: `${basename(abs)} exports no landscape(...) definition: add e.g. \`export const model = landscape({ data, model, loss, optimizer })\`` });
  }
  // In the file's order (esbuild sorts export names): the first definition is the default one.
  const infos = [...definitions.keys()].map((name) => ({ name, line: lines.get(name) }))
    .sort((p, q) => (p.line ?? Infinity) - (q.line ?? Infinity));
  return { file: abs, definitions, infos, codeHash: createHash('sha256').update(code).digest('hex') };
}
