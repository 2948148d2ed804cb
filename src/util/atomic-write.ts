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

const TMP = /^\.(.+)\.tmp-(\d+)-[0-9a-z]+$/;

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

/** The writability check's own file (see whyNotWritable). */
const PROBE = /^\.loss-landscape-probe-(\d+)$/;

/** Whether process `pid` is gone (EPERM: it exists, owned by someone else). */
function dead(pid: number): boolean {
  if (pid === process.pid) return false;
  try { process.kill(pid, 0); return false; } catch (e) { return (e as NodeJS.ErrnoException).code === 'ESRCH'; }
}

/**
 * Removes what killed writers left in `dir`: temporaries (`.NAME.tmp-PID-RAND`) of our `names`
 * whatever their writer, and any other of our temporaries and check files whose process is gone
 * (a plane's `.plane.npy.tmp-*` swept by the next interpolate into the same folder). A live
 * writer's files are left alone.
 */
function sweep(dir: string, names: Set<string> = new Set()): void {
  try {
    for (const f of readdirSync(dir)) {
      const m = TMP.exec(f), p = PROBE.exec(f);
      const stale = m ? names.has(m[1]) || dead(Number(m[2])) : p ? dead(Number(p[1])) : false;
      if (stale) { try { unlinkSync(join(dir, f)); } catch { /* raced */ } }
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
 * Creates `path`, removes its name at once and only then writes and flushes through the open
 * descriptor (a full disk still fails the write): a kill leaves no file behind but in the
 * instant between the two calls (and that one is swept by the next check).
 */
function probeWrite(path: string): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    unlinkSync(path);
    testDelay();
    writeSync(fd, 'ok');
    fsyncSync(fd);
  } finally { closeSync(fd); }
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
    sweep(dir);
    probeWrite(join(dir, `.loss-landscape-probe-${process.pid}`));
    return undefined;
  } catch (e) {
    let err = e as NodeJS.ErrnoException;
    // recursive mkdir says ENOENT for many causes: ask the nearest folder that exists
    if (err.code === 'ENOENT') {
      let up = dirname(dir);
      while (up !== dirname(up) && !existsSync(up)) up = dirname(up);
      try { probeWrite(join(up, `.loss-landscape-probe-${process.pid}`)); } catch (e2) { err = e2 as NodeJS.ErrnoException; }
    }
    const why: Record<string, string> = {
      EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'operation not permitted',
      ENOTDIR: 'a part of the path is a file, not a folder', ENOSPC: 'no space left on the device', EEXIST: 'exists and is not a folder',
      ENAMETOOLONG: 'the path is too long',
    };
    return `cannot write into '${dir}': ${why[err.code ?? ''] ?? err.message}`;
  }
}
