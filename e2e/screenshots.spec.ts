// Screenshots of the main states, saved under test-results/screenshots/ for a human (or an image
// viewer) to check that axes are labelled, legends readable and no text overlaps.
import { expect, test } from '@playwright/test';
import { PRESETS } from '../src/dashboard/presets';
import { hashOf, openDashboard, waitDone } from './helpers';

const DIR = 'test-results/screenshots';

test('screenshots: weak start vs SFT overlaid, smoothing, log x; the model report and the collapse chart; errors; no WebGPU', async ({ page, browser }) => {
  await openDashboard(page, '/' + hashOf({ tasks: 4, steps: 3, estimator: 'expected' }));
  await waitDone(page);
  await page.getByTestId('preset-rlvr-weak').click();
  await waitDone(page);
  await page.getByTestId('preset-sft-then-rlvr').click();
  await waitDone(page);
  await page.getByTestId('run-row').nth(1).getByTestId('overlay').check();
  await page.getByTestId('logx').check();
  await expect(page.getByTestId('hist-step')).toHaveText('3000');
  await page.screenshot({ path: `${DIR}/dashboard-overlay.png`, fullPage: true });
  await page.getByTestId('chart-pattern-mass').screenshot({ path: `${DIR}/chart-pattern-mass.png` });

  // Theorem 5.6's preset, cut to the 100 steps in which its tasks settle.
  await page.goto('/' + hashOf({ ...PRESETS.find((p) => p.id === 'rlif-theorem-5-6')!.config, steps: 100 }));
  await expect(page.getByTestId('step-count')).toHaveText('100', { timeout: 120_000 });
  await waitDone(page);
  await page.getByTestId('chart-pattern-mass').screenshot({ path: `${DIR}/chart-pattern-mass-k1000.png` });
  await page.getByTestId('model-report').screenshot({ path: `${DIR}/model-report.png` });
  await page.getByTestId('chart-collapse').screenshot({ path: `${DIR}/chart-collapse.png` });

  await page.getByTestId('preset-noisy-informative').click();
  await waitDone(page);
  await page.getByTestId('logx').uncheck();
  await page.getByTestId('smoothing').fill('0.95');
  await page.getByTestId('field-lr').fill('-2');
  await expect(page.getByTestId('config-error')).toBeVisible();
  await page.screenshot({ path: `${DIR}/dashboard-smoothing-error.png`, fullPage: true });

  const bad = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await bad.goto('/#config=%7B%22tasks%22%3A-1%7D');
  await expect(bad.getByTestId('hash-error')).toBeVisible();
  await bad.screenshot({ path: `${DIR}/bad-link.png` });

  const noGpu = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await noGpu.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }));
  await noGpu.goto('/');
  await expect(noGpu.getByTestId('no-webgpu')).toBeVisible();
  await noGpu.screenshot({ path: `${DIR}/no-webgpu.png` });
});
