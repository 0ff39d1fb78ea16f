// Each preset, one click, run to the end on the page's WebGPU (SwiftShader here): the exported CSV
// must show what the preset's sentence claims (docs/model.md §6), and the model report must name
// the theorem that applies.
import { expect, test, type Page } from '@playwright/test';
import { PRESETS } from '../src/dashboard/presets';
import { parseConfig } from '../src/model/config';
import { exportCsv, firstStepAt, hashOf, last, openDashboard, waitDone } from './helpers';

async function runPreset(page: Page, id: string, timeout?: number): Promise<Record<string, number[]>> {
  // Wait for the new run by its id, not for the phase to leave "done": a short run can compile, run
  // and finish between two polls of the phase.
  const current = page.locator('[data-testid=run-row][data-current]');
  const before = await current.getAttribute('data-run');
  await page.getByTestId(`preset-${id}`).click();
  await expect(current).not.toHaveAttribute('data-run', before ?? '');
  const steps = parseConfig(preset(id).config).steps;
  await expect(page.getByTestId('step-count')).toHaveText(String(steps), { timeout: timeout ?? 120_000 });
  await waitDone(page, timeout);
  return exportCsv(page);
}

const preset = (id: string) => PRESETS.find((p) => p.id === id)!;
const max = (xs: number[]) => Math.max(...xs);
const argmax = (xs: number[]) => xs.indexOf(max(xs));
/** Every value at least the previous one, up to float32 rounding. */
const expectRising = (xs: number[], tolerance: number) => xs.slice(1).forEach((x, i) => expect(x).toBeGreaterThanOrEqual(xs[i] - tolerance));
const report = (page: Page) => page.getByTestId('model-report');

test.describe('presets reproduce docs/model.md §6', () => {
  test.beforeEach(async ({ page }) => {
    // A one-step link instead of the default preset, so that nothing else competes for the device.
    await openDashboard(page, '/' + hashOf({ tasks: 1, steps: 1, estimator: 'expected' }));
    await waitDone(page);
  });

  test('Theorem 5.3 (regime 1): best-pattern mass and accuracy rise monotonically to the best pattern', async ({ page }) => {
    const csv = await runPreset(page, 'rlvr-strong');
    expect(csv.step).toHaveLength(300);
    expect(csv.accuracy[0]).toBeCloseTo(0.66, 2);
    expect(last(csv.accuracy)).toBeGreaterThan(0.89);
    expect(last(csv.accuracy)).toBeLessThanOrEqual(0.9);
    expectRising(csv.bestMass, 1e-6);
    expectRising(csv.accuracy, 1e-6);
    expect(Math.abs(firstStepAt(csv, 'bestMass', 0.9) - 40)).toBeLessThanOrEqual(1);
    await expect(page.getByTestId('claim')).toContainText('by step 40');
    await expect(report(page)).toContainText('Theorem 5.3 (regime 1): all 256 tasks — best-pattern mass rises monotonically');
    await expect(report(page)).not.toContainText('Theorem 5.4');
  });

  test('Theorem 5.4 (regime 2, gamma 6): the second-best pattern takes mass first, then the best', async ({ page }) => {
    const csv = await runPreset(page, 'rlvr-regime-2');
    expect(csv.step).toHaveLength(400);
    // The second-best pattern (index 1) rises from its 0.70, peaks at 0.74 near step 35, then falls to almost nothing.
    const peak = argmax(csv.patternMass1);
    expect(Math.abs(csv.step[peak] - 35)).toBeLessThanOrEqual(2);
    expect(csv.patternMass1[peak]).toBeCloseTo(0.74, 2);
    expect(csv.patternMass1[0]).toBeGreaterThan(0.7);
    expect(last(csv.patternMass1)).toBeLessThan(0.01);
    // Meanwhile the best pattern's mass only rises.
    expectRising(csv.bestMass, 1e-6);
    expect(Math.abs(firstStepAt(csv, 'bestMass', 0.9) - 136)).toBeLessThanOrEqual(2);
    await expect(report(page)).toContainText('Theorem 5.4 (regime 2): all 256 tasks, gamma 6 — the mass first flows to the second-best pattern');
    await expect(report(page)).not.toContainText('Theorem 5.3');
  });

  test('RLVR weak start: a plateau, then 0.9 best-pattern mass only after ~1,900 steps', async ({ page }) => {
    const csv = await runPreset(page, 'rlvr-weak');
    expect(csv.step).toHaveLength(3000);
    // The plateau: at step 300 accuracy still sits near the second-best pattern's 0.5, far below 0.9.
    expect(csv.accuracy[299]).toBeGreaterThan(0.45);
    expect(csv.accuracy[299]).toBeLessThan(0.55);
    expect(csv.patternMass1[299]).toBeGreaterThan(0.5);
    expect(Math.abs(firstStepAt(csv, 'bestMass', 0.9) - 1912)).toBeLessThanOrEqual(5);
    expect(last(csv.accuracy)).toBeGreaterThan(0.89);
    await expect(report(page)).toContainText('Theorem 5.4 (regime 2): all 256 tasks, gamma 67 —');
  });

  test('SFT first removes the plateau of the weak start', async ({ page }) => {
    const csv = await runPreset(page, 'sft-then-rlvr');
    expect(Math.abs(firstStepAt(csv, 'bestMass', 0.9) - 33)).toBeLessThanOrEqual(1);
    expect(csv.accuracy[299]).toBeGreaterThan(0.89);
    expect(last(csv.accuracy)).toBeGreaterThan(0.89);
    // SFT makes pi_ref strong: regime 1.
    await expect(report(page)).toContainText('Theorem 5.3 (regime 1): all 256 tasks');
  });

  test('Proposition 5.2: with a KL penalty the masses converge to pi_ref exp(s / beta) / Z', async ({ page }) => {
    const csv = await runPreset(page, 'kl-optimum');
    const c = parseConfig(preset('kl-optimum').config);
    const w = c.init.map((p, k) => p * Math.exp(c.successRates![k] / c.klCoef));
    const z = w.reduce((a, b) => a + b, 0);
    const optimum = w.map((x) => x / z);
    const gap = (t: number) => Math.max(...optimum.map((p, k) => Math.abs(csv[`patternMass${k}`][t] - p)));
    expect(gap(csv.step.length - 1)).toBeLessThan(1e-4);
    expect(Math.abs(csv.step[csv.step.findIndex((_, t) => gap(t) < 1e-4)] - 87)).toBeLessThanOrEqual(2);
    // The claim's rounded masses and accuracy are the closed form's.
    for (const [k, p] of [0.349, 0.313, 0.211, 0.127].entries()) expect(optimum[k]).toBeCloseTo(p, 3);
    expect(last(csv.accuracy)).toBeCloseTo(0.577, 3);
    await expect(report(page)).toContainText('KL penalty (beta 0.25): the policy stops at π_ref·exp(R/beta)/Z (Proposition 5.2)');
  });

  test('Theorem 5.6: RLIF with self-certainty collapses about half the tasks onto their worst pattern', async ({ page }) => {
    test.setTimeout(300_000);
    const csv = await runPreset(page, 'rlif-theorem-5-6', 240_000);
    const n = parseConfig(preset('rlif-theorem-5-6').config).tasks;
    const se = Math.sqrt(0.25 / n);
    expect(Math.abs(last(csv.convergedWorst) - 0.5)).toBeLessThan(3 * se);
    expect(Math.abs(last(csv.worstMass) - 0.5)).toBeLessThan(3 * se);
    // Every task settles on its best or its worst pattern: the most self-certain is one of the two.
    expect(last(csv.converged) + last(csv.convergedWorst)).toBeCloseTo(1, 6);
    // The claim's numbers: 50.4% on the worst pattern, 48% improved after the first step.
    expect(last(csv.convergedWorst)).toBeCloseTo(0.504, 3);
    expect(csv.improvedFrac[0]).toBeCloseTo(0.48, 2);
    // The first claim read literally: roseFirst is improvedFrac at step 1, kept, about 1/2.
    expect(last(csv.roseFirst)).toBe(csv.improvedFrac[0]);
    expect(Math.abs(last(csv.roseFirst) - 0.5)).toBeLessThan(3 * se);
    // More patterns than the CSV has per-pattern columns for (K > 32).
    expect(csv.patternMass0).toBeUndefined();
    // RLVR's regimes do not describe an RLIF run, and the report says so.
    await expect(report(page)).toContainText("RLIF reward: the regimes below are what RLVR would do from this start; RLIF moves the mass towards the pattern of highest expected reward instead (with self-certainty, Theorem 5.6's most self-certain pattern)");
    await expect(report(page)).toContainText('other: all 256 tasks');
  });

  test('Theorem 5.6 under the margin reading: most tasks rise at step 1, and still about half collapse onto their worst pattern', async ({ page }) => {
    test.setTimeout(300_000);
    const csv = await runPreset(page, 'rlif-theorem-5-6-margin', 240_000);
    const n = parseConfig(preset('rlif-theorem-5-6-margin').config).tasks;
    const se = (p: number) => Math.sqrt((p * (1 - p)) / n);
    // The first claim: about 0.68 of the tasks rise at K = 10^3 (float64, docs/model.md §6.4), kept from step 1.
    expect(Math.abs(csv.roseFirst[0] - 0.68)).toBeLessThan(3 * se(0.68));
    expect(last(csv.roseFirst)).toBe(csv.roseFirst[0]);
    expect(csv.roseFirst[0]).toBe(csv.improvedFrac[0]);
    // The second: about half end on their worst pattern.
    expect(Math.abs(last(csv.convergedWorst) - 0.5)).toBeLessThan(3 * se(0.5));
    // The claim's numbers (one task is 0.0039).
    expect(csv.roseFirst[0]).toBeCloseTo(0.688, 2);
    expect(last(csv.convergedWorst)).toBeCloseTo(0.465, 2);
    expect(last(csv.roseThenFell)).toBeCloseTo(0.262, 2);
    expect(csv.roseThenFell[0]).toBe(0);
    // The model report states both claims with the run's numbers.
    await expect(page.getByTestId('rose-first')).toHaveText(
      `After step 1 the accuracy had risen for ${(100 * csv.roseFirst[0]).toFixed(1)}% of the tasks (roseFirst, Theorem 5.6's first claim); ${(100 * last(csv.roseThenFell)).toFixed(1)}% rose and are now below their start (roseThenFell)`,
    );
  });

  test("RLIF with the paper's self-certainty reward: the confidently right pattern wins, no fall", async ({ page }) => {
    const csv = await runPreset(page, 'rlif-self-certainty');
    expect(csv.step).toHaveLength(10000);
    expect(csv.accuracy[0]).toBeCloseTo(0.66, 2);
    expect(Math.abs(firstStepAt(csv, 'accuracy', 0.89) - 24)).toBeLessThanOrEqual(1);
    expect(last(csv.accuracy)).toBeGreaterThan(0.8999);
    expectRising(csv.bestMass, 1e-6);
    // No fall: never below the running peak by more than float32 rounding.
    let peak = 0;
    for (const a of csv.accuracy) {
      expect(a).toBeGreaterThan(peak - 1e-5);
      peak = Math.max(peak, a);
    }
  });

  test('RLIF extension (answer probability): accuracy rises, then falls while the reward keeps rising', async ({ page }) => {
    const csv = await runPreset(page, 'rlif-collapse');
    expect(csv.step).toHaveLength(10000);
    const peak = argmax(csv.accuracy);
    expect(csv.accuracy[0]).toBeCloseTo(0.62, 2);
    expect(csv.accuracy[peak]).toBeGreaterThan(0.88);
    expect(Math.abs(csv.step[peak] - 1600)).toBeLessThanOrEqual(50);
    expect(last(csv.accuracy)).toBeLessThanOrEqual(csv.accuracy[peak] - 0.1);
    expect(last(csv.accuracy)).toBeLessThan(0.1);
    // The answer-probability reward never stops rising (up to float32 rounding), past the accuracy peak too.
    expectRising(csv.reward, 1e-5);
    expect(last(csv.reward)).toBeGreaterThan(csv.reward[peak] + 0.05);
    expect(last(csv.reward)).toBeGreaterThan(0.88);
    // The collapse happens although the base model's marginal answer has its mode at a*.
    await expect(report(page)).toContainText('Assumption 5.5 (marginal reading): holds for all 64 tasks');
    await expect(page.getByTestId('claim')).toContainText('an extension, not the paper’s reward');
  });

  test('noisy verifier with TPR > FPR still converges to the best pattern', async ({ page }) => {
    const csv = await runPreset(page, 'noisy-informative');
    expect(csv.step).toHaveLength(1000);
    expect(csv.accuracy[0]).toBeLessThan(0.56);
    expect(last(csv.accuracy)).toBeGreaterThan(0.87);
    expect(last(csv.patternMass0)).toBeGreaterThan(0.95);
  });

  test('noisy verifier with TPR < FPR drives accuracy down while the reward rises', async ({ page }) => {
    const csv = await runPreset(page, 'noisy-inverted');
    expect(last(csv.accuracy)).toBeLessThan(0.35);
    expect(last(csv.patternMass3)).toBeGreaterThan(0.9);
    await expect(report(page)).toContainText('TPR ≤ FPR');
    const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Sampled rewards are noisy: compare the first and last 50 steps.
    expect(meanOf(csv.reward.slice(-50))).toBeGreaterThan(meanOf(csv.reward.slice(0, 50)) + 0.08);
  });
});
