// How far a sweep has got, as the command line's progress line and the sweep page both say it:
// cohorts done, steps/s and a readable ETA.

export interface SweepProgress {
  cohortsDone: number;
  cohorts: number;
  /** Steps of the cohorts done, plus those of the cohorts running. */
  stepsDone: number;
  steps: number;
}

const count = (n: number) => n.toLocaleString('en-US');

/** A duration people read at a glance: 45 s, 12 min, 3 h 05 min. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Seconds left at `stepsPerSecond`. */
export const etaSeconds = (p: SweepProgress, stepsPerSecond: number): number => (p.steps - p.stepsDone) / Math.max(stepsPerSecond, 1e-9);

/** `cohorts 3/24  1,250 steps/s  ETA 2 min`; `cohorts 0/24  measuring speed` before a rate is measured. */
export const progressText = (p: SweepProgress, stepsPerSecond: number | undefined): string =>
  `cohorts ${count(p.cohortsDone)}/${count(p.cohorts)}  ` +
  (stepsPerSecond === undefined ? 'measuring speed' : `${count(Math.round(stepsPerSecond))} steps/s  ETA ${formatDuration(etaSeconds(p, stepsPerSecond))}`);

/**
 * Steps per second, measured from the first report of steps done on: start-up (the device, kernel
 * compilation, the first batch) would make the first ETAs hours too long. Undefined until
 * `minSeconds` have passed since that report.
 */
export class RateMeter {
  private base?: { time: number; steps: number };

  constructor(private readonly minSeconds = 1) {}

  rate(steps: number, now = performance.now()): number | undefined {
    if (!this.base) {
      if (steps > 0) this.base = { time: now, steps };
      return undefined;
    }
    const seconds = (now - this.base.time) / 1000;
    return seconds >= this.minSeconds && steps > this.base.steps ? (steps - this.base.steps) / seconds : undefined;
  }
}
