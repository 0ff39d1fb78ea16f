// Run, pause, step, resume, reset; several runs kept, overlaid and deleted.
import { expect, test, type Page } from '@playwright/test';
import { exportCsvText, hashOf, openDashboard, waitDone } from './helpers';

const stepCount = async (page: Page) => Number(await page.getByTestId('step-count').textContent());

test('pause, step and resume give the same CSV as an uninterrupted run; reset goes back to step 0', async ({ page }) => {
  // Long enough that Pause lands mid-run even when the kernels are already compiled (cached module).
  const config = { tasks: 64, steps: 30000, estimator: 'expected', reward: 'rlif-certainty', lr: 1 };
  await openDashboard(page, '/' + hashOf(config));
  await expect.poll(() => stepCount(page)).toBeGreaterThan(0);
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-phase', 'paused');
  const paused = await stepCount(page);
  expect(paused).toBeLessThan(30000);
  await page.waitForTimeout(300);
  expect(await stepCount(page)).toBe(paused);

  await page.getByTestId('step').click();
  await expect.poll(() => stepCount(page)).toBe(paused + 1);
  await expect(page.getByTestId('status')).toHaveAttribute('data-phase', 'paused');
  await page.getByTestId('step').click();
  await expect.poll(() => stepCount(page)).toBe(paused + 2);

  await page.getByTestId('resume').click();
  await waitDone(page);
  const interrupted = await exportCsvText(page);
  expect(interrupted.trim().split('\n')).toHaveLength(30001);

  await page.getByTestId('reset').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-phase', 'paused');
  expect(await stepCount(page)).toBe(0);
  await expect(page.getByTestId('export-csv')).toBeDisabled();
  await page.getByTestId('step').click();
  await expect.poll(() => stepCount(page)).toBe(1);
  expect(await exportCsvText(page)).toBe(interrupted.split('\n').slice(0, 2).join('\n') + '\n');

  await page.getByTestId('run').click();
  await waitDone(page);
  expect(await exportCsvText(page)).toBe(interrupted);
});

test('runs are kept, overlaid with a legend entry per run, and deleted', async ({ page }) => {
  await openDashboard(page, '/' + hashOf({ tasks: 16, steps: 50, estimator: 'expected', lr: 0.5 }));
  await waitDone(page);
  await page.getByTestId('field-lr').fill('0.1');
  await page.getByTestId('run').click();
  await waitDone(page);

  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toHaveAttribute('data-current', '');
  const legend = page.getByTestId('chart-accuracy').locator('.u-legend');
  await expect(legend).not.toContainText('#1');

  await rows.nth(0).getByTestId('overlay').check();
  await expect(legend).toContainText('accuracy · #2');
  await expect(legend).toContainText('accuracy · #1');
  await expect(page.getByTestId('chart-pattern-mass').locator('.u-legend')).toContainText('pattern 3 · #1');

  await rows.nth(0).getByTestId('delete-run').click();
  await expect(rows).toHaveCount(1);
  await expect(legend).not.toContainText('#1');
  await expect(legend).toContainText('accuracy');

  // Deleting the current run stops it and empties the charts.
  await rows.nth(0).getByTestId('delete-run').click();
  await expect(rows).toHaveCount(0);
  await expect(page.getByTestId('status')).toHaveAttribute('data-phase', 'idle');
});
