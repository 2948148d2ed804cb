/** Named initialization schemes for the survey (`survey: { inits: { name: scheme } }`). */
export { biasShift, saturating, tenPointsSolution } from './counterexamples';
export type { InitScheme } from './types';
