/**
 * The factory table of the analysis views: one entry per analysis kind (what the panel knows about
 * each kind besides its view is in analyses.ts). main.ts keeps the one view built from it.
 */
import type { AnalysisKind } from '../src/protocol';
import { CompareView } from './compare-view';
import { ConnectView } from './connect-view';
import { CurvatureView } from './curvature-view';
import { InstabilityView } from './instability-view';
import { InterpView } from './interp-view';
import { PlaneView } from './plane-view';
import { SurveyView } from './survey-view';
import type { AnalysisView, ViewContext } from './view';

export const VIEWS: Record<AnalysisKind, (ctx: ViewContext) => AnalysisView> = {
  interpolate: (ctx) => new InterpView(ctx),
  plane: (ctx) => new PlaneView(ctx),
  survey: (ctx) => new SurveyView(ctx),
  compare: (ctx) => new CompareView(ctx),
  curvature: (ctx) => new CurvatureView(ctx),
  connect: (ctx) => new ConnectView(ctx),
  instability: (ctx) => new InstabilityView(ctx),
};
