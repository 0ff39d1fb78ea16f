// The config panel validates with parseConfig: an invalid field shows the schema's message, which
// names the field and its allowed range, and blocks Run until it is fixed.
import { expect, test } from '@playwright/test';
import { exportCsv, hashOf, openDashboard, waitDone } from './helpers';

const SMALL = { tasks: 16, steps: 5, estimator: 'expected' };

test('an invalid field shows a message naming the field and its range, and Run waits for a fix', async ({ page }) => {
  await openDashboard(page, '/' + hashOf(SMALL));
  const error = page.getByTestId('config-error');
  await expect(error).toHaveCount(0);

  await page.getByTestId('field-lr').fill('-1');
  await expect(error).toHaveText('lr: must be a finite number > 0');
  await expect(page.getByTestId('run')).toBeDisabled();

  await page.getByTestId('field-lr').fill('0.5');
  await page.getByTestId('field-patterns').fill('16385');
  await expect(error).toHaveText('patterns: must be an integer in 2..16384');

  await page.getByTestId('field-patterns').fill('3');
  await expect(error).toContainText('must have 3 entries (one per pattern)');
  await page.getByTestId('field-init').fill('');
  await page.getByTestId('field-successRates').fill('0.9,1.5,0.2');
  await expect(error).toHaveText('successRates[1]: must be a number in [0, 1]');

  await page.getByTestId('field-successRates').fill('0.9,0.5,0.2');
  await page.getByTestId('field-sft').fill('{"steps": 3');
  await expect(error).toContainText('sft: must be JSON');
  await page.getByTestId('field-sft').fill('');
  await page.getByTestId('field-estimator').selectOption('grpo');
  await page.getByTestId('field-group').fill('1');
  await expect(error).toContainText('group: must be an integer in 2..256');

  await page.getByTestId('field-group').fill('4');
  await expect(error).toHaveCount(0);
  await page.getByTestId('run').click();
  await waitDone(page);
  const csv = await exportCsv(page);
  expect(csv.step).toEqual([1, 2, 3, 4, 5]);
  expect(Object.keys(csv)).toEqual(expect.arrayContaining(['patternMass2', 'passAt64']));
  expect(Object.keys(csv)).not.toContain('patternMass3');
});

test('an over-large task count is refused with the adapter limit, not a crash', async ({ page }) => {
  await openDashboard(page, '/' + hashOf(SMALL));
  await waitDone(page);
  await page.getByTestId('field-tasks').fill('2000000000');
  await page.getByTestId('field-answerMode').selectOption('trainable');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-error')).toContainText(/^tasks: 2000000000 tasks need .* above this adapter's buffer limit/);
});
