// The GPU engine as a whole: determinism, fused steps, snapshots, long runs against the
// float64 reference, and limits refused up front.
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type ConfigInput } from '../src/model/config';
import { checkLimits, makePlan } from '../src/engine/plan';
import { makeParams, simulate } from '../src/reference/reference';
import { engineFor, runRows, testGpu } from './helpers';

afterAll(async () => (await testGpu()).device.destroy());

const flat = (rows: Float32Array[]) => rows.flatMap((r) => Array.from(r));

describe('engine', () => {
  it('gives bit-identical metrics for the same seed and different ones for another', async () => {
    const cfg = { tasks: 500, steps: 40, reward: 'rlif-majority' } satisfies ConfigInput;
    const runs = await Promise.all([1, 1, 2].map(async (seed) => runRows(await engineFor({ ...cfg, seed }), 40)));
    expect(flat(runs[1])).toEqual(flat(runs[0]));
    expect(flat(runs[2])).not.toEqual(flat(runs[0]));
  });

  it('fusing steps in one dispatch changes nothing', async () => {
    const cfg = { tasks: 300, steps: 30, optimizer: 'adam', answerMode: 'trainable', lr: 0.05 } satisfies ConfigInput;
    const fused = await engineFor(cfg, { stepsPerBatch: 30 });
    const single = await engineFor(cfg, { stepsPerBatch: 1 });
    expect(fused.plan.fusedSteps).toBe(30);
    expect(flat(await runRows(single, 30))).toEqual(flat(await runRows(fused, 30)));
  });

  // Per-task rows one task each, and (where the adapter has fixed-size subgroups) a subgroup's
  // tasks summed into each row.
  const laneCounts = async () => [1, ...((await testGpu()).subgroupSize ? [(await testGpu()).subgroupSize!] : [])];

  it('sums metrics and shared gradients from per-task rows (software adapters) as from per-workgroup sums', async () => {
    // 300 tasks: the last workgroup's idle threads must add nothing.
    for (const [cfg, rowLanes] of (await laneCounts()).flatMap((lanes) => [
      { tasks: 300, steps: 12, reward: 'rlif-majority', passK: [1, 4] },
      { tasks: 300, steps: 12, optimizer: 'adam', answerMode: 'trainable', lr: 0.05, estimator: 'rloo' },
      { tasks: 300, steps: 12, policy: 'shared', optimizer: 'adam', lr: 0.05 },
    ].map((c) => [c, lanes] as const)) as [ConfigInput, number][]) {
      const rows = await engineFor(cfg, { taskRows: true, rowLanes, stepsPerBatch: 6 });
      const sums = await engineFor(cfg, { taskRows: false, stepsPerBatch: 6 });
      expect([rows.plan.taskRows, rows.plan.metricRows]).toEqual([true, 320 / rowLanes]);
      expect([sums.plan.taskRows, sums.plan.metricRows]).toEqual([false, 5]);
      // The order of summation moves the shared gradient's last bits (Adam then scales them up),
      // so shared runs agree closely; tabular logits never depend on it.
      const shared = cfg.policy === 'shared';
      const [a, b] = [flat(await runRows(rows, 12)), flat(await runRows(sums, 12))];
      a.forEach((x, j) => expect(Math.abs(x - b[j])).toBeLessThan(shared ? 1e-5 : 1e-6));
      const [ta, tb] = [(await rows.snapshot()).theta, (await sums.snapshot()).theta];
      if (shared) ta.forEach((x, j) => expect(Math.abs(x - tb[j])).toBeLessThan(1e-5));
      else expect(Array.from(ta)).toEqual(Array.from(tb));
    }
    expect((await engineFor({ tasks: 300 })).plan.taskRows).toBe((await testGpu()).adapter.isFallback);
  });

  it('resumes bit-exactly from a snapshot', async () => {
    const cfg = { tasks: 200, steps: 40, optimizer: 'adam', policy: 'shared', scale: 'batch' } satisfies ConfigInput;
    const a = await engineFor(cfg);
    await a.run(20);
    const snap = await a.snapshot();
    const straight = await runRows(a, 20);
    const b = await engineFor(cfg);
    b.restore(snap);
    expect(b.step).toBe(20);
    expect(flat(await runRows(b, 20))).toEqual(flat(straight));
  });

  it('expected mode follows the float64 discrete map within 1e-4 over 3000 steps', async () => {
    const cfg = { tasks: 64, steps: 3000, estimator: 'expected', lr: 0.5, successBeta: { alpha: [1, 2, 1, 1], beta: [1, 1, 2, 3] }, init: [0.01, 0.33, 0.33, 0.33] } satisfies ConfigInput;
    const engine = await engineFor(cfg);
    const gpu = await runRows(engine, 3000);
    const cpu = simulate(makeParams(parseConfig(cfg), engine.tasks), 3000).metrics;
    let worst = 0;
    gpu.forEach((row, t) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - cpu[t][j])))));
    expect(worst).toBeLessThan(1e-4);
  });

  it('sampled GRPO matches the reference trajectory over 100 steps', async () => {
    const cfg = { tasks: 256, steps: 100, successBeta: { alpha: [2, 1, 1, 1], beta: [1, 1, 2, 3] } } satisfies ConfigInput;
    const engine = await engineFor(cfg);
    const gpu = await runRows(engine, 100);
    const cpu = simulate(makeParams(parseConfig(cfg), engine.tasks), 100).metrics;
    // Same draws, so the curves agree closely; a draw can flip on a float32 CDF boundary now and then.
    expect(Math.abs(gpu[99][0] - cpu[99][0])).toBeLessThan(2e-3);
    expect(Math.abs(gpu[99][3] - cpu[99][3])).toBeLessThan(5e-3);
  });

  it('counts no task improved while no policy moves, and every one once they all do', async () => {
    // Patterns with equal answer distributions give every group equal rewards: nothing moves.
    const still = { tasks: 100, steps: 5, patterns: 3, successRates: [0.37, 0.37, 0.37], init: [0.2, 0.3, 0.5], reward: 'rlif-entropy' } satisfies ConfigInput;
    for (const extra of [{}, { policy: 'shared' }, { answerMode: 'trainable' }, { answerMode: 'trainable', policy: 'shared' }] satisfies ConfigInput[]) {
      const engine = await engineFor({ ...still, ...extra });
      const j = engine.plan.layout.names.indexOf('improvedFrac');
      const rows = await runRows(engine, 5);
      expect(rows.map((r) => [r[j], r[engine.plan.layout.names.indexOf('zeroStdFrac')]]), JSON.stringify(extra)).toEqual(Array(5).fill([0, 1]));
    }
    // RLVR's exact gradient raises every task's accuracy from its start (after SFT) at once.
    const engine = await engineFor({ tasks: 100, steps: 3, estimator: 'expected', sft: { steps: 3, lr: 1, target: [0, 0, 0, 1] } });
    const rows = await runRows(engine, 3);
    expect(rows.map((r) => r[engine.plan.layout.names.indexOf('improvedFrac')])).toEqual([1, 1, 1]);
  });

  it('streams every step exactly once, in order, across batches', async () => {
    const engine = await engineFor({ tasks: 64, steps: 100 }, { stepsPerBatch: 7 });
    const steps: number[] = [];
    await engine.run(100, (first, _m, n) => steps.push(...Array.from({ length: n }, (_, r) => first + r)));
    expect(steps).toEqual(Array.from({ length: 100 }, (_, j) => j + 1));
  });
});

describe('limits', () => {
  it('refuses a config whose buffers exceed the adapter limits, with the numbers', () => {
    const c = parseConfig({ tasks: 50_000_000, patterns: 32, answers: 64, answerMode: 'trainable' });
    const limits = { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 };
    expect(() => checkLimits(c, makePlan(c), limits)).toThrow(ConfigError);
    expect(() => checkLimits(c, makePlan(c), limits)).toThrow(/^tasks: 50000000 tasks need 409\.60 GB for the answer logits \(phi\), above this adapter's buffer limit of 1\.07 GB; allowed here: 1\.\.131072 with this config$/);
  });

  it('names the per-task vectors of large K, and the most tasks that fit', () => {
    const limits = { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28 };
    const refuse = (input: ConfigInput) => () => {
      const c = parseConfig(input);
      checkLimits(c, makePlan(c), limits);
    };
    // One row of 16,384 logits per task, and pi_ref's row after them.
    expect(refuse({ tasks: 4096, patterns: 16384 })).toThrow(
      /^tasks: 4096 tasks need 268\.50 MB for the pattern logits \(theta\), above this adapter's buffer limit of 134\.22 MB; allowed here: 1\.\.2047 with this config$/,
    );
    expect(refuse({ tasks: 2047, patterns: 16384 })).not.toThrow();
    expect(refuse({ tasks: 4096, patterns: 16384, optimizer: 'adam' })).toThrow(/^tasks: 4096 tasks need 536\.87 MB for the Adam state, .*; allowed here: 1\.\.1024 with this config$/);
    // The shared policy's per-task gradient rows (storage shape).
    expect(refuse({ tasks: 4096, patterns: 16384, policy: 'shared' })).toThrow(/^tasks: 4096 tasks need 268\.\d\d MB for the shared policy's gradient rows, .*; allowed here: 1\.\.20\d\d with this config$/);
  });

  it('names patterns when not even one task fits', () => {
    const c = parseConfig({ tasks: 1, patterns: 16384, answers: 64, answerMode: 'trainable' });
    const limits = { maxStorageBufferBindingSize: 2 ** 20, maxBufferSize: 2 ** 20 };
    expect(() => checkLimits(c, makePlan(c), limits)).toThrow(
      /^patterns: 16384 patterns need 4\.46 MB for the answer tables even with one task, above this adapter's buffer limit of 1\.05 MB; allowed here: 2\.\.3853 with this config$/,
    );
  });

  it('splits huge task counts over a 2D dispatch', () => {
    const plan = makePlan(parseConfig({ tasks: 10_000_000 }));
    expect(plan.workgroups[1]).toBe(3);
    expect(plan.workgroups[0] * plan.workgroups[1] * 64).toBeGreaterThanOrEqual(10_000_000);
  });
});
