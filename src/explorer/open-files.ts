// Opening a sweep's files made by the command line (`patternflow sweep` or `merge`): the summary
// table (Parquet or CSV), and, when given, the metrics table and manifest.json, read in the
// browser by the same readers the command line's merge uses. Files are told apart by what they
// hold, not by name, so shard files and renamed copies open too.
import { ConfigError } from '../model/config';
import { buildGrid, type Grid } from '../sweep/grid';
import { parseSpec } from '../sweep/spec';
import { csvReader, parquetReader, type TableReader } from '../sweep/table';
import { SweepResults, type Table } from './results';

async function readTable(file: File): Promise<Table> {
  let reader: TableReader;
  try {
    if (/\.csv$/i.test(file.name)) {
      const text = await file.text();
      reader = await csvReader(() => text.split('\n'));
    } else reader = await parquetReader(await file.arrayBuffer());
  } catch (e) {
    throw new ConfigError(file.name, `cannot be read as a ${/\.csv$/i.test(file.name) ? 'CSV' : 'Parquet'} table: ${(e as Error).message}`);
  }
  const rows = [];
  for await (const row of reader.rows()) rows.push(row);
  return { columns: reader.columns, rows };
}

async function readGrid(file: File): Promise<Grid> {
  let manifest: { spec?: unknown };
  try {
    manifest = JSON.parse(await file.text());
  } catch (e) {
    throw new ConfigError(file.name, `is not JSON: ${(e as Error).message}`);
  }
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.spec !== 'object') throw new ConfigError(file.name, 'is not a patternflow sweep manifest (it has no spec)');
  return buildGrid(parseSpec(manifest.spec));
}

/** The results in `files`; a ConfigError names the file that is wrong or the one that is missing. */
export async function openFiles(files: readonly File[]): Promise<SweepResults> {
  let summary: Table | undefined;
  let metrics: Table | undefined;
  let grid: Grid | undefined;
  for (const file of files) {
    if (/\.json$/i.test(file.name)) {
      grid = await readGrid(file);
      continue;
    }
    const table = await readTable(file);
    const [first, second] = table.columns;
    if (first !== 'cohort') throw new ConfigError(file.name, `is not a sweep table: its first column is ${JSON.stringify(first ?? '')}, not "cohort"`);
    if (second === 'step') metrics = table;
    else if (table.columns.includes('seed')) summary = table;
    else throw new ConfigError(file.name, 'is neither a sweep summary (no "seed" column) nor a metrics table (no "step" column)');
  }
  if (!summary) throw new ConfigError('files', 'no summary table among them: open summary.parquet (or summary.csv), with metrics.parquet and manifest.json for the cohorts\' curves');
  if (grid && grid.count !== summary.rows.length) throw new ConfigError('manifest.json', `describes ${grid.count} cohorts, the summary has ${summary.rows.length}: they come from different sweeps`);
  return SweepResults.fromTables(summary, metrics, grid);
}
