/**
 * Probe options from the `lossLandscape.*` settings, table-driven: an analysis takes the
 * options its entry in shared/analyses.ts lists (so unrelated settings do not change its cache
 * key), each read from the setting of the same name (shared/options.ts names them). No vscode
 * import: `get` reads a setting, so the mapping is unit-tested without VS Code.
 */
import type { AnalysisKind, AnyProbeOptions, DirectionsKind, ProbeOptions } from '../protocol';
import { analysisInfo, COMMON_OPTIONS } from '../shared/analyses';
import { defaultProbeOptions } from '../shared/defaults';
import { optionName } from '../shared/options';

export type SettingGet = <T>(key: string, fallback: T) => T;

/** Settings that mean "not set here: use the definition's value". */
const UNSET: Partial<Record<keyof AnyProbeOptions, unknown>> = { bn: 'default', runs: 0 };
/** Fallbacks when a setting has no value at all (VS Code returns the contributed default first). */
const FALLBACK: Partial<Record<keyof AnyProbeOptions, unknown>> = { bn: 'default', runs: 0 };

export function optionsFromGetter(get: SettingGet, analysis: AnalysisKind, directions?: DirectionsKind): ProbeOptions {
  const o: Record<string, unknown> = { analysis };
  const fields = [...COMMON_OPTIONS.filter((f) => f === 'backend' || f === 'examples'), ...analysisInfo(analysis).options];
  for (const field of fields) {
    if (field === 'seed2' || field === 'tolerance' || field === 'saveWeights' || field === 'fastFirstLayer') continue; // not settings
    const key = optionName(field, 'settings').slice('lossLandscape.'.length);
    const fallback = field in FALLBACK ? FALLBACK[field] : (defaultProbeOptions as Record<string, unknown>)[field];
    const v = get<unknown>(key, fallback);
    if (v === undefined || v === UNSET[field]) continue;
    o[field] = v;
  }
  // the BLAS switch only when off: results cached with the default stay valid
  if (get<unknown>('blas', true) === false) o.blas = false;
  if (directions && analysisInfo(analysis).options.includes('directions')) o.directions = directions;
  return o as unknown as ProbeOptions;
}
