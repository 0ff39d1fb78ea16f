// The URL hash holds the whole config: a shared link reruns the same run byte for byte, and a
// malformed one gives a readable message (never a blank page, never markup from the URL).
import { expect, test } from '@playwright/test';
import type { AdapterReport } from '../src/engine/adapter';
import { parseConfig } from '../src/model/config';
import { adapterKind } from '../src/node/adapter-choice';
import { exportCsvText, exportJson, hashOf, openDashboard, PAGE_ADAPTER, waitDone } from './helpers';

test('a shared link reproduces the run: same config, byte-identical CSV', async ({ page, context }) => {
  await openDashboard(page, '/' + hashOf({ tasks: 8, steps: 5, estimator: 'expected' }));
  await waitDone(page);
  // Edit the config in the panel and run it: the address follows.
  await page.getByTestId('field-tasks').fill('300');
  await page.getByTestId('field-steps').fill('120');
  await page.getByTestId('field-estimator').selectOption('rloo');
  await page.getByTestId('field-successBeta').fill('{"alpha":[3,1,1,0.5],"beta":[1,1,3,2]}');
  await page.getByTestId('field-successRates').fill('');
  await page.getByTestId('field-seed').fill('7');
  await page.getByTestId('run').click();
  await waitDone(page);
  const url = page.url();
  const hash = decodeURIComponent(new URL(url).hash.slice('#config='.length));
  const config = parseConfig(JSON.parse(hash));
  expect(config).toMatchObject({ tasks: 300, steps: 120, estimator: 'rloo', seed: 7, successBeta: { alpha: [3, 1, 1, 0.5] } });
  const first = await exportCsvText(page);
  expect(first.split('\n')[0]).toMatch(/^step,accuracy,bestMass,reward,/);
  expect(first.trim().split('\n')).toHaveLength(121);

  const other = await context.newPage();
  await openDashboard(other, url);
  await waitDone(other);
  await expect(other.getByTestId('field-estimator')).toHaveValue('rloo');
  expect(await exportCsvText(other)).toBe(first);
});

test('a link ending in &logEvery=10 logs every 10th step and the last, each row as the every-step run has it', async ({ page, context }) => {
  const link = '/' + hashOf({ tasks: 64, steps: 45, estimator: 'grpo', seed: 5 });
  await openDashboard(page, link);
  await waitDone(page);
  const every = (await exportCsvText(page)).trim().split('\n');
  expect(every).toHaveLength(46);

  const other = await context.newPage();
  await openDashboard(other, `${link}&logEvery=10`);
  await waitDone(other);
  await expect(other.getByTestId('log-every')).toHaveValue('10');
  await expect(other.getByTestId('step-count')).toHaveText('45');
  expect((await exportCsvText(other)).trim().split('\n')).toEqual([every[0], ...[10, 20, 30, 40, 45].map((t) => every[t])]);
  expect(other.url()).toMatch(/&logEvery=10$/);
});

test('the JSON export holds the config, the adapter and the metrics', async ({ page }) => {
  await openDashboard(page, '/' + hashOf({ tasks: 8, steps: 4, estimator: 'expected', reward: 'rlif-certainty' }));
  await waitDone(page);
  const json = await exportJson(page);
  expect(json.config).toMatchObject({ tasks: 8, steps: 4, reward: 'rlif-certainty', init: [0.25, 0.25, 0.25, 0.25] });
  expect(adapterKind(json.adapter as unknown as AdapterReport)).toBe(PAGE_ADAPTER);
  expect(json.model.regimes.one + json.model.regimes.two + json.model.regimes.other).toBe(8);
  expect(json.metrics.step).toEqual([1, 2, 3, 4]);
  expect(json.metrics.accuracy).toHaveLength(4);
});

const MALFORMED: [string, string, RegExp][] = [
  ['cut-off JSON', '#config=%7B%22tasks%22%3A', /not JSON/],
  ['bad percent-encoding', '#config=%E0%A4%A', /not valid percent-encoding/],
  ['out-of-range field', hashOf({ tasks: -5 }), /tasks: must be an integer in 1\.\.2147483648/],
  ['unknown field', hashOf({ tasks: 8, colour: 'red' }), /colour: unknown field/],
  ['no config=', '#something-else', /expected #config=/],
];

test('a malformed hash shows a readable error and the dashboard, and runs nothing', async ({ page }) => {
  for (const [what, hash, message] of MALFORMED) {
    await test.step(what, async () => {
      await page.goto('about:blank');
      await openDashboard(page, '/' + hash);
      await expect(page.getByTestId('hash-error')).toContainText(message);
      await expect(page.getByTestId('preset-rlvr-strong')).toBeVisible();
      // The panel shows the default preset, ready to run.
      await expect(page.getByTestId('status')).toHaveAttribute('data-phase', 'idle');
      await expect(page.getByTestId('field-lr')).toHaveValue('0.5');
    });
  }
});

test('after a bad link, Run starts the config in the panel and clears the message', async ({ page }) => {
  await openDashboard(page, '/#config=%7B');
  await expect(page.getByTestId('hash-error')).toBeVisible();
  await page.getByTestId('field-steps').fill('20');
  await page.getByTestId('run').click();
  await waitDone(page);
  await expect(page.getByTestId('hash-error')).toHaveCount(0);
  expect(decodeURIComponent(new URL(page.url()).hash)).toContain('"steps":20');
});

test('markup in the hash is shown as text, never inserted', async ({ page }) => {
  let alerted = false;
  page.on('dialog', async (d) => {
    alerted = true;
    await d.dismiss();
  });
  const evil = '<img src=x onerror="alert(1)"><b id="injected">x</b>';
  await openDashboard(page, '/#config=' + encodeURIComponent(`{"reward": "${evil.replace(/"/g, '\\"')}"}`));
  await expect(page.getByTestId('hash-error')).toContainText('reward: must be one of');
  await openDashboard(page, '/#' + evil);
  await expect(page.getByTestId('hash-error')).toContainText('%3Cimg%20src=x');
  await expect(page.locator('#injected')).toHaveCount(0);
  await expect(page.locator('img')).toHaveCount(0);
  expect(alerted).toBe(false);
});
