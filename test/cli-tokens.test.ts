// `policy: "tokens"` on the command line: the issue's own command on the WGSL engine writes the
// tree's columns, the numbers of the float64 reference (which `--backend reference` writes
// itself); sweeps run the tree on the engine too, each cohort's summary that of its own run.
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
const query = async (sql: string) => (await (await (await DuckDBInstance.create(':memory:')).connect()).runAndReadAll(sql)).getRowObjectsJson();
const cli = (...args: string[]) => exec(process.execPath, ['bin/patternflow.js', 'run', '--quiet', ...args], { maxBuffer: 1 << 26 });
const flagsOf = (o: Record<string, string | number>) => Object.entries(o).flatMap(([f, v]) => [`--${f}`, String(v)]);

describe('patternflow run --policy tokens', () => {
  it("runs the issue's command on the WGSL engine: the §9 columns, as the float64 reference computes them", async () => {
    const out = join(dir, 't.csv');
    // The command, with fewer tasks and steps than the defaults so that the reference keeps up.
    const small = { tasks: 6, steps: 12 };
    await cli('--policy', 'tokens', '--length', '40', '--forks', '2', '--branching', '4', '--estimator', 'grpo', ...flagsOf(small), '--out', out);
    const m = parseCsv(readFileSync(out, 'utf8'));
    expect(Object.keys(m).slice(-4)).toEqual([...TREE_METRICS]);
    const P = makeParams(parseConfig({ policy: 'tokens', length: 40, forks: 2, branching: 4, estimator: 'grpo', ...small }));
    const want = simulate(P, small.steps).metrics;
    for (const name of ['accuracy', 'bestMass', 'klToRef', ...TREE_METRICS]) {
      const j = P.layout.names.indexOf(name);
      m[name].forEach((x, t) => expect(Math.abs(x - want[t][j]), `${name} at step ${t + 1}`).toBeLessThan(1e-5));
    }
    expect(m.rankChangeRatio[small.steps - 1]).toBeGreaterThan(0);
  });

  it('writes the §9 columns on the float64 reference, as the reference computes them', async () => {
    const out = join(dir, 'tokens.csv');
    const flags = { policy: 'tokens', length: 12, forks: 2, branching: 2, vocab: 3, estimator: 'grpo', tasks: 4, steps: 40, lr: 0.5 } as const;
    await cli(...flagsOf(flags), '--backend', 'reference', '--out', out);
    const m = parseCsv(readFileSync(out, 'utf8'));
    const P = makeParams(parseConfig(flags));
    const want = simulate(P, 40).metrics;
    for (const name of ['accuracy', 'bestMass', ...TREE_METRICS]) {
      const j = P.layout.names.indexOf(name);
      m[name].forEach((x, t) => expect(x).toBeCloseTo(want[t][j], 8));
    }
    expect(m.fillerRankChange[39]).toBeGreaterThan(0); // sampling moves the fillers
  });

  it('refuses a tree larger than the device holds in one line naming the field', async () => {
    const err = await cli('--policy', 'tokens', '--length', '256', '--forks', '5', '--branching', '4', '--vocab', '16', '--tasks', '1000000', '--steps', '1').then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/^patternflow: tasks: 1000000 tasks need [\d.]+ GB for the token tree logits \(theta\), above this adapter's buffer limit of [\d.]+ [GM]B; allowed here: 1\.\.\d+ with this config$/m);
  });

  it('sweeps the tree (preset critical-tokens) into Parquet with the §9 columns, each cohort its own run', async () => {
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
    // A cohort's summary is its own run's last row, bit for bit (the lr cohorts of a group are packed into one GPU run).
    const one = join(dir, 'one.json');
    const base = PRESETS['critical-tokens'].spec.base ?? {};
    await cli(...flagsOf({ ...base, successBeta: JSON.stringify(base.successBeta), lr: 0.2, group: 16 } as Record<string, string | number>), '--out', one);
    // The JSON's 9 significant digits give back each float32 exactly.
    const { metrics } = JSON.parse(readFileSync(one, 'utf8')) as { metrics: Record<string, number[]> };
    expect(Math.fround(at(0.2, 16).filler)).toBe(Math.fround(metrics.fillerRankChange.at(-1)!));
    expect(Math.fround(at(0.2, 16).acc)).toBe(Math.fround(metrics.accuracy.at(-1)!));
  });
});
