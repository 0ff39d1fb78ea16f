// `policy: "tokens"` on the command line: the float64 reference writes the tree's columns, the
// same numbers as the reference in process; the WGSL engine refuses it in one line; sweeps run
// it on the reference.
import { execFile } from 'node:child_process';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/model/config';
import { parseCsv } from '../src/model/export';
import { TREE_METRICS } from '../src/model/metrics';
import { makeParams, simulate } from '../src/reference/reference';
import { PRESETS } from '../src/sweep/presets';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'patternflow-tokens-'));
const REFUSED = /^patternflow: policy: "tokens" runs on the float64 reference only \(patternflow run --backend reference; sweeps and the dashboard open it there\): its WGSL kernels are not built yet$/m;
const query = async (sql: string) => (await (await (await DuckDBInstance.create(':memory:')).connect()).runAndReadAll(sql)).getRowObjectsJson();
const cli = (...args: string[]) => exec(process.execPath, ['bin/patternflow.js', 'run', '--quiet', ...args], { maxBuffer: 1 << 26 });

describe('patternflow run --policy tokens', () => {
  it('writes the §9 columns on the float64 reference, as the reference computes them', async () => {
    const out = join(dir, 'tokens.csv');
    const flags = { policy: 'tokens', length: 12, forks: 2, branching: 2, vocab: 3, estimator: 'grpo', tasks: 4, steps: 40, lr: 0.5 } as const;
    await cli(...Object.entries(flags).flatMap(([f, v]) => [`--${f}`, String(v)]), '--backend', 'reference', '--out', out);
    const m = parseCsv(readFileSync(out, 'utf8'));
    expect(Object.keys(m).slice(-4)).toEqual([...TREE_METRICS]);
    const P = makeParams(parseConfig(flags));
    const want = simulate(P, 40).metrics;
    for (const name of ['accuracy', 'bestMass', ...TREE_METRICS]) {
      const j = P.layout.names.indexOf(name);
      m[name].forEach((x, t) => expect(x).toBeCloseTo(want[t][j], 8));
    }
    expect(m.fillerRankChange[39]).toBeGreaterThan(0); // sampling moves the fillers
  });

  it('is refused by the WGSL engine in one line naming the policy', async () => {
    const err = await cli('--policy', 'tokens', '--tasks', '4', '--steps', '5', '--out', join(dir, 'gpu.csv')).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(REFUSED);
  });

  it('sweeps the tree (preset critical-tokens, on the float64 reference) into Parquet with the §9 columns', async () => {
    const out = join(dir, 'sweep');
    await exec(process.execPath, ['bin/patternflow.js', 'sweep', '--preset', 'critical-tokens', '--out', out]);
    const rows = (await query(
      `select lr, "group" as g, finalFillerRankChange as filler, finalCriticalShare as share, finalAccuracy as acc from '${join(out, 'summary.parquet')}' order by cohort`,
    )) as { lr: number; g: number; filler: number; share: number; acc: number }[];
    expect(rows.map((r) => [r.lr, r.g])).toEqual([[0.05, 4], [0.05, 16], [0.2, 4], [0.2, 16], [0.4, 4], [0.4, 16]]);
    const at = (lr: number, g: number) => rows.find((r) => r.lr === lr && r.g === g)!;
    // Sampling noise reorders the fillers: more with lr, less with a larger group, and the KL share on the forks rises with the group.
    for (const g of [4, 16]) expect(at(0.05, g).filler).toBeLessThan(at(0.2, g).filler), expect(at(0.2, g).filler).toBeLessThan(at(0.4, g).filler);
    for (const lr of [0.05, 0.2, 0.4]) expect(at(lr, 16).share).toBeGreaterThan(at(lr, 4).share);
    for (const lr of [0.2, 0.4]) expect(at(lr, 16).filler).toBeLessThan(at(lr, 4).filler);
    // A cohort's summary is its own run's last row.
    const P = makeParams(parseConfig({ ...PRESETS['critical-tokens'].spec.base, lr: 0.2, group: 16 }));
    const last = simulate(P, 100).metrics[99];
    expect(at(0.2, 16).filler).toBeCloseTo(last[P.layout.names.indexOf('fillerRankChange')], 8);
    expect(at(0.2, 16).acc).toBeCloseTo(last[P.layout.names.indexOf('accuracy')], 8);
  });
});
