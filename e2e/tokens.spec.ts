// The token tree in the dashboard (docs/model.md §9): its presets run on the WGSL kernels and
// show the "Critical tokens" chart, with the numbers their sentences claim (measured on the
// float64 reference, which draws the same tokens).
import { expect, test } from '@playwright/test';
import { exportCsv, exportJson, firstStepAt, hashOf, last, openDashboard, waitDone } from './helpers';

test('the critical-tokens preset: only forks move in expected mode', async ({ page }) => {
  await openDashboard(page, '/' + hashOf({ tasks: 1, steps: 1, estimator: 'expected' }));
  await waitDone(page);
  await expect(page.getByTestId('field-length')).toHaveCount(0); // tree fields hidden for the tabular policy
  await page.getByTestId('preset-critical-tokens').click();
  await expect(page.getByTestId('step-count')).toHaveText('200', { timeout: 120_000 });
  await waitDone(page);
  await expect(page.getByTestId('field-length')).toBeVisible();
  await expect(page.getByTestId('chart-critical-tokens')).toBeVisible();
  const csv = await exportCsv(page);
  expect(csv.step).toHaveLength(200);
  expect(csv.criticalShare.every((x) => x === 1)).toBe(true);
  expect(csv.fillerRankChange.every((x) => x === 0)).toBe(true);
  expect(Math.max(...csv.rankChangeRatio)).toBeLessThanOrEqual(2 / 40);
  expect(last(csv.rankChangeRatio)).toBeCloseTo(0.029, 3);
  expect(csv.accuracy[0]).toBeCloseTo(0.47, 2);
  expect(last(csv.accuracy)).toBeCloseTo(0.86, 2);
  await expect(page.getByTestId('claim')).toContainText('2.9% of positions');
  // The per-position view at the last step: KL and rank changes on the forks (positions 10 and 30) only.
  await expect(page.getByTestId('hist-step')).toHaveText('200');
  for (const id of ['position-kl', 'position-rank-change']) {
    const rects = page.getByTestId(`hist-${id}`).locator('rect');
    await expect(rects).toHaveCount(40);
    const bars = await rects.evaluateAll((rs) => rs.map((r) => ({ fork: r.getAttribute('data-fork') === 'true', value: Number(r.getAttribute('data-value')) })));
    expect(bars.flatMap((b, l) => (b.fork ? [l] : []))).toEqual([10, 30]);
    expect(bars.filter((b) => !b.fork).every((b) => b.value === 0)).toBe(true);
    expect(bars.filter((b) => b.fork).every((b) => b.value > 0)).toBe(true);
  }
  // On the page's WebGPU adapter, not the float64 reference.
  const json = await exportJson(page);
  expect(json.adapter).not.toHaveProperty('backend');
  expect(json.adapter).toHaveProperty('architecture');
});

test('tokens vs patterns: the weak start as a 2 x 2 tree leaves the plateau ten times sooner', async ({ page }) => {
  await openDashboard(page, '/' + hashOf({ tasks: 1, steps: 1, estimator: 'expected' }));
  await waitDone(page);
  await page.getByTestId('preset-tokens-weak-start').click();
  await expect(page.getByTestId('step-count')).toHaveText('600', { timeout: 120_000 });
  await waitDone(page);
  const csv = await exportCsv(page);
  expect(firstStepAt(csv, 'bestMass', 0.9)).toBe(179);
  const peak = csv.patternMass1.indexOf(Math.max(...csv.patternMass1));
  expect(csv.step[peak]).toBe(89);
  expect(csv.patternMass1[peak]).toBeCloseTo(0.81, 2);
  await expect(page.getByTestId('claim')).toContainText('step 179 instead of the flat policy’s 1,912');
});

// docs/model.md §9: the ranking change ratio over GRPO training, beside the paper's table.
const ranking: [string, number[], number][] = [
  ['ranking-rlvr', [0.0103, 0.0806, 0.1415], 0.566],
  ['ranking-rlif', [0.0192, 0.0994, 0.164], 0.794],
];
for (const [id, ratios, share] of ranking)
  test(`${id}: the rank change ratio at steps 20, 60, 100`, async ({ page }) => {
    await openDashboard(page, '/' + hashOf({ tasks: 1, steps: 1, estimator: 'expected' }));
    await waitDone(page);
    await page.getByTestId(`preset-${id}`).click();
    await expect(page.getByTestId('step-count')).toHaveText('100', { timeout: 150_000 });
    await waitDone(page);
    const csv = await exportCsv(page);
    [20, 60, 100].forEach((t, j) => expect(csv.rankChangeRatio[t - 1]).toBeCloseTo(ratios[j], 4));
    expect(last(csv.criticalShare)).toBeCloseTo(share, 3);
    expect(last(csv.fillerRankChange)).toBeGreaterThan(0.1);
  });

test('the critical-tokens sweep runs in the explorer: finalFillerRankChange over lr x group', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/sweep.html');
  await page.getByTestId('sweep-preset-critical-tokens').click();
  await expect(page.getByTestId('sweep-status')).toHaveText('done', { timeout: 280_000 });
  const cells = JSON.parse((await page.getByTestId('sweep-heatmap').getAttribute('data-cells'))!) as number[][];
  // Rows: group 4 and 16; columns: lr 0.05, 0.2, 0.4 (as `patternflow sweep --preset critical-tokens` writes them).
  expect(cells.map((row) => row.map((v) => +v.toFixed(4)))).toEqual([
    [0.0205, 0.3435, 0.5401],
    [0.0021, 0.2072, 0.451],
  ]);
});
