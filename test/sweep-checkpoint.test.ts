// A sweep's checkpoints (src/sweep/checkpoint.ts) on the WGSL engine: a sweep stopped mid-pack,
// or that loses its device, goes on from its checkpoint and writes the very bytes of an
// uninterrupted sweep; a torn, altered or foreign checkpoint is refused in one line naming the
// file and the reason, and nothing is changed. Signals on a real process: test/sweep-cli.test.ts.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sealText, unsealText } from '../src/engine/checkpoint';
import { ConfigError } from '../src/model/config';
import { openNodeGpu } from '../src/node/gpu';
import { sharedDevice, type Backend } from '../src/simulation/backend';
import { PackedExecutor, StoppedError } from '../src/sweep/executor';
import { buildGrid } from '../src/sweep/grid';
import { parseSpec, type SpecInput } from '../src/sweep/spec';
import { loadValue, saveValue, SummaryTracker } from '../src/sweep/summary';
import { runSweep, type SweepOptions } from '../src/sweep/sweep';
import type { Format } from '../src/sweep/table';
import { testBackend } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'patternflow-sweep-checkpoint-'));
let dirs = 0;
const fresh = () => join(root, `d${dirs++}`);

// Two runs (the estimators), two cohorts each packed into one GPU run; 3 seeds of each.
const SPEC: SpecInput = { base: { tasks: 40, steps: 240, successRates: [0.9, 0.5, 0.4, 0.3], optimizer: 'adam', lr: 0.05 }, axes: { estimator: ['expected', 'rloo'], lr: [0.05, 0.2] }, logEvery: 7 };
const grid = buildGrid(parseSpec(SPEC));
const FILES = (format: Format) => [`summary.${format}`, `metrics.${format}`, 'manifest.json'];

const sweep = (out: string, opts: Partial<SweepOptions> & { backend?: Backend } = {}) =>
  runSweep(grid, { out, format: 'parquet', checkpointEvery: { steps: 40 }, executor: new PackedExecutor(opts.backend ?? testBackend), ...opts });

/** A sweep stopped once `steps` steps have been observed (the stop lands after the batch in flight). */
async function stoppedAt(out: string, steps: number, format: Format = 'parquet') {
  const executor = new PackedExecutor(testBackend);
  const run = sweep(out, { format, executor, onProgress: (p) => p.stepsDone >= steps && executor.stop() });
  await expect(run).rejects.toThrow(StoppedError);
}

const uninterrupted: Partial<Record<Format, string>> = {};
async function reference(format: Format): Promise<string> {
  if (!uninterrupted[format]) {
    const out = fresh();
    await runSweep(grid, { out, format, executor: new PackedExecutor(testBackend) });
    uninterrupted[format] = out;
  }
  return uninterrupted[format];
}

function expectSameFiles(out: string, format: Format, ref: string) {
  expect(readdirSync(out).sort()).toEqual(FILES(format).sort());
  for (const f of FILES(format)) expect(readFileSync(join(out, f)), f).toEqual(readFileSync(join(ref, f)));
}

describe('sweep checkpoints', () => {
  for (const format of ['parquet', 'csv'] as const) {
    it(`stopped mid-pack, twice, goes on from its checkpoint and writes the uninterrupted sweep's bytes (${format})`, async () => {
      const out = fresh();
      // 4 cohorts x 240 steps: stopped in the first run's pack, then in the second's.
      await stoppedAt(out, 150, format);
      expect(readdirSync(out).sort()).toEqual(['sweep.ckpt', 'sweep.ckpt.rows']);
      const resumes: { cohortsDone: number; packStep: number }[] = [];
      const executor = new PackedExecutor(testBackend);
      await expect(
        sweep(out, { format, executor, onResume: (r) => resumes.push(r), onProgress: (p) => p.stepsDone >= 700 && executor.stop() }),
      ).rejects.toThrow(StoppedError);
      const warnings: string[] = [];
      await sweep(out, { format, onResume: (r) => resumes.push(r), onWarning: (w) => warnings.push(w) });
      expect(warnings).toEqual([]); // the same adapter
      // The first stop came after step 40 of the first pack; the second after its end and some steps of the second pack.
      expect(resumes[0]).toMatchObject({ cohortsDone: 0 });
      expect(resumes[0].packStep).toBeGreaterThanOrEqual(40);
      expect(resumes[1].cohortsDone).toBe(2);
      expect(resumes[1].packStep).toBeGreaterThan(0);
      expectSameFiles(out, format, await reference(format));
    });
  }

  it('warns once when it goes on from a checkpoint written on another adapter', async () => {
    const out = fresh();
    await stoppedAt(out, 150);
    const path = join(out, 'sweep.ckpt');
    const body = JSON.parse(await unsealText('patternflow-sweep-checkpoint/1', readFileSync(path, 'utf8')));
    const now = body.adapter;
    writeFileSync(path, await sealText('patternflow-sweep-checkpoint/1', JSON.stringify({ ...body, adapter: { ...now, description: 'another driver' } })));
    const warnings: string[] = [];
    await sweep(out, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: the checkpoint was written on .*another driver.*; going on on .*: the rows from here agree with an uninterrupted run's to float32 rounding, not bit for bit$/);
    expect(warnings[0]).toContain(now.description);
    // The data are the uninterrupted sweep's (the same adapter in truth); the manifest names both.
    const ref = await reference('parquet');
    for (const f of ['summary.parquet', 'metrics.parquet']) expect(readFileSync(join(out, f)), f).toEqual(readFileSync(join(ref, f)));
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.adapters).toEqual([
      { shard: 0, adapter: { ...now, description: 'another driver' } },
      { shard: 0, adapter: now },
    ]);
  });

  it('checkpointed by wall time (every millisecond here) resumes as well', async () => {
    const out = fresh();
    const executor = new PackedExecutor(testBackend);
    await expect(sweep(out, { checkpointEvery: { ms: 1 }, executor, onProgress: (p) => p.stepsDone >= 120 && executor.stop() })).rejects.toThrow(StoppedError);
    await sweep(out, { checkpointEvery: { ms: 1 } });
    expectSameFiles(out, 'parquet', await reference('parquet'));
  });

  it('recovers from a lost device on a new one, from the last checkpoint, with the same bytes', async () => {
    const out = fresh();
    const gpu = await openNodeGpu();
    let reopened = 0;
    const backend = sharedDevice(gpu, () => (reopened++, openNodeGpu()));
    let lost = false;
    await sweep(out, {
      backend,
      onProgress: (p) => {
        if (!lost && p.stepsDone >= 300) {
          lost = true;
          gpu.device.destroy();
        }
      },
    });
    expect(lost).toBe(true);
    expect(reopened).toBe(1);
    expectSameFiles(out, 'parquet', await reference('parquet'));
  });

  it('stops with its checkpoint intact where no new device can be had, and a rerun goes on from it to the same bytes', async () => {
    const out = fresh();
    const gpu = await openNodeGpu();
    const backend = sharedDevice(gpu, () => Promise.reject(new Error('no adapter left')));
    let lost = false;
    const run = sweep(out, {
      backend,
      onProgress: (p) => {
        if (!lost && p.stepsDone >= 300) {
          lost = true;
          gpu.device.destroy();
        }
      },
    });
    await expect(run).rejects.toThrow('no adapter left');
    expect(readdirSync(out).sort()).toEqual(['sweep.ckpt', 'sweep.ckpt.rows']);
    const resumes: { packStep: number }[] = [];
    await sweep(out, { onResume: (r) => resumes.push(r) });
    // 300 steps observed: the first pack (2 x 240 steps) was at step 150 or a batch beyond, checkpointed every 40.
    expect(resumes).toHaveLength(1);
    expect(resumes[0].packStep % 40).toBe(0);
    expect(resumes[0].packStep).toBeGreaterThanOrEqual(120);
    expectSameFiles(out, 'parquet', await reference('parquet'));
  });

  it('refuses a torn, an altered, a foreign spec\'s and another version\'s checkpoint in one line naming the file, and changes nothing', async () => {
    const base = fresh();
    await stoppedAt(base, 100);
    const ckpt = (dir: string) => join(dir, 'sweep.ckpt');
    const text = readFileSync(ckpt(base), 'utf8');
    const body = await unsealText('patternflow-sweep-checkpoint/1', text);
    const cases: [string, (dir: string) => void | Promise<void>, RegExp, SpecInput?][] = [
      ['torn', (d) => truncateSync(ckpt(d), text.length - 100), /is not a whole sweep checkpoint: torn: it holds \d+ of its \d+ bytes/],
      ['altered', (d) => writeFileSync(ckpt(d), text.replace(/"specHash":"(.)/, (_, c: string) => `"specHash":"${c === 'a' ? 'b' : 'a'}`)), /is not a whole sweep checkpoint: corrupt: its checksum does not match/],
      ['not one', (d) => writeFileSync(ckpt(d), '{}'), /is not a whole sweep checkpoint: not a patternflow-sweep-checkpoint\/1 file/],
      ['version', async (d) => writeFileSync(ckpt(d), await sealText('patternflow-sweep-checkpoint/1', body.replace('"patternflow":"', '"patternflow":"9.'))), /was written by patternflow 9\.\S+, this is /],
      ['spec', () => {}, /belongs to a sweep of another spec/, { ...SPEC, seeds: 2 }],
      ['journal', (d) => truncateSync(join(d, 'sweep.ckpt.rows'), 10), /names \d+ bytes of its journal .*sweep\.ckpt\.rows, which holds 10/],
    ];
    for (const [what, damage, message, spec] of cases) {
      const out = fresh();
      cpSync(base, out, { recursive: true });
      await damage(out);
      const before = readdirSync(out).map((f) => [f, readFileSync(join(out, f))]);
      const g = spec ? buildGrid(parseSpec(spec)) : grid;
      const e = await runSweep(g, { out, format: 'parquet', checkpointEvery: { steps: 40 }, executor: new PackedExecutor(testBackend) }).catch((x: unknown) => x);
      expect(e, what).toBeInstanceOf(ConfigError);
      const line = (e as Error).message;
      expect(line.split('\n'), what).toHaveLength(1);
      expect(line, what).toMatch(new RegExp(`^${ckpt(out).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      expect(line, what).toMatch(message);
      expect(line, what).toMatch(/nothing was changed \(delete it and .*sweep\.ckpt\.rows to start this sweep again\)$/);
      expect(readdirSync(out).map((f) => [f, readFileSync(join(out, f))]), what).toEqual(before);
    }
  });

  it('leaves no checkpoint behind once the sweep is written, and none without checkpoints', async () => {
    const out = fresh();
    await sweep(out);
    expect(existsSync(join(out, 'sweep.ckpt'))).toBe(false);
    expectSameFiles(out, 'parquet', await reference('parquet'));
    expect(readdirSync(await reference('parquet')).sort()).toEqual(FILES('parquet').sort());
    rmSync(out, { recursive: true });
  });
});

describe('summary tracker state', () => {
  it('carries every field through JSON, non-finite numbers and Float64Arrays included', () => {
    const names = ['accuracy', 'bestMass', 'x'];
    const a = new SummaryTracker(names);
    const b = new SummaryTracker(names);
    const rows = (first: number, n: number) => Float64Array.from({ length: n * 3 }, (_, j) => [0.2 + 0.01 * (first + Math.floor(j / 3)), 0.004 * (first + Math.floor(j / 3)), -Infinity][j % 3]);
    a.add(1, rows(1, 100), 100);
    b.add(1, rows(1, 100), 100);
    const resumed = new SummaryTracker(names).restore(JSON.parse(JSON.stringify(b.state())) as Record<string, unknown>);
    a.add(101, rows(101, 200), 200);
    resumed.add(101, rows(101, 200), 200);
    a.taskEvents({ best90: [3, 0, 7], t0: [5] });
    resumed.taskEvents({ best90: [3, 0, 7], t0: [5] });
    const report = { assumption55Failures: 0, patternModeFailures: 0, regimes: { one: 1, two: 0, other: 0 }, gamma: null };
    expect(resumed.summary(report)).toEqual(a.summary(report));
    expect(resumed.summary(report).finals.get('x')).toBe(-Infinity);
    expect(loadValue(JSON.parse(JSON.stringify(saveValue([NaN, Infinity, null, 'Infinity', { a: new Float64Array([1.5, -Infinity]) }]))))).toEqual([
      NaN,
      Infinity,
      null,
      'Infinity',
      { a: new Float64Array([1.5, -Infinity]) },
    ]);
  });
});
