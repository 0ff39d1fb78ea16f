// bench.html: a tiny sweep in Chromium's WebGPU (SwiftShader here) produces a row of the WGSL
// engine's figures, a plot with one line per config and a report headed by the adapter, flagged as
// a fallback figure when it is one.
import { expect, test } from '@playwright/test';

test('the benchmark page measures a row and names the adapter', async ({ page }) => {
  await page.goto('/bench.html?run&tasks=512&patterns=4&group=8&estimator=grpo&policy=tabular&repeats=1&minSeconds=0.02&roofline=0');
  const row = page.getByTestId('row').first();
  await expect(row).toBeVisible({ timeout: 120_000 });
  await expect(row.locator('td').first()).toHaveText('512');
  await expect(row.locator('td').nth(5)).toHaveText('1'); // logEvery
  await expect(row.locator('td').nth(6)).toHaveText(/^\d\.\d\de[+-]\d+$/); // rollouts/s
  await expect(row.locator('td').nth(7)).toHaveText(/^\d\.\d\de[+-]\d+$/); // steps/s
  // One cell per heading, the timing last: the page shows the WGSL engine's figures only.
  const headings = await page.locator('thead th').allTextContents();
  expect(headings).toEqual(['tasks', 'K', 'G', 'estimator', 'policy', 'logEvery', 'WGSL rollouts/s', 'steps/s', 'timing']);
  await expect(row.locator('td')).toHaveCount(headings.length);
  await expect(row.locator('td').last()).toHaveText(/^(timestamp-query|queue)$/);
  await expect(page.getByTestId('status')).toHaveText(/done: 1 rows/);
  const adapter = await page.getByTestId('adapter').textContent();
  expect(adapter).not.toMatch(/opening|no WebGPU/);
  if (/CPU adapter/.test(adapter ?? '')) await expect(page.getByTestId('fallback')).toBeVisible();
  await expect(page.getByTestId('report')).toContainText(`adapter: ${adapter}`);
  await expect(page.locator('[data-testid=plot] canvas')).toHaveCount(1);
  // The legend (the x axis is not in it): one line, the one config's.
  await expect(page.locator('[data-testid=plot] .u-legend .u-series')).toHaveText([/^K4 G8 grpo tabular WGSL( \(CPU adapter\))?$/]);
});

test('the dashboard links to the benchmark page and back', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('bench-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('patternflow throughput benchmark');
  await page.getByTestId('dashboard-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('patternflow');
});
