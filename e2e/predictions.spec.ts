// docs/model.md §6, asserted quantitatively from the page's exported metrics (Chromium, WebGPU).
// The presets' own claims (Theorems 5.3, 5.4 and 5.6, Proposition 5.2) are in presets.spec.ts.
import { expect, test } from '@playwright/test';
import { parseConfig, type ConfigInput } from '../src/model/config';
import { parseCsv } from '../src/model/export';
import { modelReport } from '../src/model/report';
import { buildTasks } from '../src/model/tasks';
import { exportJson, firstStepAt, last } from './helpers';
import { referenceColumns, runInPage, runLink } from './regression';

const TWO_REGIMES = { tasks: 1, estimator: 'expected', lr: 0.5, successRates: [0.9, 0.5, 0.4, 0.3] } as const;
const weak = (p: number): ConfigInput => ({ ...TWO_REGIMES, successRates: [...TWO_REGIMES.successRates], init: [p, (1 - p) / 3, (1 - p) / 3, (1 - p) / 3], steps: 2500 });

test('RLVR, sampled GRPO: accuracy rises (up to sampling noise) to within 0.01 of mean_i max_k s[i,k]', async ({ page }) => {
  const config: ConfigInput = { tasks: 2048, group: 8, lr: 1, steps: 400, successBeta: { alpha: [4, 2, 1, 1], beta: [1, 2, 2, 4] } };
  const csv = parseCsv(await runInPage(page, config));
  const t = buildTasks(parseConfig(config));
  let target = 0;
  for (let i = 0; i < 2048; i++) target += Math.max(...t.rates.subarray(i * 4, i * 4 + 4)) / 2048;
  expect(Math.abs(last(csv.accuracy) - target)).toBeLessThan(0.01);
  let best = 0;
  for (const a of csv.accuracy) {
    expect(a).toBeGreaterThan(best - 0.005); // a dip beyond sampling noise would be a bug
    best = Math.max(best, a);
  }
});

test('two regimes: steps to 0.9 grow as the initial best mass shrinks, match the CPU twin within 1%, weakest >= 20x strongest', async ({ page }) => {
  test.setTimeout(400_000);
  const starts = [0.5, 0.1, 0.05, 0.01];
  const steps: number[] = [];
  for (const p of starts) {
    const csv = parseCsv(await runInPage(page, weak(p)));
    const gpu = firstStepAt(csv, 'bestMass', 0.9);
    const cpu = firstStepAt(referenceColumns(weak(p)), 'bestMass', 0.9);
    expect(gpu).toBeGreaterThan(0);
    expect(Math.abs(gpu - cpu) / cpu).toBeLessThanOrEqual(0.01);
    steps.push(gpu);
  }
  for (let j = 1; j < steps.length; j++) expect(steps[j]).toBeGreaterThan(steps[j - 1]);
  expect(steps[3] / steps[0]).toBeGreaterThanOrEqual(20);
});

test('SFT first cuts the weak start steps to 0.9 by at least 5x', async ({ page }) => {
  const plain = parseCsv(await runInPage(page, weak(0.01)));
  const sft = parseCsv(await runInPage(page, { ...weak(0.01), sft: { steps: 20, lr: 1, target: [1, 0, 0, 0] } }));
  expect(firstStepAt(plain, 'bestMass', 0.9) / firstStepAt(sft, 'bestMass', 0.9)).toBeGreaterThanOrEqual(5);
});

test('RLIF rise-then-fall: accuracy peaks and ends >= 0.1 below its peak while the RLIF reward keeps rising', async ({ page }) => {
  const csv = parseCsv(
    await runInPage(page, { tasks: 1, estimator: 'expected', reward: 'rlif-certainty', lr: 1, patterns: 3, answers: 8, wrongDecay: 0.01, successRates: [0.9, 0.05, 0.5], init: [0.3, 0.02, 0.68], steps: 10000 }),
  );
  const peak = Math.max(...csv.accuracy);
  expect(peak).toBeGreaterThan(csv.accuracy[0] + 0.2);
  expect(last(csv.accuracy)).toBeLessThanOrEqual(peak - 0.1);
  // Rising up to float32 rounding: near convergence the logits are large and J moves by ~1e-6 ulps.
  csv.reward.slice(1).forEach((r, t) => expect(r).toBeGreaterThanOrEqual(csv.reward[t] - 1e-5));
});

test('noisy verifier: learning for TPR > FPR, anti-learning for TPR < FPR', async ({ page }) => {
  const base: ConfigInput = { tasks: 1024, group: 8, lr: 0.5, steps: 200 };
  const up = parseCsv(await runInPage(page, { ...base, tpr: 0.8, fpr: 0.3 }));
  const down = parseCsv(await runInPage(page, { ...base, tpr: 0.3, fpr: 0.8 }));
  expect(last(up.accuracy)).toBeGreaterThan(up.accuracy[0] + 0.1);
  expect(last(down.accuracy)).toBeLessThan(down.accuracy[0] - 0.1);
});

test('expected mode matches the float64 integration of the same discrete map at every step within 1e-4', async ({ page }) => {
  const config: ConfigInput = { tasks: 64, estimator: 'expected', lr: 0.5, steps: 1500, successBeta: { alpha: [1, 2, 1, 1], beta: [1, 1, 2, 3] }, klCoef: 0.05, init: [0.05, 0.45, 0.25, 0.25] };
  const csv = parseCsv(await runInPage(page, config));
  const ref = referenceColumns(config);
  for (const [name, col] of Object.entries(ref)) col.forEach((v, t) => expect(Math.abs(csv[name][t] - v), `${name} at step ${t + 1}`).toBeLessThan(1e-4));
});

test('the model report (docs/model.md §5b): each regime named on the page and in the exported JSON', async ({ page }) => {
  const s = [0.9, 0.5, 0.4, 0.3];
  const cases: [ConfigInput, object, string][] = [
    // ACC_ref = 0.525 beats every pattern but the best.
    [{ tasks: 8, estimator: 'expected', steps: 1, successRates: s }, { one: 8, two: 0, other: 0 }, 'Theorem 5.3 (regime 1): all 8 tasks'],
    // The paper's gamma = 6 start: only s = 0.5 beats ACC_ref = 0.4825.
    [{ tasks: 8, estimator: 'expected', steps: 1, successRates: s, init: [0.05, 0.7, 0.125, 0.125] }, { one: 0, two: 8, other: 0 }, 'Theorem 5.4 (regime 2): all 8 tasks, gamma 6 —'],
    [{ tasks: 8, estimator: 'expected', steps: 1, successRates: [0.9, 0.8, 0.7, 0.1] }, { one: 0, two: 0, other: 8 }, 'other: all 8 tasks'],
  ];
  for (const [config, regimes, sentence] of cases) {
    await runLink(page, config);
    expect((await exportJson(page)).model.regimes).toEqual(regimes);
    await expect(page.getByTestId('model-report')).toContainText(sentence);
  }
  // Per-task draws spread the tasks over the regimes: the page reports what the model computes.
  const mixed: ConfigInput = { tasks: 500, estimator: 'expected', steps: 1, successBeta: { alpha: 1, beta: 1 }, init: [0.1, 0.5, 0.3, 0.1], seed: 5 };
  await runLink(page, mixed);
  const c = parseConfig(mixed);
  const expected = modelReport(c, buildTasks(c));
  const { model: exported, metrics } = await exportJson(page);
  const { roseFirst, ...model } = exported;
  expect(roseFirst).toBe(metrics.improvedFrac[0]);
  // Counts exactly; gamma to rounding (the browser's Math.exp and log may differ from Node's in the last bit).
  expect({ ...model, gamma: null }).toEqual({ ...expected, gamma: null });
  for (const key of ['min', 'median', 'max'] as const) expect(model.gamma![key]).toBeCloseTo(expected.gamma![key], 12);
  const { one, two, other } = expected.regimes;
  expect(Math.min(one, two, other)).toBeGreaterThan(0);
  await expect(page.getByTestId('model-report')).toContainText(`Theorem 5.3 (regime 1): ${one} of 500 tasks`);
  await expect(page.getByTestId('model-report')).toContainText(`Theorem 5.4 (regime 2): ${two} of 500 tasks, gamma `);
  await expect(page.getByTestId('model-report')).toContainText(`other: ${other} of 500 tasks`);
  await expect(page.getByTestId('model-report')).toContainText(`Assumption 5.5 (marginal reading): fails for ${expected.assumption55Failures} of 500 tasks`);
});
