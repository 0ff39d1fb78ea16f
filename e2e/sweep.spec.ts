// sweep.html: every sweep preset runs on the page (WebGPU on SwiftShader here) and its heatmap
// shows what the preset claims, checked on the exported summary; the page's files are the
// command line's, byte for byte; a link reruns a sweep exactly; Pause and Resume change nothing;
// a clicked cell's curves are its config's single run; the command line's files open as the same
// heatmap; a malformed link or spec says what is wrong and leaves the page usable; a reload during
// a sweep offers to go on from the cohorts that had ended, to the same files.
import { expect, test, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { PRESETS } from '../src/sweep/presets';
import { downloadOf, exportCsvText, PAGE_ADAPTER, waitDone } from './helpers';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'patternflow-sweep-page-'));
const cli = (...args: string[]) => exec(process.execPath, ['bin/patternflow.js', ...args], { maxBuffer: 1 << 26 });

type Row = Record<string, string>;
const parse = (bytes: Buffer): Row[] => Papa.parse<Row>(bytes.toString('utf8').trim(), { header: true }).data;
const num = (v: string) => (v === '' ? null : Number(v));

async function runPreset(page: Page, name: string, timeout = 150_000) {
  await page.goto('/sweep.html');
  await page.getByTestId(`sweep-preset-${name}`).click();
  await expect(page.getByTestId('sweep-status')).toHaveText('done', { timeout });
}

const heatmap = (page: Page) => page.getByTestId('sweep-heatmap');
/** The heatmap's cells, printed as the CSV prints a float32 metric (nine digits). */
const cellsOf = async (page: Page): Promise<(number | null)[][]> =>
  (JSON.parse((await heatmap(page).getAttribute('data-cells'))!) as (number | null)[][]).map((row) => row.map((v) => (v === null ? null : +v.toPrecision(9))));
const centers = async (page: Page, axis: 'x' | 'y') => (await heatmap(page).getAttribute(`data-${axis}-centers`))!.split(',').map(Number);

test('two-regimes: stepsToBest90 grows as initBest falls, regime 2 below 0.2; a cell shows its single run', async ({ page }) => {
  await runPreset(page, 'two-regimes');
  const rows = parse((await downloadOf(page, 'sweep-export-csv')).bytes);
  expect(rows).toHaveLength(24);
  const lrs = [0.25, 0.5, 1];
  const initBests = [...new Set(rows.map((r) => Number(r.initBest)))].sort((a, b) => a - b);
  for (const lr of lrs) {
    const line = rows.filter((r) => Number(r.lr) === lr).sort((a, b) => Number(a.initBest) - Number(b.initBest));
    const steps = line.map((r) => num(r.stepsToBest90)!);
    for (let i = 1; i < steps.length; i++) expect(steps[i], `lr ${lr}`).toBeLessThan(steps[i - 1]);
    for (const r of line) expect(Number(r.regimeTwo) > 0, `initBest ${r.initBest}`).toBe(Number(r.initBest) < 0.2);
  }
  // The heatmap draws those very numbers: rows of lr upwards, columns of initBest.
  expect(await cellsOf(page)).toEqual(lrs.map((lr) => initBests.map((b) => num(rows.find((r) => Number(r.lr) === lr && Number(r.initBest) === b)!.stepsToBest90))));
  await expect(heatmap(page)).toHaveAttribute('data-boundaries', /regime boundary/);
  // A narrower window: the heatmap lays itself out again at its new width (its ResizeController).
  const wide = await centers(page, 'x');
  await page.setViewportSize({ width: 900, height: 900 });
  await expect.poll(async () => (await centers(page, 'x'))[7]).toBeLessThan(wide[7]);

  // initBest 0.5, lr 1: the top right cell.
  await heatmap(page).click({ position: { x: (await centers(page, 'x'))[7], y: (await centers(page, 'y'))[2] } });
  await expect(page.getByTestId('sweep-cell-title')).toHaveText('Cohorts at initBest = 0.5, lr = 1');
  await expect(page.getByTestId('sweep-cell-curves').locator('[data-testid=chart-accuracy] canvas')).toHaveCount(1);
  const cohort = (await downloadOf(page, 'sweep-cell-csv')).bytes.toString('utf8').trim().split('\n');
  const href = (await page.getByTestId('sweep-open-dashboard').getAttribute('href'))!;
  await page.goto(new URL(href, page.url()).toString());
  await waitDone(page);
  const single = (await exportCsvText(page)).trim().split('\n');
  // The cohort logs about 200 log-spaced steps; each is the single run's row of that step, exactly.
  const byStep = new Map(single.slice(1).map((l) => [l.split(',')[0], l]));
  expect(cohort[0]).toBe(single[0]);
  expect(cohort.length).toBeGreaterThan(100);
  for (const line of cohort.slice(1)) expect(line).toBe(byStep.get(line.split(',')[0]));
});

test.describe('noisy-verifier against the command line', () => {
  const cliOut = { parquet: join(dir, 'nv-parquet'), csv: join(dir, 'nv-csv') };

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    await cli('sweep', '--preset', 'noisy-verifier', '--out', cliOut.parquet, '--quiet', '--adapter', PAGE_ADAPTER);
    await cli('sweep', '--preset', 'noisy-verifier', '--out', cliOut.csv, '--format', 'csv', '--quiet', '--adapter', PAGE_ADAPTER);
  });

  test('accuracy rises exactly where TPR > FPR; paused and resumed, the files are the command line’s; a link reruns it', async ({ page, context }) => {
    await page.goto('/sweep.html');
    await page.getByTestId('sweep-preset-noisy-verifier').click();
    await expect(page.getByTestId('sweep-status')).toHaveText('running', { timeout: 60_000 });
    await expect(page.getByTestId('sweep-eta')).toHaveText(/^\d+ (s|min)$/);
    await expect(page.getByTestId('sweep-rate')).toHaveText(/^[\d,]+$/);
    await expect.poll(async () => Number(await page.getByTestId('sweep-cohorts').textContent())).toBeGreaterThanOrEqual(3);
    await page.getByTestId('sweep-pause').click();
    await expect(page.getByTestId('sweep-status')).toHaveText('paused');
    // Live: the finished cohorts' cells are drawn, the others are still empty.
    const partial = (await cellsOf(page)).flat();
    expect(partial.filter((v) => v !== null).length).toBeGreaterThanOrEqual(3);
    expect(partial).toContain(null);
    await page.getByTestId('sweep-resume').click();
    await expect(page.getByTestId('sweep-status')).toHaveText('done', { timeout: 120_000 });

    const files = {
      'summary.csv': 'sweep-export-csv',
      'metrics.csv': 'sweep-export-metrics-csv',
      'summary.parquet': 'sweep-export-parquet',
      'metrics.parquet': 'sweep-export-metrics-parquet',
    };
    for (const [file, testId] of Object.entries(files)) {
      const { name, bytes } = await downloadOf(page, testId);
      expect(name).toBe(file);
      expect(bytes.equals(readFileSync(join(file.endsWith('csv') ? cliOut.csv : cliOut.parquet, file))), file).toBe(true);
    }

    const rows = parse(readFileSync(join(cliOut.csv, 'summary.csv')));
    expect(rows).toHaveLength(21);
    // The default rates' mean, 0.5, is the accuracy at the start.
    for (const r of rows) {
      const d = Number(r.tprMinusFpr);
      const acc = Number(r.finalAccuracy);
      if (d > 0) expect(acc, `tprMinusFpr ${d}`).toBeGreaterThan(0.55);
      if (d < 0) expect(acc, `tprMinusFpr ${d}`).toBeLessThan(0.45);
    }
    await expect(heatmap(page)).toHaveAttribute('data-boundaries', 'TPR = FPR');

    const link = await context.newPage();
    await link.goto(page.url());
    await expect(link.getByTestId('sweep-status')).toHaveText('done', { timeout: 120_000 });
    expect((await downloadOf(link, 'sweep-export-csv')).bytes.equals(readFileSync(join(cliOut.csv, 'summary.csv')))).toBe(true);
  });

  test('the command line’s summary.parquet opens as the same heatmap, without WebGPU; its metrics and manifest give the curves', async ({ page, context }) => {
    await runPreset(page, 'noisy-verifier');
    const live = { cells: await cellsOf(page), png: await heatmap(page).evaluate((c: HTMLCanvasElement) => c.toDataURL()) };

    // Opening files needs no WebGPU: this page has none.
    const opened = await context.newPage();
    await opened.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }));
    await opened.goto('/sweep.html');
    await expect(opened.getByTestId('no-webgpu')).toBeVisible();
    await opened.getByTestId('sweep-open').setInputFiles(['summary.parquet', 'metrics.parquet', 'manifest.json'].map((f) => join(cliOut.parquet, f)));
    await expect(opened.getByTestId('sweep-opened')).toContainText('21 cohorts');
    expect(await cellsOf(opened)).toEqual(live.cells);
    expect(await heatmap(opened).evaluate((c: HTMLCanvasElement) => c.toDataURL())).toBe(live.png);

    await heatmap(opened).click({ position: { x: (await centers(opened, 'x'))[6], y: (await centers(opened, 'y'))[0] } });
    await expect(opened.getByTestId('sweep-cell-title')).toHaveText('Cohorts at tprMinusFpr = 0.6, tprPlusFpr = 0.6');
    await expect(opened.getByTestId('sweep-cell-curves').locator('[data-testid=chart-accuracy] canvas')).toHaveCount(1);
  });
});

test('rlif-collapse: about half the tasks end on their worst pattern, at every K up to 10,000', async ({ page }) => {
  test.setTimeout(360_000);
  await runPreset(page, 'rlif-collapse', 330_000);
  const rows = parse((await downloadOf(page, 'sweep-export-csv')).bytes);
  expect(rows.map((r) => Number(r.patterns))).toEqual([10, 100, 1000, 10000]);
  // Theorem 5.6: the most self-certain pattern is the worst one with probability 1/2. Measured
  // with the command line: 0.47, 0.50, 0.47, 0.56 of the 32 tasks.
  const se = Math.sqrt(0.25 / 32);
  for (const r of rows) expect(Math.abs(Number(r.finalConvergedWorst) - 0.5), `K ${r.patterns}`).toBeLessThan(3 * se);
  expect((await cellsOf(page))[0]).toEqual(rows.map((r) => Number(r.finalConvergedWorst)));
});

test('kl-optimum: finalBestMass is the closed form of Proposition 5.2', async ({ page }) => {
  await runPreset(page, 'kl-optimum');
  const rows = parse((await downloadOf(page, 'sweep-export-csv')).bytes);
  const s = PRESETS['kl-optimum'].spec.base!.successRates as number[];
  expect(rows).toHaveLength(8);
  for (const r of rows) {
    const w = s.map((x) => Math.exp(x / Number(r.klCoef)));
    expect(Math.abs(Number(r.finalBestMass) - w[0] / w.reduce((a, b) => a + b))).toBeLessThan(1e-5);
  }
  expect((await cellsOf(page))[0]).toEqual(rows.map((r) => Number(r.finalBestMass)));
});

test('entanglement: medianT0 against gamma as lines per lr on a log y axis, growing like gamma^3 and like 1/lr', async ({ page }) => {
  test.setTimeout(360_000);
  await runPreset(page, 'entanglement', 330_000);
  const rows = parse((await downloadOf(page, 'sweep-export-csv')).bytes);
  expect(rows).toHaveLength(21);
  // docs/model.md §6.7, measured with the command line: T0 at lr 1 for gamma 2 .. 16 (logspace, 7 values).
  const atLr1 = rows.filter((r) => Number(r.lr) === 1).map((r) => Number(r.medianT0));
  [16, 34, 75, 186, 506, 1434, 4118].forEach((t0, j) => expect(Math.abs(atLr1[j] - t0), `gamma ${j}`).toBeLessThanOrEqual(Math.max(1, 1e-3 * t0)));
  for (const r of rows) expect(Number(r.gammaMedian)).toBeCloseTo(Number(r.gamma), 9);
  // The page opens it as the preset says: the line view, log y, one line per lr.
  await expect(page.getByTestId('sweep-lines')).toBeVisible();
  await expect(page.getByTestId('sweep-view-lines')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('sweep-log-y')).toBeChecked();
  await expect(page.getByTestId('sweep-column')).toHaveValue('medianT0');
  await expect(page.getByTestId('sweep-lines')).toContainText('lr = 0.5');
  await page.getByTestId('sweep-log-y').uncheck();
  await expect(page.getByTestId('sweep-log-y')).not.toBeChecked();
});

test('a malformed link or spec says what is wrong, in the command line’s words, and the page stays usable', async ({ page }) => {
  await page.goto('/sweep.html#spec=%7Bnot-json');
  await expect(page.getByTestId('sweep-hash-error')).toContainText('the #spec= part is not JSON');
  await expect(page.getByTestId('sweep-run')).toBeEnabled();
  await page.getByTestId('sweep-spec').fill('{"axes":{"seed":[1,2]}}');
  await expect(page.getByTestId('sweep-spec-error')).toHaveText(/^axes\.seed: cannot be an axis/);
  await expect(page.getByTestId('sweep-run')).toBeDisabled();
  await page.getByTestId('sweep-spec').fill('{"base":{"tasks":8,"steps":5},"axes":{"lr":[0.1,0]}}');
  await expect(page.getByTestId('sweep-spec-error')).toHaveText('axes.lr: must be a finite number > 0 (cohort 1: lr=0)');
  await page.getByTestId('sweep-spec').fill('{"base":{"tasks":8,"steps":5,"estimator":"expected"},"axes":{"lr":[0.1,0.2]}}');
  await expect(page.getByTestId('sweep-plan')).toHaveText(/^2 cohorts \(2 lr × 1 seed\), 5 steps each/);
  await page.getByTestId('sweep-run').click();
  await expect(page.getByTestId('sweep-status')).toHaveText('done', { timeout: 60_000 });
  await expect(page.getByTestId('sweep-hash-error')).toHaveCount(0);
  expect(decodeURIComponent(new URL(page.url()).hash)).toBe('#spec={"base":{"tasks":8,"steps":5,"estimator":"expected"},"axes":{"lr":[0.1,0.2]}}');
});

test('the dashboard, the sweep page and the benchmark page link to each other', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('sweep-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('patternflow sweep explorer');
  await page.getByTestId('bench-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('patternflow throughput benchmark');
  await page.getByTestId('sweep-link').click();
  await page.getByTestId('dashboard-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('patternflow');
});

test('a reload during a sweep offers to go on from its ended cohorts, and the files are those of the sweep run without a break', async ({ page }) => {
  const spec = { base: { estimator: 'expected', tasks: 1, steps: 10000, successRates: [0.9, 0.5, 0.4, 0.3] }, axes: { lr: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] } };
  await page.goto(`/sweep.html#spec=${encodeURIComponent(JSON.stringify(spec))}`);
  const cohorts = page.getByTestId('sweep-cohorts');
  const status = page.getByTestId('sweep-status');
  await expect.poll(async () => Number(await cohorts.textContent()), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  const before = Number(await cohorts.textContent());
  expect(before).toBeLessThan(6);
  await page.reload();
  const notice = page.getByTestId('sweep-reload-notice');
  await expect(notice).toContainText(/This page was reloaded while this sweep was running \(\d of 6 cohorts done\)\. The \d cohorts that had ended are kept in this browser/);
  // Not run again on its own: the page waits for the choice.
  await expect(status).toHaveText('idle');
  const kept = Number(/The (\d) cohorts/.exec((await notice.textContent())!)![1]);
  expect(kept).toBeGreaterThanOrEqual(before);
  await page.getByTestId('sweep-continue').click();
  await expect(notice).toHaveCount(0);
  await expect(status).toHaveText('done', { timeout: 120_000 });
  const files = ['sweep-export-csv', 'sweep-export-metrics-csv', 'sweep-export-parquet', 'sweep-export-metrics-parquet'];
  const resumed = [];
  for (const testId of files) resumed.push((await downloadOf(page, testId)).bytes);
  // The same sweep from its first cohort, without a break.
  await page.getByTestId('sweep-run').click();
  await expect(status).toHaveText('done', { timeout: 120_000 });
  for (const [j, testId] of files.entries()) expect((await downloadOf(page, testId)).bytes.equals(resumed[j]), testId).toBe(true);
  // A sweep that is done is not offered again.
  await page.reload();
  await expect(status).toHaveText('running');
  await expect(notice).toHaveCount(0);
  await page.getByTestId('sweep-stop').click();
});
