// successTilt, the tilted uniform law of docs/model.md §1: its draws against the law's moments,
// the key scheme it shares with successBeta, and a run of it on the GPU against the float64 reference.
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../src/model/config';
import { buildTasks, tiltedDraw } from '../src/model/tasks';
import { sameKernels } from '../src/engine/header';
import { parseAxes } from '../src/sweep/axes';
import { makeParams, simulate } from '../src/reference/reference';
import { engineFor, runRows, testGpu } from './helpers';

afterAll(async () => (await testGpu()).device.destroy());

/** Mean and variance of the law: E s = 1/(1 - e^-l) - 1/l, E s^2 from the density l e^(l s) / (e^l - 1). */
function moments(l: number): [number, number] {
  const m1 = 1 / -Math.expm1(-l) - 1 / l;
  const m2 = (Math.exp(l) * (1 - 2 / l + 2 / (l * l)) - 2 / (l * l)) / Math.expm1(l);
  return [m1, m2 - m1 * m1];
}

describe('successTilt', () => {
  it('draws s = log(1 + u (e^lambda - 1)) / lambda, U[0, 1] at lambda 0 and continuous there', () => {
    expect(tiltedDraw(0, 0.3)).toBe(0.3);
    expect(Math.abs(tiltedDraw(1e-12, 0.3) - 0.3)).toBeLessThan(1e-12);
    expect(tiltedDraw(2, 0.5)).toBeCloseTo(Math.log(1 + 0.5 * (Math.exp(2) - 1)) / 2, 15);
    for (const l of [-50, 50]) for (const u of [0, 1e-9, 0.5, 1 - 2 ** -24]) expect(tiltedDraw(l, u)).toBeGreaterThanOrEqual(0), expect(tiltedDraw(l, u)).toBeLessThanOrEqual(1);
  });

  it.each([0, 0.1, 2, -3])('lambda %s: mean and variance of 20,000 draws within 3 standard errors of the law', (l) => {
    const t = buildTasks(parseConfig({ successTilt: l, tasks: 2000, patterns: 10, seed: 7 }));
    expect(t.perTask).toBe(true);
    const n = t.rates.length;
    const [mean, variance] = l === 0 ? [0.5, 1 / 12] : moments(l);
    const m = t.rates.reduce((a, b) => a + b, 0) / n;
    const v = t.rates.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1);
    expect(Math.abs(m - mean)).toBeLessThan(3 * Math.sqrt(variance / n));
    // The variance of a sample variance is about (mu4 - sigma^4) / n; mu4 <= 1/16 on [0, 1].
    expect(Math.abs(v - variance)).toBeLessThan(3 * Math.sqrt(1 / 16 / n));
  });

  it('uses the key of successBeta: lambda 0 gives the uniforms of which Beta(1, 1) is built, and the seed decides', () => {
    const a = buildTasks(parseConfig({ successTilt: 0, tasks: 5, patterns: 3, seed: 3 })).rates;
    expect(buildTasks(parseConfig({ successTilt: 0, tasks: 5, patterns: 3, seed: 3 })).rates).toEqual(a);
    expect(buildTasks(parseConfig({ successTilt: 0, tasks: 5, patterns: 3, seed: 4 })).rates).not.toEqual(a);
    // A task's draws do not depend on how many tasks there are.
    expect(buildTasks(parseConfig({ successTilt: 0, tasks: 2, patterns: 3, seed: 3 })).rates).toEqual(a.slice(0, 6));
    // Tilting moves every draw the same way: s(lambda) > s(0) for lambda > 0.
    const tilted = buildTasks(parseConfig({ successTilt: 1, tasks: 5, patterns: 3, seed: 3 })).rates;
    tilted.forEach((s, j) => expect(s).toBeGreaterThanOrEqual(a[j]));
  });

  it('is a sweep axis that does not shape the kernels: its cohorts share one run', () => {
    const [axis] = parseAxes({ successTilt: { linspace: [0, 0.2, 3] } });
    expect(axis.values).toEqual([[0], [0.1], [0.2]]);
    expect(sameKernels(parseConfig({ successTilt: 0 }), parseConfig({ successTilt: 0.1 }))).toBe(true);
    expect(sameKernels(parseConfig({ successTilt: 0.1 }), parseConfig({ successRates: [0.8, 0.6, 0.4, 0.2] }))).toBe(true);
  });

  it('runs on the GPU as the float64 reference does (expected mode, 20 steps, within 1e-5)', async () => {
    const input = { successTilt: 0.5, tasks: 32, patterns: 6, estimator: 'expected', lr: 1, steps: 20 } satisfies ConfigInput;
    const engine = await engineFor(input);
    const gpu = await runRows(engine, 20);
    const cpu = simulate(makeParams(parseConfig(input)), 20).metrics;
    gpu.forEach((row, t) => row.forEach((v, j) => expect(Math.abs(v - cpu[t][j]), `${engine.plan.layout.names[j]} at step ${t + 1}`).toBeLessThan(1e-5)));
    engine.destroy();
  });
});
