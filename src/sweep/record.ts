// Recording a sweep as its cohorts run, wherever its tables go (files on the command line, memory
// in the browser): each cohort's every step into its summary, its logged steps into the metrics
// table, both written in cohort order.
import { metricLayout } from '../model/metrics';
import type { TaskEvents } from '../model/simulation';
import { axisCell } from './columns';
import type { CohortObserver, CohortStart, Executor } from './executor';
import type { Cohort, Grid } from './grid';
import type { SweepProgress } from './progress';
import { SUMMARY_COLUMNS, SummaryTracker } from './summary';
import type { Cell, TableSink } from './table';

/** What one cohort has produced so far. */
interface Recording {
  cohort: Cohort;
  start: CohortStart;
  tracker: SummaryTracker;
  /** Union column of each of the cohort's metrics. */
  columnOf: number[];
  logged: Cell[][];
  steps: number;
}

/** Where the writer puts each table's rows. */
export type RowSink = Pick<TableSink, 'write'>;

/**
 * Collects cohorts as the executor finishes them and writes them in cohort order (runs may
 * finish their cohorts out of order: a cohort waits for those before it).
 */
export class CohortWriter implements CohortObserver {
  private readonly recordings = new Map<number, Recording>();
  private readonly finished = new Map<number, Recording>();
  private readonly ended = new Set<number>();
  private next = 0;
  adapter?: Record<string, unknown>;
  progress: SweepProgress;

  constructor(
    private readonly grid: Grid,
    private readonly order: readonly number[],
    private readonly summary: RowSink,
    private readonly metrics: RowSink,
    private readonly onProgress?: (p: SweepProgress) => void,
  ) {
    this.progress = { cohortsDone: 0, cohorts: order.length, stepsDone: 0, steps: order.length * grid.steps };
  }

  start(cohort: Cohort, start: CohortStart): void {
    this.adapter ??= start.adapter.json;
    // A cohort started again (after a stopped executor) starts from nothing.
    this.progress.stepsDone -= this.recordings.get(cohort.index)?.steps ?? 0;
    const layout = metricLayout(cohort.config).names;
    this.recordings.set(cohort.index, {
      cohort,
      start,
      tracker: new SummaryTracker(layout),
      columnOf: layout.map((n) => this.grid.metricNames.indexOf(n)),
      logged: [],
      steps: 0,
    });
  }

  rows(cohort: Cohort, firstStep: number, values: Float32Array | Float64Array, n: number): void {
    const rec = this.recordings.get(cohort.index)!;
    rec.tracker.add(firstStep, values, n);
    const width = rec.columnOf.length;
    for (let r = 0; r < n; r++) {
      const step = firstStep + r;
      if (!this.grid.schedule.has(step)) continue;
      const row: Cell[] = new Array<Cell>(this.grid.metricNames.length + 2).fill(null);
      row[0] = cohort.index;
      row[1] = step;
      for (let j = 0; j < width; j++) row[rec.columnOf[j] + 2] = values[r * width + j];
      rec.logged.push(row);
    }
    rec.steps += n;
    this.progress.stepsDone += n;
    this.onProgress?.(this.progress);
  }

  async end(cohort: Cohort, taskEvents?: TaskEvents): Promise<void> {
    const rec = this.recordings.get(cohort.index)!;
    if (taskEvents) rec.tracker.taskEvents(taskEvents);
    this.recordings.delete(cohort.index);
    this.finished.set(cohort.index, rec);
    this.ended.add(cohort.index);
    this.progress.cohortsDone++;
    this.onProgress?.(this.progress);
    while (this.next < this.order.length && this.finished.has(this.order[this.next])) {
      const done = this.finished.get(this.order[this.next])!;
      this.finished.delete(this.order[this.next]);
      this.next++;
      await this.metrics.write(done.logged);
      await this.summary.write([this.summaryRow(done)]);
    }
  }

  private summaryRow({ cohort, start, tracker, columnOf }: Recording): Cell[] {
    const { finals, events } = tracker.summary(start.report);
    const final: Cell[] = new Array<Cell>(this.grid.metricNames.length).fill(null);
    tracker.metricNames.forEach((name, j) => (final[columnOf[j]] = finals.get(name)!));
    return [cohort.index, ...this.grid.parts.map((p, j) => axisCell(p.kind, cohort.values[j])), cohort.seed, ...final, ...SUMMARY_COLUMNS.map((c) => events[c])];
  }

  /** Every cohort of the order has been written. */
  get complete(): boolean {
    return this.next === this.order.length;
  }

  /** Cohorts of the order that have not ended yet (to run again after the executor was stopped). */
  get unfinished(): number[] {
    return this.order.filter((i) => !this.ended.has(i));
  }
}

/** Runs `cohorts` of the grid, run by run, through `executor`, into `writer`. */
export async function executeCohorts(grid: Grid, cohorts: readonly number[], executor: Executor, writer: CohortWriter): Promise<void> {
  const mine = new Set(cohorts);
  for (const run of grid.runs) {
    const selected = run.cohorts.filter((i) => mine.has(i));
    if (selected.length) await executor.runCohorts(grid, run, selected, writer);
  }
}
