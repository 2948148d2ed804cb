/** How results are named in words (CLI summary, panel status line). */
import type { BlasReport } from '../protocol/result';

/** How a BLAS is named beside the backend (CLI summary, panel status line): " + OpenBLAS (1 thread)". */
export function blasLabel(b: BlasReport | null | undefined): string {
  return b ? ` + ${b.library.replace(/ [\d.]+$/, '')} (${b.threads} thread${b.threads === 1 ? '' : 's'})` : '';
}
