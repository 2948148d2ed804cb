/**
 * Bundling a user's `*.landscape.ts` with esbuild, in memory: `loss-landscape` and
 * `@tensorflow/tfjs*` stay external (the runner provides its own copies). Used by the runner to
 * load the file and by the host to key its cache on what actually runs (the file and every local
 * module it imports). No vscode, no TF.js.
 */
import type * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { UserError } from '../protocol';
import { esbuildChain, isServiceFailure, nativeFailed, stopEsbuild, type Esbuild } from './esbuild-api';

export { takeEsbuildNote } from './esbuild-api';

export class UserFacingError extends Error {
  constructor(readonly error: UserError) { super(error.message); }
}

export const PROVIDED = /^(loss-landscape|@tensorflow\/tfjs(-core|-layers|-converter|-data|-backend-cpu|-backend-wasm)?)(\/.*)?$/;

/**
 * Bundles the user's file in memory. Nothing is written: `outfile` is only the name the code is
 * compiled under (beside the user's file, so source-map paths resolve to it); no shared temp
 * folder to be hijacked, no file name too long. esbuild's service process is stopped after.
 */
export async function bundle(file: string, o: { stopService?: boolean } = {}): Promise<{ code: string; outfile: string }> {
  const abs = resolve(file);
  const outfile = join(dirname(abs), `.${createHash('sha1').update(abs).digest('hex').slice(0, 10)}.landscape-bundle.cjs`);
  const options: esbuild.BuildOptions & { write: false } = {
    entryPoints: [abs], outfile, bundle: true, write: false, platform: 'node', format: 'cjs', target: 'node20',
    sourcemap: 'inline', sourcesContent: false, logLevel: 'silent', absWorkingDir: dirname(abs),
    plugins: [{
      name: 'provided-modules',
      setup(b) { b.onResolve({ filter: PROVIDED }, (a) => ({ path: a.path, external: true })); },
    }],
  };
  try {
    const r = await buildWithFallback(options);
    return { code: r.outputFiles[0].text, outfile };
  } catch (e) {
    const errs = (e as { errors?: esbuild.Message[] }).errors;
    const first = errs?.[0];
    if (!first) throw e;
    const loc = first.location;
    throw new UserFacingError({
      kind: 'syntax', message: first.text,
      file: loc ? resolve(dirname(abs), loc.file) : abs, line: loc?.line, column: loc ? loc.column + 1 : undefined,
    });
  } finally {
    // the runner: no esbuild child process outlives the bundling (the host keeps its service)
    if (o.stopService !== false) await stopEsbuild();
  }
}

/** The native esbuild, or esbuild-wasm when the native one is absent or does not start. */
async function buildWithFallback(options: esbuild.BuildOptions & { write: false }): Promise<esbuild.BuildResult<typeof options>> {
  const chain = esbuildChain();
  if (!chain.length) throw new Error('no esbuild could be loaded (neither esbuild nor esbuild-wasm): reinstall the extension');
  for (let i = 0; ; i++) {
    const api: Esbuild = chain[i].api;
    try { return await api.build(options); } catch (e) {
      if (!isServiceFailure(e) || i === chain.length - 1) throw e;
      if (chain[i].kind === 'native') nativeFailed(e);
    }
  }
}

/** sha256 of the bundled code: changes when the file or any module it imports changes. */
export async function codeHash(file: string, o: { stopService?: boolean } = {}): Promise<string> {
  const { code } = await bundle(file, o);
  return createHash('sha256').update(code).digest('hex');
}
