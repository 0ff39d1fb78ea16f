// A device lost mid-run (here destroyed through a development-build hook) is replaced, the run
// resumes from its last checkpoint, and the exported CSV equals an uninterrupted run's.
import { expect, test } from '@playwright/test';
import type { ConfigInput } from '../src/model/config';
import { exportCsvText, hashOf, waitDone } from './helpers';
import { runInPage } from './regression';

const CONFIG: ConfigInput = { tasks: 256, steps: 2500, reward: 'rlif-certainty', optimizer: 'adam', lr: 0.02 };

test('losing the device mid-run changes nothing in the exported CSV', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.goto(`/${hashOf(CONFIG)}`);
  await expect(page.getByTestId('status')).toHaveAttribute('data-phase', 'running', { timeout: 60_000 });
  await page.waitForFunction(() => typeof window.__patternflowLoseDevice === 'function');
  await page.waitForTimeout(1500);
  await page.evaluate(() => window.__patternflowLoseDevice!());
  await waitDone(page);
  expect(warnings.some((w) => /GPU device was lost .*resumed from the checkpoint at step \d+/.test(w))).toBe(true);
  const interrupted = await exportCsvText(page);
  expect(interrupted).toBe(await runInPage(page, CONFIG));
});
