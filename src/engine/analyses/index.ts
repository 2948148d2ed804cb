/**
 * The engine's analyses, one entry per kind. The pipeline (../run-probe.ts) looks an analysis up
 * here and nowhere switches on its name. What every layer knows of an analysis without TF.js
 * (title, options, CLI summary) is in src/shared/analyses.ts.
 */
import type { AnalysisKind } from '../../protocol';
import type { EngineAnalysis } from './context';
import { interpolateAnalysis } from './interpolate';
import { planeAnalysis } from './plane';
import { surveyAnalysis } from './survey';
import { compareAnalysis } from './compare';
import { curvatureAnalysis } from './curvature';
import { connectAnalysis } from './connect';
import { instabilityAnalysis } from './instability';

export const ENGINE_ANALYSES: { readonly [K in AnalysisKind]: EngineAnalysis<K> } = {
  interpolate: interpolateAnalysis,
  plane: planeAnalysis,
  survey: surveyAnalysis,
  compare: compareAnalysis,
  curvature: curvatureAnalysis,
  connect: connectAnalysis,
  instability: instabilityAnalysis,
};

export function engineAnalysis(kind: AnalysisKind): EngineAnalysis {
  const a = ENGINE_ANALYSES[kind];
  if (!a) throw new Error(`unknown analysis '${kind}'`);
  return a;
}
