/**
 * What the CLI writes and how it words failures: result.json + report.html as a pair (probe and
 * merge), `file:line:column: error (kind): message`, I/O errors in words.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ProbeResult, UserError } from '../protocol';
import { reportHtml } from './report-html';
import { writeFilesAtomically, type OutFile } from '../util/atomic-write';
import { planeToNpy, planeToVtp } from '../shared/plane-formats';

export function formatError(e: UserError): string {
  const where = e.file ? `${relative(process.cwd(), e.file) || e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ` : '';
  return `${where}error (${e.kind}): ${e.message}`;
}

/**
 * result.json and report.html (and for a plane plane.npy, the loss grid for NumPy, and plane.vtp,
 * the surface for ParaView), written as a set: all to temporary files first, then renamed,
 * result.json last. Any failure leaves the previous set as it was.
 */
export function writeOutputs(out: string, result: ProbeResult): string[] {
  const files: OutFile[] = [];
  const js = join(__dirname, 'webview.js'), css = join(__dirname, 'webview.css');
  if (existsSync(js)) files.push({ name: 'report.html', data: reportHtml(result, readFileSync(js, 'utf8'), existsSync(css) ? readFileSync(css, 'utf8') : '') });
  const plane = result.plane;
  if (plane && plane.a.length >= 2 && plane.b.length >= 2) {
    files.push({ name: 'plane.npy', data: Buffer.from(planeToNpy(plane)) }, { name: 'plane.vtp', data: planeToVtp(plane) });
  }
  files.push({ name: 'result.json', data: JSON.stringify(result, null, 1) });
  return writeFilesAtomically(out, files);
}

const ERRNO_WORDS: Record<string, string> = { ENOSPC: 'no space left on the device', EROFS: 'read-only file system', EACCES: 'permission denied' };
export const ioMessage = (e: unknown) => { const err = e as NodeJS.ErrnoException; return err.code && ERRNO_WORDS[err.code] ? `${ERRNO_WORDS[err.code]} (${err.code})` : err.message; };
