// The model report (docs/model.md §5b) on configs whose regime, gamma and Assumption 5.5 status
// follow by hand, and on per-task draws against a direct recount.
import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../src/model/config';
import { modelReport, reportLine } from '../src/model/report';
import { buildTasks, rateOf } from '../src/model/tasks';

const report = (input: ConfigInput) => {
  const c = parseConfig(input);
  return modelReport(c, buildTasks(c));
};

describe('model report', () => {
  it('regime 1 (Theorem 5.3): the base accuracy beats every other pattern', () => {
    // ACC_ref = (0.9 + 0.5 + 0.4 + 0.3) / 4 = 0.525 > 0.5.
    const r = report({ tasks: 10, successRates: [0.9, 0.5, 0.4, 0.3] });
    expect(r.regimes).toEqual({ one: 10, two: 0, other: 0 });
    expect(r.gamma).toBeNull();
  });

  it("regime 2 (Theorem 5.4) with the paper's gamma = 6", () => {
    // 0.05 on r*, 0.70 on r', 0.25 elsewhere: ACC_ref = 0.045 + 0.42 + 0.025 = 0.49 < s_r' = 0.6.
    const r = report({ tasks: 3, successRates: [0.9, 0.6, 0.1, 0.1], init: [0.05, 0.7, 0.125, 0.125] });
    expect(r.regimes).toEqual({ one: 0, two: 3, other: 0 });
    expect(r.gamma!.min).toBeCloseTo(6, 12);
    expect(r.gamma!.median).toBeCloseTo(6, 12);
    expect(r.gamma!.max).toBeCloseTo(6, 12);
  });

  it('other: two patterns beat the base accuracy', () => {
    const r = report({ tasks: 2, successRates: [0.9, 0.8, 0.7, 0.1] });
    expect(r.regimes).toEqual({ one: 0, two: 0, other: 2 });
  });

  it('classifies by pi_ref after SFT', () => {
    // Before SFT the weak start is regime 2; SFT towards the best pattern makes it regime 1.
    const base = { tasks: 1, successRates: [0.9, 0.6, 0.1, 0.1], init: [0.05, 0.7, 0.125, 0.125] };
    expect(report(base).regimes.two).toBe(1);
    expect(report({ ...base, sft: { steps: 50, lr: 0.5, target: [1, 0, 0, 0] } }).regimes.one).toBe(1);
  });

  it('Assumption 5.5 reads the marginal answer distribution; the per-pattern reading is counted apart', () => {
    // Default config: pattern 4 (s = 0.2) puts 0.8 * 0.504 > 0.2 on answer 1, but the marginal
    // has m(0) = 0.5 against m(1) = 0.25 * (0.2 + 0.4 + 0.6 + 0.8) * 0.504 = 0.252.
    const r = report({ tasks: 7 });
    expect(r.assumption55Failures).toBe(0);
    expect(r.patternModeFailures).toBe(7);
    // Two answers: the marginal fails exactly when ACC_ref <= 1/2.
    expect(report({ tasks: 1, patterns: 2, answers: 2, successRates: [0.6, 0.3] }).assumption55Failures).toBe(1);
    expect(report({ tasks: 1, patterns: 2, answers: 2, successRates: [0.6, 0.45] }).assumption55Failures).toBe(0);
  });

  it('counts the tasks where a single pattern makes a wrong answer the mode', () => {
    // s = 0.3 with all wrong mass on answer 1 (decay tiny): 0.3 < 0.7 * w1, fails.
    expect(report({ tasks: 10, successRates: [0.9, 0.3, 0.5, 0.5], wrongDecay: 0.001 }).patternModeFailures).toBe(10);
    expect(report({ tasks: 10, successRates: [0.9, 0.8, 0.7, 0.6] }).patternModeFailures).toBe(0);
    const beta = report({ tasks: 2000, successBeta: { alpha: [1, 1, 1, 1], beta: [1, 1, 1, 1] }, wrongDecay: 0.01 });
    expect(beta.patternModeFailures).toBeGreaterThan(0);
    expect(beta.patternModeFailures).toBeLessThan(2000);
  });

  it('per-task draws: every task counted once, gamma summarised over regime-2 tasks', () => {
    const c = parseConfig({ tasks: 500, patterns: 3, successBeta: { alpha: [1, 1, 1], beta: [1, 1, 1] }, init: [0.1, 0.6, 0.3], seed: 5 });
    const t = buildTasks(c);
    const r = modelReport(c, t);
    expect(r.regimes.one + r.regimes.two + r.regimes.other).toBe(500);
    // Recount regime 2 and gamma directly.
    const gammas: number[] = [];
    for (let i = 0; i < 500; i++) {
      const s = [0, 1, 2].map((k) => rateOf(t, 3, i, k));
      const best = s.indexOf(Math.max(...s));
      const acc = s.reduce((a, x, k) => a + x * c.init[k], 0);
      const beat = [0, 1, 2].filter((k) => k !== best && s[k] >= acc);
      if (beat.length === 1) gammas.push((1 - c.init[beat[0]]) / c.init[best]);
    }
    gammas.sort((a, b) => a - b);
    expect(r.regimes.two).toBe(gammas.length);
    expect(gammas.length).toBeGreaterThan(50);
    expect(r.gamma!.min).toBeCloseTo(gammas[0], 12);
    expect(r.gamma!.max).toBeCloseTo(gammas.at(-1)!, 12);
    const mid = gammas.length >> 1;
    expect(r.gamma!.median).toBeCloseTo(gammas.length % 2 ? gammas[mid] : (gammas[mid - 1] + gammas[mid]) / 2, 12);
  });

  it('prints one line of sentences naming the theorems, with the caveat of an RLIF reward first', () => {
    const config = { tasks: 3, successRates: [0.9, 0.6, 0.1, 0.1], init: [0.05, 0.7, 0.125, 0.125] };
    expect(reportLine(report(config), parseConfig(config))).toBe(
      'model report: Theorem 5.4 (regime 2): all 3 tasks, gamma 6 — the mass first flows to the second-best pattern, then to the best. ' +
        'Assumption 5.5 (marginal reading): holds for all 3 tasks; in all 3 tasks some single pattern makes a wrong answer at least as likely as the correct one.',
    );
    const rlif = { ...config, reward: 'rlif-self-certainty' as const };
    expect(reportLine(report(rlif), parseConfig(rlif))).toMatch(/^model report: RLIF reward: the regimes below are what RLVR would do from this start; .*\. Theorem 5\.4 \(regime 2\): all 3 tasks/);
  });
});
