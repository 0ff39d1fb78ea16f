// The float64 reference against closed forms and the predictions of docs/model.md §6.
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

describe('expected mode (gradient flow) against docs/model.md §6', () => {
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

describe("rlif-self-certainty, the paper's RLIF reward", () => {
  // Step 1's expected-mode reward is sum_k pi_k R_k under the initial policy: with two equal
  // patterns, R itself.
  const rewardOf = (input: ConfigInput) => {
    const cfg = { tasks: 1, patterns: 2, estimator: 'expected', reward: 'rlif-self-certainty', ...input } satisfies ConfigInput;
    return col(run(cfg, 1).metrics, cfg, 'reward')[0];
  };
  /** KL(U_A || P) from the answer probabilities' logarithms, log w_j = (j-1) log d - log sum_m d^(m-1). */
  const closedForm = (s: number, A: number, d: number) => {
    const floor = (x: number) => Math.log(Math.max(x, 1e-30));
    let norm = 0;
    for (let m = 0; m < A - 1; m++) norm += d ** m;
    let logSum = floor(s);
    for (let j = 1; j < A; j++) logSum += floor(1 - s) + (j - 1) * Math.log(d) - Math.log(norm);
    return -Math.log(A) - logSum / A;
  };

  // The paper's scale: -(1/A) sum_a log P(a) = log A + KL(U_A || P) (docs/model.md §3.2).
  it('is -(log s + log(1 - s)) / 2 with two answers: log 2 at s = 1/2', () => {
    expect(rewardOf({ answers: 2, successRates: [0.5, 0.5] })).toBeCloseTo(Math.log(2), 15);
    expect(rewardOf({ answers: 2, successRates: [0.9, 0.9] })).toBeCloseTo(Math.log(2) + 0.5108256237659907, 14);
    for (const s of [0.3, 0.01, 1e-9]) expect(rewardOf({ answers: 2, successRates: [s, s] })).toBeCloseTo(-0.5 * (Math.log(s) + Math.log(1 - s)), 12);
  });

  it('is log A + KL(uniform || P) of the answer distribution', () => {
    // A = 4, d = 0.5: P = (s, (1 - s) 4/7, (1 - s) 2/7, (1 - s) 1/7).
    const s = 0.6;
    const p = [s, ((1 - s) * 4) / 7, ((1 - s) * 2) / 7, (1 - s) / 7];
    const kl = p.reduce((a, q) => a + 0.25 * Math.log(0.25 / q), 0);
    expect(rewardOf({ answers: 4, successRates: [s, s], wrongDecay: 0.5 })).toBeCloseTo(Math.log(4) + kl, 14);
    expect(closedForm(s, 4, 0.5)).toBeCloseTo(kl, 14);
  });

  it('is finite where a probability is 0 (s in {0, 1}: s and 1 - s floored at 1e-30)', () => {
    const r = rewardOf({ answers: 8, successRates: [0, 1] });
    expect(Number.isFinite(r)).toBe(true);
    expect(r).toBeCloseTo(Math.log(8) + (closedForm(0, 8, 0.5) + closedForm(1, 8, 0.5)) / 2, 10);
  });

  it('takes log P from logarithms, finite where d^(j-1) underflows (A = 64, wrongDecay 1e-9)', () => {
    expect(1e-9 ** 62).toBe(0);
    const r = rewardOf({ answers: 64, successRates: [0.7, 0.7], wrongDecay: 1e-9 });
    expect(Number.isFinite(r)).toBe(true);
    expect(r).toBeCloseTo(Math.log(64) + closedForm(0.7, 64, 1e-9), 10);
  });

  it('rewards every rollout of a pattern alike: a group from equal patterns teaches nothing', () => {
    const cfg = { tasks: 20, patterns: 3, answers: 5, successRates: [0.8, 0.8, 0.8], reward: 'rlif-self-certainty' } satisfies ConfigInput;
    const m = run(cfg, 1).metrics;
    expect(col(m, cfg, 'reward')[0]).toBeCloseTo(Math.log(5) + closedForm(0.8, 5, 0.5), 12);
    expect(col(m, cfg, 'zeroStdFrac')[0]).toBeCloseTo(1, 12);
  });

  it('on the §6.4 config, selects the confidently right pattern: accuracy 0.90, no collapse', () => {
    const cfg = { tasks: 1, estimator: 'expected', reward: 'rlif-self-certainty', lr: 1, patterns: 3, answers: 8, wrongDecay: 0.01, successRates: [0.9, 0.05, 0.5], init: [0.3, 0.02, 0.68] } satisfies ConfigInput;
    const acc = col(run(cfg, 10000).metrics, cfg, 'accuracy');
    for (let t = 1; t < acc.length; t++) expect(acc[t]).toBeGreaterThanOrEqual(acc[t - 1] - 1e-12);
    expect(acc[9999]).toBeCloseTo(0.9, 4);
  });

  it('KL-regularised, converges to pi* ∝ pi_ref exp(R / beta) (Proposition 5.2)', () => {
    const s = [0.8, 0.6, 0.4, 0.2];
    const beta = 2;
    const cfg = { tasks: 1, estimator: 'expected', reward: 'rlif-self-certainty', lr: 2, klCoef: beta, init: [0.1, 0.2, 0.3, 0.4] } satisfies ConfigInput;
    const m = run(cfg, 5000).metrics;
    const z = cfg.init.map((p, k) => p * Math.exp(closedForm(s[k], 8, 0.5) / beta));
    const total = z.reduce((a, b) => a + b, 0);
    [0, 1, 2, 3].forEach((k) => expect(Math.abs(col(m, cfg, `patternMass${k}`)[4999] - z[k] / total)).toBeLessThan(1e-9));
  });
});

describe('worst pattern and improvement (the metrics of Theorem 5.6)', () => {
  it('an anti-learning verifier collapses every task onto its worst pattern, below its start', () => {
    const cfg = { tasks: 1, estimator: 'expected', lr: 1, patterns: 3, successRates: [0.9, 0.1, 0.5], tpr: 0.3, fpr: 0.7 } satisfies ConfigInput;
    const m = run(cfg, 3000).metrics;
    const [worst, mass1, collapsed, improved] = ['worstMass', 'patternMass1', 'convergedWorst', 'improvedFrac'].map((n) => col(m, cfg, n));
    expect(worst).toEqual(mass1);
    expect(collapsed[0]).toBe(0);
    expect(worst[2999]).toBeGreaterThan(0.99);
    expect(collapsed[2999]).toBe(1);
    expect(improved.every((x) => x === 0)).toBe(true);
  });

  it('takes the first worst pattern on ties, and counts a task improved only above its start accuracy', () => {
    const cfg = { tasks: 1, estimator: 'expected', lr: 1, successRates: [0.9, 0.2, 0.5, 0.2], init: [0.1, 0.2, 0.3, 0.4] } satisfies ConfigInput;
    const m = run(cfg, 50).metrics;
    expect(col(m, cfg, 'worstMass')).toEqual(col(m, cfg, 'patternMass1'));
    expect(col(m, cfg, 'improvedFrac').every((x) => x === 1)).toBe(true);
    // SFT before RL moves the start: accuracy at the start of RL is pi_ref's, not pi0's.
    const sft = { ...cfg, sft: { steps: 200, lr: 1, target: [1, 0, 0, 0] }, tpr: 0, fpr: 1 } satisfies ConfigInput;
    const acc = col(run(sft, 5).metrics, sft, 'accuracy');
    expect(acc[0]).toBeGreaterThan(0.8);
    expect(col(run(sft, 5).metrics, sft, 'improvedFrac')).toEqual([0, 0, 0, 0, 0]);
  });

  it("Theorem 5.6's setting (A = 2, s ~ U[0, 1], uniform pi_ref): each task goes to its most self-certain pattern, about half to their worst", () => {
    const cfg = { tasks: 100, patterns: 8, answers: 2, successBeta: { alpha: 1, beta: 1 }, reward: 'rlif-self-certainty', estimator: 'expected', lr: 50 } satisfies ConfigInput;
    const P = makeParams(parseConfig(cfg));
    const { state, metrics } = simulate(P, 400);
    for (let i = 0; i < 100; i++) {
      // With two answers the self-certainty is -log 2 - log(s (1 - s)) / 2: largest farthest from 1/2.
      const far = Array.from(P.tasks.rates.subarray(i * 8, i * 8 + 8), (s) => Math.abs(s - 0.5));
      const theta = Array.from(state.theta.subarray(i * 8, i * 8 + 8));
      expect(theta.indexOf(Math.max(...theta))).toBe(far.indexOf(Math.max(...far)));
    }
    const last = metrics[399];
    const at = (name: string) => last[P.layout.names.indexOf(name)];
    expect(at('convergedWorst') + at('converged')).toBeGreaterThan(0.95);
    expect(at('convergedWorst')).toBeGreaterThan(0.3);
    expect(at('convergedWorst')).toBeLessThan(0.7);
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
