// A sweep's results as the explorer holds them: the summary table (one row per cohort, as the
// sweep writes it, whether it arrives live or is read from the command line's files), each
// cohort's logged metric rows, and the axes the views are drawn over.
import { axisCell, metricsColumns, summaryColumns } from '../sweep/columns';
import type { Grid } from '../sweep/grid';
import type { Cell, Column } from '../sweep/table';
import { isLogSpaced, type AxisValue, type ViewAxis } from './scale';

/** A table as read or recorded: column names and rows of cells. */
export interface Table {
  columns: string[];
  rows: Cell[][];
}

/** A cell as a number; null where it is empty or not a number. */
export function numberOf(cell: Cell | undefined): number | null {
  if (cell === null || cell === undefined || cell === '') return null;
  const x = Number(cell);
  return Number.isFinite(x) ? x : null;
}

/** An axis cell as the views key it: numbers as numbers (a CSV's text too), choices and JSON as text. */
const axisValueOf = (cell: Cell, numeric: boolean): AxisValue => (numeric ? Number(cell) : String(cell));

const isNumeric = (cells: readonly Cell[]) => cells.length > 0 && cells.every((c) => numberOf(c) !== null);

/**
 * One view axis for the parts of one spec axis (their columns of cells, part by part): a zipped
 * axis's parts move together, so it is read by one of them, the first numeric part if any.
 */
function viewAxis(parts: { name: string; cells: Cell[] }[]): ViewAxis {
  const lead = parts.find((p) => isNumeric(p.cells)) ?? parts[0];
  const numeric = isNumeric(lead.cells);
  const values = [...new Set(lead.cells.map((c) => axisValueOf(c, numeric)))];
  if (numeric) (values as number[]).sort((a, b) => a - b);
  const zipped = parts.filter((p) => p !== lead).map((p) => p.name);
  return { name: lead.name, zipped, values, numeric, log: numeric && isLogSpaced(values as number[]) };
}

/**
 * The axis columns of a summary read from a file, grouped as the spec zipped them: two columns
 * belong to one axis when each value of one goes with exactly one of the other (in a grid's
 * product, two axes of several values each never do).
 */
function groupColumns(columns: { name: string; cells: Cell[] }[]): { name: string; cells: Cell[] }[][] {
  const groups: { name: string; cells: Cell[] }[][] = [];
  const distinct = (cells: readonly string[]) => new Set(cells).size;
  const text = (cells: Cell[]) => cells.map(String);
  for (const column of columns) {
    const group = groups.find((g) => {
      const [a, b] = [text(g[0].cells), text(column.cells)];
      const pairs = distinct(a.map((v, r) => `${v}\u0000${b[r]}`));
      return pairs === distinct(a) && pairs === distinct(b) && pairs > 1;
    });
    if (group) group.push(column);
    else groups.push([column]);
  }
  return groups;
}

export class SweepResults {
  /** Bumped whenever rows arrive, so views know to redraw. */
  version = 0;
  readonly summary: Cell[][] = [];
  readonly axes: ViewAxis[];
  /** Columns of the summary a view can show: every one after `seed` (finals, events, model report). */
  readonly valueColumns: string[];
  private readonly metrics = new Map<number, Cell[][]>();
  private readonly axisColumns: number[];

  private constructor(
    readonly summaryNames: string[],
    axes: ViewAxis[],
    /** The metrics table's columns: cohort, step, then the metrics. */
    readonly metricsNames: string[],
    /** Cohorts the sweep has (a live sweep's are not all there yet). */
    readonly count: number,
    readonly seeds: number,
    /** The grid, when known (a live sweep, or files with their manifest): each cohort's config. */
    readonly grid?: Grid,
    /** Column types, for a live sweep: what exporting its tables needs. */
    readonly columns?: { summary: Column[]; metrics: Column[] },
  ) {
    this.axes = axes;
    this.axisColumns = axes.map((a) => summaryNames.indexOf(a.name));
    this.valueColumns = summaryNames.slice(summaryNames.indexOf('seed') + 1);
  }

  /** Empty results of a sweep about to run: every axis value is known up front, so views show the whole grid from the start. */
  static live(grid: Grid): SweepResults {
    const columns = { summary: summaryColumns(grid), metrics: metricsColumns(grid) };
    const axes = grid.spec.axes.map((axis) => viewAxis(axis.parts.map((part, j) => ({ name: part.name, cells: axis.values.map((t) => axisCell(part.kind, t[j])) }))));
    return new SweepResults(
      columns.summary.map((c) => c.name),
      axes,
      columns.metrics.map((c) => c.name),
      grid.count,
      grid.spec.seeds,
      grid,
      columns,
    );
  }

  /** Results read from a sweep's files: the summary table, and its metrics table and grid when given. */
  static fromTables(summary: Table, metrics?: Table, grid?: Grid): SweepResults {
    const first = summary.columns.indexOf('cohort');
    const seed = summary.columns.indexOf('seed');
    const columns = summary.columns.slice(first + 1, seed).map((name, j) => ({ name, cells: summary.rows.map((r) => r[first + 1 + j]) }));
    const axes = groupColumns(columns).map(viewAxis);
    const seeds = new Set(summary.rows.map((r) => String(r[seed]))).size;
    const results = new SweepResults(summary.columns, axes, metrics?.columns ?? [], summary.rows.length, seeds, grid);
    results.addSummary(summary.rows);
    if (metrics) results.addMetrics(metrics.rows);
    return results;
  }

  addSummary(rows: readonly Cell[][]): void {
    this.summary.push(...rows);
    this.version++;
  }

  /** Metric rows of one or more cohorts (cohort first, then step and the metrics). */
  addMetrics(rows: readonly Cell[][]): void {
    for (const row of rows) {
      const cohort = Number(row[0]);
      const list = this.metrics.get(cohort) ?? this.metrics.set(cohort, []).get(cohort)!;
      list.push(row);
    }
    this.version++;
  }

  get hasMetrics(): boolean {
    return this.metricsNames.length > 0;
  }

  /** A summary row's value of axis `a` (an index into `axes`). */
  axisValue(row: readonly Cell[], a: number): AxisValue {
    return axisValueOf(row[this.axisColumns[a]], this.axes[a].numeric);
  }

  cohortOf(row: readonly Cell[]): number {
    return Number(row[0]);
  }

  /** The logged metric rows of `cohort` (empty when the metrics table is missing). */
  metricRows(cohort: number): Cell[][] {
    return this.metrics.get(cohort) ?? [];
  }
}
