// Running a sweep (or one shard of it): every run of the grid through the executor, each cohort's
// every step into its summary, its logged steps into the metrics table, both tables written in
// cohort order and committed only when complete, the manifest last.
import { existsSync, mkdirSync } from 'node:fs';
import { metricLayout } from '../model/metrics';
import type { Cohort, Grid } from './grid';
import { axisCell, metricsColumns, summaryColumns } from './columns';
import type { CohortObserver, CohortStart, Executor } from './executor';
import { buildManifest, readManifest, specHash, VERSION, writeJsonAtomic } from './manifest';
import { outputPaths, shardCohorts, type Shard } from './shards';
import { SUMMARY_COLUMNS, SummaryTracker } from './summary';
import { openSink, type Cell, type Format, type TableSink } from './table';

export interface SweepProgress {
  cohortsDone: number;
  cohorts: number;
  /** Steps of the cohorts done, plus those of the cohort running. */
  stepsDone: number;
  steps: number;
}

export interface SweepOptions {
  out: string;
  format: Format;
  shard?: Shard;
  /** Leave a complete file set of the same spec as it is (a retried or requeued job). */
  skipExisting?: boolean;
  executor: Executor;
  onProgress?: (p: SweepProgress) => void;
}

export interface SweepOutcome {
  paths: ReturnType<typeof outputPaths>;
  cohorts: number;
  /** True when --skip-existing found the files already written. */
  skipped: boolean;
}

/** What one cohort has produced so far. */
interface Recording {
  cohort: Cohort;
  start: CohortStart;
  tracker: SummaryTracker;
  /** Union column of each of the cohort's metrics. */
  columnOf: number[];
  logged: Cell[][];
}

/** Whether `paths` hold a complete file set of this spec (its manifest is written last). */
function complete(paths: SweepOutcome['paths'], hash: string): boolean {
  if (![paths.summary, paths.metrics, paths.manifest].every((p) => existsSync(p))) return false;
  const m = readManifest(paths.manifest);
  return m.specHash === hash && m.patternflow === VERSION;
}

/**
 * Collects cohorts as the executor finishes them and writes them in cohort order (runs may
 * finish their cohorts out of order: a cohort waits for those before it).
 */
class CohortWriter implements CohortObserver {
  private readonly recordings = new Map<number, Recording>();
  private readonly finished = new Map<number, Recording>();
  private next = 0;
  adapter?: Record<string, unknown>;
  progress: SweepProgress;

  constructor(
    private readonly grid: Grid,
    private readonly order: readonly number[],
    private readonly summary: TableSink,
    private readonly metrics: TableSink,
    private readonly onProgress?: (p: SweepProgress) => void,
  ) {
    this.progress = { cohortsDone: 0, cohorts: order.length, stepsDone: 0, steps: order.length * grid.steps };
  }

  start(cohort: Cohort, start: CohortStart): void {
    this.adapter ??= start.adapter.json;
    const layout = metricLayout(cohort.config).names;
    this.recordings.set(cohort.index, {
      cohort,
      start,
      tracker: new SummaryTracker(layout),
      columnOf: layout.map((n) => this.grid.metricNames.indexOf(n)),
      logged: [],
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
    this.progress.stepsDone += n;
    this.onProgress?.(this.progress);
  }

  async end(cohort: Cohort, taskEvents?: ArrayLike<number>): Promise<void> {
    const rec = this.recordings.get(cohort.index)!;
    if (taskEvents) rec.tracker.taskEvents(taskEvents);
    this.recordings.delete(cohort.index);
    this.finished.set(cohort.index, rec);
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
}

export async function runSweep(grid: Grid, opts: SweepOptions): Promise<SweepOutcome> {
  const paths = outputPaths(opts.out, opts.format, opts.shard);
  const cohorts = shardCohorts(grid.count, opts.shard);
  if (opts.skipExisting && complete(paths, specHash(grid.spec.written))) return { paths, cohorts: cohorts.length, skipped: true };
  await opts.executor.check(grid, cohorts);

  mkdirSync(opts.out, { recursive: true });
  const columns = { summary: summaryColumns(grid), metrics: metricsColumns(grid) };
  const summary = openSink(paths.summary, opts.format, columns.summary);
  let metrics: TableSink | undefined;
  try {
    metrics = openSink(paths.metrics, opts.format, columns.metrics);
    const writer = new CohortWriter(grid, cohorts, summary, metrics, opts.onProgress);
    const mine = new Set(cohorts);
    for (const run of grid.runs) {
      const selected = run.cohorts.filter((i) => mine.has(i));
      if (selected.length) await opts.executor.runCohorts(grid, run, selected, writer);
    }
    if (!writer.complete) throw new Error('sweep: the executor left cohorts unfinished');
    await metrics.commit();
    await summary.commit();
    writeJsonAtomic(
      paths.manifest,
      buildManifest(grid, {
        format: opts.format,
        shard: opts.shard ?? null,
        cohorts: cohorts.length,
        adapter: writer.adapter ?? {},
        columns: { summary: columns.summary.map((c) => c.name), metrics: columns.metrics.map((c) => c.name) },
      }),
    );
  } catch (e) {
    summary.abort();
    metrics?.abort();
    throw e;
  }
  return { paths, cohorts: cohorts.length, skipped: false };
}
