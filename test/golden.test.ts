// The golden runs of e2e/golden-runs.ts through the command line, on the adapter it picks here,
// against that kind of adapter's baseline (SwiftShader's are the page's files, lavapipe's are
// its own: see e2e/golden-runs.ts). A change that moves any value by more than 1e-6 fails with
// the metric, the step and the size of the move. `GOLDEN_UPDATE=1 npx vitest run
// test/golden.test.ts` rewrites this adapter's baselines deliberately.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { diffCsv } from '../e2e/golden-diff';
import { GOLDEN, GOLDEN_TOLERANCE, goldenDir } from '../e2e/golden-runs';
import { adapterKind } from '../src/node/adapter-choice';
import { chosenAdapter } from './helpers';

const exec = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'patternflow-golden-'));
const kind = adapterKind(chosenAdapter())!;
const dir = goldenDir(kind);

for (const [name, config] of Object.entries(GOLDEN)) {
  it(`golden run ${name} on ${kind}`, async () => {
    const configPath = join(tmp, `${name}.json`);
    const out = join(tmp, `${name}.csv`);
    writeFileSync(configPath, JSON.stringify(config));
    await exec(process.execPath, ['bin/patternflow.js', 'run', '--quiet', '--adapter', kind, '--config', configPath, '--out', out]);
    const csv = readFileSync(out, 'utf8');
    const path = `${dir}/${name}.csv`;
    if (process.env.GOLDEN_UPDATE) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, csv);
      return;
    }
    expect(existsSync(path), `${path} is missing: record it with GOLDEN_UPDATE=1 npx vitest run test/golden.test.ts`).toBe(true);
    const { ok, report } = diffCsv(readFileSync(path, 'utf8'), csv, GOLDEN_TOLERANCE);
    expect(ok, `${name} moved from its golden run on ${kind} (${path}):\n${report}`).toBe(true);
  });
}
