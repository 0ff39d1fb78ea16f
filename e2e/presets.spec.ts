// Each preset, one click, run to the end on the page's WebGPU (SwiftShader here): the exported CSV
// must show what the preset's sentence claims (MODEL.md §6).
import { expect, test, type Page } from '@playwright/test';
import { exportCsv, firstStepAt, hashOf, last, openDashboard, waitDone } from './helpers';

async function runPreset(page: Page, id: string): Promise<Record<string, number[]>> {
  await page.getByTestId(`preset-${id}`).click();
  await expect(page.getByTestId('status')).not.toHaveAttribute('data-phase', 'done');
  await waitDone(page);
  return exportCsv(page);
}

const max = (xs: number[]) => Math.max(...xs);
const argmax = (xs: number[]) => xs.indexOf(max(xs));

test.describe('presets reproduce MODEL.md §6', () => {
  test.beforeEach(async ({ page }) => {
    // A one-step link instead of the default preset, so that nothing else competes for the device.
    await openDashboard(page, '/' + hashOf({ tasks: 1, steps: 1, estimator: 'expected' }));
    await waitDone(page);
  });

  test('RLVR strong start: accuracy rises monotonically to the best success rate', async ({ page }) => {
    const csv = await runPreset(page, 'rlvr-strong');
    expect(csv.step).toHaveLength(300);
    expect(csv.accuracy[0]).toBeCloseTo(0.66, 2);
    expect(last(csv.accuracy)).toBeGreaterThan(0.89);
    expect(last(csv.accuracy)).toBeLessThanOrEqual(0.9);
    // Monotone up to float32 rounding.
    csv.accuracy.slice(1).forEach((a, i) => expect(a).toBeGreaterThanOrEqual(csv.accuracy[i] - 1e-6));
    expect(Math.abs(firstStepAt(csv, 'bestMass', 0.9) - 40)).toBeLessThanOrEqual(1);
    await expect(page.getByTestId('claim')).toContainText('by step 40');
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
  });

  test('SFT first removes the plateau of the weak start', async ({ page }) => {
    const csv = await runPreset(page, 'sft-then-rlvr');
    expect(Math.abs(firstStepAt(csv, 'bestMass', 0.9) - 33)).toBeLessThanOrEqual(1);
    expect(csv.accuracy[299]).toBeGreaterThan(0.89);
    expect(last(csv.accuracy)).toBeGreaterThan(0.89);
  });

  test('RLIF: accuracy rises, then falls while the reward keeps rising', async ({ page }) => {
    const csv = await runPreset(page, 'rlif-collapse');
    expect(csv.step).toHaveLength(10000);
    const peak = argmax(csv.accuracy);
    expect(csv.accuracy[0]).toBeCloseTo(0.62, 2);
    expect(csv.accuracy[peak]).toBeGreaterThan(0.88);
    expect(Math.abs(csv.step[peak] - 1600)).toBeLessThanOrEqual(50);
    expect(last(csv.accuracy)).toBeLessThanOrEqual(csv.accuracy[peak] - 0.1);
    expect(last(csv.accuracy)).toBeLessThan(0.1);
    // The self-certainty reward never stops rising (up to float32 rounding), past the accuracy peak too.
    csv.reward.slice(1).forEach((r, i) => expect(r).toBeGreaterThanOrEqual(csv.reward[i] - 1e-5));
    expect(last(csv.reward)).toBeGreaterThan(csv.reward[peak] + 0.05);
    expect(last(csv.reward)).toBeGreaterThan(0.88);
    await expect(page.getByTestId('model-report')).toContainText('Assumption 5.5 (marginal reading): holds for all 64 tasks');
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
    const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Sampled rewards are noisy: compare the first and last 50 steps.
    expect(meanOf(csv.reward.slice(-50))).toBeGreaterThan(meanOf(csv.reward.slice(0, 50)) + 0.08);
  });
});
