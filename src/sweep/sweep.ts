// Running a sweep (or one shard of it) into files: every run of the grid through the executor
// (record.ts), both tables committed only when complete, the manifest last.
import { existsSync, mkdirSync } from 'node:fs';
import { metricsColumns, summaryColumns } from './columns';
import type { Executor } from './executor';
import { openSink, writeJsonAtomic } from './files';
import type { Grid } from './grid';
import { buildManifest, readManifest, specHash, VERSION } from './manifest';
import type { SweepProgress } from './progress';
import { CohortWriter, executeCohorts } from './record';
import { outputPaths, shardCohorts, type Shard } from './shards';
import type { Format, TableSink } from './table';

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

/** Whether `paths` hold a complete file set of this spec (its manifest is written last). */
function complete(paths: SweepOutcome['paths'], hash: string): boolean {
  if (![paths.summary, paths.metrics, paths.manifest].every((p) => existsSync(p))) return false;
  const m = readManifest(paths.manifest);
  return m.specHash === hash && m.patternflow === VERSION;
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
    await executeCohorts(grid, cohorts, opts.executor, writer);
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
