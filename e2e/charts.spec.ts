// Charts: min/max decimation (at most two points per pixel, even for 10^6 steps), EMA under raw
// curves, log scales, synced cursors, PNG export.
import { expect, test } from '@playwright/test';
import { decimate, extendEma } from '../src/ui/series';
import { downloadOf, hashOf, openDashboard, waitDone } from './helpers';

test('decimation keeps at most two points per pixel column and every extreme', () => {
  const n = 1_000_000;
  const x = Float64Array.from({ length: n }, (_, i) => i + 1);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 5000) + 0.01 * Math.sin(i * 12.9898));
  y[123_456] = 5;
  y[654_321] = -5;
  const shorter = y.subarray(0, 400_000);
  for (const logX of [false, true]) {
    const d = decimate(x, [y, shorter], 600, logX);
    expect(d.x.length).toBeLessThanOrEqual(1200);
    expect(d.ys[0]).toHaveLength(d.x.length);
    expect(Math.max(...(d.ys[0] as number[]))).toBe(5);
    expect(Math.min(...(d.ys[0] as number[]))).toBe(-5);
    // The shorter series ends in the pixel column where its data ends.
    const drawnTo = d.ys[1].lastIndexOf(d.ys[1].filter((v) => v !== null).at(-1)!);
    expect(d.ys[1].slice(drawnTo + 1).every((v) => v === null)).toBe(true);
    expect(d.x[drawnTo + 1]).toBeGreaterThan(400_000);
    expect(d.x[drawnTo]).toBeLessThan(400_000 * 1.025);
    expect(d.x.slice(1).every((v, i) => v > d.x[i])).toBe(true);
  }
});

test('the EMA extended batch by batch equals the EMA computed at once', () => {
  const v = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i) + i / 1000);
  const once = new Float64Array(1000);
  extendEma(v, 0.9, once, 0);
  const inc = new Float64Array(1000);
  let len = 0;
  for (const end of [1, 17, 256, 600, 1000]) len = extendEma(v.subarray(0, end), 0.9, inc, len);
  expect(Array.from(inc)).toEqual(Array.from(once));
  expect(once[0]).toBe(v[0]); // debiased: the first value is the value itself
});

test('a 10^6-step log draws at most two points per pixel', async ({ page }) => {
  await openDashboard(page, '/' + hashOf({ tasks: 4, steps: 3, estimator: 'expected' }));
  await waitDone(page);
  // Mount a chart on a synthetic million-step run, built from the app's own modules.
  const drawn = await page.evaluate(async () => {
    // Module paths as served by Vite (variables, so that tsc does not resolve them from e2e/).
    const [metrics, charts] = ['/src/model/metrics.ts', '/src/ui/charts.ts'];
    const { MetricsLog } = await import(metrics);
    const { CHARTS } = await import(charts);
    const log = new MetricsLog(['accuracy', 'reward']);
    const n = 1_000_000;
    const rows = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      rows[2 * i] = 1 - 1 / Math.sqrt(i + 1);
      rows[2 * i + 1] = Math.random();
    }
    log.append(1, rows, n);
    const chart = document.createElement('pf-chart');
    chart.spec = CHARTS[0];
    chart.runs = [{ id: 99, name: 'synthetic', config: {} as never, log }];
    chart.smoothing = 0.9;
    document.body.prepend(chart);
    const section = () => chart.querySelector('section');
    while (Number(section()?.dataset.points ?? 0) === 0) await new Promise((r) => setTimeout(r, 50));
    return { points: Number(section()!.dataset.points), width: Number(section()!.dataset.width) };
  });
  expect(drawn.width).toBeGreaterThan(300);
  expect(drawn.points).toBeGreaterThan(drawn.width / 2);
  expect(drawn.points).toBeLessThanOrEqual(2 * drawn.width);
});

test('the pattern-mass chart copes with runs that report no per-pattern masses (K > 32)', async ({ page }) => {
  await openDashboard(page, '/' + hashOf({ tasks: 4, steps: 3, estimator: 'expected' }));
  await waitDone(page);
  const labels = await page.evaluate(async () => {
    const [metrics, charts] = ['/src/model/metrics.ts', '/src/ui/charts.ts'];
    const { MetricsLog } = await import(metrics);
    const { CHARTS } = await import(charts);
    const log = new MetricsLog(['accuracy', 'bestMass', 'worstMass', 'passAt1']);
    log.append(1, Float32Array.from({ length: 4 * 50 }, (_, i) => (i % 4) / 4), 50);
    const chart = document.createElement('pf-chart');
    chart.spec = CHARTS.find((c: { id: string }) => c.id === 'pattern-mass');
    chart.runs = [{ id: 98, name: 'many patterns', config: {} as never, log }];
    document.body.prepend(chart);
    while (Number(chart.querySelector('section')?.dataset.points ?? 0) === 0) await new Promise((r) => setTimeout(r, 50));
    return [...chart.querySelectorAll('.u-legend .u-label')].map((e) => e.textContent);
  });
  expect(labels).toEqual(['step', 'best pattern', 'worst pattern']);
});

test('charts: log scales, smoothing, synced cursors, decimated data and PNG export', async ({ page }) => {
  await openDashboard(page, '/' + hashOf({ tasks: 256, steps: 2000, group: 8, lr: 0.05 }));
  await waitDone(page);
  const charts = page.locator('[data-testid^=chart-]');
  // accuracy, pass@k, pattern mass, entropy and KL, converged, collapse (Theorem 5.6), majority.
  await expect(charts).toHaveCount(7);
  await expect(page.getByTestId('chart-pattern-mass').locator('.u-legend')).toContainText('worst pattern');
  await expect(page.getByTestId('chart-collapse').locator('.u-legend')).toContainText('on the worst pattern (mass > 0.99)');
  for (const chart of await charts.all()) {
    const points = Number(await chart.getAttribute('data-points'));
    const width = Number(await chart.getAttribute('data-width'));
    expect(points).toBeGreaterThan(0);
    expect(points).toBeLessThanOrEqual(2 * width);
  }

  await page.getByTestId('logx').check();
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-x-scale', 'log');
  await expect(page.getByTestId('chart-entropy-kl')).toHaveAttribute('data-x-scale', 'log');
  await page.getByTestId('logy-entropy-kl').check();
  await expect(page.getByTestId('chart-entropy-kl')).toHaveAttribute('data-y-scale', 'log');
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-y-scale', 'linear');

  // EMA: each curve gets a faint raw twin, which shares its legend entry.
  const accuracyLegend = page.getByTestId('chart-accuracy').locator('.u-legend');
  await expect(accuracyLegend.locator('.raw')).toHaveCount(0);
  await page.getByTestId('smoothing').fill('0.9');
  await expect(accuracyLegend.locator('.raw')).toHaveCount(2);
  await expect(accuracyLegend.locator('.raw').first()).toBeHidden();

  // Hovering one chart moves the cursor of every chart: their legends show values.
  const other = page.getByTestId('chart-converged').locator('.u-legend .u-value').nth(1);
  await expect(other).toHaveText('--');
  const over = page.getByTestId('chart-accuracy').locator('.u-over');
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(other).toHaveText(/^\d/);

  const png = await downloadOf(page, 'png-accuracy');
  expect(png.name).toBe('patternflow-accuracy.png');
  expect(png.bytes.subarray(1, 4).toString()).toBe('PNG');
  expect(png.bytes.length).toBeGreaterThan(5000);
});
