// `policy: "tokens"` on the command line: the float64 reference writes the tree's columns, the
// same numbers as the reference in process; the WGSL engine refuses it in one line.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/model/config';
import { parseCsv } from '../src/model/export';
import { TREE_METRICS } from '../src/model/metrics';
import { makeParams, simulate } from '../src/reference/reference';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'patternflow-tokens-'));
const REFUSED = /^patternflow: policy: "tokens" runs on the float64 reference only \(patternflow run --backend reference, or the dashboard\): its WGSL kernels are not built yet$/m;
const cli = (...args: string[]) => exec(process.execPath, ['bin/patternflow.js', 'run', '--quiet', ...args], { maxBuffer: 1 << 26 });

describe('patternflow run --policy tokens', () => {
  it('writes the §9 columns on the float64 reference, as the reference computes them', async () => {
    const out = join(dir, 'tokens.csv');
    const flags = { policy: 'tokens', length: 12, forks: 2, branching: 2, vocab: 3, estimator: 'grpo', tasks: 4, steps: 40, lr: 0.5 } as const;
    await cli(...Object.entries(flags).flatMap(([f, v]) => [`--${f}`, String(v)]), '--backend', 'reference', '--out', out);
    const m = parseCsv(readFileSync(out, 'utf8'));
    expect(Object.keys(m).slice(-4)).toEqual([...TREE_METRICS]);
    const P = makeParams(parseConfig(flags));
    const want = simulate(P, 40).metrics;
    for (const name of ['accuracy', 'bestMass', ...TREE_METRICS]) {
      const j = P.layout.names.indexOf(name);
      m[name].forEach((x, t) => expect(x).toBeCloseTo(want[t][j], 8));
    }
    expect(m.fillerRankChange[39]).toBeGreaterThan(0); // sampling moves the fillers
  });

  it('is refused by the WGSL engine in one line naming the policy', async () => {
    const err = await cli('--policy', 'tokens', '--tasks', '4', '--steps', '5', '--out', join(dir, 'gpu.csv')).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(REFUSED);
  });

  it('is refused by sweeps, which run on the WGSL engine, before any file is written', async () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ base: { policy: 'tokens', tasks: 4, steps: 5 }, axes: { lr: [0.1, 0.2] } }));
    const out = join(dir, 'sweep');
    const err = await exec(process.execPath, ['bin/patternflow.js', 'sweep', '--spec', spec, '--out', out]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(REFUSED);
    expect(existsSync(out)).toBe(false);
  });
});
