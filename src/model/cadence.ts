// Which steps' metric rows a run writes (docs/model.md §5, "Metric cadence"): every step, every
// n-th, or about LOG_POINTS log-spaced ones, and the last step always. The engine computes the
// full row only on those steps; on the others it computes the event metrics alone
// (metrics.ts EVENT_METRICS), which a sweep's summary reads on every step.
import { ConfigError } from './config';
import { LOG_POINTS, parseLogEvery, RUN_CONTROL } from './run-control';


/** Every `every`-th step, or about LOG_POINTS log-spaced ones; the last step always. */
export type LogRule = { every: number } | { log: true };

export const EVERY_STEP: LogRule = { every: 1 };

/** The rule of `logEvery` n or `logSteps` "log" (at most one given; neither: every step), as the command line, the dashboard's URL and the sweep spec name them. */
export function logRuleFrom({ logEvery, logSteps }: { logEvery?: unknown; logSteps?: unknown }): LogRule {
  if (logEvery !== undefined && logSteps !== undefined) throw new ConfigError('logSteps', 'give either logEvery or logSteps, not both');
  if (logSteps !== undefined) {
    if (logSteps !== 'log') throw new ConfigError('logSteps', `must be ${RUN_CONTROL.logSteps.allowed} (about ${LOG_POINTS} log-spaced steps), got ${JSON.stringify(logSteps).slice(0, 40)}`);
    return { log: true };
  }
  if (logEvery === undefined) return EVERY_STEP;
  return { every: parseLogEvery(logEvery) };
}

/** The rule as the command line and the sweep spec write it: `logEvery` n or `logSteps` "log". */
export const ruleText = (rule: LogRule): string => ('log' in rule ? 'logSteps log' : `logEvery ${rule.every}`);

/** The steps whose metric rows a run of `steps` steps writes. */
export class LogSchedule {
  readonly count: number;
  private readonly picked?: Set<number>;

  constructor(
    readonly steps: number,
    readonly rule: LogRule,
  ) {
    if ('log' in rule) {
      this.picked = new Set(Array.from({ length: LOG_POINTS }, (_, j) => Math.round(steps ** (j / (LOG_POINTS - 1)))));
      this.picked.add(steps);
      this.count = this.picked.size;
    } else {
      this.count = Math.floor(steps / rule.every) + (steps % rule.every ? 1 : 0);
    }
  }

  has(step: number): boolean {
    if (this.picked) return this.picked.has(step);
    return step % (this.rule as { every: number }).every === 0 || step === this.steps;
  }
}

/** A run of consecutive logged steps within a batch: `rows` metric rows from step `first`, a view of the batch's values. */
export interface LoggedSegment<T extends ArrayLike<number>> {
  first: number;
  values: T;
  rows: number;
}

/** The logged rows of a batch of `rows` rows from step `first` (`width` values each), as runs of consecutive steps: views, no copies. */
export function loggedSegments<T extends Float32Array | Float64Array>(schedule: LogSchedule, first: number, values: T, rows: number, width: number): LoggedSegment<T>[] {
  const segments: LoggedSegment<T>[] = [];
  let start = -1;
  for (let r = 0; r <= rows; r++) {
    const logged = r < rows && schedule.has(first + r);
    if (logged && start < 0) start = r;
    if (!logged && start >= 0) {
      segments.push({ first: first + start, values: values.subarray(start * width, r * width) as T, rows: r - start });
      start = -1;
    }
  }
  return segments;
}
