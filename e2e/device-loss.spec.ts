// A device lost mid-run (here destroyed through a development-build hook) is replaced, the run
// resumes from its last checkpoint, and the exported CSV equals an uninterrupted run's.
import { expect, test } from '@playwright/test';
import type { ConfigInput } from '../src/model/config';
import { exportCsvText, hashOf, waitDone } from './helpers';
import { runInPage } from './regression';

const CONFIG: ConfigInput = { tasks: 256, steps: 6000, reward: 'rlif-certainty', optimizer: 'adam', lr: 0.02 };

test('losing the device mid-run changes nothing in the exported CSV', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.goto(`/${hashOf(CONFIG)}`);
  await expect(page.getByTestId('status')).toHaveAttribute('data-phase', 'running', { timeout: 60_000 });
  await page.waitForFunction(() => typeof window.__patternflowLoseDevice === 'function');
  // Lose the device after the first checkpoints (every 1000 steps), well before the end.
  await expect.poll(async () => Number(await page.getByTestId('step-count').textContent()), { intervals: [20], timeout: 120_000 }).toBeGreaterThan(2100);
  await page.evaluate(() => window.__patternflowLoseDevice!());
  await waitDone(page);
  expect(warnings.filter((w) => /GPU device was lost .*resumed from the checkpoint at step [2-5]000$/.test(w))).toHaveLength(1);
  const interrupted = await exportCsvText(page);
  expect(interrupted).toBe(await runInPage(page, CONFIG));
});
