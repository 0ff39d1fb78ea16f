// The columns of a sweep's two tables, named after its axes and metrics (README, "Sweeps"):
//   summary: cohort, one column per axis, seed, final<Metric> per metric, then the events and the model report;
//   metrics: cohort, step, one column per metric (long format: one row per cohort and logged step).
import type { AxisKind } from './axes';
import type { Grid } from './grid';
import { finalName, SUMMARY_COLUMNS, type SummaryColumn } from './summary';
import type { Cell, Column, ColumnType } from './table';

const AXIS_TYPES: Record<AxisKind, ColumnType> = { number: 'double', text: 'text', json: 'text' };

const EVENT_TYPES: Record<SummaryColumn, ColumnType> = {
  peakAccuracy: 'metric',
  peakAccuracyStep: 'int',
  stepsToBest50: 'int',
  stepsToBest90: 'int',
  stepsToBest99: 'int',
  stepsToBest999: 'int',
  stepsToBest9999: 'int',
  collapseStep: 'int',
  taskMedianStepsToBest90: 'double',
  taskFracBest90: 'double',
  roseFirst: 'metric',
  medianT0: 'double',
  regimeOne: 'long',
  regimeTwo: 'long',
  regimeOther: 'long',
  gammaMedian: 'double',
};

export function summaryColumns(grid: Grid): Column[] {
  return [
    { name: 'cohort', type: 'int' },
    ...grid.parts.map((p): Column => ({ name: p.name, type: AXIS_TYPES[p.kind] })),
    { name: 'seed', type: 'long' },
    ...grid.metricNames.map((m): Column => ({ name: finalName(m), type: 'metric' })),
    ...SUMMARY_COLUMNS.map((name): Column => ({ name, type: EVENT_TYPES[name] })),
  ];
}

export function metricsColumns(grid: Grid): Column[] {
  return [{ name: 'cohort', type: 'int' }, { name: 'step', type: 'int' }, ...grid.metricNames.map((name): Column => ({ name, type: 'metric' }))];
}

/** An axis value as a cell: numbers and choices as they are, lists and objects as JSON text. */
export const axisCell = (kind: AxisKind, v: unknown): Cell => (kind === 'json' ? JSON.stringify(v) : (v as number | string));
