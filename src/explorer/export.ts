// A finished sweep's tables as the command line writes them: summary or metrics, Parquet or CSV.
import { encodeTable, type Format } from '../sweep/table';
import { downloadText } from '../ui/download';
import type { SweepResults } from './results';

export async function exportTable(results: SweepResults, table: 'summary' | 'metrics', format: Format): Promise<void> {
  if (!results.columns) return;
  const rows = table === 'summary' ? results.summary : Array.from({ length: results.count }, (_, c) => results.metricRows(c)).flat();
  const bytes = await encodeTable(format, results.columns[table], rows);
  // The command line's file names, so a download drops in where its files would be.
  downloadText(`${table}.${format}`, bytes, format === 'csv' ? 'text/csv' : 'application/vnd.apache.parquet');
}
