// Without WebGPU the page says why and how to enable it, and offers the float64 reference (CPU).
import { expect, test } from '@playwright/test';
import { exportCsv, last, waitDone } from './helpers';

test.beforeEach(async ({ page }) => {
  // A browser without WebGPU: navigator.gpu is undefined.
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }));
});

test('no WebGPU: an explanation, how to enable it, and the float64 reference running the default preset', async ({ page }) => {
  await page.goto('/');
  const notice = page.getByTestId('no-webgpu');
  await expect(notice).toBeVisible();
  await expect(page.getByTestId('no-webgpu-reason')).toContainText('navigator.gpu is missing');
  await expect(notice).toContainText('chrome://flags/#enable-unsafe-webgpu');
  await expect(notice).toContainText('dom.webgpu.enabled');

  await page.getByTestId('use-reference').click();
  await expect(page.getByTestId('fallback-warning')).toContainText('float64 reference (CPU)');
  await expect(page.getByTestId('adapter')).toContainText('float64 reference (CPU)');
  await waitDone(page);
  const csv = await exportCsv(page);
  expect(csv.step).toHaveLength(300);
  expect(last(csv.accuracy)).toBeGreaterThan(0.89);
  await expect(page.getByTestId('hist-best-mass')).toHaveAttribute('data-total', '256');
});

test('the float64 reference refuses configs too large for it, with a message', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('use-reference').click();
  await waitDone(page);
  await page.getByTestId('field-tasks').fill('100000');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-error')).toContainText('tasks: the float64 reference takes at most 65536 rollouts per step');
});
