// The command line as a user runs it: through bin/patternflow.js, in a child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/model/export';
import { chosenAdapter } from './helpers';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'patternflow-cli-'));
const cli = (...args: string[]) => exec(process.execPath, ['bin/patternflow.js', 'run', '--quiet', ...args], { maxBuffer: 1 << 26 });
const fails = async (...args: string[]) => {
  try {
    await cli(...args);
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
  throw new Error(`expected failure for ${args.join(' ')}`);
};

describe('patternflow run', () => {
  it('shows the weak start plateau, then the rise to the best pattern (issue example)', async () => {
    const out = join(dir, 'weak.csv');
    await cli('--tasks', '64', '--estimator', 'expected', '--reward', 'rlvr', '--init', '0.97,0.01,0.01,0.01', '--successRates', '0.2,0.9,0.5,0.3', '--steps', '3000', '--out', out);
    const m = parseCsv(readFileSync(out, 'utf8'));
    expect(Object.keys(m)).toEqual(['step', 'accuracy', 'bestMass', 'reward', 'entropy', 'converged', 'zeroStdFrac', 'klToRef', 'majorityCorrect', 'worstMass', 'convergedWorst', 'improvedFrac', 'roseFirst', 'roseThenFell', 'patternMass0', 'patternMass1', 'patternMass2', 'patternMass3', 'passAt1', 'passAt8', 'passAt64']);
    expect(m.step).toEqual(Array.from({ length: 3000 }, (_, j) => j + 1));
    expect(m.accuracy[199]).toBeLessThan(0.25); // still on the plateau
    expect(m.accuracy[2999]).toBeGreaterThan(0.89);
    expect(m.accuracy[2999]).toBeLessThanOrEqual(0.9);
    m.passAt1.forEach((p, t) => expect(Math.abs(p - m.accuracy[t])).toBeLessThan(1e-6));
  });

  it('writes byte-identical CSV for the same seed', async () => {
    const [a, b] = [join(dir, 'a.csv'), join(dir, 'b.csv')];
    await cli('--tasks', '300', '--steps', '50', '--reward', 'rlif-majority', '--out', a);
    await cli('--tasks', '300', '--steps', '50', '--reward', 'rlif-majority', '--out', b);
    expect(readFileSync(a)).toEqual(readFileSync(b));
  });

  it('reads a config file, lets flags override it, and writes JSON', async () => {
    const config = join(dir, 'run.json');
    const out = join(dir, 'run.json.out.json');
    writeFileSync(config, JSON.stringify({ tasks: 100, patterns: 3, steps: 999, sft: { steps: 5, lr: 0.5, target: [1, 0, 0] } }));
    await cli('--config', config, '--steps', '20', '--passK', '1,4', '--out', out);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.config).toMatchObject({ tasks: 100, patterns: 3, steps: 20, passK: [1, 4], successRates: [0.8, 0.5, 0.2] });
    expect(json.adapter).toEqual(chosenAdapter());
    // Default rates [0.8, 0.5, 0.2]: under pattern 3 the wrong answer 1 (0.8 * 0.504) beats a* (0.2),
    // not in the marginal; SFT towards pattern 1 puts ACC_ref above 0.5 (regime 1).
    expect(json.model).toEqual({
      assumption55Failures: 0,
      patternModeFailures: 100,
      regimes: { one: 100, two: 0, other: 0 },
      gamma: null,
      // Theorem 5.6's first claim, per run: the tasks that rose at step 1, which step 1's improvedFrac counts too.
      roseFirst: json.metrics.improvedFrac[0],
    });
    expect(json.metrics.roseFirst.every((r: number) => r === json.model.roseFirst)).toBe(true);
    expect(json.metrics.step).toHaveLength(20);
    expect(Object.keys(json.metrics)).toContain('passAt4');
  });

  it('runs the float64 reference backend with the same curves, and names it in JSON', async () => {
    const [gpu, reference, json] = [join(dir, 'g.csv'), join(dir, 'r.csv'), join(dir, 'r.json')];
    const args = ['--tasks', '20', '--steps', '30', '--estimator', 'expected'];
    await cli(...args, '--out', gpu);
    await cli(...args, '--backend', 'reference', '--out', reference);
    const [g, r] = [gpu, reference].map((f) => parseCsv(readFileSync(f, 'utf8')));
    g.accuracy.forEach((x, t) => expect(Math.abs(x - r.accuracy[t])).toBeLessThan(1e-5));
    await cli(...args, '--backend', 'reference', '--out', json);
    expect(JSON.parse(readFileSync(json, 'utf8')).adapter).toEqual({ backend: 'reference (float64, CPU)' });
  });

  it.each([
    [['--tasks', '0'], /^patternflow: tasks: must be an integer in 1\.\./],
    [['--patterns', '4', '--init', '0.5,0.5'], /^patternflow: init: must have 4 entries/],
    [['--reward', 'nope'], /^patternflow: reward: must be one of "rlvr"/],
    [['--lr', 'abc'], /^patternflow: lr: must be a finite number > 0/],
    [['--sft', '{bad'], /^patternflow: sft: must be JSON/],
    [['--config', '/nonexistent.json'], /^patternflow: --config: cannot read/],
    [['--out', 'x.txt'], /^patternflow: --out: must end in \.csv or \.json/],
    [['--bogus', '1'], /unknown option '--bogus'/],
    [['--backend', 'cpu'], /argument 'cpu' is invalid\. Allowed choices are webgpu, reference/],
  ])('rejects %j with exit code 2 and one line', async (args, message) => {
    const { code, stderr } = await fails(...(args as string[]));
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });
});
