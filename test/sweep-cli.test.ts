// `patternflow sweep` and `patternflow merge` as users run them (bin/patternflow.js in a child
// process, the WGSL engine on the test machine's adapter): a cohort equals its single run, three
// shards merged equal the unsharded sweep, the outputs open in DuckDB, bad input is one line with
// exit code 2, an interrupted sweep (SIGTERM, SIGINT, SIGKILL) goes on from its checkpoint to the
// uninterrupted sweep's bytes, and a preset reproduces its closed form.
import { DuckDBInstance } from '@duckdb/node-api';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configToJSON, parseConfig } from '../src/model/config';
import { initState, makeParams, step, type State } from '../src/reference/reference';
import { buildGrid } from '../src/sweep/grid';
import { PRESET_NAMES } from '../src/sweep/presets';
import { PRESETS } from '../src/sweep/presets';
import { parseSpec, type SpecInput } from '../src/sweep/spec';
import { chosenAdapter } from './helpers';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'patternflow-sweep-cli-'));
const cli = (...args: string[]) => exec(process.execPath, ['bin/patternflow.js', ...args], { maxBuffer: 1 << 26 });
const fails = async (...args: string[]) => {
  const e = await cli(...args).then(
    () => undefined,
    (err: { code: number; stderr: string }) => err,
  );
  if (!e) throw new Error(`expected failure for ${args.join(' ')}`);
  return { code: e.code, stderr: e.stderr };
};
const specFile = (name: string, spec: unknown) => {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(spec));
  return path;
};
const query = async (sql: string) => (await (await (await DuckDBInstance.create(':memory:')).connect()).runAndReadAll(sql)).getRowObjectsJson();

// Sampled and expected estimators, so cohorts fall into two runs; small enough for a CPU adapter.
const SMALL: SpecInput = { base: { tasks: 48, steps: 30, successRates: [0.9, 0.5, 0.4, 0.3] }, axes: { estimator: ['expected', 'grpo'], lr: [0.2, 0.7], initBest: [0.1] }, logEvery: 1 };

describe('patternflow sweep', () => {
  it("writes each cohort's metrics exactly as patternflow run writes its config's", async () => {
    const out = join(dir, 'cohorts');
    await cli('sweep', '--spec', specFile('small', SMALL), '--out', out, '--format', 'csv', '--quiet');
    const lines = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    const grid = buildGrid(parseSpec(SMALL));
    for (const index of [1, 2]) {
      const config = join(dir, `cohort${index}.json`);
      const run = join(dir, `cohort${index}.csv`);
      writeFileSync(config, JSON.stringify(configToJSON(grid.cohort(index).config)));
      await cli('run', '--config', config, '--out', run, '--quiet');
      const expected = readFileSync(run, 'utf8').trim().split('\n');
      expect(lines[0]).toBe(`cohort,${expected[0]}`);
      expect(lines.filter((l) => l.startsWith(`${index},`))).toEqual(expected.slice(1).map((l) => `${index},${l}`));
    }
  });

  it('merges 3 shards into the unsharded sweep, byte for byte, which DuckDB reads', async () => {
    const spec = specFile('shards', { ...SMALL, logEvery: 4 });
    const [whole, shards, merged] = ['whole', 'shards', 'merged'].map((d) => join(dir, d));
    await cli('sweep', '--spec', spec, '--out', whole, '--quiet');
    for (const shard of ['0/3', '1/3', '2/3']) await cli('sweep', '--spec', spec, '--out', shards, '--shard', shard, '--quiet');
    expect(readdirSync(shards).sort()).toEqual(
      [0, 1, 2].flatMap((i) => ['manifest.json', 'metrics.parquet', 'parquet'].map((ext) => `shard-0000${i}-of-00003.${ext}`)).sort(),
    );
    const { stderr } = await cli('merge', shards, '--out', merged);
    expect(stderr).toMatch(/^patternflow merge: 3 shards, 4 cohorts: /);
    for (const f of ['summary.parquet', 'metrics.parquet']) expect(readFileSync(join(merged, f)), f).toEqual(readFileSync(join(whole, f)));

    const summary = await query(`select cohort, estimator, lr, initBest, seed, regimeTwo, stepsToBest50 from '${join(whole, 'summary.parquet')}' order by cohort`);
    expect(summary.map((r) => [r.cohort, r.estimator, r.lr, r.initBest, r.seed, r.regimeTwo])).toEqual([
      [0, 'expected', 0.2, 0.1, '1', '48'],
      [1, 'expected', 0.7, 0.1, '1', '48'],
      [2, 'grpo', 0.2, 0.1, '1', '48'],
      [3, 'grpo', 0.7, 0.1, '1', '48'],
    ]);
    const rows = await query(`select count(*) as n from '${join(whole, 'metrics.parquet')}'`);
    expect(rows).toEqual([{ n: String(4 * 8) }]); // steps 4, 8, ..., 28 and 30
    const manifest = JSON.parse(readFileSync(join(whole, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ spec: { ...SMALL, logEvery: 4, seeds: 1 }, shard: null, cohorts: 4, grid: { count: 4, steps: 30 }, adapter: chosenAdapter() });
    expect(manifest.runs.map((r: { cohorts: number }) => r.cohorts)).toEqual([2, 2]);

    // A shard gone: merge names it and writes nothing.
    rmSync(join(shards, 'shard-00002-of-00003.manifest.json'));
    const missing = await fails('merge', shards, '--out', join(dir, 'merged-again'));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/: missing 1 of 3 shards: shard-00002-of-00003 /);
    expect(existsSync(join(dir, 'merged-again'))).toBe(false);
  });

  it('runs the issue\'s example axes (48 cohorts), its summary opening in DuckDB', async () => {
    // The example's base with 1 task and 300 steps (its 4096 default tasks take about 45 minutes here).
    const example = {
      base: { estimator: 'expected', successRates: [0.9, 0.5, 0.4, 0.3], steps: 300, tasks: 1 },
      axes: { initBest: { logspace: [0.005, 0.5, 16] }, lr: [0.25, 0.5, 1] },
      seeds: 1,
      logEvery: 10,
    };
    const out = join(dir, 'example');
    const { stdout } = await cli('sweep', '--spec', specFile('example', example), '--plan');
    expect(stdout).toMatch(/^sweep: 48 cohorts \(16 initBest x 3 lr x 1 seed\), 300 steps each, 30 metric rows per cohort \(every 10 steps and the last\)\nruns: 1 /);
    expect(stdout).toMatch(/\nmemory: GPU buffers up to [\d.]+ kB per cohort/);
    await cli('sweep', '--spec', specFile('example', example), '--out', out, '--quiet');
    const rows = await query(`select initBest, lr, stepsToBest90, regimeOne from '${join(out, 'summary.parquet')}' order by cohort`);
    expect(rows).toHaveLength(48);
    // Steps to 0.9 shrink as initBest and lr grow (never reached is null: slowest of all).
    const steps = (r: (typeof rows)[number]) => (r.stepsToBest90 === null ? Infinity : Number(r.stepsToBest90));
    for (let j = 3; j < 48; j++) expect(steps(rows[j])).toBeLessThanOrEqual(steps(rows[j - 3]));
    expect(rows.at(-1)).toMatchObject({ initBest: 0.5, lr: 1, stepsToBest90: 20, regimeOne: '1' });
  });

  it('reproduces the KL optimum of Proposition 5.2 (preset kl-optimum)', async () => {
    const out = join(dir, 'kl');
    await cli('sweep', '--preset', 'kl-optimum', '--out', out, '--quiet');
    const rows = await query(`select klCoef, finalBestMass from '${join(out, 'summary.parquet')}' order by cohort`);
    const s = PRESETS['kl-optimum'].spec.base!.successRates as number[];
    expect(rows).toHaveLength(8);
    for (const { klCoef, finalBestMass } of rows) {
      const w = s.map((x) => Math.exp(x / Number(klCoef)));
      expect(Math.abs(Number(finalBestMass) - w[0] / w.reduce((a, b) => a + b))).toBeLessThan(1e-5);
    }
  });

  it("reproduces both claims of Theorem 5.6 under the margin reading (preset rlif-margin)", { timeout: 1_200_000 }, async () => {
    const out = join(dir, 'margin');
    await cli('sweep', '--preset', 'rlif-margin', '--out', out, '--quiet');
    const rows = await query(`select patterns, successTilt, roseFirst, finalRoseFirst, finalConvergedWorst, finalRoseThenFell from '${join(out, 'summary.parquet')}' order by cohort`);
    expect(rows).toHaveLength(6);
    const n = PRESETS['rlif-margin'].spec.base!.tasks as number;
    const se = (p: number) => Math.sqrt((p * (1 - p)) / n);
    // docs/model.md §6.4: the float64 fractions of tasks whose accuracy rises at step 1 (tilt 0.1:
    // 0.57, 0.68, 0.93 at K = 10^2, 10^3, 10^4 with lr = K / 10; tilt 0: 1/2 by the symmetry s -> 1 - s).
    const rises: Record<string, number> = { '100,0.1': 0.57, '1000,0.1': 0.68, '10000,0.1': 0.93, '100,0': 0.5, '1000,0': 0.5, '10000,0': 0.5 };
    for (const r of rows) {
      const want = rises[`${Number(r.patterns)},${Number(r.successTilt)}`];
      expect(Math.abs(Number(r.roseFirst) - want), `roseFirst at K ${r.patterns}, tilt ${r.successTilt}`).toBeLessThan(3 * se(want));
      expect(r.finalRoseFirst).toBe(r.roseFirst);
      // The second claim: about half the tasks end on their worst pattern, with or without the margin.
      expect(Math.abs(Number(r.finalConvergedWorst) - 0.5), `finalConvergedWorst at K ${r.patterns}`).toBeLessThan(3 * se(0.5));
      // Rise, then fall: a good share of the tasks that rose end below their start.
      expect(Number(r.finalRoseThenFell)).toBeGreaterThan(0.05);
    }
    // roseFirst climbs with K under the margin.
    const tilted = rows.filter((r) => Number(r.successTilt) === 0.1).map((r) => Number(r.roseFirst));
    expect(tilted[0]).toBeLessThan(tilted[1]);
    expect(tilted[1]).toBeLessThan(tilted[2]);
  });

  it("measures Theorem 5.4's T0 against gamma and T1 against 1/epsilon (preset entanglement)", { timeout: 600_000 }, async () => {
    const out = join(dir, 'entanglement');
    await cli('sweep', '--preset', 'entanglement', '--out', out, '--quiet');
    const rows = await query(
      `select gamma, lr, medianT0, gammaMedian, regimeTwo, stepsToBest99, stepsToBest999, stepsToBest9999 from '${join(out, 'summary.parquet')}' order by cohort`,
    );
    expect(rows).toHaveLength(21);
    const spec = PRESETS.entanglement.spec;
    for (const r of rows) {
      // The axis sets the initial policy to the gamma the model report measures.
      expect(Number(r.gammaMedian)).toBeCloseTo(Number(r.gamma), 9);
      expect(r.regimeTwo).toBe('1');
      // T0 and the steps to 1 - epsilon of the float64 reference, run step by step: the GPU's
      // float32 crossings are the same steps, or off by what float32 rounding of a slow crossing
      // allows (near 1 - 1e-4 the mass moves about 4e-9 a step, less than float32's 6e-8 spacing).
      const c = parseConfig({ ...spec.base, init: undefined, lr: Number(r.lr) });
      const base = spec.base!.init as number[];
      const gamma = Number(r.gamma);
      const top = (1 - base[1]) / gamma;
      const init = [top, base[1], ...base.slice(2).map((p) => ((1 - base[1] - top) * p) / (1 - base[0] - base[1]))];
      const P = makeParams({ ...c, init });
      let s: State = initState(P);
      const want: Record<string, number | null> = { medianT0: null, stepsToBest99: null, stepsToBest999: null, stepsToBest9999: null };
      const targets: [string, (acc: number, best: number) => boolean][] = [
        ['medianT0', (acc) => acc >= 0.7],
        ['stepsToBest99', (_, b) => b >= 0.99],
        ['stepsToBest999', (_, b) => b >= 0.999],
        ['stepsToBest9999', (_, b) => b >= 0.9999],
      ];
      for (let t = 1; t <= c.steps && want.stepsToBest9999 === null && t <= 1.2 * Number(r.stepsToBest9999 ?? r.stepsToBest999); t++) {
        const next = step(P, s);
        s = next.state;
        for (const [name, hit] of targets) if (want[name] === null && hit(next.metrics[0], next.metrics[1])) want[name] = t;
      }
      for (const name of Object.keys(want)) {
        if (r[name] === null) continue;
        const tolerance = name === 'stepsToBest9999' ? 0.01 : 2e-3;
        expect(Math.abs(Number(r[name]) - want[name]!), `${name} at gamma ${gamma}, lr ${r.lr}`).toBeLessThanOrEqual(Math.max(1, tolerance * want[name]!));
      }
    }
    const t0 = (g: number, lr: number) => Number(rows.find((r) => Math.abs(Number(r.gamma) - g) < 1e-9 && Number(r.lr) === lr)!.medianT0);
    // T0 grows steeply with gamma (about as gamma^3 at the top of the range, docs/model.md §6.7) and like 1/lr.
    expect(t0(16, 1) / t0(8, 1)).toBeGreaterThan(7);
    expect(t0(8, 1) / t0(4, 1)).toBeGreaterThan(6);
    for (const g of [2, 4, 8, 16]) expect(Math.abs((2 * t0(g, 2)) / t0(g, 1) - 1)).toBeLessThan(0.05);
    // T1 = O(1/epsilon): past the entanglement phase, going from 1 - 1e-3 to 1 - 1e-4 takes about ten
    // times the steps from 1 - 1e-2 to 1 - 1e-3 (the mass left off r* decays like 1/t).
    for (const r of rows.filter((x) => Number(x.lr) === 2)) {
      const [a, b, c] = [r.stepsToBest99, r.stepsToBest999, r.stepsToBest9999].map(Number);
      expect((c - b) / (b - a), `gamma ${r.gamma}`).toBeGreaterThan(8);
      expect((c - b) / (b - a), `gamma ${r.gamma}`).toBeLessThan(11);
    }
  });

  it.each([
    [['--spec', 'BAD:{"axes":{"bogus":[1]}}'], /^patternflow: axes\.bogus: unknown axis \(allowed: /],
    [['--spec', 'BAD:{"axes":{"seed":[1,2]}}'], /^patternflow: axes\.seed: cannot be an axis/],
    [['--spec', 'BAD:{"axes":{"lr":[]}}'], /^patternflow: axes\.lr: has no values/],
    [['--spec', 'BAD:{"axes":{"lr":{"logspace":[0.001,1,1000]},"klCoef":{"linspace":[0,1,10000]}}}'], /^patternflow: axes: the grid has 10,000,000 cohorts .* it would need about /],
    [['--spec', 'BAD:{"axes":{"lr":[1,2]}}', '--shard', '2/2'], /^patternflow: --shard: shard index 2 is out of range for 2 shards \(0\.\.1\)$/],
    [['--spec', 'BAD:{"axes":{"lr":[1,2]}}', '--shard', '0/3'], /^patternflow: shards: 3 shards for 2 cohorts would leave shards 2\.\. empty/],
    [['--spec', '/nonexistent.json'], /^patternflow: --spec: cannot read/],
    [[], new RegExp(`^patternflow: --spec: give a sweep spec \\(--spec FILE\\) or a preset \\(--preset ${PRESET_NAMES.join('\\|')}\\)$`)],
    [['--preset', 'nope'], new RegExp(`argument 'nope' is invalid\\. Allowed choices are ${PRESET_NAMES.join(', ')}`)],
  ])('refuses %j with exit code 2 and one line, writing nothing', async (args, message) => {
    const out = join(dir, `bad-${Math.random().toString(36).slice(2)}`);
    const argv = (args as string[]).map((a) => (a.startsWith('BAD:') ? specFile('bad', JSON.parse(a.slice(4))) : a));
    const { code, stderr } = await fails('sweep', ...argv, '--out', out);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  // One pack of 4 cohorts (1 task each), 20,000 steps: long enough to be stopped halfway.
  const SLOW = { base: { estimator: 'expected', tasks: 1, steps: 20000 }, axes: { lr: [0.1, 0.2, 0.3, 0.4] }, logEvery: 50 };
  const slowSweep = (out: string, ...more: string[]) => spawn(process.execPath, ['bin/patternflow.js', 'sweep', '--spec', specFile('slow', SLOW), '--out', out, ...more], { stdio: ['ignore', 'ignore', 'pipe'] });
  let straight: string | undefined;
  const uninterrupted = async () => {
    if (!straight) await cli('sweep', '--spec', specFile('slow', SLOW), '--out', (straight = join(dir, 'slow-straight')), '--quiet');
    return straight;
  };
  const expectSameFiles = async (out: string) => {
    const ref = await uninterrupted();
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'metrics.parquet', 'summary.parquet']);
    for (const f of readdirSync(out)) expect(readFileSync(join(out, f)), f).toEqual(readFileSync(join(ref, f)));
  };
  /** Spawns the slow sweep, waits for `ready`, sends `signal`; its exit code and stderr. */
  const interrupt = async (out: string, signal: NodeJS.Signals, ready: (stderr: string) => boolean, ...more: string[]) => {
    const child = slowSweep(out, ...more);
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => ready(stderr) && (clearInterval(poll), resolve()), 50);
      child.stderr.on('data', (d: Buffer) => (stderr += d));
    });
    child.kill(signal);
    return { code: await exited, stderr };
  };

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`stopped by ${signal} mid-pack, exits ${code} with its checkpoint, and the same command goes on to the uninterrupted sweep's bytes`, async () => {
      const out = join(dir, `stopped-${signal}`);
      const stopped = await interrupt(out, signal, (e) => /cohorts \d+\/4/.test(e), '--checkpointEvery', '2000');
      expect(stopped.code).toBe(code);
      const ckpt = join(out, 'sweep.ckpt');
      expect(stopped.stderr).toContain(`patternflow sweep: stopped by ${signal}; rerun the same command to go on from its checkpoint ${ckpt}`);
      expect(readdirSync(out).sort()).toEqual(['sweep.ckpt', 'sweep.ckpt.rows']);
      const { stderr } = await cli('sweep', '--spec', specFile('slow', SLOW), '--out', out, '--checkpointEvery', '2000');
      expect(stderr).toMatch(new RegExp(`going on from ${ckpt.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: 0 cohorts done, the pack in flight at step [1-9]`));
      await expectSameFiles(out);
    });
  }

  it('killed by SIGKILL, goes on from its last checkpoint (what came after it is dropped) to the same bytes', async () => {
    const out = join(dir, 'killed');
    const ckpt = join(out, 'sweep.ckpt');
    // Killed a moment after its first checkpoint by steps: rows and journal lines after it are lost, and redone.
    let seen = 0;
    const killed = await interrupt(out, 'SIGKILL', () => existsSync(ckpt) && ++seen > 2, '--checkpointEvery', '1000');
    expect(killed.code).toBe(null);
    expect(readdirSync(out).filter((f) => !f.startsWith('.')).sort()).toEqual(['sweep.ckpt', 'sweep.ckpt.rows']);
    const { stderr } = await cli('sweep', '--spec', specFile('slow', SLOW), '--out', out, '--checkpointEvery', '1000');
    expect(stderr).toMatch(/the pack in flight at step [\d,]*000\n/);
    await expectSameFiles(out);
  });

  it('refuses to go on from a torn checkpoint in one line naming the file, and changes nothing', async () => {
    const out = join(dir, 'torn');
    await interrupt(out, 'SIGTERM', (e) => /cohorts \d+\/4/.test(e), '--checkpointEvery', '2000');
    const ckpt = join(out, 'sweep.ckpt');
    writeFileSync(ckpt, readFileSync(ckpt, 'utf8').slice(0, -10));
    const before = readFileSync(ckpt);
    const { code, stderr } = await fails('sweep', '--spec', specFile('slow', SLOW), '--out', out);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n').filter((l) => !l.startsWith('Warning:'))).toEqual([
      `patternflow: ${ckpt}: is not a whole sweep checkpoint: torn: it holds ${before.length - before.indexOf(10) - 1} of its ${before.length - before.indexOf(10) - 1 + 10} bytes; nothing was changed (delete it and ${ckpt}.rows to start this sweep again)`,
    ]);
    expect(readFileSync(ckpt)).toEqual(before);
  });
});
