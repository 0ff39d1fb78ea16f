// Running a sweep (or one shard of it) into files: every run of the grid through the executor
// (record.ts), both tables committed only when complete, the manifest last. With checkpoints
// (checkpoint.ts) a stopped or failed sweep is taken up again by the same call, from its last
// checkpoint, and ends with the files an uninterrupted sweep writes.
import { existsSync, mkdirSync } from 'node:fs';
import type { CheckpointEvery } from '../model/run-control';
import { SweepCheckpoint } from './checkpoint';
import { metricsColumns, summaryColumns } from './columns';
import type { Executor } from './executor';
import { openSink, removeTemporaries, writeJsonAtomic } from './files';
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
  /** Keep a checkpoint beside the outputs, saved this often, and go on from one found there; none when absent. */
  checkpointEvery?: CheckpointEvery;
  /** Called when the sweep goes on from a checkpoint: cohorts that had ended, the step of the pack that was in flight, and the steps (of all cohorts) done before. */
  onResume?: (info: { cohortsDone: number; packStep: number; stepsDone: number; path: string }) => void;
  /** Called with what is worth saying but does not stop the sweep (a checkpoint written on another adapter). */
  onWarning?: (text: string) => void;
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
  const hash = specHash(grid.spec.written);
  if (opts.skipExisting && complete(paths, hash)) return { paths, cohorts: cohorts.length, skipped: true };
  const checkpoint = opts.checkpointEvery
    ? new SweepCheckpoint(paths.checkpoint, { patternflow: VERSION, specHash: hash, shard: opts.shard ?? null, format: opts.format }, opts.checkpointEvery, grid.steps)
    : undefined;
  // Read (or refused) before anything is written.
  const resumed = await checkpoint?.load(grid);
  // What a killed run of this shard left half-written (its checkpoint keeps what it had done).
  if (checkpoint) for (const p of [paths.summary, paths.metrics, paths.manifest, paths.checkpoint]) removeTemporaries(p);
  await opts.executor.check(grid, cohorts);

  mkdirSync(opts.out, { recursive: true });
  const columns = { summary: summaryColumns(grid), metrics: metricsColumns(grid) };
  const summary = openSink(paths.summary, opts.format, columns.summary);
  let metrics: TableSink | undefined;
  try {
    metrics = openSink(paths.metrics, opts.format, columns.metrics);
    const writer = new CohortWriter(grid, cohorts, summary, metrics, opts.onProgress, opts.onWarning);
    if (checkpoint) {
      await checkpoint.begin(writer, resumed);
      opts.executor.useCheckpoints?.(checkpoint);
      if (resumed) opts.onResume?.({ cohortsDone: resumed.restored.ended.size, packStep: resumed.step, stepsDone: writer.progress.stepsDone, path: paths.checkpoint });
    }
    await executeCohorts(grid, writer.unfinished, opts.executor, writer);
    if (!writer.complete) throw new Error('sweep: the executor left cohorts unfinished');
    await metrics.commit();
    await summary.commit();
    const manifest = buildManifest(grid, {
      format: opts.format,
      shard: opts.shard ?? null,
      cohorts: cohorts.length,
      adapter: writer.adapter ?? {},
      columns: { summary: columns.summary.map((c) => c.name), metrics: columns.metrics.map((c) => c.name) },
    });
    if (writer.adapters.length > 1) manifest.adapters = writer.adapters.map((adapter) => ({ shard: opts.shard?.index ?? 0, adapter }));
    writeJsonAtomic(paths.manifest, manifest);
    checkpoint?.remove();
  } catch (e) {
    summary.abort();
    metrics?.abort();
    await checkpoint?.stopped();
    throw e;
  }
  return { paths, cohorts: cohorts.length, skipped: false };
}
