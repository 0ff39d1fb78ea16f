// Screenshots of the sweep page's views, saved under test-results/screenshots/ for a human (or an
// image viewer) to check that axes are labelled, the colour legend is there and no text overlaps:
// the two-regimes phase diagram with a picked cell's curves, a sweep with seeds filling in (empty
// and pending cells), its line view with seed bands and a picked point's seed band, a bad link.
import { expect, test } from '@playwright/test';
import { downloadOf } from './helpers';

const DIR = 'test-results/screenshots';

/** Sampled GRPO from weak to strong starts, 3 seeds, too few steps for the weakest to reach 0.9. */
const SEEDED = {
  base: { tasks: 64, estimator: 'grpo', successRates: [0.9, 0.5, 0.4, 0.3], steps: 400 },
  axes: { initBest: { logspace: [0.02, 0.5, 5] }, lr: [0.5, 1] },
  seeds: 3,
  logEvery: 5,
};

test('screenshots: phase diagram and curves; seeds filling in, line view with bands; a bad link', async ({ page, browser }) => {
  await page.goto('/sweep.html');
  await page.getByTestId('sweep-preset-two-regimes').click();
  await expect(page.getByTestId('sweep-status')).toHaveText('done', { timeout: 150_000 });
  const heatmap = page.getByTestId('sweep-heatmap');
  const x = (await heatmap.getAttribute('data-x-centers'))!.split(',').map(Number);
  const y = (await heatmap.getAttribute('data-y-centers'))!.split(',').map(Number);
  await heatmap.click({ position: { x: x[1], y: y[1] } });
  await expect(page.getByTestId('sweep-cell-curves').locator('[data-testid=chart-pattern-mass] canvas')).toHaveCount(1);
  await heatmap.hover({ position: { x: x[2], y: y[0] } });
  await page.screenshot({ path: `${DIR}/sweep-two-regimes.png`, fullPage: true });
  await page.locator('pf-heatmap').screenshot({ path: `${DIR}/sweep-heatmap.png` });
  const png = await downloadOf(page, 'sweep-heatmap-png');
  expect(png.name).toBe('patternflow-sweep-heatmap-stepsToBest90.png');
  expect(png.bytes.subarray(1, 4).toString()).toBe('PNG');

  await page.goto(`/sweep.html#spec=${encodeURIComponent(JSON.stringify(SEEDED))}`);
  await page.getByTestId('sweep-column').selectOption('stepsToBest90');
  await expect.poll(async () => Number(await page.getByTestId('sweep-cohorts').textContent()), { timeout: 60_000 }).toBeGreaterThanOrEqual(12);
  await page.getByTestId('sweep-pause').click();
  await expect(page.getByTestId('sweep-status')).toHaveText('paused');
  await page.screenshot({ path: `${DIR}/sweep-filling-in.png`, fullPage: true });
  await page.getByTestId('sweep-resume').click();
  await expect(page.getByTestId('sweep-status')).toHaveText('done', { timeout: 150_000 });
  await page.getByTestId('sweep-view-lines').click();
  await page.getByTestId('sweep-column').selectOption('finalBestMass');
  const over = page.locator('pf-line-view .u-over');
  await over.click({ position: { x: 20, y: 20 } });
  await expect(page.getByTestId('sweep-cell-curves')).toContainText('3 seeds');
  await page.screenshot({ path: `${DIR}/sweep-lines-bands.png`, fullPage: true });
  expect((await downloadOf(page, 'sweep-lines-png')).bytes.subarray(1, 4).toString()).toBe('PNG');

  const bad = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await bad.goto('/sweep.html#spec=%7B%22axes%22%3A%7B%22lr%22%3A%5B%5D%7D%7D');
  await expect(bad.getByTestId('sweep-hash-error')).toBeVisible();
  await bad.screenshot({ path: `${DIR}/sweep-bad-link.png` });
});
