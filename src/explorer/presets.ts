// The sweep presets on the page: the command line's (src/sweep/presets.ts), each with the view
// that shows what it claims: the column to read and the axes to read it over.
import { PRESET_NAMES, PRESETS, type Preset } from '../sweep/presets';
import type { Selection } from './cells';

export interface PagePreset extends Preset {
  name: string;
  view: Partial<Selection>;
  /** Shown in the line view rather than the heatmap. */
  lines?: boolean;
}

const VIEWS: Record<string, Partial<Selection>> = {
  'two-regimes': { column: 'stepsToBest90', x: 'initBest', y: 'lr' },
  'noisy-verifier': { column: 'finalAccuracy', x: 'tprMinusFpr', y: 'tprPlusFpr' },
  'rlif-collapse': { column: 'finalConvergedWorst', x: 'patterns', y: '' },
  'kl-optimum': { column: 'finalBestMass', x: 'klCoef', y: '' },
  'rlif-margin': { column: 'roseFirst', x: 'patterns', y: 'successTilt' },
  entanglement: { column: 'medianT0', x: 'gamma', y: 'lr', logY: true },
  'critical-tokens': { column: 'finalFillerRankChange', x: 'lr', y: 'group' },
};

/** Presets read best as lines: T0 against gamma, one line per lr, on a log axis. */
const LINES = new Set(['entanglement']);

export const PAGE_PRESETS: readonly PagePreset[] = PRESET_NAMES.map((name) => ({ name, ...PRESETS[name], view: VIEWS[name] ?? {}, lines: LINES.has(name) }));
