// The float64 reference against closed forms and the predictions of MODEL.md §6.
import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../src/model/config';
import { metricLayout } from '../src/model/metrics';
import { betaDraw, buildTasks, wrongWeights } from '../src/model/tasks';
import { philox, uniform01 } from '../src/model/rng';
import { initState, logSoftmax, makeParams, sampleIndex, simulate, step } from '../src/reference/reference';

const col = (rows: Float64Array[], cfg: ConfigInput, name: string) => {
  const j = metricLayout(parseConfig(cfg)).names.indexOf(name);
  return rows.map((r) => r[j]);
};
const run = (cfg: ConfigInput, steps: number) => simulate(makeParams(parseConfig(cfg)), steps);
const stepsTo = (xs: number[], level: number) => xs.findIndex((x) => x >= level) + 1;
const weakInit = (p: number) => [p, (1 - p) / 3, (1 - p) / 3, (1 - p) / 3];
const EXAMPLE = { tasks: 1, estimator: 'expected', lr: 0.5, successRates: [0.9, 0.5, 0.4, 0.3] } satisfies ConfigInput;

describe('tasks', () => {
  it('spreads wrong answers geometrically', () => {
    const w = wrongWeights([0.5, 1], 4);
    expect(Array.from(w.subarray(0, 3))).toEqual([4 / 7, 2 / 7, 1 / 7]);
    expect(Array.from(w.subarray(3, 6))).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('draws Beta success rates with the right mean and variance', () => {
    let n = 0;
    const u = () => uniform01(philox([n++, 0, 0, 0], [7, 0])[0]);
    for (const [a, b] of [[2, 5], [0.5, 0.5]]) {
      const xs = Array.from({ length: 20000 }, () => betaDraw(a, b, u));
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
      expect(mean).toBeCloseTo(a / (a + b), 2);
      expect(v).toBeCloseTo((a * b) / ((a + b) ** 2 * (a + b + 1)), 2);
    }
  });

  it('counts the tasks where a wrong answer is the mode (the second assumption fails)', () => {
    // s = 0.3 with all wrong mass on answer 1 (decay tiny): 0.3 < 0.7 * w1, fails.
    expect(buildTasks(parseConfig({ tasks: 10, successRates: [0.9, 0.3, 0.5, 0.5], wrongDecay: 0.001 })).assumptionFailures).toBe(10);
    expect(buildTasks(parseConfig({ tasks: 10, successRates: [0.9, 0.8, 0.7, 0.6] })).assumptionFailures).toBe(0);
    // The default rates break it for pattern 3: 0.2 < 0.8 * w1 with w1 = 1 / (1 + 0.5 + ... + 0.5^6).
    expect(buildTasks(parseConfig({ tasks: 10 })).assumptionFailures).toBe(10);
    const beta = buildTasks(parseConfig({ tasks: 2000, successBeta: { alpha: [1, 1, 1, 1], beta: [1, 1, 1, 1] }, wrongDecay: 0.01 }));
    expect(beta.assumptionFailures).toBeGreaterThan(0);
    expect(beta.assumptionFailures).toBeLessThan(2000);
  });

  it('draws the same Beta success rates from one number as from K copies of it', () => {
    const one = buildTasks(parseConfig({ tasks: 50, patterns: 20, successBeta: { alpha: 1, beta: 0.5 } }));
    const vectors = buildTasks(parseConfig({ tasks: 50, successBeta: { alpha: Array<number>(20).fill(1), beta: Array<number>(20).fill(0.5) } }));
    expect(one.rates).toHaveLength(50 * 20);
    expect(Array.from(one.rates)).toEqual(Array.from(vectors.rates));
  });

  it('samples by inverse CDF, never an index of zero mass', () => {
    expect(sampleIndex([0.2, 0.3, 0.5], 0.1999)).toBe(0);
    expect(sampleIndex([0.2, 0.3, 0.5], 0.2)).toBe(1);
    expect(sampleIndex([0.5, 0.4999999, 0], 0.99999995)).toBe(1);
  });
});

describe('expected mode (gradient flow) against MODEL.md §6', () => {
  it('matches the two-regime example: 40 steps to 0.9 from pi0_best 0.5, 1912 from 0.01', () => {
    const steps = [0.5, 0.01].map((p) => {
      const cfg = { ...EXAMPLE, init: weakInit(p) };
      return stepsTo(col(run(cfg, 3000).metrics, cfg, 'bestMass'), 0.9);
    });
    expect(steps).toEqual([40, 1912]);
  });

  it('RLVR accuracy rises monotonically to mean_i max_k s[i,k]', () => {
    const cfg = { tasks: 50, estimator: 'expected', lr: 1, successBeta: { alpha: [2, 1, 1, 3], beta: [2, 1, 3, 1] }, steps: 4000 } satisfies ConfigInput;
    const P = makeParams(parseConfig(cfg));
    const acc = col(simulate(P, 4000).metrics, cfg, 'accuracy');
    for (let t = 1; t < acc.length; t++) expect(acc[t]).toBeGreaterThanOrEqual(acc[t - 1] - 1e-12);
    let best = 0;
    for (let i = 0; i < 50; i++) best += Math.max(...P.tasks.rates.subarray(i * 4, i * 4 + 4)) / 50;
    expect(Math.abs(acc[acc.length - 1] - best)).toBeLessThan(0.01);
  });

  it('SFT towards the best pattern removes the plateau (at least 5x fewer steps to 0.9)', () => {
    const weak = { ...EXAMPLE, init: weakInit(0.01) };
    const sft = { ...weak, sft: { steps: 20, lr: 1, target: [1, 0, 0, 0] } };
    const a = stepsTo(col(run(weak, 3000).metrics, weak, 'bestMass'), 0.9);
    const b = stepsTo(col(run(sft, 3000).metrics, sft, 'bestMass'), 0.9);
    expect(a / b).toBeGreaterThanOrEqual(5);
  });

  it('RLIF certainty rises, then collapses while its reward keeps rising (the §6.4 example)', () => {
    const cfg = { tasks: 1, estimator: 'expected', reward: 'rlif-certainty', lr: 1, patterns: 3, answers: 8, wrongDecay: 0.01, successRates: [0.9, 0.05, 0.5], init: [0.3, 0.02, 0.68] } satisfies ConfigInput;
    const m = run(cfg, 10000).metrics;
    const acc = col(m, cfg, 'accuracy');
    const reward = col(m, cfg, 'reward');
    const peak = acc.indexOf(Math.max(...acc));
    expect(acc[0]).toBeCloseTo(0.62, 2);
    expect(acc[peak]).toBeCloseTo(0.9, 2);
    expect(peak).toBeGreaterThan(1400);
    expect(peak).toBeLessThan(1800);
    expect(acc[9999]).toBeCloseTo(0.05, 2);
    expect(reward[0]).toBeCloseTo(0.6, 2);
    expect(reward[9999]).toBeCloseTo(0.89, 2);
    for (let t = 1; t < reward.length; t++) expect(reward[t]).toBeGreaterThanOrEqual(reward[t - 1] - 1e-12);
  });

  it('KL-regularised RLVR converges to pi* ∝ pi_ref exp(s / beta)', () => {
    const s = [0.8, 0.6, 0.4, 0.2];
    const beta = 0.25;
    const cfg = { tasks: 1, estimator: 'expected', lr: 2, klCoef: beta, init: [0.1, 0.2, 0.3, 0.4] } satisfies ConfigInput;
    const m = run(cfg, 20000).metrics;
    const z = cfg.init.map((p, k) => p * Math.exp(s[k] / beta));
    const total = z.reduce((a, b) => a + b, 0);
    const mass = [0, 1, 2, 3].map((k) => col(m, cfg, `patternMass${k}`)[19999]);
    mass.forEach((p, k) => expect(Math.abs(p - z[k] / total)).toBeLessThan(1e-6));
  });

  it('noisy verifier: learning for TPR > FPR, anti-learning for TPR < FPR', () => {
    const base = { tasks: 1, estimator: 'expected', lr: 1 } satisfies ConfigInput;
    const up = col(run({ ...base, tpr: 0.7, fpr: 0.3 }, 500).metrics, base, 'accuracy');
    const down = col(run({ ...base, tpr: 0.3, fpr: 0.7 }, 500).metrics, base, 'accuracy');
    expect(up[499]).toBeGreaterThan(0.75);
    expect(down[499]).toBeLessThan(0.25);
  });

  it('the exact gradient is pi_k (s_k - J) for one step of SGD', () => {
    const cfg = parseConfig({ tasks: 1, estimator: 'expected', lr: 0.3, init: [0.1, 0.2, 0.3, 0.4] });
    const P = makeParams(cfg);
    const s0 = initState(P);
    const s1 = step(P, s0).state;
    const pi = cfg.init;
    const J = pi.reduce((a, p, k) => a + p * cfg.successRates![k], 0);
    for (let k = 0; k < 4; k++) expect(s1.theta[k] - s0.theta[k]).toBeCloseTo(0.3 * pi[k] * (cfg.successRates![k] - J), 14);
  });
});

describe('sampled estimators', () => {
  // One step from a common start: the mean over many tasks of the logit change estimates
  // lr * E[grad]; RLOO is unbiased, REINFORCE with the group mean is (1 - 1/G) times that.
  const N = 20000;
  const G = 4;
  const cfg = { tasks: N, group: G, lr: 1, init: [0.1, 0.2, 0.3, 0.4] };
  const s = [0.8, 0.6, 0.4, 0.2];
  const J = cfg.init.reduce((a, p, k) => a + p * s[k], 0);
  const exact = cfg.init.map((p, k) => p * (s[k] - J));
  it.each([['rloo', 1], ['reinforce', 1 - 1 / G]] as const)('%s matches the expected gradient in the mean', (estimator, factor) => {
    const P = makeParams(parseConfig({ ...cfg, estimator }));
    const s0 = initState(P);
    const { state } = step(P, s0);
    for (let k = 0; k < 4; k++) {
      const d = Array.from({ length: N }, (_, i) => state.theta[i * 4 + k] - s0.theta[i * 4 + k]);
      const mean = d.reduce((a, b) => a + b, 0) / N;
      const se = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1) / N);
      expect(Math.abs(mean - factor * exact[k])).toBeLessThan(4 * se);
    }
  });

  it('a group of equal rewards moves nothing, even unequal to 0 and 1 under GRPO and Adam', () => {
    const cfg = parseConfig({ tasks: 50, patterns: 2, answers: 3, group: 3, successRates: [0.7, 0.3], wrongDecay: [0.37, 0.5], init: [0.999999, 0.000001], reward: 'rlif-entropy', estimator: 'grpo', optimizer: 'adam', lr: 0.1 });
    const P = makeParams(cfg);
    const s0 = initState(P);
    const { state, metrics } = step(P, s0);
    expect(metrics[metricLayout(cfg).names.indexOf('zeroStdFrac')]).toBeCloseTo(1, 12);
    expect(Array.from(state.theta)).toEqual(Array.from(s0.theta));
  });

  it('rlif-majority rewards agreement with the group majority, ties to the smallest answer', () => {
    // With one pattern that always answers 1 (s = 0, all wrong mass on answer 1) every rollout agrees.
    const c = { tasks: 3, group: 4, patterns: 2, answers: 3, successRates: [0, 0], wrongDecay: 1e-9, reward: 'rlif-majority', estimator: 'rloo' } satisfies ConfigInput;
    const m = run(c, 1).metrics[0];
    expect(col([m], c, 'reward')[0]).toBe(1);
    expect(col([m], c, 'majorityCorrect')[0]).toBe(0);
    expect(col([m], c, 'zeroStdFrac')[0]).toBe(1);
  });

  it('logSoftmax is stable for large logits', () => {
    const lp = logSoftmax([1000, 0, -1000]);
    expect(lp[0]).toBeCloseTo(0, 12);
    expect(Number.isFinite(lp[2])).toBe(true);
  });
});
