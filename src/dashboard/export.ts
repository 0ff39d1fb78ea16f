// A run's metrics as the command line writes them: CSV, or JSON with its config, adapter and model report.
import { configToJSON } from '../model/config';
import { logToCsv, logToJson } from '../model/export';
import { downloadText } from '../ui/download';
import type { Platform } from '../ui/platform';
import type { Run } from '../ui/run';

export function exportRun(run: Run, platform: Platform, format: 'csv' | 'json'): void {
  if (!run.report) return;
  const name = `patternflow-run${run.id}.${format}`;
  if (format === 'csv') downloadText(name, logToCsv(run.log), 'text/csv');
  else downloadText(name, logToJson(run.log, { config: configToJSON(run.config), adapter: (run.adapter ?? platform.adapter).json, model: run.report }), 'application/json');
}
