/**
 * The result cache's key: sha256 of what actually runs — the bundled code (the definition's file
 * and every local module it imports; the raw text when it does not bundle) — with the
 * definition, the probe options (sorted keys) and the extension's version. No vscode import.
 */
import { createHash } from 'node:crypto';
import type { ProbeOptions } from '../protocol';
import { codeHash } from '../bundle/bundle';

export function cacheKey(parts: { code: string; definition: string; options: ProbeOptions; version: string }): string {
  const { code, definition, options, version } = parts;
  // Stable JSON of the options (sorted keys) so {a,b} and {b,a} hash alike.
  const opts = JSON.stringify(options, Object.keys(options).sort());
  return createHash('sha256')
    .update(`loss-landscape@${version}\0${definition}\0${options.backend ?? ''}\0${opts}\0`)
    .update(code)
    .digest('hex');
}

/** The code part of the key: the bundle's hash, or the text when the file does not bundle. */
export async function codeIdentity(file: string, text: string): Promise<string> {
  try {
    return `bundle:${await codeHash(file, { stopService: false })}`;
  } catch {
    return `text:${createHash('sha256').update(text).digest('hex')}`;
  }
}
