// Recording a sweep as its cohorts run, wherever its tables go (files on the command line, memory
// in the browser): each cohort's every step into its summary, its logged steps into the metrics
// table, both written in cohort order.
import { resumedElsewhere } from '../engine/adapter';
import { metricLayout } from '../model/metrics';
import type { ModelReport } from '../model/report';
import type { TaskEvents } from '../model/simulation-interface';
import { axisCell } from './columns';
import type { CohortObserver, CohortStart, Executor } from './executor';
import type { Cohort, Grid } from './grid';
import type { SweepProgress } from './progress';
import { loadValue, saveValue, SUMMARY_COLUMNS, SummaryTracker, type TrackerState } from './summary';
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
  /** Of `logged`, the rows handed to the journal. */
  journaled: number;
}

/** A cohort's recording as a sweep checkpoint holds it; its logged rows are in the checkpoint's journal. */
export interface CohortState {
  /** Steps observed. */
  steps: number;
  /** Logged rows observed (all in the journal). */
  rows: number;
  tracker: TrackerState;
  /** The model report, as JSON (saveValue). */
  report: unknown;
}

/** Where a writer hands what a sweep checkpoint needs beyond its pack in flight; each thing once, in order. */
export interface CohortJournal {
  /** Logged rows (cohort index first) of one cohort, in step order. */
  rows(rows: readonly Cell[][]): void;
  /** A cohort has ended in this state; all its rows were handed on before. */
  ended(cohort: number, state: CohortState): void;
}

/** What a checkpoint restores: the cohorts that ended and those of the pack in flight, each with its logged rows. */
export interface RestoredCohorts {
  ended: Map<number, CohortState>;
  inFlight: Map<number, CohortState>;
  rows: Map<number, Cell[][]>;
  adapter?: Record<string, unknown>;
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
  /** The adapters the cohorts ran on: this run's, or a checkpoint's and then, where it is another, this run's. */
  readonly adapters: Record<string, unknown>[] = [];
  progress: SweepProgress;
  /**
   * Takes every logged row once, and each ended cohort's state, for a sweep checkpoint (rows of a
   * cohort in flight when inFlightState asks for them, the rest when it ends); unset: none.
   */
  journal?: CohortJournal;

  constructor(
    private readonly grid: Grid,
    private readonly order: readonly number[],
    private readonly summary: RowSink,
    private readonly metrics: RowSink,
    private readonly onProgress?: (p: SweepProgress) => void,
    private readonly onWarning?: (text: string) => void,
  ) {
    this.progress = { cohortsDone: 0, cohorts: order.length, stepsDone: 0, steps: order.length * grid.steps };
  }

  /** The first adapter: the one the manifest and the checkpoints name. */
  get adapter(): Record<string, unknown> | undefined {
    return this.adapters[0];
  }

  start(cohort: Cohort, start: CohortStart): void {
    const last = this.adapters[this.adapters.length - 1];
    const elsewhere = last && resumedElsewhere(last, start.adapter);
    if (!last || elsewhere) this.adapters.push(start.adapter.json);
    if (elsewhere) this.onWarning?.(elsewhere);
    const had = this.recordings.get(cohort.index);
    // A cohort that goes on from a checkpoint keeps what was restored up to it.
    if (start.resumedAt !== undefined) {
      if (had?.steps !== start.resumedAt) throw new Error(`sweep: cohort ${cohort.index} resumes at step ${start.resumedAt}, but ${had?.steps ?? 0} steps of it were restored`);
      had.start = { ...start, report: had.start.report };
      return;
    }
    // A cohort started again (after a stopped executor) starts from nothing.
    this.progress.stepsDone -= had?.steps ?? 0;
    this.recordings.set(cohort.index, this.recording(cohort, start));
  }

  private recording(cohort: Cohort, start: CohortStart): Recording {
    const layout = metricLayout(cohort.config).names;
    return { cohort, start, tracker: new SummaryTracker(layout), columnOf: layout.map((n) => this.grid.metricNames.indexOf(n)), logged: [], steps: 0, journaled: 0 };
  }

  /** Hands the rows of `rec` not yet in the journal to it, and says the state they complete. */
  private saveState(rec: Recording): CohortState {
    if (rec.journaled < rec.logged.length) this.journal?.rows(rec.logged.slice(rec.journaled));
    rec.journaled = rec.logged.length;
    return { steps: rec.steps, rows: rec.logged.length, tracker: rec.tracker.state(), report: saveValue(rec.start.report) };
  }

  /** For a checkpoint (with a journal): the state of the cohorts `cohorts`, in flight, at the step they all are at. */
  inFlightState(cohorts: readonly number[]): [number, CohortState][] {
    if (!this.journal) throw new Error('sweep: checkpoints need a journal for the rows');
    return cohorts.map((i) => [i, this.saveState(this.recordings.get(i)!)]);
  }

  /** Takes back what a checkpoint held (before the executor starts); ended cohorts are written as their turn comes. */
  async restore(r: RestoredCohorts): Promise<void> {
    if (r.adapter && this.adapters.length === 0) this.adapters.push(r.adapter);
    const rebuild = (i: number, state: CohortState) => {
      const rec = this.recording(this.grid.cohort(i), { report: loadValue(state.report) as ModelReport, adapter: { line: '', json: r.adapter ?? {} } });
      rec.tracker.restore(state.tracker);
      rec.logged = r.rows.get(i) ?? [];
      if (rec.logged.length !== state.rows) throw new Error(`the journal holds ${rec.logged.length} of cohort ${i}'s ${state.rows} rows`);
      rec.journaled = rec.logged.length;
      rec.steps = state.steps;
      this.progress.stepsDone += state.steps;
      return rec;
    };
    for (const [i, state] of r.inFlight) this.recordings.set(i, rebuild(i, state));
    for (const [i, state] of r.ended) {
      this.finished.set(i, rebuild(i, state));
      this.ended.add(i);
      this.progress.cohortsDone++;
    }
    await this.writeReady();
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
    if (this.journal) this.journal.ended(cohort.index, this.saveState(rec));
    this.recordings.delete(cohort.index);
    this.finished.set(cohort.index, rec);
    this.ended.add(cohort.index);
    this.progress.cohortsDone++;
    this.onProgress?.(this.progress);
    await this.writeReady();
  }

  /** Writes the ended cohorts whose turn has come, in cohort order. */
  private async writeReady(): Promise<void> {
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
