import { expect, it } from 'vitest';
import { parseConfig } from '../src/model/config';
import { HIST_BINS } from '../src/model/simulation';
import { makeParams, simulate, logSoftmax } from '../src/reference/reference';
import { rateOf } from '../src/model/tasks';
import { engineFor } from './helpers';

it('per-task histograms of best-pattern mass and accuracy match the CPU twin', async () => {
  const input = { tasks: 300, steps: 20, successBeta: { alpha: [3, 1, 1, 0.5], beta: [1, 1, 3, 2] }, lr: 0.5 };
  const engine = await engineFor(input);
  await engine.run(20);
  const h = await engine.histograms();
  const P = makeParams(parseConfig(input), engine.tasks);
  const { state } = simulate(P, 20);
  const best = new Array(HIST_BINS).fill(0);
  const acc = new Array(HIST_BINS).fill(0);
  const bin = (x: number) => Math.min(Math.floor(x * HIST_BINS), HIST_BINS - 1);
  for (let i = 0; i < input.tasks; i++) {
    const pi = logSoftmax(state.theta.subarray(i * 4, i * 4 + 4)).map(Math.exp);
    const rates = [0, 1, 2, 3].map((k) => rateOf(P.tasks, 4, i, k));
    const b = rates.indexOf(Math.max(...rates));
    best[bin(pi[b])]++;
    acc[bin(pi.reduce((a, p, k) => a + p * rates[k], 0))]++;
  }
  expect(Array.from(h.bestMass).reduce((a, b) => a + b)).toBe(300);
  // Tasks within float32 rounding of a bin edge may land one bin over; allow two such tasks.
  const moved = (got: Float32Array, want: number[]) => want.reduce((a, w, j) => a + Math.abs(got[j] - w), 0) / 2;
  expect(moved(h.bestMass, best)).toBeLessThanOrEqual(2);
  expect(moved(h.accuracy, acc)).toBeLessThanOrEqual(2);
  engine.destroy();
});
