// What a view shows: one summary column over one or two axes, the other axes held at chosen
// values, seed replicates of a grid point gathered into one cell (their mean and 95% interval).
import { formatValue, type AxisValue, type ViewAxis } from './scale';
import { interval, type Interval } from './stats';
import { numberOf, type SweepResults } from './results';

export interface Selection {
  column: string;
  /** Axis names: x always; y (the heatmap's rows, the line view's lines) when there is a second axis. */
  x: string;
  y?: string;
  /** The value each other axis is held at. */
  fixed: Record<string, AxisValue>;
  /** The line view's value axis in log scale (steps that grow by orders of magnitude: medianT0 against gamma). */
  logY?: boolean;
}

export interface CellStats {
  /** The cohorts of this grid point that have finished (one per seed). */
  cohorts: number[];
  /** Their values' mean and interval; null when every one is missing. */
  stats: Interval | null;
  /** Cohorts whose value is empty (a threshold never reached, no collapse). */
  missing: number;
  /** Cohorts of this grid point still to come (a live sweep). */
  pending: number;
}

export interface CellGrid {
  x: ViewAxis;
  y?: ViewAxis;
  /** cells[row][column]: row j of y (a single row without y), column i of x. */
  cells: CellStats[][];
}

/** Axis values are compared as keys: the same number from Parquet or CSV text is one key. */
const key = (v: AxisValue) => `${typeof v}:${v}`;

export function cellGrid(results: SweepResults, sel: Selection): CellGrid {
  const ax = results.axes.findIndex((a) => a.name === sel.x);
  const ay = sel.y === undefined ? -1 : results.axes.findIndex((a) => a.name === sel.y);
  const x = results.axes[ax];
  const y = ay >= 0 ? results.axes[ay] : undefined;
  const col = results.summaryNames.indexOf(sel.column);
  const xi = new Map(x.values.map((v, i) => [key(v), i]));
  const yi = new Map((y?.values ?? []).map((v, j) => [key(v), j]));
  const others = results.axes.map((a, k) => ({ a, k })).filter(({ k }) => k !== ax && k !== ay);
  const values: number[][][] = Array.from({ length: y?.values.length ?? 1 }, () => x.values.map(() => []));
  const cells: CellStats[][] = values.map((row) => row.map(() => ({ cohorts: [], stats: null, missing: 0, pending: results.seeds })));
  for (const r of results.summary) {
    if (!others.every(({ a, k }) => key(results.axisValue(r, k)) === key(sel.fixed[a.name]))) continue;
    const i = xi.get(key(results.axisValue(r, ax)))!;
    const j = y ? yi.get(key(results.axisValue(r, ay)))! : 0;
    const cell = cells[j][i];
    cell.cohorts.push(results.cohortOf(r));
    cell.pending = Math.max(0, cell.pending - 1);
    const v = numberOf(r[col]);
    if (v === null) cell.missing++;
    else values[j][i].push(v);
  }
  // Files hold only finished cohorts: nothing of theirs is pending.
  const live = results.columns !== undefined;
  cells.forEach((row, j) =>
    row.forEach((cell, i) => {
      cell.stats = interval(values[j][i]);
      if (!live) cell.pending = 0;
    }),
  );
  return { x, y, cells };
}

/** The selection made valid for `results`: known column and axes, every other axis held at a value it has; undefined without axes. */
export function normalise(results: SweepResults, sel: Partial<Selection>): Selection | undefined {
  const names = results.axes.map((a) => a.name);
  if (names.length === 0 || results.valueColumns.length === 0) return undefined;
  const column = sel.column && results.valueColumns.includes(sel.column) ? sel.column : defaultColumn(results);
  const x = sel.x && names.includes(sel.x) ? sel.x : names[0];
  const rest = names.filter((n) => n !== x);
  // y: '' asks for none; a y that is missing or unknown becomes the next axis, if any.
  const y = sel.y === '' ? undefined : sel.y && rest.includes(sel.y) ? sel.y : rest[0];
  const fixed: Record<string, AxisValue> = {};
  for (const a of results.axes) {
    if (a.name === x || a.name === y) continue;
    const given = sel.fixed?.[a.name];
    fixed[a.name] = given !== undefined && a.values.some((v) => key(v) === key(given)) ? given : a.values[0];
  }
  return { column, x, y, fixed, ...(sel.logY ? { logY: true } : {}) };
}

/** The final accuracy, when nothing else was asked for. */
function defaultColumn(results: SweepResults): string {
  return results.valueColumns.includes('finalAccuracy') ? 'finalAccuracy' : results.valueColumns[0];
}

/** What an empty value of `column` means, for the legend. */
export function missingMeaning(column: string): string {
  if (column.startsWith('stepsTo')) return 'never reached';
  if (column === 'collapseStep') return 'no collapse';
  if (column === 'gammaMedian') return 'no regime-2 tasks';
  if (column === 'medianT0') return 'no regime-2 tasks, or fewer than half left the entanglement phase';
  if (column.startsWith('task')) return 'not reported yet';
  return 'empty';
}

/** What a click on a cell or a point selects: a grid point's cohorts (one per seed) and where it is. */
export interface CellPick {
  cohorts: number[];
  label: string;
  /** [column, row] of the view's grid. */
  cell: [number, number];
}

/** "initBest = 0.0306, lr = 0.5" for the cell's coordinates and the values held fixed. */
export function pointLabel(sel: Selection, x: AxisValue, y?: AxisValue): string {
  const parts = [`${sel.x} = ${formatValue(x, 40)}`];
  if (sel.y !== undefined && y !== undefined) parts.push(`${sel.y} = ${formatValue(y, 40)}`);
  for (const [name, v] of Object.entries(sel.fixed)) parts.push(`${name} = ${formatValue(v, 40)}`);
  return parts.join(', ');
}
