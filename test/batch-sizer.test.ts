// The batch sizer's policy on a fake clock, and the engine's results under different batch schedules.
import { afterAll, describe, expect, it } from 'vitest';
import { BatchSizer, INTERACTIVE_BATCH_MS } from '../src/engine/batch-sizer';
import { engineFor, runRows, testGpu } from './helpers';

/** A device that runs each step in `msPerStep` (changeable), one batch after another, driven by the sizer as the engine drives it. */
function simulate(sizer: BatchSizer, clock: { t: number }, msPerStep: (batch: number) => number, batches: number): number[] {
  const sizes: number[] = [];
  for (let b = 0; b < batches; b++) {
    const n = sizer.next();
    sizer.submitted(n);
    clock.t += n * msPerStep(b);
    sizer.completed();
    sizes.push(n);
  }
  return sizes;
}

describe('batch sizer', () => {
  const make = (max: number) => {
    const clock = { t: 0 };
    return { clock, sizer: new BatchSizer({ max, targetMs: INTERACTIVE_BATCH_MS, now: () => clock.t }) };
  };

  it('starts at one step and at most doubles until a batch fills the target time', () => {
    const { clock, sizer } = make(256);
    const sizes = simulate(sizer, clock, () => 0.5, 10); // 60 steps in 30 ms
    expect(sizes).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
  });

  it('never exceeds the staging capacity', () => {
    const { clock, sizer } = make(100);
    expect(Math.max(...simulate(sizer, clock, () => 0.001, 20))).toBe(100);
  });

  it('shrinks at once after a slow batch', () => {
    const { clock, sizer } = make(256);
    // Batch 8 runs ten times slower (another process took the device).
    const sizes = simulate(sizer, clock, (b) => (b === 8 ? 5 : 0.5), 12);
    expect(sizes.slice(6, 9)).toEqual([60, 60, 60]);
    expect(sizes[9]).toBe(6);
    expect(sizes[10]).toBe(12);
  });

  it('bounds the latency of a stop: the two batches in flight fit 100 ms once the device is measured', () => {
    for (const msPerStep of [0.01, 0.5, 7, 29]) {
      const { clock, sizer } = make(256);
      const sizes = simulate(sizer, clock, () => msPerStep, 12);
      for (const n of sizes.slice(1)) expect(2 * n * msPerStep).toBeLessThanOrEqual(2 * INTERACTIVE_BATCH_MS);
      expect(2 * INTERACTIVE_BATCH_MS).toBeLessThan(100);
    }
  });

  it('counts a queued batch from the end of the one before it, not from its submit', () => {
    const clock = { t: 0 };
    const sizer = new BatchSizer({ max: 256, targetMs: 30, now: () => clock.t });
    sizer.submitted(1); // t = 0
    sizer.submitted(1); // queued behind it
    clock.t = 10;
    sizer.completed(); // 10 ms a step
    clock.t = 20;
    sizer.completed(); // ran 10..20, not 0..20
    expect(sizer.next()).toBe(2); // 30 ms fits 3, growth allows 2
  });
});

describe('batch schedules', () => {
  afterAll(async () => (await testGpu()).device.destroy());

  it('give the same metrics whatever the batch sizes', async () => {
    const cfg = { tasks: 300, steps: 50, reward: 'rlif-majority', optimizer: 'adam', lr: 0.05 } as const;
    const flat = (rows: Float32Array[]) => rows.flatMap((r) => Array.from(r));
    const timed = flat(await runRows(await engineFor(cfg), 50));
    for (const stepsPerBatch of [1, 7, 50]) expect(flat(await runRows(await engineFor(cfg, { stepsPerBatch }), 50))).toEqual(timed);
    const expected = { tasks: 300, steps: 40, estimator: 'expected', klCoef: 0.1 } as const;
    expect(flat(await runRows(await engineFor(expected, { stepsPerBatch: 3 }), 40))).toEqual(flat(await runRows(await engineFor(expected), 40)));
  });
});
