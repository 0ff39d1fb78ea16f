// A cohort's summary row (docs/model.md §8): the final value of every metric, and events found
// on EVERY step's metrics as they stream by, never on the logged rows alone, so the summary is
// the same whatever logEvery is.
import { METRIC } from '../model/metrics';
import type { ModelReport } from '../model/report';
import type { TaskEvents } from '../model/simulation-interface';

/**
 * Best-pattern mass thresholds: stepsToBest50, stepsToBest90, and 1 - epsilon for epsilon 1e-2,
 * 1e-3, 1e-4 (Theorem 5.3's T1 = O(1/epsilon), docs/model.md §6.7).
 */
const BEST_THRESHOLDS = [
  ['stepsToBest50', 0.5],
  ['stepsToBest90', 0.9],
  ['stepsToBest99', 0.99],
  ['stepsToBest999', 0.999],
  ['stepsToBest9999', 0.9999],
] as const;

/** A collapse: accuracy at least this far below its running peak. */
export const COLLAPSE_DROP = 0.1;

/** The summary's columns after the final values, in order. */
export const SUMMARY_COLUMNS = [
  'peakAccuracy',
  'peakAccuracyStep',
  ...BEST_THRESHOLDS.map(([name]) => name),
  'collapseStep',
  'taskMedianStepsToBest90',
  'taskFracBest90',
  'roseFirst',
  'medianT0',
  'regimeOne',
  'regimeTwo',
  'regimeOther',
  'gammaMedian',
] as const;
export type SummaryColumn = (typeof SUMMARY_COLUMNS)[number];

const sortedSteps = (firstReached: ArrayLike<number>) => Array.from(firstReached, (s) => (s === 0 ? Infinity : s)).sort((a, b) => a - b);
const medianStep = (steps: number[]): number | null => {
  const median = steps[Math.ceil(steps.length / 2) - 1];
  return median !== undefined && Number.isFinite(median) ? median : null;
};

/** `final` + the metric's name, capitalised: finalAccuracy, finalPatternMass0, finalPassAt8. */
export const finalName = (metric: string) => `final${metric[0].toUpperCase()}${metric.slice(1)}`;

/** A tracker's state as JSON: every field, numbers that JSON cannot hold tagged (saveValue). */
export type TrackerState = Record<string, unknown>;

/**
 * Follows one cohort's metric rows (every step, in order) and gives its summary. Its state is its
 * fields, whatever they are (numbers, null, arrays, Float64Arrays): state() and restore() carry
 * them through a sweep's checkpoint, so a tracker added here needs nothing more to be resumed.
 */
export class SummaryTracker {
  private last?: Float64Array;
  private lastStep = 0;
  private peak = -Infinity;
  private peakStep = 0;
  private collapse: number | null = null;
  private readonly reached: (number | null)[] = BEST_THRESHOLDS.map(() => null);
  private taskMedian: number | null = null;
  private taskFrac: number | null = null;
  private t0Median: number | null = null;

  constructor(readonly metricNames: readonly string[]) {}

  /** Every field but the metric names, as JSON. */
  state(): TrackerState {
    return Object.fromEntries(Object.entries(this).filter(([k]) => k !== 'metricNames').map(([k, v]) => [k, saveValue(v)]));
  }

  /** Takes the state a tracker of the same metric names had (state()). */
  restore(state: TrackerState): this {
    const missing = Object.keys(this).find((k) => k !== 'metricNames' && !(k in state));
    if (missing) throw new Error(`summary state lacks ${missing}`);
    for (const [k, v] of Object.entries(state)) if (k !== 'metricNames') (this as Record<string, unknown>)[k] = loadValue(v);
    return this;
  }

  /** `rows` metric rows (row-major, in metricNames' order) for steps firstStep, firstStep + 1, ... */
  add(firstStep: number, values: ArrayLike<number>, rows: number): void {
    const width = this.metricNames.length;
    for (let r = 0; r < rows; r++) {
      const step = firstStep + r;
      if (step !== this.lastStep + 1) throw new Error(`summary: step ${step} follows step ${this.lastStep}; every step must be seen, in order`);
      this.lastStep = step;
      const accuracy = values[r * width + METRIC.accuracy];
      const best = values[r * width + METRIC.bestMass];
      if (accuracy > this.peak) [this.peak, this.peakStep] = [accuracy, step];
      if (this.collapse === null && this.peak - accuracy >= COLLAPSE_DROP) this.collapse = step;
      BEST_THRESHOLDS.forEach(([, threshold], j) => {
        if (this.reached[j] === null && best >= threshold) this.reached[j] = step;
      });
    }
    if (rows > 0) this.last = Float64Array.from({ length: width }, (_, j) => values[(rows - 1) * width + j]);
  }

  /**
   * The per-task events (0: never): each task's first step at best-pattern mass TASK_EVENT_MASS
   * (src/engine/plan.ts; the "90" of the column names), and each regime-2 task's T0. A median counts a task that never got there as +infinity: it is the first
   * step by which half of the tasks (the ceil(n/2)-th earliest) had, empty when fewer than half
   * ever did (or, for T0, when no task is in regime 2).
   */
  taskEvents({ best90, t0 }: TaskEvents): void {
    const steps = sortedSteps(best90);
    this.taskMedian = medianStep(steps);
    this.taskFrac = steps.filter(Number.isFinite).length / steps.length;
    this.t0Median = medianStep(sortedSteps(t0));
  }

  /** Final metric values by name, then the events and the model report by SUMMARY_COLUMNS. */
  summary(report: ModelReport): { finals: Map<string, number>; events: Record<SummaryColumn, number | null> } {
    if (!this.last) throw new Error('summary: no metric rows were seen');
    const last = this.last;
    const finals = new Map(this.metricNames.map((name, j) => [name, last[j]]));
    const [best50, best90, best99, best999, best9999] = this.reached;
    return {
      finals,
      events: {
        peakAccuracy: this.peak,
        peakAccuracyStep: this.peakStep,
        stepsToBest50: best50,
        stepsToBest90: best90,
        stepsToBest99: best99,
        stepsToBest999: best999,
        stepsToBest9999: best9999,
        collapseStep: this.collapse,
        // Empty where the executor does not report per-task events (taskEvents).
        taskMedianStepsToBest90: this.taskMedian,
        taskFracBest90: this.taskFrac,
        // improvedFrac after step 1, which the roseFirst column keeps from then on.
        roseFirst: finals.get('roseFirst') ?? null,
        medianT0: this.t0Median,
        regimeOne: report.regimes.one,
        regimeTwo: report.regimes.two,
        regimeOther: report.regimes.other,
        gammaMedian: report.gamma?.median ?? null,
      },
    };
  }
}

/** A value as JSON: non-finite numbers as { $n: 'NaN' | 'Infinity' | '-Infinity' }, a Float64Array as { $f64: [...] }. */
export function saveValue(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $n: String(v) };
  if (v instanceof Float64Array) return { $f64: Array.from(v, saveValue) };
  if (Array.isArray(v)) return v.map(saveValue);
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'boolean') return v ?? null;
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, saveValue(x)]));
  throw new Error(`cannot save a ${typeof v} in a checkpoint`);
}

/** The inverse of saveValue (undefined was saved as null, and comes back as null). */
export function loadValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(loadValue);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as { $n?: string; $f64?: unknown[] };
  if (o.$n !== undefined) return Number(o.$n);
  if (o.$f64 !== undefined) return Float64Array.from(o.$f64, (x) => loadValue(x) as number);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, loadValue(x)]));
}
