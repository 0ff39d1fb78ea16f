// The WGSL kernels against their float64 CPU twin, in lockstep: each step starts both from the
// GPU's own state, so the comparison sees one step's arithmetic, not accumulated drift. Same seed
// means the same Threefry draws, so the sampled patterns and answers must be identical.
import { afterAll, describe, expect, it } from 'vitest';
import { ANSWER_MODES, ESTIMATORS, REWARDS, parseConfig, type ConfigInput } from '../src/model/config';
import { makeParams, step } from '../src/reference/reference';
import { engineFor, testGpu, toState } from './helpers';

const BASE: ConfigInput = { tasks: 77, patterns: 3, answers: 5, group: 6, successRates: [0.7, 0.45, 0.2], wrongDecay: [0.3, 1, 0.6], init: [0.2, 0.3, 0.5], lr: 0.3 };
const STEPS = 3;

const cases: [string, ConfigInput][] = [];
for (const reward of REWARDS)
  for (const estimator of ESTIMATORS)
    for (const policy of ['tabular', 'shared'] as const)
      for (const answerMode of ANSWER_MODES) cases.push([`${reward} ${estimator} ${policy} ${answerMode}`, { reward, estimator, policy, answerMode }]);
// Token trees (docs/model.md §9): 9 patterns as 2 forks of 3 choices among 7 positions of 3 fillers each.
const TREE: ConfigInput = { policy: 'tokens', patterns: undefined, init: undefined, length: 7, forks: 2, branching: 3, vocab: 3, fillerDecay: 0.6, successRates: undefined, wrongDecay: 0.5 };
// Each reward under GRPO, and each other estimator under RLVR: every tree is a
// module of its own, which takes seconds to compile on a CPU adapter.
for (const reward of REWARDS)
  for (const estimator of ESTIMATORS)
    if (estimator === 'grpo' || reward === 'rlvr') cases.push([`${reward} ${estimator} token tree`, { ...TREE, reward, estimator, lr: reward === 'rlvr' ? 0.3 : 2 }]);
cases.push(
  // From the uniform init, where C_v - pi(v) S cancels exactly for some groups (pi = 1/3; GRAD_CANCEL),
  // and from one of simple ratios (conditional probabilities 1/6, 1/3, 1/2 at a fork).
  ['token tree, adam', { ...TREE, optimizer: 'adam', lr: 0.05 }],
  ['token tree, adam, init of simple ratios', { ...TREE, optimizer: 'adam', lr: 0.05, init: [0.05, 0.1, 0.15, 0.07, 0.13, 0.11, 0.09, 0.17, 0.13] }],
  ['token tree, grpo batch scale', { ...TREE, scale: 'batch' }],
  ['token tree, one fork of 5, vocab 1, uneven init', { ...TREE, forks: 1, branching: 5, vocab: 1, init: [0.1, 0.4, 0.2, 0.2, 0.1] }],
  ['token tree, per-task success rates', { ...TREE, successBeta: { alpha: 1, beta: 1 } }],
);
cases.push(
  ['grpo batch scale, tabular', { scale: 'batch' }],
  ['grpo batch scale, shared', { scale: 'batch', policy: 'shared' }],
  ['grpo no scale (Dr. GRPO)', { scale: 'none' }],
  ['adam, trainable answers, tabular', { optimizer: 'adam', answerMode: 'trainable', lr: 0.05 }],
  ['adam, shared', { optimizer: 'adam', policy: 'shared', lr: 0.05 }],
  ['kl and entropy terms after SFT', { klCoef: 0.3, entropyCoef: 0.05, sft: { steps: 5, lr: 0.5, target: [1, 0, 0] } }],
  ['kl, shared, expected', { klCoef: 0.2, entropyCoef: 0.1, policy: 'shared', estimator: 'expected', sft: { steps: 3, lr: 1, target: [0.1, 0.1, 0.8] } }],
  ['noisy verifier', { tpr: 0.8, fpr: 0.3 }],
  ['per-task Beta success rates', { successRates: undefined, successBeta: { alpha: [2, 1, 0.5], beta: [1, 2, 3] } }],
  ['32 patterns, 64 answers', { patterns: 32, answers: 64, init: undefined, successRates: undefined, wrongDecay: 0.9, group: 3, tasks: 5 }],
  ['group of 2, pass@k list', { group: 2, passK: [1, 2, 3, 4096] }],
  ['self-certainty, success rates 0 and 1', { reward: 'rlif-self-certainty', successRates: [1, 0, 0.5] }],
  ['self-certainty, success rates 0 and 1, trainable, expected', { reward: 'rlif-self-certainty', successRates: [1, 0, 0.5], answerMode: 'trainable', estimator: 'expected' }],
  ['self-certainty, 64 answers, wrongDecay down to 1e-9', { reward: 'rlif-self-certainty', answers: 64, wrongDecay: [1e-9, 1e-3, 1] }],
);

function closeTo(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  expect(got.length, what).toBe(want.length);
  for (let j = 0; j < want.length; j++) {
    const err = Math.abs(got[j] - want[j]);
    if (!(err <= tol * (1 + Math.abs(want[j])))) expect.fail(`${what}[${j}]: GPU ${got[j]} vs CPU ${want[j]} (|diff| ${err} > ${tol})`);
  }
}

describe('GPU kernels match the float64 reference step by step', () => {
  afterAll(async () => (await testGpu()).device.destroy());

  it.each(cases)('%s', async (_name, extra) => {
    const input = { ...BASE, ...extra, steps: STEPS };
    const engine = await engineFor(input, { record: input.estimator !== 'expected', stepsPerBatch: 1 });
    const P = makeParams(parseConfig(input), engine.tasks);
    const names = P.layout.names;
    // Adam divides by sqrt(v): a gradient that is zero in exact arithmetic but 1e-9 in float32 (an
    // unsampled pattern's share of a mean-centred advantage sum) still takes a step of up to ~lr/10.
    const tol = input.optimizer === 'adam' ? 2e-4 : 2e-5;
    for (let t = 0; t < STEPS; t++) {
      const before = toState(P, await engine.snapshot());
      const cpu = step(P, before);
      let gpuMetrics = new Float32Array(0);
      await engine.run(1, (_f, m) => (gpuMetrics = Float32Array.from(m)));
      if (cpu.rollouts.length) expect(Array.from(await engine.readRecord()), `rollouts of step ${t + 1}`).toEqual(Array.from(cpu.rollouts));
      const after = await engine.snapshot();
      names.forEach((name, j) => closeTo([gpuMetrics[j]], [cpu.metrics[j]], tol, `step ${t + 1} ${name}`));
      closeTo(after.theta, cpu.state.theta, tol, `step ${t + 1} theta`);
      closeTo(after.phi, cpu.state.phi, tol, `step ${t + 1} phi`);
    }
    engine.destroy();
  });
});
