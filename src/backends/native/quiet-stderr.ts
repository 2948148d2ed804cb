/**
 * Native libraries that write to fd 2 themselves (Dawn prints the Vulkan loader's "Found no
 * drivers!" warnings and a C++ trace while it looks for an adapter): `quietStderr(fn)` points
 * fd 2 at /dev/null while `fn` runs, through libc's dup/dup2 by koffi (already loaded for the
 * BLAS). The cause is reported by the caller in words. Where koffi or libc cannot be reached
 * (Windows, the universal package) `fn` simply runs.
 */
interface Koffi { load(file: string): { func(sig: string): unknown } }
interface Libc { dup(fd: number): number; dup2(from: number, to: number): number; open(path: string, flags: number): number; close(fd: number): number }

let libc: Libc | null | undefined;

function bind(): Libc | null {
  const file = process.platform === 'linux' ? 'libc.so.6' : process.platform === 'darwin' ? '/usr/lib/libSystem.B.dylib' : undefined;
  if (!file) return null;
  try {
    const lib = (require('koffi') as Koffi).load(file);
    const fn = <T>(sig: string) => lib.func(sig) as T;
    return { dup: fn('int dup(int)'), dup2: fn('int dup2(int, int)'), open: fn('int open(const char *, int)'), close: fn('int close(int)') };
  } catch {
    return null;
  }
}

export async function quietStderr<T>(fn: () => Promise<T>): Promise<T> {
  libc ??= bind();
  const saved = libc ? libc.dup(2) : -1;
  const nul = saved >= 0 ? libc!.open('/dev/null', 1 /* O_WRONLY */) : -1;
  if (nul < 0 || libc!.dup2(nul, 2) < 0) {
    if (nul >= 0) libc!.close(nul);
    if (saved >= 0) libc!.close(saved);
    return fn();
  }
  try {
    return await fn();
  } finally {
    libc!.dup2(saved, 2);
    libc!.close(saved);
    libc!.close(nul);
  }
}
