// Theorem 5.6's two claims per task (docs/model.md §6.4): roseFirst, the tasks whose accuracy rose
// at step 1, and roseThenFell, those of them now below their start. The GPU keeps the per-task bit
// from step 1 on whatever the log rule, through a snapshot, and agrees with the float64 reference.
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine';
import { parseConfig, type ConfigInput } from '../src/model/config';
import { makeParams, simulate } from '../src/reference/reference';
import { engineFor, runRows, testGpu } from './helpers';

afterAll(async () => (await testGpu()).device.destroy());

// The margin reading, small: self-certainty, A = 2, uniform start, success rates tilted towards a*.
const MARGIN = { reward: 'rlif-self-certainty', answers: 2, estimator: 'expected', successTilt: 0.1, patterns: 50, tasks: 128, lr: 5, steps: 60 } satisfies ConfigInput;

describe('roseFirst and roseThenFell', () => {
  it('follow the float64 reference step by step (expected and sampled), and some tasks rise then fall', async () => {
    for (const extra of [{}, { estimator: 'grpo', group: 8, lr: 0.5 }] satisfies ConfigInput[]) {
      const input = { ...MARGIN, ...extra };
      const engine = await engineFor(input);
      const names = engine.plan.layout.names;
      const [rose, fell, improved] = ['roseFirst', 'roseThenFell', 'improvedFrac'].map((m) => names.indexOf(m));
      const gpu = await runRows(engine, input.steps);
      const cpu = simulate(makeParams(parseConfig(input), engine.tasks), input.steps).metrics;
      engine.destroy();
      // roseFirst is improvedFrac at step 1, kept.
      expect(gpu[0][rose]).toBe(gpu[0][improved]);
      for (const row of gpu) expect(row[rose]).toBe(gpu[0][rose]);
      expect(gpu[0][rose]).toBeCloseTo(cpu[0][rose], 9);
      // A task within float32 rounding of its start may count on one side only: one task at most.
      gpu.forEach((row, t) => expect(Math.abs(row[fell] - cpu[t][fell]), `roseThenFell at step ${t + 1}`).toBeLessThanOrEqual(1 / input.tasks + 1e-9));
      expect(gpu[0][fell]).toBe(0);
      expect(gpu.at(-1)![fell], JSON.stringify(extra)).toBeGreaterThan(0.05);
      expect(gpu.at(-1)![fell]).toBeLessThanOrEqual(gpu[0][rose]);
    }
  });

  it('are exact whatever the log rule: step 1 unlogged, and after a snapshot restored into a new engine', async () => {
    const all = await engineFor(MARGIN);
    const every = await runRows(all, 60);
    const snap = await (async () => {
      const first = await engineFor(MARGIN, { logged: (t) => t % 10 === 0 });
      const rows = await runRows(first, 30);
      const names = first.plan.layout.names;
      for (const m of ['roseFirst', 'roseThenFell']) expect(rows[29][names.indexOf(m)], m).toBe(every[29][names.indexOf(m)]);
      const s = await first.snapshot();
      first.destroy();
      return s;
    })();
    const resumed = await Engine.create(await testGpu(), parseConfig(MARGIN));
    resumed.restore(snap);
    const rest = await runRows(resumed, 30);
    rest.forEach((row, r) => expect(Array.from(row), `step ${31 + r}`).toEqual(Array.from(every[30 + r])));
    resumed.destroy();
    all.destroy();
  });
});
