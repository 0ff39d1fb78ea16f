// A new user's first hour (issue #23): output paths checked before anything runs and a finished run
// never lost, honest progress, the model report as a sentence with its caveat, --version, a merge
// that names a truncated shard and leaves nothing behind, a sweep that will not write over another
// sweep's results. README's own commands are run by readme.test.ts, signals by signals.test.ts.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { planText } from '../src/cli/sweep';
import { buildGrid } from '../src/sweep/grid';
import { RateMeter } from '../src/sweep/progress';
import { parseSpec, type SpecInput } from '../src/sweep/spec';

const exec = promisify(execFile);
const BIN = resolve(__dirname, '../bin/patternflow.js');
const dir = mkdtempSync(join(tmpdir(), 'patternflow-first-hour-'));
const cli = (args: string[], cwd = dir) => exec(process.execPath, [BIN, ...args], { cwd });
/** Exit code and stderr of a command that must fail. */
const fails = (args: string[]) =>
  cli(args).then(
    () => {
      throw new Error(`expected ${args.join(' ')} to fail`);
    },
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
const SMALL = ['--tasks', '16', '--steps', '20', '--quiet'];
const SPEC: SpecInput = { base: { tasks: 4, steps: 10, estimator: 'expected' }, axes: { lr: [0.1, 0.2, 0.4, 0.8] } };
const specFile = (name: string, spec: SpecInput) => {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(spec));
  return path;
};

describe('patternflow run: no lost run', () => {
  it('creates the folders of --out before it runs', async () => {
    await cli(['run', ...SMALL, '--out', 'nodir/sub/x.csv']);
    expect(readFileSync(join(dir, 'nodir/sub/x.csv'), 'utf8').trim().split('\n')).toHaveLength(21);
    await cli(['run', ...SMALL, '--out', 'nodir2/x.json']);
    expect(JSON.parse(readFileSync(join(dir, 'nodir2/x.json'), 'utf8')).metrics.step).toHaveLength(20);
  });

  it('refuses an --out it cannot write in one line naming the path, exit code 2, before running', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const { code, stderr } = await fails(['run', ...SMALL, '--out', 'a-file/x.csv']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n').filter((l) => l.startsWith('patternflow'))).toEqual([
      `patternflow: --out: cannot write into the folder ${join(dir, 'a-file')}: EEXIST: file already exists, mkdir '${join(dir, 'a-file')}'`,
    ]);
    const sweep = await fails(['sweep', '--spec', specFile('refused', SPEC), '--out', 'a-file/results', '--quiet']);
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toContain(`patternflow: --out: cannot write into the folder a-file/results: ${join(dir, 'a-file')} is not a folder\n`);
    mkdirSync(join(dir, 'a-folder.csv'));
    expect((await fails(['run', ...SMALL, '--out', 'a-folder.csv'])).stderr).toContain('patternflow: --out: a-folder.csv is a folder; give a file name');
  });

  it("rescues a run's JSON that cannot be written where asked", async () => {
    // The folder goes away while the run is under way; SIGINT then ends it (a run left to finish
    // takes the same path, but could finish before the folder is gone): its metrics are kept.
    const out = join(dir, 'gone', 'x.json');
    const child = spawn(process.execPath, [BIN, 'run', '--tasks', '16', '--steps', '1000000', '--out', out], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('model report') && existsSync(join(dir, 'gone'))) rmSync(join(dir, 'gone'), { recursive: true });
      if (!sent && /\nstep \d+\/1000000/.test(stderr)) sent = child.kill('SIGINT');
    });
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(stderr).toContain(`patternflow: cannot write ${out} (ENOENT`);
    // Named by the pid of the process that ran it: on SwiftShader the command line runs again in a
    // child with the driver's library path (src/node/adapter-choice.ts), so not always child.pid.
    const rescued = /; the run's metrics are in (.*)\n/.exec(stderr)?.[1];
    expect(rescued).toMatch(new RegExp(`^${dir}/x\\.rescued-\\d+\\.json$`));
    const { metrics } = JSON.parse(readFileSync(rescued!, 'utf8'));
    const stopped = Number(/stopped by SIGINT after step (\d+)/.exec(stderr)![1]);
    expect(metrics.step).toEqual(Array.from({ length: stopped }, (_, j) => j + 1));
  });

  it('prints the model report as sentences, with the RLIF caveat the dashboard shows', async () => {
    const { stderr } = await cli(['run', '--tasks', '16', '--steps', '5', '--reward', 'rlif-self-certainty', '--out', 'rlif.csv']);
    const line = stderr.split('\n').find((l) => l.startsWith('patternflow: model report: '))!;
    expect(line).toMatch(/^patternflow: model report: RLIF reward: the regimes below are what RLVR would do from this start; .*\. Theorem 5\.4 \(regime 2\): all 16 tasks, gamma 3 — /);
    expect(line).toMatch(/Assumption 5\.5 \(marginal reading\): holds for all 16 tasks; .*\.$/);
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8'));
    expect((await cli(['--version'])).stdout).toBe(`${version}\n`);
  });
});

describe('progress', () => {
  it('gives no rate, so no ETA, until one is measured past the first report of steps done', () => {
    const meter = new RateMeter(1);
    expect(meter.rate(0, 0)).toBeUndefined(); // start-up: nothing done yet
    expect(meter.rate(10, 30_000)).toBeUndefined(); // the first batch, after 30 s of compilation: the baseline
    expect(meter.rate(20, 30_500)).toBeUndefined(); // under a second since
    expect(meter.rate(110, 31_000)).toBe(100); // 100 steps in the second since the baseline, not 110 in 31 s
  });

  it("says 'measuring speed' before a sweep's first rate", async () => {
    const { stderr } = await cli(['sweep', '--spec', specFile('progress', SPEC), '--out', 'progress']);
    expect(stderr.split('\n').find((l) => l.startsWith('cohorts '))).toBe('cohorts 0/4  measuring speed');
  });
});

describe('--plan', () => {
  const plan = (spec: SpecInput, backend?: 'webgpu' | 'reference') => planText(buildGrid(parseSpec(spec)), undefined, backend);
  it('says which runs are packed and into how many GPU runs, and which run one at a time', () => {
    expect(plan(SPEC)).toContain('run 1: 4 cohorts, packed into one GPU run;');
    expect(plan({ base: { tasks: 400_000 }, axes: { lr: [0.1, 0.2, 0.4] } })).toContain('run 1: 3 cohorts, packed into 2 GPU runs;'); // 2^20 tasks a pack
    expect(plan({ base: { tasks: 1, estimator: 'expected' }, axes: { lr: { linspace: [0.1, 1, 2049] } } })).toContain('run 1: 2,049 cohorts, packed into 3 GPU runs;'); // 1,024 cohorts a pack
    expect(plan({ ...SPEC, base: { ...SPEC.base, policy: 'shared' } })).toContain('run 1: 4 cohorts, one at a time (the shared policy does not pack);');
    expect(plan({ base: { tasks: 4, scale: 'batch' }, axes: { lr: [0.1, 0.2] } })).toContain("run 1: 2 cohorts, one at a time (GRPO's batch scale does not pack);");
    expect(plan({ base: { tasks: 4, policy: 'tokens' }, axes: { lr: [0.1, 0.2] } })).toContain('run 1: 2 cohorts, packed into one GPU run;'); // token trees pack as tabular runs do
    expect(plan(SPEC, 'reference')).toContain('run 1: 4 cohorts, one at a time (the float64 reference);');
    expect(plan(SPEC)).not.toContain('cohorts run one at a time');
  });
});

describe('sweep and merge outputs', () => {
  it("refuses to write over another sweep's results, unless --overwrite; reruns the same spec", async () => {
    const first = specFile('first', SPEC);
    const other = specFile('other', { ...SPEC, axes: { lr: [0.3, 0.6] } });
    await cli(['sweep', '--spec', first, '--out', 'taken', '--quiet']);
    const before = statSync(join(dir, 'taken/summary.parquet')).mtimeMs;
    const { code, stderr } = await fails(['sweep', '--spec', other, '--out', 'taken', '--quiet']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^patternflow: --out: taken holds another sweep's results \(manifest\.json: spec sha256 [0-9a-f]{12}, this spec's is [0-9a-f]{12}\); choose another folder, or give --overwrite\n$/);
    expect(statSync(join(dir, 'taken/summary.parquet')).mtimeMs).toBe(before);
    // The same spec again is a rerun; --skip-existing keeps its files; --overwrite replaces them.
    await cli(['sweep', '--spec', first, '--out', 'taken', '--quiet']);
    expect((await cli(['sweep', '--spec', first, '--out', 'taken', '--skip-existing'])).stderr).toContain('already complete, skipped');
    await cli(['sweep', '--spec', other, '--out', 'taken', '--quiet', '--overwrite']);
    expect(JSON.parse(readFileSync(join(dir, 'taken/manifest.json'), 'utf8')).cohorts).toBe(2);
  });

  it('names a truncated shard file and leaves no output folder behind', async () => {
    const spec = specFile('sharded', SPEC);
    for (const shard of ['0/2', '1/2']) await cli(['sweep', '--spec', spec, '--out', 'shards', '--shard', shard, '--quiet']);
    const cut = join(dir, 'shards/shard-00001-of-00002.parquet');
    truncateSync(cut, statSync(cut).size - 10);
    const { code, stderr } = await fails(['merge', 'shards', '--out', 'merged/deeper']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^patternflow: shards\/shard-00001-of-00002\.parquet: is not a complete parquet file \(truncated, or not a shard's\): .+\n$/);
    expect(readdirSync(dir)).not.toContain('merged');
    writeFileSync(join(dir, 'a-file'), '');
    const into = await fails(['merge', 'shards', '--out', 'a-file/merged']);
    expect(into.code).toBe(2);
    expect(into.stderr).toContain(`patternflow: --out: cannot write into the folder a-file/merged: ${join(dir, 'a-file')} is not a folder\n`);
  });
});
