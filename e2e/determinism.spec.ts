// Same seed, same adapter: the page and the command line write the same bytes. Different seeds:
// different sampled curves, whose first-step rewards agree within sampling error.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import type { ConfigInput } from '../src/model/config';
import { parseCsv } from '../src/model/export';
import { PAGE_ADAPTER } from './helpers';
import { runInPage } from './regression';

const exec = promisify(execFile);

const CONFIG: ConfigInput = { tasks: 500, steps: 60, reward: 'rlif-majority', optimizer: 'adam', lr: 0.05 };

test('the page and the command line give byte-identical CSV for the same seed', async ({ page }) => {
  const fromPage = await runInPage(page, CONFIG);
  const out = join(mkdtempSync(join(tmpdir(), 'patternflow-det-')), 'cli.csv');
  const flags = Object.entries(CONFIG).flatMap(([k, v]) => [`--${k}`, String(v)]);
  await exec(process.execPath, ['bin/patternflow.js', 'run', '--quiet', '--adapter', PAGE_ADAPTER, ...flags, '--out', out]);
  expect(fromPage).toBe(readFileSync(out, 'utf8'));
});

test('different seeds: different curves, first-step rewards within 3 standard errors', async ({ page }) => {
  const runs = [];
  for (const seed of [11, 12, 13]) runs.push(parseCsv(await runInPage(page, { ...CONFIG, reward: 'rlvr', seed })));
  for (let a = 0; a < runs.length; a++)
    for (let b = a + 1; b < runs.length; b++) {
      expect(runs[a].reward).not.toEqual(runs[b].reward);
      // Step 1 samples N*G independent rollouts from the same initial policy in every run, so
      // the two mean rewards differ only by sampling noise: SE = sqrt(2 p (1 - p) / (N G)).
      const p = (runs[a].reward[0] + runs[b].reward[0]) / 2;
      const se = Math.sqrt((2 * p * (1 - p)) / (500 * 8));
      expect(Math.abs(runs[a].reward[0] - runs[b].reward[0])).toBeLessThan(3 * se);
    }
});
