// The per-step metrics of docs/model.md §5, in the column order of the CSV the command line writes.
import type { Config } from './config';

/**
 * The metrics computed on every step, whatever the run logs (cadence.ts): a sweep's summary finds
 * its events on them (docs/model.md §8). They lead every row, so a step that writes no row sums
 * only the first EVENT_METRICS.length columns.
 */
export const EVENT_METRICS = ['accuracy', 'bestMass'] as const;

/** Metrics every run reports, in CSV order (the event metrics first); pattern masses, pass@k and (trainable answers) success rates follow. */
export const BASE_METRICS = [
  ...EVENT_METRICS,
  'reward',
  'entropy',
  'converged',
  'zeroStdFrac',
  'klToRef',
  'majorityCorrect',
  'worstMass',
  'convergedWorst',
  'improvedFrac',
  'roseFirst',
  'roseThenFell',
] as const;
export type BaseMetric = (typeof BASE_METRICS)[number];

/** The token tree's metrics (docs/model.md §9), after the other columns, with `policy: "tokens"` only. */
export const TREE_METRICS = ['rankChangeRatio', 'forkRankChange', 'fillerRankChange', 'criticalShare'] as const;
export type TreeMetric = (typeof TREE_METRICS)[number];

/** Position of each base metric in a metrics row (the kernels get them as M_ACCURACY, M_REWARD, ...). */
export const METRIC = Object.fromEntries(BASE_METRICS.map((name, j) => [name, j])) as { readonly [m in BaseMetric]: number };

/**
 * Per-pattern columns (patternMass{k}, and successRate{k} with trainable answers) are reported up
 * to this many patterns only: at K = 16,384 they would be nearly all of every row, and of the
 * per-task rows the kernels sum. Every other metric is reported at any K.
 */
export const MAX_PATTERN_COLUMNS = 32;

export interface MetricLayout {
  names: string[];
  mass: number; // index of patternMass0, or -1 above MAX_PATTERN_COLUMNS patterns
  passAt: number; // index of the first passAt{k}
  successRate: number; // index of successRate0, or -1 with frozen answers or above MAX_PATTERN_COLUMNS patterns
  tree: number; // index of the first TREE_METRICS column, or -1 unless policy is "tokens"
}

export function metricLayout(c: Pick<Config, 'patterns' | 'passK' | 'answerMode'> & Partial<Pick<Config, 'policy'>>): MetricLayout {
  const K = c.patterns;
  const perPattern = K <= MAX_PATTERN_COLUMNS;
  const names: string[] = [...BASE_METRICS];
  const mass = perPattern ? names.length : -1;
  if (perPattern) for (let k = 0; k < K; k++) names.push(`patternMass${k}`);
  const passAt = names.length;
  for (const k of c.passK) names.push(`passAt${k}`);
  const successRate = perPattern && c.answerMode === 'trainable' ? names.length : -1;
  if (successRate >= 0) for (let k = 0; k < K; k++) names.push(`successRate${k}`);
  const tree = c.policy === 'tokens' ? names.length : -1;
  if (tree >= 0) names.push(...TREE_METRICS);
  return { names, mass, passAt, successRate, tree };
}

/**
 * Metrics of a run as columns (uPlot's layout): `step` plus one Float64Array per metric, grown by
 * doubling so that appending a batch copies nothing but the new rows.
 */
export class MetricsLog {
  readonly names: string[];
  length = 0;
  private cols: Float64Array[];

  constructor(names: string[], capacity = 1024) {
    this.names = ['step', ...names];
    this.cols = this.names.map(() => new Float64Array(capacity));
  }

  /** Appends `rows` rows of `names.length - 1` metrics each (row-major), for steps firstStep, firstStep+1, ... */
  append(firstStep: number, values: ArrayLike<number>, rows: number): void {
    this.reserve(this.length + rows);
    const m = this.names.length - 1;
    for (let r = 0; r < rows; r++) {
      this.cols[0][this.length] = firstStep + r;
      for (let j = 0; j < m; j++) this.cols[j + 1][this.length] = values[r * m + j];
      this.length++;
    }
  }

  /** Column `name` over the logged steps (a view, not a copy). */
  column(name: string): Float64Array {
    const j = this.names.indexOf(name);
    if (j < 0) throw new Error(`unknown metric "${name}" (known: ${this.names.join(', ')})`);
    return this.cols[j].subarray(0, this.length);
  }

  columns(): Float64Array[] {
    return this.cols.map((c) => c.subarray(0, this.length));
  }

  private reserve(n: number) {
    if (n <= this.cols[0].length) return;
    let cap = this.cols[0].length;
    while (cap < n) cap *= 2;
    this.cols = this.cols.map((c) => {
      const next = new Float64Array(cap);
      next.set(c);
      return next;
    });
  }
}
