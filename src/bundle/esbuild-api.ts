/**
 * Which esbuild bundles the user's files: the native one (`esbuild` + its `@esbuild/<platform>`
 * binary, what a per-target .vsix carries) when it starts, else `esbuild-wasm` (what the universal
 * .vsix carries: the same compiler as WebAssembly, slower to start, runs everywhere Node does).
 * `LOSS_LANDSCAPE_ESBUILD=wasm|native` forces one (tests). No vscode, no TF.js.
 *
 * esbuild-wasm's Node API starts its service as `node <esbuild-wasm>/bin/esbuild`, `node` from
 * PATH, which a VS Code install need not have: while that service starts, `child_process.spawn`
 * of exactly that command is redirected to this process's own executable (Electron's Node when
 * `ELECTRON_RUN_AS_NODE` is set, as it is for the runner).
 */
import * as childProcess from 'node:child_process';
import { dirname, join } from 'node:path';
import { childEnv, setting } from '../shared/switchboard';

export type Esbuild = typeof import('esbuild');
export type EsbuildKind = 'native' | 'wasm';

interface Loaded { api: Esbuild; kind: EsbuildKind }
let native: Loaded | null | undefined;
let wasm: Loaded | null | undefined;
let nativeFailure: string | undefined;
/** One line saying why the wasm compiler is in use (read once by whoever logs it). */
let pendingNote: string | undefined;

function forced(): EsbuildKind | undefined {
  return setting('ESBUILD');
}

function loadNative(): Loaded | null {
  if (native !== undefined) return native;
  try { native = { api: require('esbuild') as Esbuild, kind: 'native' }; } catch (e) {
    native = null; nativeFailure = (e as Error).message.split('\n')[0];
  }
  return native;
}

function loadWasm(): Loaded | null {
  if (wasm !== undefined) return wasm;
  try {
    const api = require('esbuild-wasm') as Esbuild;
    const bin = join(dirname(require.resolve('esbuild-wasm/package.json')), 'bin', 'esbuild');
    wasm = { api: withOwnNode(api, bin), kind: 'wasm' };
  } catch { wasm = null; }
  return wasm;
}

/** esbuild-wasm's API with its `node` service started on process.execPath. */
function withOwnNode(api: Esbuild, bin: string): Esbuild {
  const redirect = <T>(f: () => T): T => {
    const cp = childProcess as unknown as { spawn: typeof childProcess.spawn };
    const orig = cp.spawn;
    cp.spawn = ((cmd: string, args: readonly string[], opts: childProcess.SpawnOptions) =>
      cmd === 'node' && args?.[0] === bin
        ? orig(process.execPath, args, { ...opts, env: childEnv({ ELECTRON_RUN_AS_NODE: '1' }) })
        : orig(cmd, args, opts)) as typeof childProcess.spawn;
    try { return f(); } finally { cp.spawn = orig; }
  };
  return { ...api, build: ((o: Parameters<Esbuild['build']>[0]) => redirect(() => api.build(o))) as Esbuild['build'] };
}

/** A failure of the compiler itself (no binary, wrong platform), not of the user's code. */
export function isServiceFailure(e: unknown): boolean {
  return !Array.isArray((e as { errors?: unknown } | null)?.errors);
}

/** The esbuild to try first, and the fallback when it cannot start (null: none). */
export function esbuildChain(): Loaded[] {
  const f = forced();
  const chain = f === 'wasm' ? [loadWasm()] : f === 'native' ? [loadNative()] : [loadNative(), loadWasm()];
  return chain.filter((x): x is Loaded => x != null);
}

/** Remembers that the native esbuild did not start, so later builds go straight to wasm. */
export function nativeFailed(e: unknown): void {
  nativeFailure = (e as Error)?.message?.split('\n')[0] ?? String(e);
  native = null;
  pendingNote = `esbuild's native binary could not start (${nativeFailure}); bundling with esbuild-wasm`;
}

/** The note about the fallback, once (null when the native compiler is in use). */
export function takeEsbuildNote(): string | undefined {
  const n = pendingNote ?? (native === null && wasm && nativeFailure ? `esbuild native unavailable (${nativeFailure}); bundling with esbuild-wasm` : undefined);
  pendingNote = undefined; nativeFailure = undefined;
  return n;
}

/** Stops the service of every esbuild started (the runner: nothing outlives the bundling). */
export async function stopEsbuild(): Promise<void> {
  for (const l of [native, wasm]) if (l) await l.api.stop();
}
