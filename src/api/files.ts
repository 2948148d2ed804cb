/**
 * Files of the user's workspace that a definition reads (CSV, images, saved models).
 *
 * Paths are relative to the definition's file: the loader (src/runner/load.ts) calls
 * `setDefinitionFile(abs)` before it evaluates a `.landscape.ts`, and every `datasets.csv`,
 * `datasets.images`, `models.load` and `models.checkpoints` call resolves a relative path
 * against that file's folder (absolute paths are kept). One runner process loads one file, so
 * a module-level "current file" is all the state needed; it is not reset after evaluation
 * because `data: () => datasets.csv(...)` runs later, during the probe.
 *
 * Every file read is recorded: `dataFiles()` lists them and `fingerprintFiles()` hashes them,
 * so a cache key (or a cached result) can include the data and re-read it when it changes.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

let definitionFile: string | undefined;
const read = new Set<string>();

/** Called by the loader before evaluating a definition file (absolute path). Clears the list of files read. */
export function setDefinitionFile(file: string | undefined): void {
  definitionFile = file === undefined ? undefined : resolve(file);
  read.clear();
}

/** The definition file being run, if the loader set one. */
export function currentDefinitionFile(): string | undefined { return definitionFile; }

/** The folder relative paths resolve against: the definition's folder, else the working directory. */
export function baseDir(): string { return definitionFile ? dirname(definitionFile) : process.cwd(); }

/** Resolves a user-given path against the definition's folder. */
export function resolveUserPath(path: string, what: string): string {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${what}: the path must be a non-empty string`);
  return isAbsolute(path) ? path : resolve(baseDir(), path);
}

/** Records that a file (or a folder whose listing was read) was read (absolute path). */
export function recordFile(abs: string): void { read.add(abs); }

/** Reads a file, recording it; a missing/unreadable file is an error naming the path. */
export function readUserFile(abs: string, what: string): Buffer {
  try {
    const bytes = readFileSync(abs);
    recordFile(abs);
    return bytes;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : (e as Error).message;
    throw new Error(`${what}: cannot read ${abs}: ${why}`);
  }
}

/** Absolute paths of every workspace file read since the definition file was set, sorted. */
export function dataFiles(): string[] { return [...read].sort(); }

export interface FileFingerprint { path: string; size: number; sha256: string }

/**
 * Content hashes of the given files (default: `dataFiles()`): put them in a cache key, or store
 * them with a result and compare later. A file gone since is listed with size -1, sha256 ''.
 */
export function fingerprintFiles(paths: string[] = dataFiles()): FileFingerprint[] {
  return paths.map((path) => {
    try {
      const st = statSync(path);
      // a folder (of images, of checkpoints): its listing, so an added or removed file counts
      const bytes = st.isDirectory() ? Buffer.from(readdirSync(path).sort().join('\n')) : readFileSync(path);
      return { path, size: st.isDirectory() ? 0 : st.size, sha256: createHash('sha256').update(bytes).digest('hex') };
    } catch { return { path, size: -1, sha256: '' }; }
  });
}

/** True when every fingerprinted file still has the same content (a cached result is still valid). */
export function filesUnchanged(prints: FileFingerprint[]): boolean {
  const now = fingerprintFiles(prints.map((p) => p.path));
  return now.every((n, i) => n.sha256 === prints[i].sha256 && n.size === prints[i].size);
}
