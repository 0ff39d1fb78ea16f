// Golden runs: small configs whose CSVs are stored in e2e/golden/. A change that moves any value
// by more than the tolerance fails with the metric, the step and the size of the move.
// `npm run golden:update` rewrites the files deliberately (GOLDEN_UPDATE=1).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { diffCsv } from './golden-diff';
import { GOLDEN, GOLDEN_TOLERANCE, goldenDir } from './golden-runs';
import { runInPage } from './regression';

// SwiftShader's baselines (Chromium's here) are committed; a GPU's are recorded on that card with
// `PATTERNFLOW_GPU=1 npm run golden:update` (e2e/golden-runs.ts says why there is one per adapter).
const DIR = goldenDir(process.env.PATTERNFLOW_GPU ? 'gpu' : 'swiftshader');
const UPDATE = `${process.env.PATTERNFLOW_GPU ? 'PATTERNFLOW_GPU=1 ' : ''}npm run golden:update`;

for (const [name, config] of Object.entries(GOLDEN)) {
  test(`golden run ${name}`, async ({ page }) => {
    const path = `${DIR}/${name}.csv`;
    const csv = await runInPage(page, config);
    if (process.env.GOLDEN_UPDATE) {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(path, csv);
      return;
    }
    expect(existsSync(path), `${path} is missing: record it with ${UPDATE}`).toBe(true);
    const { ok, report } = diffCsv(readFileSync(path, 'utf8'), csv, GOLDEN_TOLERANCE);
    expect(ok, `${name} moved from its golden run (${path}):\n${report}`).toBe(true);
  });
}
