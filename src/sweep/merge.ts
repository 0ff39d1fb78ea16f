// `patternflow merge`: the shards of one sweep into the files an unsharded sweep writes, row for
// row (and byte for byte, since tables are cut into row groups the same way whoever writes them).
// Every shard must be there, complete, and of the same spec and version; otherwise nothing is written.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { sameAdapter } from '../engine/adapter';
import { ConfigError } from '../model/config';
import { metricsColumns, summaryColumns } from './columns';
import { buildGrid } from './grid';
import { openReader, openSink, writeJsonAtomic } from './files';
import { buildManifest, readManifest, type Manifest } from './manifest';
import { outputPaths, SHARD_MANIFEST, shardStem, type Shard } from './shards';
import { parseSpec } from './spec';
import type { Cell, Column, Format, TableSink } from './table';

export interface MergeOutcome {
  shards: number;
  cohorts: number;
  paths: ReturnType<typeof outputPaths>;
  /** Things worth saying that do not stop the merge (shards that ran on different adapters). */
  warnings: string[];
}

const listed = (names: string[]) => (names.length > 12 ? `${names.slice(0, 12).join(', ')}, ... (${names.length} in all)` : names.join(', '));

/** The complete shards in `dir`, checked to be every shard of one sweep. */
function findShards(dir: string): { shard: Shard; manifest: Manifest }[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (e) {
    throw new ConfigError(dir, `cannot read the shard directory: ${(e as Error).message}`);
  }
  const found = files.flatMap((f) => {
    const m = SHARD_MANIFEST.exec(f);
    return m ? [{ index: Number(m[1]), count: Number(m[2]) }] : [];
  });
  if (found.length === 0) throw new ConfigError(dir, 'holds no shard manifests (shard-IIIII-of-NNNNN.manifest.json): nothing to merge');
  const counts = [...new Set(found.map((s) => s.count))].sort((a, b) => a - b);
  if (counts.length > 1) throw new ConfigError(dir, `holds shards of different shard counts (of ${counts.join(', of ')}): merge one sweep at a time`);
  const count = counts[0];
  const present = new Set(found.map((s) => s.index));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !present.has(i));
  if (missing.length)
    throw new ConfigError(dir, `missing ${missing.length} of ${count} shards: ${listed(missing.map((i) => shardStem({ index: i, count })))} (a shard counts once its manifest is written)`);

  const shards = Array.from({ length: count }, (_, index) => {
    const shard = { index, count };
    return { shard, manifest: readManifest(outputPaths(dir, 'parquet', shard).manifest) }; // a manifest's name does not depend on the format
  });
  const ref = shards[0].manifest;
  for (const { shard, manifest: m } of shards) {
    const stem = shardStem(shard);
    if (m.specHash !== ref.specHash) throw new ConfigError(stem, `is a shard of another sweep (spec sha256 ${m.specHash.slice(0, 12)}, shard 0's is ${ref.specHash.slice(0, 12)})`);
    if (m.patternflow !== ref.patternflow) throw new ConfigError(stem, `was written by patternflow ${m.patternflow}, shard 0 by ${ref.patternflow}: rerun one of them`);
    if (m.format !== ref.format) throw new ConfigError(stem, `is ${m.format}, shard 0 is ${ref.format}`);
    if (m.shard?.index !== shard.index || m.shard?.count !== shard.count) throw new ConfigError(stem, `its manifest says shard ${JSON.stringify(m.shard)}`);
  }
  return shards;
}

/**
 * Writes each cohort's `perCohort` rows from the shard that ran it, in cohort order; refuses a
 * shard whose rows are not exactly its cohorts' (a truncated or foreign file).
 */
async function interleave(names: string[], sources: AsyncGenerator<Cell[]>[], count: number, perCohort: number, sink: TableSink): Promise<void> {
  const n = sources.length;
  for (let c = 0; c < count; c++) {
    const rows: Cell[][] = [];
    while (rows.length < perCohort) {
      const next = await sources[c % n].next();
      if (next.done || Number(next.value[0]) !== c)
        throw new ConfigError(names[c % n], `has ${rows.length} rows of cohort ${c} where ${perCohort} were expected${next.done ? ' (the file ends)' : `, then cohort ${String(next.value[0])}`}`);
      rows.push(next.value);
    }
    await sink.write(rows);
  }
  for (let s = 0; s < n; s++) if (!(await sources[s].next()).done) throw new ConfigError(names[s], 'holds rows beyond its cohorts');
}

/** A reader's failure, named by its file: a truncated or foreign file says which it is. */
const unreadable = (path: string, format: Format, e: unknown) =>
  e instanceof ConfigError ? e : new ConfigError(path, `is not a complete ${format} file (truncated, or not a shard's): ${(e as Error).message.split('\n')[0]}`);

async function* namedRows(path: string, format: Format, rows: AsyncGenerator<Cell[]>): AsyncGenerator<Cell[]> {
  try {
    yield* rows;
  } catch (e) {
    throw unreadable(path, format, e);
  }
}

async function shardRows(path: string, format: Format, columns: Column[]): Promise<AsyncGenerator<Cell[]>> {
  if (!existsSync(path)) throw new ConfigError(path, 'is missing, though its shard has a manifest');
  let reader: Awaited<ReturnType<typeof openReader>>;
  try {
    reader = await openReader(path, format);
  } catch (e) {
    throw unreadable(path, format, e);
  }
  const expected = columns.map((c) => c.name);
  if (reader.columns.join(',') !== expected.join(','))
    throw new ConfigError(path, `has other columns than its spec gives (${listed(reader.columns)}; expected ${listed(expected)})`);
  return namedRows(path, format, reader.rows());
}

export async function mergeShards(dir: string, out: string): Promise<MergeOutcome> {
  const shards = findShards(dir);
  const ref = shards[0].manifest;
  const format = ref.format;
  const grid = buildGrid(parseSpec(ref.spec));
  const columns = { summary: summaryColumns(grid), metrics: metricsColumns(grid) };
  const files = shards.map(({ shard }) => outputPaths(dir, format, shard));
  const names = files.map((f) => f.summary);

  const paths = outputPaths(out, format);
  // The first folder this merge creates, removed again if it fails: a failed merge leaves nothing.
  const created = mkdirSync(out, { recursive: true });
  let summary: TableSink | undefined;
  let metrics: TableSink | undefined;
  try {
    summary = openSink(paths.summary, format, columns.summary);
    metrics = openSink(paths.metrics, format, columns.metrics);
    const summaries = await Promise.all(files.map((f) => shardRows(f.summary, format, columns.summary)));
    await interleave(names, summaries, grid.count, 1, summary);
    const logged = await Promise.all(files.map((f) => shardRows(f.metrics, format, columns.metrics)));
    await interleave(
      files.map((f) => f.metrics),
      logged,
      grid.count,
      grid.schedule.count,
      metrics,
    );
    await metrics.commit();
    await summary.commit();
  } catch (e) {
    summary?.abort();
    metrics?.abort();
    if (created) rmSync(created, { recursive: true, force: true });
    throw e;
  }

  const differ = shards.some(({ manifest }) => manifest.adapters || !sameAdapter(manifest.adapter, ref.adapter));
  const manifest = buildManifest(grid, {
    format,
    shard: null,
    cohorts: grid.count,
    adapter: ref.adapter,
    columns: { summary: columns.summary.map((c) => c.name), metrics: columns.metrics.map((c) => c.name) },
  });
  if (differ) manifest.adapters = shards.flatMap(({ shard, manifest: m }) => m.adapters ?? [{ shard: shard.index, adapter: m.adapter }]);
  writeJsonAtomic(paths.manifest, manifest);
  const warnings = differ ? ['the shards ran on different adapters (listed in the manifest): results agree to float32 rounding, not bit for bit'] : [];
  return { shards: shards.length, cohorts: grid.count, paths, warnings };
}
