// The sweep page's pieces that need no browser: tables encoded in memory are the command line's
// files byte for byte; axes are read back from a summary (zipped parts grouped, log spacing
// found); cells gather seed replicates with a 95% interval and count empty and pending cohorts;
// the colour scale and the theory's boundaries. No GPU here.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boundaries } from '../src/explorer/boundary';
import { cellGrid, normalise } from '../src/explorer/cells';
import { colourScale, linearTicks, logTicks } from '../src/explorer/colour';
import { SweepResults, type Table } from '../src/explorer/results';
import { axisScale, isLogSpaced } from '../src/explorer/scale';
import { interval } from '../src/explorer/stats';
import { specFromHash, specHash } from '../src/explorer/url';
import { metricsColumns, summaryColumns } from '../src/sweep/columns';
import { openSink } from '../src/sweep/files';
import { buildGrid } from '../src/sweep/grid';
import { parseSpec } from '../src/sweep/spec';
import { encodeTable, type Cell, type Format } from '../src/sweep/table';

const dir = mkdtempSync(join(tmpdir(), 'patternflow-sweep-explorer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const grid = buildGrid(parseSpec({ base: { tasks: 4, steps: 10, successRates: [0.9, 0.5, 0.4, 0.3] }, axes: { initBest: { logspace: [0.01, 0.5, 4] }, lr: [0.5, 1] }, seeds: 2 }));

/** A summary row of `grid` with stepsToBest90 = `steps` (null: never reached) and the regimes of initBest. */
function summaryRow(cohort: number, steps: number | null): Cell[] {
  const c = grid.cohort(cohort);
  const columns = summaryColumns(grid).map((col) => col.name);
  const row: Cell[] = columns.map(() => null);
  const set = (name: string, v: Cell) => (row[columns.indexOf(name)] = v);
  set('cohort', cohort);
  set('initBest', c.values[0] as number);
  set('lr', c.values[1] as number);
  set('seed', c.seed);
  set('stepsToBest90', steps);
  const two = (c.values[0] as number) < 0.2;
  set('regimeOne', two ? 0 : 4);
  set('regimeTwo', two ? 4 : 0);
  set('regimeOther', 0);
  return row;
}

describe('tables in memory', () => {
  it.each(['csv', 'parquet'] as Format[])('encodes %s byte for byte as the command line writes its file', async (format) => {
    const columns = metricsColumns(grid);
    const rows: Cell[][] = Array.from({ length: 250 }, (_, r) => columns.map((c, j) => (j === 0 ? r % 3 : j === 1 ? r : c.type === 'metric' ? Math.fround(r / 7 + j) : null)));
    const path = join(dir, `metrics.${format}`);
    const sink = openSink(path, format, columns);
    await sink.write(rows);
    await sink.commit();
    expect(Buffer.from(await encodeTable(format, columns, rows)).equals(readFileSync(path))).toBe(true);
  });
});

describe('axes and scales', () => {
  it('finds log spacing', () => {
    expect(isLogSpaced([0.01, 0.0368403149864, 0.135720880830, 0.5])).toBe(true);
    expect(isLogSpaced([0.25, 0.5, 1])).toBe(true);
    expect(isLogSpaced([0.6, 1, 1.4])).toBe(false);
    expect(isLogSpaced([0.5, 1])).toBe(false);
  });

  it('gives each value the span to the midpoints around it', () => {
    expect(axisScale({ name: 'a', zipped: [], values: [1, 2, 4], numeric: true, log: false }).edges).toEqual([0.5, 1.5, 3, 5]);
    expect(axisScale({ name: 'a', zipped: [], values: [1, 10, 100], numeric: true, log: true }).edges).toEqual([-0.5, 0.5, 1.5, 2.5]);
    expect(axisScale({ name: 'a', zipped: [], values: ['grpo', 'rloo'], numeric: false, log: false }).edges).toEqual([0, 1, 2]);
  });

  it('reads a live grid’s axes up front, and a file’s from its columns, zipped parts grouped', () => {
    const live = SweepResults.live(grid);
    expect(live.axes.map((a) => [a.name, a.values.length, a.log])).toEqual([
      ['initBest', 4, true],
      ['lr', 2, false],
    ]);
    const table: Table = {
      columns: ['cohort', 'patterns', 'successBeta', 'lr', 'seed', 'finalAccuracy'],
      rows: [2, 4].flatMap((K, k) => [0.1, 0.2].map((lr, l) => [2 * k + l, K, JSON.stringify({ alpha: K }), lr, 1n, 0.5] as Cell[])),
    };
    const opened = SweepResults.fromTables(table);
    expect(opened.axes.map((a) => [a.name, a.zipped, a.values])).toEqual([
      ['patterns', ['successBeta'], [2, 4]],
      ['lr', [], [0.1, 0.2]],
    ]);
    expect(opened.valueColumns).toEqual(['finalAccuracy']);
    expect(opened.seeds).toBe(1);
  });
});

describe('cells', () => {
  it('gathers seeds into a mean and a 95% interval, counts empty and pending cohorts, holds other axes fixed', () => {
    const results = SweepResults.live(grid);
    // Cohorts 0..7 are initBest 0.01 and 0.0368 (both lr, both seeds); cohort 3 never reached 0.9.
    results.addSummary([100, 120, 80, null, 50, 60, 40, 44].map((s, c) => summaryRow(c, s)));
    const sel = normalise(results, { column: 'stepsToBest90' })!;
    expect(sel).toEqual({ column: 'stepsToBest90', x: 'initBest', y: 'lr', fixed: {} });
    const { cells } = cellGrid(results, sel);
    expect(cells[0][0].stats).toMatchObject({ n: 2, mean: 110 });
    // sd 14.14, so sd / sqrt(2) = 10, times t(0.975, 1 df).
    expect(cells[0][0].stats!.hi - 110).toBeCloseTo(127.06, 9);
    expect(cells[1][0]).toMatchObject({ cohorts: [2, 3], missing: 1, pending: 0, stats: { n: 1, mean: 80 } });
    expect(cells[0][2]).toMatchObject({ cohorts: [], pending: 2, stats: null });
    const strip = cellGrid(results, normalise(results, { column: 'stepsToBest90', y: '', fixed: { lr: 1 } })!);
    expect(strip.cells.map((row) => row.map((c) => c.cohorts))).toEqual([[[2, 3], [6, 7], [], []]]);
  });

  it('draws the §5b regime boundary between cells of different regimes', () => {
    const results = SweepResults.live(grid);
    results.addSummary(Array.from({ length: grid.count }, (_, c) => summaryRow(c, 10)));
    const [regime] = boundaries(results, normalise(results, {})!);
    // initBest 0.136 (regime 2) and 0.5 (regime 1): the edge between them, in log10 units, across both rows.
    const edge = (Math.log10(0.13572088083) + Math.log10(0.5)) / 2;
    expect(regime.label).toBe('regime boundary (§5b)');
    expect(regime.segments).toHaveLength(2);
    for (const [x0, , x1] of regime.segments) [x0, x1].forEach((x) => expect(x).toBeCloseTo(edge, 9));
  });

  it('draws TPR = FPR where tprMinusFpr is 0', () => {
    const g = buildGrid(parseSpec({ base: { tasks: 4, steps: 5 }, axes: { tprMinusFpr: { linspace: [-0.5, 0.5, 3] }, tprPlusFpr: [1] } }));
    const results = SweepResults.live(g);
    expect(boundaries(results, normalise(results, {})!)).toEqual([{ label: 'TPR = FPR', dash: [6, 4], segments: [[0, 0.5, 0, 1.5]] }]);
  });
});

describe('numbers', () => {
  it('intervals, colour scales and ticks', () => {
    expect(interval([])).toBeNull();
    expect(interval([3])).toEqual({ n: 1, mean: 3, lo: 3, hi: 3 });
    const c = colourScale([40, 1912]);
    expect(c.log).toBe(true);
    expect(c.t(40)).toBe(0);
    expect(c.t(1912)).toBeCloseTo(1, 12);
    expect(colourScale([0.4, 0.6]).log).toBe(false);
    expect(linearTicks(0.41, 0.89)).toEqual([0.5, 0.6, 0.7, 0.8]);
    expect(logTicks(40, 1912)).toEqual([50, 100, 200, 500, 1000]);
    expect(logTicks(40, 40000)).toEqual([100, 1000, 10000]);
  });

  it('puts the spec in the address and reads it back; a bad hash is a ConfigError naming the URL', () => {
    const spec = { axes: { lr: [0.1, 1] }, seeds: 2 };
    expect(specFromHash(specHash(spec))).toEqual(spec);
    expect(specFromHash('')).toBeUndefined();
    expect(() => specFromHash('#spec=%7Bx')).toThrow(/^URL: the #spec= part is not JSON/);
    expect(() => specFromHash('#config=1')).toThrow(/^URL: the address ends in "#config=1", expected #spec=/);
  });
});

describe('the entanglement preset on the page', () => {
  it('opens in the line view, medianT0 against gamma, one line per lr, on a log axis', async () => {
    const { PAGE_PRESETS } = await import('../src/explorer/presets');
    const p = PAGE_PRESETS.find((x) => x.name === 'entanglement')!;
    expect(p.lines).toBe(true);
    expect(p.view).toEqual({ column: 'medianT0', x: 'gamma', y: 'lr', logY: true });
    expect(PAGE_PRESETS.find((x) => x.name === 'rlif-margin')!.view).toEqual({ column: 'roseFirst', x: 'patterns', y: 'successTilt' });
  });
});
