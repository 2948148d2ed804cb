/**
 * Transparent huge pages for big, fresh buffers (Linux): `madvise(MADV_HUGEPAGE)` on the 2 MiB
 * aligned part of a typed array before it is first written, through koffi (already loaded for
 * the BLAS; nothing is compiled). Writing a fresh buffer costs a page fault per 4 KiB page; on the
 * 2-core bench VM a 7.5 MB training snapshot took ≈ 3.5 ms to fill that way and ≈ 2.5 ms with
 * huge pages (the kernel still zeroes them). A no-op elsewhere, for small arrays, when the kernel
 * refuses, or with LOSS_LANDSCAPE_HUGE_PAGES=off. Only advice: the memory and its contents are
 * the same either way.
 */
import { setting } from '../../shared/switchboard';

const MADV_HUGEPAGE = 14;
const HUGE = 2n * 1024n * 1024n;

type Madvise = (addr: bigint, length: number, advice: number) => number;
interface Koffi { load(file: string): { func(sig: string): unknown }; address(value: unknown): bigint }

let madvise: Madvise | null | undefined;

function bind(): Madvise | null {
  if (process.platform !== 'linux' || !setting('HUGE_PAGES')) return null;
  try {
    const koffi = require('koffi') as Koffi;
    const fn = koffi.load('libc.so.6').func('int madvise(uintptr_t, size_t, int)') as Madvise;
    return (addr, length, advice) => fn(addr, length, advice);
  } catch {
    return null;
  }
}

/** Advises huge pages for `a`'s whole 2 MiB pages; true when the kernel accepted. */
export function adviseHugePages(a: Float32Array): boolean {
  if (a.byteLength < 2 * Number(HUGE)) return false;
  madvise ??= bind();
  if (!madvise) return false;
  try {
    const koffi = require('koffi') as Koffi;
    const addr = koffi.address(a);
    const start = ((addr + HUGE - 1n) / HUGE) * HUGE, end = ((addr + BigInt(a.byteLength)) / HUGE) * HUGE;
    return end > start && madvise(start, Number(end - start), MADV_HUGEPAGE) === 0;
  } catch {
    return false;
  }
}
