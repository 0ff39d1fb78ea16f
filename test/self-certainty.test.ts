// The paper's RLIF reward on the GPU (docs/model.md §3.2, §6.4, §6.5): finite where a probability
// is 0 or d^(j-1) underflows, the expected-mode flow against the float64 reference at every step,
// and the KL-regularised optimum of Proposition 5.2.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../src/model/config';
import { parseCsv } from '../src/model/export';
import { initialLogits, softmax } from '../src/model/policy';
import { buildTasks, frozenSelfCertainty, reportedRewardOffset } from '../src/model/tasks';
import { makeParams, simulate } from '../src/reference/reference';
import { engineFor, runRows, testGpu } from './helpers';

afterAll(async () => (await testGpu()).device.destroy());

const SELF = { reward: 'rlif-self-certainty', estimator: 'expected' } satisfies ConfigInput;

/** Each pattern's self-certainty R_k in float64 on the paper's scale (the reward column's), for shared success rates. */
function selfCertainties(input: ConfigInput): number[] {
  const c = parseConfig(input);
  const t = buildTasks(c);
  return Array.from(t.rates, (s, k) => frozenSelfCertainty(s, t.wrongLogSums[k], c.answers) + reportedRewardOffset(c));
}

/** The GPU's first reward row: in expected mode, sum_k pi_k R_k under the initial policy. */
async function firstReward(input: ConfigInput): Promise<number> {
  const engine = await engineFor({ tasks: 3, steps: 1, ...input });
  const [row] = await runRows(engine, 1);
  engine.destroy();
  return row[engine.plan.layout.names.indexOf('reward')];
}

describe('rlif-self-certainty on the GPU', () => {
  it('is finite for success rates 0 and 1, frozen or trainable, exact or sampled', async () => {
    for (const extra of [{}, { answerMode: 'trainable' }, { estimator: 'grpo' }, { estimator: 'grpo', answerMode: 'trainable' }] satisfies ConfigInput[]) {
      const engine = await engineFor({ ...SELF, tasks: 40, steps: 5, answers: 8, successRates: [0, 1, 0.5], ...extra });
      for (const row of await runRows(engine, 5)) for (const v of row) expect(Number.isFinite(v), JSON.stringify(extra)).toBe(true);
      engine.destroy();
    }
    const input = { ...SELF, answers: 8, successRates: [0, 1], init: [0.5, 0.5] } satisfies ConfigInput;
    const r = selfCertainties(input);
    expect(await firstReward(input)).toBeCloseTo((r[0] + r[1]) / 2, 4);
  });

  it('equals the float64 value within 1e-4 relative for A = 64 and a wrongDecay as small as 1e-9', async () => {
    for (const wrongDecay of [1e-9, 1e-4, 0.01, 0.5, 1]) {
      const input = { ...SELF, answers: 64, successRates: [0.3, 0.3], wrongDecay } satisfies ConfigInput;
      const want = selfCertainties(input)[0];
      const got = await firstReward(input);
      expect(Number.isFinite(want)).toBe(true);
      expect(Math.abs(got - want) / want, `wrongDecay ${wrongDecay}: GPU ${got}, float64 ${want}`).toBeLessThan(1e-4);
    }
  });
});

describe('expected mode under rlif-self-certainty follows the float64 reference', () => {
  it.each([
    ['N = 64, K = 4, A = 8', { tasks: 64, answers: 8, lr: 1, successBeta: { alpha: [2, 1, 0.5, 3], beta: [1, 1, 0.5, 2] }, wrongDecay: [0.05, 0.5, 1, 0.2] }],
    ['A = 2, K = 20, s ~ Beta(1, 1) per task', { tasks: 64, patterns: 20, answers: 2, lr: 2, successBeta: { alpha: 1, beta: 1 } }],
  ] satisfies [string, ConfigInput][])('%s: every metric, every step, within 1e-4 over 300 steps', async (_name, extra) => {
    const input = { ...SELF, ...extra, steps: 300 };
    const engine = await engineFor(input);
    const gpu = await runRows(engine, 300);
    const cpu = simulate(makeParams(parseConfig(input), engine.tasks), 300).metrics;
    const names = engine.plan.layout.names;
    let worst = { gap: 0, where: '' };
    gpu.forEach((row, t) =>
      row.forEach((v, j) => {
        const gap = Math.abs(v - cpu[t][j]);
        if (!(gap <= worst.gap)) worst = { gap, where: `${names[j]} at step ${t + 1}: GPU ${v}, float64 ${cpu[t][j]}` };
      }),
    );
    expect(worst.gap, worst.where).toBeLessThan(1e-4);
    // The flow moved: rewards rose, and some tasks left their start.
    const reward = names.indexOf('reward');
    expect(gpu[299][reward]).toBeGreaterThan(gpu[0][reward]);
    engine.destroy();
  });
});

describe('Proposition 5.2 with the self-certainty reward', () => {
  it('the KL-regularised flow converges to pi* ∝ pi_ref exp(R_k / beta), on the GPU within 1e-4', async () => {
    const beta = 2;
    const input = {
      ...SELF,
      tasks: 5,
      steps: 5000,
      lr: 2,
      klCoef: beta,
      wrongDecay: [0.05, 0.5, 1, 0.2],
      init: [0.1, 0.2, 0.3, 0.4],
      sft: { steps: 5, lr: 0.5, target: [0, 0, 0, 1] },
    } satisfies ConfigInput;
    const R = selfCertainties(input);
    const ref = softmax(initialLogits(parseConfig(input)));
    const z = R.map((r, k) => ref[k] * Math.exp(r / beta));
    const total = z.reduce((a, b) => a + b, 0);
    const engine = await engineFor(input);
    const rows = await runRows(engine, 5000);
    const mass = engine.plan.layout.mass;
    // Far from pi_ref (and from argmax R), so the check is not met by standing still.
    expect(Math.max(...z.map((x, k) => Math.abs(x / total - ref[k])))).toBeGreaterThan(0.05);
    z.forEach((x, k) => expect(Math.abs(rows[4999][mass + k] - x / total), `pattern ${k}`).toBeLessThan(1e-4));
    engine.destroy();
  });
});

describe("the paper's reward scale: log A + KL(U_A || P)", () => {
  // test/fixtures/sc-*.csv: the float64 reference's run of this config when the reward was KL(U_A || P)
  // alone (patternflow before the paper's scale), written with 9 significant digits.
  const FIXTURE = { reward: 'rlif-self-certainty', tasks: 16, steps: 40, answers: 4, successBeta: { alpha: 1, beta: 1 }, lr: 0.5 } satisfies ConfigInput;

  it.each(['expected', 'grpo'] as const)('%s: the policy trajectory is that of the KL form, and the reward moves by exactly log A', (estimator) => {
    const before = parseCsv(readFileSync(`test/fixtures/sc-${estimator}.csv`, 'utf8'));
    const P = makeParams(parseConfig({ ...FIXTURE, estimator }));
    const rows = simulate(P, FIXTURE.steps).metrics;
    const names = P.layout.names;
    const policy = names.filter((n) => n !== 'reward' && n in before);
    expect(policy).toContain('patternMass3');
    // Rounding to 9 significant digits is the fixture's only error: the estimators never see log A.
    for (const name of policy) rows.forEach((row, t) => expect(Math.abs(row[names.indexOf(name)] - before[name][t]), `${name} at step ${t + 1}`).toBeLessThan(1e-8));
    rows.forEach((row, t) => expect(Math.abs(row[names.indexOf('reward')] - before.reward[t] - Math.log(4)), `reward at step ${t + 1}`).toBeLessThan(1e-8));
  });

  it('the GPU reports it too: every reward >= log A, each the float64 one within 1e-4', async () => {
    const input = { ...FIXTURE, estimator: 'grpo', answers: 2, steps: 20 } satisfies ConfigInput;
    const engine = await engineFor(input);
    const reward = engine.plan.layout.names.indexOf('reward');
    const cpu = simulate(makeParams(parseConfig(input), engine.tasks), 20).metrics;
    (await runRows(engine, 20)).forEach((row, t) => {
      expect(row[reward]).toBeGreaterThanOrEqual(Math.fround(Math.log(2)));
      expect(Math.abs(row[reward] - cpu[t][reward]), `step ${t + 1}`).toBeLessThan(1e-4);
    });
    engine.destroy();
  });
});
