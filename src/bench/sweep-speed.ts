// The sweep's speed targets (README Sweeps): a packed `patternflow sweep` against the same configs
// as separate `patternflow run` processes, each timed as a user runs it (a child process, wall
// clock). Run with `npm run bench:sweeps [-- singles]`: the phase diagram (1,024
// one-task expected-mode cohorts x 5,000 steps) against `singles` of its cohorts run one by one
// (default 4), extrapolated to all 1,024; and 256 GRPO cohorts of 256 tasks against one run of
// the same 65,536 tasks, in rollouts per second.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configToJSON } from '../model/config';
import { buildGrid } from '../sweep/grid';
import { parseSpec, type SpecInput } from '../sweep/spec';

const dir = mkdtempSync(join(tmpdir(), 'patternflow-sweep-speed-'));
const cli = (...args: string[]): number => {
  const t0 = performance.now();
  execFileSync(process.execPath, ['bin/patternflow.js', ...args, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return (performance.now() - t0) / 1000;
};
const file = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};

const PHASE: SpecInput = {
  base: { estimator: 'expected', successRates: [0.9, 0.5, 0.4, 0.3], tasks: 1, steps: 5000 },
  axes: { initBest: { logspace: [0.002, 0.5, 32] }, lr: { logspace: [0.05, 2, 32] } },
  logEvery: 100,
};
const singles = Number(process.argv[2] ?? 4);
const grid = buildGrid(parseSpec(PHASE));
const sweepS = cli('sweep', '--spec', file('phase.json', PHASE), '--out', join(dir, 'phase'));
let singleS = 0;
for (let j = 0; j < singles; j++) {
  const index = Math.floor((j * grid.count) / singles);
  singleS += cli('run', '--config', file(`c${index}.json`, configToJSON(grid.cohort(index).config)), '--out', join(dir, `c${index}.csv`));
}
const allSingles = (singleS / singles) * grid.count;
console.log(`phase diagram, ${grid.count} cohorts x 5,000 steps: sweep ${sweepS.toFixed(1)} s; one run ${(singleS / singles).toFixed(2)} s (mean of ${singles}), so ${grid.count} runs ~${allSingles.toFixed(0)} s: ${(allSingles / sweepS).toFixed(0)}x`);

const STEPS = 40;
const SAMPLED: SpecInput = { base: { estimator: 'grpo', group: 8, successRates: [0.9, 0.5, 0.4, 0.3], tasks: 256, steps: STEPS }, axes: { lr: { logspace: [0.05, 2, 256] } }, logEvery: 10 };
const rollouts = 256 * 256 * 8 * STEPS;
const packedS = cli('sweep', '--spec', file('sampled.json', SAMPLED), '--out', join(dir, 'sampled'));
const oneS = cli('run', '--estimator', 'grpo', '--group', '8', '--successRates', '0.9,0.5,0.4,0.3', '--tasks', String(256 * 256), '--steps', String(STEPS), '--out', join(dir, 'one.csv'));
console.log(
  `sampled, 256 cohorts x 256 tasks, GRPO G = 8, ${STEPS} steps: sweep ${(rollouts / packedS / 1e6).toFixed(2)} M rollouts/s (${packedS.toFixed(1)} s); one run of 65,536 tasks ${(rollouts / oneS / 1e6).toFixed(2)} M rollouts/s (${oneS.toFixed(1)} s): ${((100 * oneS) / packedS).toFixed(0)}%`,
);
