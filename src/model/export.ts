// The two output formats of a run, shared by the command line and the dashboard:
// CSV (`step,<metrics>` per row) and JSON ({ config, adapter, metrics: { column: [...] } }).
import Papa from 'papaparse';
import type { MetricsLog } from './metrics';
import type { ModelReport } from './report';

/** Nine significant digits identify every float32 exactly, and print the same on every platform. */
export const formatValue = (x: number): string => String(+x.toPrecision(9));

export function csvHeader(names: readonly string[]): string {
  return Papa.unparse([['step', ...names]], { newline: '\n' }) + '\n';
}

/** CSV rows for `rows` metric rows (row-major) starting at `firstStep`. */
export function csvRows(firstStep: number, values: ArrayLike<number>, rows: number, width: number): string {
  return unparseRows((r) => firstStep + r, values, rows, width);
}

/** CSV rows for `rows` metric rows (row-major), row r of step stepOf(r). */
function unparseRows(stepOf: (r: number) => number, values: ArrayLike<number>, rows: number, width: number): string {
  const data: string[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = [String(stepOf(r))];
    for (let j = 0; j < width; j++) row.push(formatValue(values[r * width + j]));
    data.push(row);
  }
  return rows === 0 ? '' : Papa.unparse(data, { newline: '\n' }) + '\n';
}

export function logToCsv(log: MetricsLog): string {
  const cols = log.columns();
  const rows: string[] = [csvHeader(log.names.slice(1))];
  const width = cols.length - 1;
  const values = new Float64Array(log.length * width);
  for (let r = 0; r < log.length; r++) for (let j = 0; j < width; j++) values[r * width + j] = cols[j + 1][r];
  // Logged steps need not be consecutive (cadence.ts).
  if (log.length) rows.push(unparseRows((r) => cols[0][r], values, log.length, width));
  return rows.join('');
}

export interface RunExport {
  config: Record<string, unknown>;
  adapter: Record<string, unknown>;
  /**
   * The model report (docs/model.md §5b), and `roseFirst`: the fraction of tasks whose accuracy
   * rose at step 1 (Theorem 5.6's first claim, §6.4), from the run's last row; absent before step 1.
   */
  model: ModelReport & { roseFirst?: number };
  metrics: Record<string, number[]>;
}

export function logToJson(log: MetricsLog, meta: Omit<RunExport, 'metrics'>): string {
  const metrics: Record<string, number[]> = {};
  log.names.forEach((name, j) => (metrics[name] = Array.from(log.columns()[j], (x) => (j === 0 ? x : +formatValue(x)))));
  const model = log.length > 0 ? { ...meta.model, roseFirst: +formatValue(log.column('roseFirst')[log.length - 1]) } : meta.model;
  return JSON.stringify({ ...meta, model, metrics }, null, 1);
}

/** Parses CSV text written by csvHeader/csvRows back into columns. */
export function parseCsv(text: string): Record<string, number[]> {
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true });
  const [header, ...rows] = parsed.data;
  return Object.fromEntries(header.map((name, j) => [name, rows.map((r) => Number(r[j]))]));
}
