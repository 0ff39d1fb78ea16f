// Cohorts packed into one GPU run (src/engine/engine.ts, src/sweep/executor.ts PackedExecutor):
// each cohort's metric rows are bit-identical to its own run's on the same adapter, whichever
// cohorts run beside it, with per-task partial rows (software adapters) and with workgroup sums
// (GPUs: each cohort starts a workgroup); and the per-task events match a recount.
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../src/engine/adapter';
import { Engine, planFor } from '../src/engine/engine';
import { bufferFloats, type PlanOptions } from '../src/engine/plan';
import { parseConfig, type Config, type ConfigInput } from '../src/model/config';
import { PackedExecutor, type CohortObserver } from '../src/sweep/executor';
import { buildGrid } from '../src/sweep/grid';
import { parseSpec } from '../src/sweep/spec';
import { SummaryTracker } from '../src/sweep/summary';
import { testGpu } from './helpers';

const STEPS = 12;
const base = { steps: STEPS, successRates: [0.9, 0.5, 0.4, 0.3] };

/** Cohorts differing in every number that does not shape the kernels. */
const cohortsOf = (extra: ConfigInput): Config[] =>
  [
    { tasks: 70, seed: 1, lr: 0.5 },
    { tasks: 3, seed: 9, lr: 2, init: [0.1, 0.3, 0.3, 0.3], tpr: 0.9, fpr: 0.2 },
    { tasks: 130, seed: 4, lr: 0.25, successRates: [0.2, 0.9, 0.5, 0.3], klCoef: 0.1, entropyCoef: 0.05 },
    { tasks: 1, seed: 2, lr: 1, sft: { steps: 5, lr: 0.5, target: [0, 1, 0, 0] } },
    { tasks: 64, seed: 3, lr: 0.7, successRates: undefined, patterns: 4, successBeta: { alpha: 2, beta: 2 } },
  ].map((c) => parseConfig({ ...base, ...extra, ...c }));

/** Each cohort's rows (STEPS x M) from one run of `configs`. */
async function packedRows(configs: Config[], opts: PlanOptions = {}): Promise<Float32Array[]> {
  const engine = await Engine.create(await testGpu(), configs, opts);
  const M = engine.plan.metrics;
  const C = configs.length;
  const out = configs.map(() => new Float32Array(STEPS * M));
  await engine.run(STEPS, (first, values, n) => {
    for (let r = 0; r < n; r++) for (let j = 0; j < C; j++) out[j].set(values.subarray((r * C + j) * M, (r * C + j + 1) * M), (first - 1 + r) * M);
  });
  engine.destroy();
  return out;
}

describe('packed cohorts', () => {
  for (const [name, extra] of [
    ['expected', { estimator: 'expected' }],
    ['grpo, G = 8', { estimator: 'grpo', group: 8 }],
    ['rloo with Adam and trainable answers', { estimator: 'rloo', group: 4, optimizer: 'adam', answerMode: 'trainable', answers: 3 }],
  ] as [string, ConfigInput][]) {
    for (const taskRows of [true, false]) {
      it(`${name}, ${taskRows ? 'per-task rows' : 'workgroup sums'}: each cohort equals its own run, bit for bit, beside any others`, async () => {
        const configs = cohortsOf(extra);
        const packed = await packedRows(configs, { taskRows });
        for (const [j, c] of configs.entries()) expect(packed[j], `cohort ${j}`).toEqual((await packedRows([c], { taskRows }))[0]);
        const some = await packedRows([configs[4], configs[2]], { taskRows });
        expect(some).toEqual([packed[4], packed[2]]);
      });
    }
  }

  it('refuses cohorts that do not share the kernel-shaping fields', async () => {
    const [a] = cohortsOf({ estimator: 'grpo' });
    await expect(Engine.create(await testGpu(), [a, { ...a, group: 4 }])).rejects.toThrow(/must share patterns, answers, group/);
  });

  it("splits a run into packs that fit the device's buffer limits, each cohort still equal to its own run", async () => {
    const gpu = await testGpu();
    const spec = parseSpec({ base: { ...base, tasks: 100, estimator: 'grpo' }, axes: { lr: [0.1, 0.2, 0.3, 0.4, 0.5] } });
    const grid = buildGrid(spec);
    const configs = grid.runs[0].cohorts.map((i) => grid.cohort(i).config);
    // The largest buffer of two cohorts packed: the limit of a device that holds two, not three.
    const largest = (cs: Config[]) => {
      const plan = planFor(gpu, cs[0], { events: true }, cs.map((c) => c.tasks));
      return 4 * Math.max(...Object.entries(bufferFloats(plan)).filter(([k]) => k !== 'staging').map(([, [, n]]) => n));
    };
    const limit = largest(configs.slice(0, 2));
    expect(largest(configs.slice(0, 3))).toBeGreaterThan(limit);
    const limits = new Proxy(gpu.device.limits, { get: (l, p) => (p === 'maxStorageBufferBindingSize' || p === 'maxBufferSize' ? limit : (l as unknown as Record<string | symbol, unknown>)[p]) });
    const device = new Proxy(gpu.device, {
      get: (d, p) => {
        if (p === 'limits') return limits;
        const v = (d as unknown as Record<string | symbol, unknown>)[p];
        return typeof v === 'function' ? v.bind(d) : v;
      },
    });
    const small: Gpu = { ...gpu, device };
    const events: string[] = [];
    const rows = configs.map(() => [] as number[]);
    const observer: CohortObserver = {
      start: (c) => events.push(`start ${c.index}`),
      rows: (c, _first, values) => rows[c.index].push(...values),
      end: async (c) => void events.push(`end ${c.index}`),
    };
    await new PackedExecutor({ kind: 'webgpu', device: async () => small, ownsDevice: false }).runCohorts(grid, grid.runs[0], grid.runs[0].cohorts, observer);
    expect(events).toEqual(['start 0', 'start 1', 'end 0', 'end 1', 'start 2', 'start 3', 'end 2', 'end 3', 'start 4', 'end 4']);
    for (const [j, c] of configs.entries()) expect(Float32Array.from(rows[j]), `cohort ${j}`).toEqual((await packedRows([c]))[0]);
  });

  it("each task's first step at best-pattern mass 0.9 is the step its one-task run's bestMass reached it", async () => {
    // One-task cohorts: the cohort's mean best mass is its task's own.
    const configs = [0.005, 0.1, 0.3, 0.6].map((initBest, seed) =>
      parseConfig({ ...base, steps: 200, estimator: 'expected', tasks: 1, seed, lr: seed === 0 ? 0.2 : 1, init: [initBest, (1 - initBest) / 3, (1 - initBest) / 3, (1 - initBest) / 3] }),
    );
    const engine = await Engine.create(await testGpu(), configs, { events: true });
    const M = engine.plan.metrics;
    const trackers = configs.map(() => new SummaryTracker(engine.plan.layout.names));
    await engine.run(200, (first, values, n) =>
      trackers.forEach((t, j) => {
        const rows = new Float32Array(n * M);
        for (let r = 0; r < n; r++) rows.set(values.subarray((r * 4 + j) * M, (r * 4 + j + 1) * M), r * M);
        t.add(first, rows, n);
      }),
    );
    const events = await engine.taskEvents();
    engine.destroy();
    const report = { regimes: { one: 0, two: 0, other: 0 } } as unknown as Parameters<SummaryTracker['summary']>[0];
    const expected = trackers.map((t) => t.summary(report).events.stepsToBest90 ?? 0);
    expect(expected.filter((s) => s > 0).length).toBeGreaterThan(1);
    expect(expected).toContain(0); // initBest 0.005 at lr 0.2 does not get there in 200 steps
    expect(events.map((e) => e.best90[0])).toEqual(expected);
  });

  it('summarises per-task events: median with never as +infinity, and the fraction that got there', () => {
    const t = new SummaryTracker(['accuracy']);
    t.add(1, [0.5], 1);
    const report = { regimes: { one: 0, two: 0, other: 0 } } as unknown as Parameters<SummaryTracker['summary']>[0];
    t.taskEvents({ best90: [5, 0, 3, 9], t0: [4, 2, 0] });
    expect(t.summary(report).events).toMatchObject({ taskMedianStepsToBest90: 5, taskFracBest90: 0.75, medianT0: 4 });
    t.taskEvents({ best90: [5, 0, 0, 9], t0: [0, 0, 2] });
    expect(t.summary(report).events).toMatchObject({ taskMedianStepsToBest90: 9, taskFracBest90: 0.5, medianT0: null });
    t.taskEvents({ best90: [0, 0, 0, 9], t0: [] });
    expect(t.summary(report).events).toMatchObject({ taskMedianStepsToBest90: null, taskFracBest90: 0.25, medianT0: null });
  });
});
