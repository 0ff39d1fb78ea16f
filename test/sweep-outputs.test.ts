// A sweep's outputs, driven by an executor that delivers hand-made metric series (no GPU): the
// summary's events against the series, the same summary whatever logEvery and batch sizes are,
// cohort order across interleaved runs, Parquet read back by DuckDB, nothing left behind by a
// failure, --skip-existing, and merge refusing missing, foreign or truncated shards.
import { DuckDBInstance } from '@duckdb/node-api';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/model/config';
import { metricLayout } from '../src/model/metrics';
import type { ModelReport } from '../src/model/report';
import type { CohortObserver, Executor } from '../src/sweep/executor';
import { buildGrid, type Cohort, type Grid, type Run } from '../src/sweep/grid';
import { mergeShards } from '../src/sweep/merge';
import { outputPaths } from '../src/sweep/shards';
import { parseSpec, type SpecInput } from '../src/sweep/spec';
import { SummaryTracker } from '../src/sweep/summary';
import { runSweep } from '../src/sweep/sweep';
import { openReader } from '../src/sweep/files';
import type { Format } from '../src/sweep/table';

const root = mkdtempSync(join(tmpdir(), 'patternflow-sweep-outputs-'));
let dirs = 0;
const fresh = () => join(root, `d${dirs++}`);

const REPORT: ModelReport = { assumption55Failures: 0, patternModeFailures: 0, regimes: { one: 5, two: 3, other: 0 }, gamma: { min: 1, median: 2.5, max: 4 } };

type Series = (cohort: Cohort, step: number, metric: string) => number;

/** A metric series per cohort: accuracy rises to a peak at step 20 + cohort, then falls; bestMass climbs 0.02 a step. */
const SERIES: Series = (c, step, metric) => {
  const peak = 20 + c.index;
  if (metric === 'accuracy') return Math.fround(step <= peak ? 0.3 + 0.02 * step : 0.3 + 0.02 * peak - 0.015 * (step - peak));
  if (metric === 'bestMass') return Math.fround(Math.min(1, 0.02 * step * c.config.lr));
  return Math.fround(c.index + step / 1000);
};

/** Delivers SERIES in batches of `batch` rows; throws instead of running cohort `failAt`. */
class SeriesExecutor implements Executor {
  ran: number[] = [];
  constructor(private readonly opts: { batch?: number; failAt?: number } = {}) {}
  async check(): Promise<void> {}
  async runCohorts(grid: Grid, _run: Run, cohorts: readonly number[], observer: CohortObserver): Promise<void> {
    const batch = this.opts.batch ?? 16;
    for (const i of cohorts) {
      if (i === this.opts.failAt) throw new Error(`cohort ${i} failed`);
      this.ran.push(i);
      const cohort = grid.cohort(i);
      const names = metricLayout(cohort.config).names;
      observer.start(cohort, { report: REPORT, adapter: { line: 'series', json: { name: 'series' } } });
      for (let first = 1; first <= grid.steps; first += batch) {
        const n = Math.min(batch, grid.steps - first + 1);
        const rows = new Float32Array(n * names.length);
        for (let r = 0; r < n; r++) names.forEach((m, j) => (rows[r * names.length + j] = SERIES(cohort, first + r, m)));
        observer.rows(cohort, first, rows, n);
      }
      await observer.end(cohort);
    }
  }
  stop(): void {}
}

const SPEC: SpecInput = { base: { tasks: 8, steps: 60 }, axes: { lr: [0.5, 1], estimator: ['expected', 'grpo', 'rloo'] }, logEvery: 1 };
const sweep = async (spec: SpecInput, out: string, opts: { format?: Format; batch?: number; failAt?: number; shard?: { index: number; count: number }; skipExisting?: boolean } = {}) => {
  const executor = new SeriesExecutor(opts);
  const outcome = await runSweep(buildGrid(parseSpec(spec)), { out, format: opts.format ?? 'csv', shard: opts.shard, skipExisting: opts.skipExisting, executor });
  return { outcome, executor };
};
const csv = (path: string) => readFileSync(path, 'utf8').trim().split('\n');

describe('summary', () => {
  it('finds the events of a hand-made series: peak, thresholds, collapse, and empty where never reached', () => {
    const names = metricLayout({ patterns: 2, passK: [1], answerMode: 'frozen' }).names;
    const t = new SummaryTracker(names);
    const accuracy = [0.5, 0.6, 0.8, 0.8, 0.75, 0.72, 0.69, 0.9];
    const best = [0.1, 0.49, 0.5, 0.7, 0.95, 0.98, 0.989, 0.9991];
    const rows = new Float64Array(accuracy.length * names.length);
    accuracy.forEach((a, r) => {
      rows[r * names.length + names.indexOf('accuracy')] = a;
      rows[r * names.length + names.indexOf('bestMass')] = best[r];
      rows[r * names.length + names.indexOf('roseFirst')] = 0.25;
    });
    t.add(1, rows.subarray(0, 3 * names.length), 3);
    t.add(4, rows.subarray(3 * names.length), 5);
    const { finals, events } = t.summary(REPORT);
    expect(finals.get('accuracy')).toBe(0.9);
    expect(events).toEqual({
      peakAccuracy: 0.9,
      peakAccuracyStep: 8,
      stepsToBest50: 3,
      stepsToBest90: 5,
      stepsToBest99: 8,
      stepsToBest999: 8,
      stepsToBest9999: null,
      collapseStep: 7, // 0.69 is the first at least 0.1 below the running peak 0.8
      taskMedianStepsToBest90: null,
      taskFracBest90: null,
      roseFirst: 0.25,
      medianT0: null,
      regimeOne: 5,
      regimeTwo: 3,
      regimeOther: 0,
      gammaMedian: 2.5,
    });
    expect(() => t.add(10, rows, 1)).toThrow(/step 10 follows step 8/);
  });

  it('is the same whatever logEvery and batch sizes are; only the logged rows differ', async () => {
    const every = await sweep(SPEC, fresh(), { batch: 1 });
    const sparse = await sweep({ ...SPEC, logEvery: 7 }, fresh(), { batch: 13 });
    const log = await sweep({ ...SPEC, logEvery: undefined, logSteps: 'log' }, fresh(), { batch: 60 });
    const summary = csv(every.outcome.paths.summary);
    expect(csv(sparse.outcome.paths.summary)).toEqual(summary);
    expect(csv(log.outcome.paths.summary)).toEqual(summary);
    const header = summary[0].split(',');
    const cohort5 = summary[6].split(',');
    const at = (name: string) => cohort5[header.indexOf(name)];
    // Cohort 5 (lr 1, rloo): accuracy peaks at step 25 and falls 0.015 a step; bestMass climbs
    // 0.02 a step, compared as the float32 it is delivered in (0.9 at step 45 is 0.89999998).
    expect([at('peakAccuracyStep'), at('collapseStep'), at('stepsToBest50'), at('stepsToBest90'), at('stepsToBest99')]).toEqual(['25', '32', '25', '46', '50']);
    const rows = csv(every.outcome.paths.metrics);
    const sparseRows = csv(sparse.outcome.paths.metrics);
    expect(rows).toHaveLength(1 + 6 * 60);
    expect(sparseRows).toHaveLength(1 + 6 * 9); // steps 7, 14, ..., 56 and 60
    for (const row of sparseRows.slice(1)) expect(rows).toContain(row);
  });

  it('writes cohorts in order although their runs interleave them', async () => {
    const { outcome, executor } = await sweep(SPEC, fresh());
    expect(executor.ran).toEqual([0, 3, 1, 4, 2, 5]); // one run per estimator
    expect(csv(outcome.paths.summary).slice(1).map((r) => r.split(',')[0])).toEqual(['0', '1', '2', '3', '4', '5']);
    const cohorts = csv(outcome.paths.metrics).slice(1).map((r) => Number(r.split(',')[0]));
    expect(cohorts).toEqual([...cohorts].sort((a, b) => a - b));
  });
});

describe('Parquet', () => {
  it('opens in DuckDB with the documented column types, equal to the CSV cell for cell', async () => {
    const [a, b] = [fresh(), fresh()];
    const parquet = await sweep({ ...SPEC, logEvery: 10 }, a, { format: 'parquet' });
    const text = await sweep({ ...SPEC, logEvery: 10 }, b, { format: 'csv' });
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const types = await db.runAndReadAll(`describe select * from read_parquet('${parquet.outcome.paths.summary}')`);
    const typeOf = Object.fromEntries(types.getRowObjectsJson().map((r) => [r.column_name as string, r.column_type as string]));
    expect(typeOf).toMatchObject({ cohort: 'INTEGER', lr: 'DOUBLE', estimator: 'VARCHAR', seed: 'BIGINT', finalAccuracy: 'DOUBLE', finalPatternMass3: 'DOUBLE' });
    expect(typeOf).toMatchObject({ stepsToBest90: 'INTEGER', collapseStep: 'INTEGER', taskFracBest90: 'DOUBLE', regimeTwo: 'BIGINT', gammaMedian: 'DOUBLE' });
    const rows = (await db.runAndReadAll(`select * from read_parquet('${parquet.outcome.paths.summary}') order by cohort`)).getRowObjectsJson();
    const [header, ...lines] = csv(text.outcome.paths.summary);
    const names = header.split(',');
    lines.forEach((line, r) =>
      line.split(',').forEach((cell, j) => {
        const v = rows[r][names[j]];
        if (cell === '') expect(v, names[j]).toBeNull();
        else if (typeof v === 'number') expect(Math.fround(v), names[j]).toBe(Math.fround(Number(cell)));
        else expect(String(v), names[j]).toBe(cell);
      }),
    );
    const metrics = await db.runAndReadAll(`select count(*) as n, count(distinct cohort) as c from read_parquet('${parquet.outcome.paths.metrics}')`);
    expect(metrics.getRowObjectsJson()).toEqual([{ n: '36', c: '6' }]);
  });
});

describe('atomic outputs', () => {
  it('leaves no file behind, temporary or partial, when a cohort fails', async () => {
    for (const format of ['parquet', 'csv'] as const) {
      const out = fresh();
      await expect(sweep(SPEC, out, { format, failAt: 4 })).rejects.toThrow(/cohort 4 failed/);
      expect(readdirSync(out)).toEqual([]);
    }
  });

  it('--skip-existing leaves a complete file set of the same spec, and reruns another spec', async () => {
    const out = fresh();
    const shard = { index: 1, count: 2 };
    await sweep(SPEC, out, { shard });
    const again = await sweep(SPEC, out, { shard, skipExisting: true });
    expect(again.outcome.skipped).toBe(true);
    expect(again.executor.ran).toEqual([]);
    const other = await sweep({ ...SPEC, seeds: 2 }, out, { shard, skipExisting: true });
    expect(other.outcome.skipped).toBe(false);
    expect(other.executor.ran).toHaveLength(6);
  });
});

describe('merge', () => {
  const shardsOf = async (spec: SpecInput, format: Format, count: number, dir = fresh()) => {
    for (let index = 0; index < count; index++) await sweep(spec, dir, { format, shard: { index, count } });
    return dir;
  };

  it('writes the unsharded files byte for byte, in both formats', async () => {
    for (const format of ['parquet', 'csv'] as const) {
      const whole = await sweep(SPEC, fresh(), { format });
      const merged = await mergeShards(await shardsOf(SPEC, format, 4), fresh());
      expect(merged.cohorts).toBe(6);
      for (const f of ['summary', 'metrics'] as const) expect(readFileSync(merged.paths[f]), `${format} ${f}`).toEqual(readFileSync(whole.outcome.paths[f]));
      const manifest = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
      expect(manifest(merged.paths.manifest)).toEqual(manifest(whole.outcome.paths.manifest));
    }
  });

  it('lists every adapter the shards ran on, both of a shard resumed on another, and warns', async () => {
    const dir = await shardsOf(SPEC, 'csv', 3);
    const path = (i: number) => join(dir, `shard-0000${i}-of-00003.manifest.json`);
    const read = (i: number) => JSON.parse(readFileSync(path(i), 'utf8'));
    const a = { vendor: 'v', architecture: 'x', device: 'd', description: 'one driver' };
    const b = { ...a, description: 'another driver' };
    writeFileSync(path(0), JSON.stringify({ ...read(0), adapter: a }));
    writeFileSync(path(1), JSON.stringify({ ...read(1), adapter: b }));
    writeFileSync(path(2), JSON.stringify({ ...read(2), adapter: a, adapters: [{ shard: 2, adapter: a }, { shard: 2, adapter: b }] }));
    const merged = await mergeShards(dir, fresh());
    expect(merged.warnings).toEqual(['the shards ran on different adapters (listed in the manifest): results agree to float32 rounding, not bit for bit']);
    const manifest = JSON.parse(readFileSync(merged.paths.manifest, 'utf8'));
    expect(manifest.adapter).toEqual(a);
    expect(manifest.adapters).toEqual([
      { shard: 0, adapter: a },
      { shard: 1, adapter: b },
      { shard: 2, adapter: a },
      { shard: 2, adapter: b },
    ]);
    // Shards that all ran on one adapter list none.
    for (const i of [1, 2]) writeFileSync(path(i), JSON.stringify({ ...read(i), adapter: a, adapters: undefined }));
    const same = await mergeShards(dir, fresh());
    expect(same.warnings).toEqual([]);
    expect(JSON.parse(readFileSync(same.paths.manifest, 'utf8')).adapters).toBeUndefined();
  });

  const refused = async (dir: string, message: RegExp) => {
    const out = fresh();
    const error = await mergeShards(dir, out).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  };

  it('refuses missing shards, naming them, and writes nothing', async () => {
    const dir = await shardsOf(SPEC, 'parquet', 4);
    rmSync(join(dir, 'shard-00001-of-00004.manifest.json'));
    rmSync(join(dir, 'shard-00003-of-00004.manifest.json'));
    await refused(dir, /: missing 2 of 4 shards: shard-00001-of-00004, shard-00003-of-00004 \(a shard counts once its manifest is written\)$/);
    await refused(fresh(), /cannot read the shard directory/);
  });

  it('refuses shards of another spec, of another count, or truncated', async () => {
    const dir = await shardsOf(SPEC, 'csv', 2);
    const other = await shardsOf({ ...SPEC, seeds: 2 }, 'csv', 2);
    for (const f of readdirSync(other).filter((f) => f.startsWith('shard-00001'))) copyFileSync(join(other, f), join(dir, f));
    await refused(dir, /^shard-00001-of-00002: is a shard of another sweep \(spec sha256 [0-9a-f]{12}, shard 0's is [0-9a-f]{12}\)$/);

    const mixed = await shardsOf(SPEC, 'csv', 2);
    await shardsOf(SPEC, 'csv', 3, mixed);
    await refused(mixed, /holds shards of different shard counts \(of 2, of 3\)/);

    const truncated = await shardsOf(SPEC, 'parquet', 2);
    const short = await shardsOf({ ...SPEC, logEvery: 2 }, 'parquet', 2);
    copyFileSync(outputPaths(short, 'parquet', { index: 1, count: 2 }).metrics, outputPaths(truncated, 'parquet', { index: 1, count: 2 }).metrics);
    await refused(truncated, /shard-00001-of-00002\.metrics\.parquet: has 30 rows of cohort 1 where 60 were expected, then cohort 3$/);
  });

  it('reads back every row of a table, a row group at a time', async () => {
    const { outcome } = await sweep(SPEC, fresh(), { format: 'parquet' });
    const reader = await openReader(outcome.paths.metrics, 'parquet');
    let n = 0;
    for await (const row of reader.rows()) {
      expect(row).toHaveLength(reader.columns.length);
      n++;
    }
    expect(n).toBe(6 * 60);
  });
});
