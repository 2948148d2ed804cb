/**
 * Writing outputs so that nothing is lost: every file goes to a temporary name in the same
 * folder (flushed to disk), and only when all of them are complete are they renamed over the
 * old ones, in the order given (the file readers trust, e.g. result.json, last). A failure (full
 * disk, read-only folder, a kill) before the renames leaves the old files untouched and no
 * temporary behind (except after SIGKILL: `.name.tmp-*`, removed by the next write).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setting } from '../shared/switchboard';

export interface OutFile { name: string; data: string | Buffer }

const TMP = /^\.(.+)\.tmp-\d+-[0-9a-z]+$/;

/** Test hook: sleep this long after each temporary file (to kill a CLI mid-write in the fault tests). */
function testDelay(): void {
  const ms = setting('TEST_WRITE_DELAY_MS');
  if (ms) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function writeFully(path: string, data: string | Buffer): void {
  const fd = openSync(path, 'wx', 0o644); // never follows or reuses an existing name
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally { closeSync(fd); }
}

/** Removes temporaries left by a killed writer (ours only: `.NAME.tmp-PID-RAND` for our names). */
function sweep(dir: string, names: Set<string>): void {
  try {
    for (const f of readdirSync(dir)) {
      const m = TMP.exec(f);
      if (m && names.has(m[1])) { try { unlinkSync(join(dir, f)); } catch { /* raced */ } }
    }
  } catch { /* unreadable: the write below reports it */ }
}

/** Writes `files` into `dir` (created if needed) atomically as a set; returns their paths. */
export function writeFilesAtomically(dir: string, files: OutFile[]): string[] {
  mkdirSync(dir, { recursive: true });
  sweep(dir, new Set(files.map((f) => f.name)));
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmps = files.map((f) => join(dir, `.${f.name}.tmp-${tag}`));
  try {
    files.forEach((f, k) => { writeFully(tmps[k], f.data); testDelay(); });
  } catch (e) {
    for (const t of tmps) rmSync(t, { force: true });
    throw e;
  }
  const paths = files.map((f) => join(dir, f.name));
  tmps.forEach((t, k) => renameSync(t, paths[k]));
  return paths;
}

/**
 * Can we write outputs into `dir`? Creates it if needed and a probe file in it. Returns why not
 * (e.g. "'out' is a file", "read-only file system"), or undefined when it is writable.
 */
export function whyNotWritable(dir: string): string | undefined {
  try {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) return `'${dir}' exists and is not a folder`;
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.loss-landscape-probe-${process.pid}`);
    writeFully(probe, 'ok');
    unlinkSync(probe);
    return undefined;
  } catch (e) {
    let err = e as NodeJS.ErrnoException;
    // recursive mkdir says ENOENT for many causes: ask the nearest folder that exists
    if (err.code === 'ENOENT') {
      let up = dirname(dir);
      while (up !== dirname(up) && !existsSync(up)) up = dirname(up);
      try { const p = join(up, `.loss-landscape-probe-${process.pid}`); writeFully(p, 'ok'); unlinkSync(p); } catch (e2) { err = e2 as NodeJS.ErrnoException; }
    }
    const why: Record<string, string> = {
      EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'operation not permitted',
      ENOTDIR: 'a part of the path is a file, not a folder', ENOSPC: 'no space left on the device', EEXIST: 'exists and is not a folder',
      ENAMETOOLONG: 'the path is too long',
    };
    return `cannot write into '${dir}': ${why[err.code ?? ''] ?? err.message}`;
  }
}
