// Golden runs: small configs whose CSVs are stored in e2e/golden/. A change that moves any value
// by more than the tolerance fails with the metric, the step and the size of the move.
// `npm run golden:update` rewrites the files deliberately (GOLDEN_UPDATE=1).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { ConfigInput } from '../src/model/config';
import { diffCsv } from './golden-diff';
import { runInPage } from './regression';

const TOLERANCE = 1e-6;
// One baseline per kind of adapter: a GPU rounds exp and log differently from SwiftShader, and a
// single flipped draw sends a sampled run elsewhere. SwiftShader's are committed; a GPU's are
// recorded on that card with `PATTERNFLOW_GPU=1 npm run golden:update`.
const DIR = process.env.PATTERNFLOW_GPU ? 'e2e/golden/gpu' : 'e2e/golden';
const UPDATE = `${process.env.PATTERNFLOW_GPU ? 'PATTERNFLOW_GPU=1 ' : ''}npm run golden:update`;

const GOLDEN: Record<string, ConfigInput> = {
  'grpo-rlvr-tabular': { tasks: 128, steps: 100, successBeta: { alpha: [3, 1, 1, 1], beta: [1, 1, 2, 3] } },
  'rlif-majority-shared': { tasks: 128, steps: 100, policy: 'shared', reward: 'rlif-majority', answers: 5, wrongDecay: 0.2 },
  'expected-kl-sft': { tasks: 16, steps: 300, estimator: 'expected', klCoef: 0.1, entropyCoef: 0.01, lr: 0.5, sft: { steps: 10, lr: 0.5, target: [0.7, 0.1, 0.1, 0.1] } },
  'rloo-trainable-adam': { tasks: 64, steps: 100, estimator: 'rloo', answerMode: 'trainable', optimizer: 'adam', lr: 0.03, reward: 'rlif-certainty' },
  'grpo-batch-noisy': { tasks: 128, steps: 100, scale: 'batch', tpr: 0.9, fpr: 0.2, group: 16 },
};

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
    const { ok, report } = diffCsv(readFileSync(path, 'utf8'), csv, TOLERANCE);
    expect(ok, `${name} moved from its golden run (${path}):\n${report}`).toBe(true);
  });
}
