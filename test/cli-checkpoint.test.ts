// Ctrl-C (or SIGTERM) writes a checkpoint and the CSV so far; --resume appends the rest, and the
// finished CSV is byte-identical to an uninterrupted run's.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'patternflow-ckpt-'));
const ARGS = ['run', '--quiet', '--tasks', '16', '--steps', '3000', '--checkpointEvery', '100', '--reward', 'rlif-certainty', '--optimizer', 'adam', '--lr', '0.02'];

const full = join(dir, 'full.csv');
beforeAll(() => exec(process.execPath, ['bin/patternflow.js', ...ARGS, '--out', full]));

/** Starts a run writing `part`, sends `signal` once its first checkpoint exists; the exit code, the checkpoint's step and stderr. */
async function interrupt(args: string[], part: string, signal: NodeJS.Signals) {
  const ckpt = `${part}.ckpt`;
  const child = spawn(process.execPath, ['bin/patternflow.js', ...args, '--out', part], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  while (!existsSync(ckpt)) await new Promise((r) => setTimeout(r, 20));
  child.kill(signal);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, ckpt, step: JSON.parse(readFileSync(ckpt, 'utf8')).step as number, stderr };
}

it.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('resumes a run stopped by %s into a byte-identical CSV', async (signal, exitCode) => {
  const part = join(dir, `part-${signal}.csv`);
  const { code, ckpt, step, stderr } = await interrupt(ARGS, part, signal);
  expect(code).toBe(exitCode);
  expect(step).toBeGreaterThan(0);
  expect(step).toBeLessThan(3000);
  expect(stderr).toContain(`stopped by ${signal} after step`);
  expect(stderr).toContain(`--resume ${ckpt} --out ${part}`);
  // The CSV holds at least the checkpoint's rows; resume cuts it back to them and appends.
  expect(readFileSync(part, 'utf8').split('\n').length - 2).toBeGreaterThanOrEqual(step);

  const resumed = await exec(process.execPath, ['bin/patternflow.js', 'run', '--quiet', '--resume', ckpt, '--out', part]);
  expect(resumed.stderr).not.toContain('the checkpoint was written on'); // the same adapter: no warning
  expect(readFileSync(part)).toEqual(readFileSync(full));
  expect(existsSync(ckpt)).toBe(false); // the finished run has nothing left to resume
});

it('warns in one line when it goes on from a checkpoint written on another adapter', async () => {
  const part = join(dir, 'part-elsewhere.csv');
  const { ckpt } = await interrupt(ARGS, part, 'SIGINT');
  const saved = JSON.parse(readFileSync(ckpt, 'utf8'));
  const now = saved.adapter;
  writeFileSync(ckpt, JSON.stringify({ ...saved, adapter: { ...now, vendor: 'othervendor', description: 'another driver' } }));
  const { stderr } = await exec(process.execPath, ['bin/patternflow.js', 'run', '--quiet', '--resume', ckpt, '--out', part]);
  const lines = stderr.split('\n').filter((l) => l.startsWith('patternflow: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^patternflow: warning: the checkpoint was written on othervendor \/ .*another driver.*; going on on .*: the rows from here agree with an uninterrupted run's to float32 rounding, not bit for bit$/);
  expect(lines[0]).toContain(now.description);
  expect(readFileSync(part)).toEqual(readFileSync(full)); // here it is the same adapter in truth
});

it('writes every 7th step and the last with --logEvery 7, each row as the every-step run has it, and resumes with the same rule', async () => {
  const part = join(dir, 'part-log7.csv');
  const { code, ckpt, step } = await interrupt([...ARGS, '--logEvery', '7'], part, 'SIGINT');
  expect(code).toBe(130);
  expect(JSON.parse(readFileSync(ckpt, 'utf8')).log).toEqual({ every: 7 });
  await exec(process.execPath, ['bin/patternflow.js', 'run', '--quiet', '--resume', ckpt, '--out', part]);
  const [header, ...rows] = readFileSync(part, 'utf8').trim().split('\n');
  const [fullHeader, ...fullRows] = readFileSync(full, 'utf8').trim().split('\n');
  expect(header).toBe(fullHeader);
  const steps = rows.map((r) => Number(r.split(',')[0]));
  expect(steps).toEqual([...Array.from({ length: Math.floor(3000 / 7) }, (_, j) => 7 * (j + 1)), 3000]);
  expect(step).toBeGreaterThan(0); // Ctrl-C's checkpoint: wherever the run stopped, logged step or not
  expect(step).toBeLessThan(3000);
  expect(rows).toEqual(steps.map((t) => fullRows[t - 1]));
});

it('refuses to resume with a config flag, without the CSV, or on the float64 reference', async () => {
  const run = (...args: string[]) => exec(process.execPath, ['bin/patternflow.js', 'run', '--quiet', ...args]).then(() => '', (e) => String(e.stderr));
  expect(await run('--tasks', '4', '--steps', '20', '--checkpointEvery', '10', '--out', join(dir, 'done.csv'))).toBe('');
  expect(existsSync(join(dir, 'done.csv.ckpt'))).toBe(false); // removed when the run completed
  const small = join(dir, 'small.csv');
  const { ckpt } = await interrupt(ARGS, small, 'SIGINT');
  expect(await run('--resume', join(dir, 'nothing.ckpt'), '--out', small)).toMatch(/^patternflow: --resume: cannot read/);
  expect(await run('--resume', ckpt, '--out', small, '--tasks', '5')).toMatch(/^patternflow: --resume: takes the config and the log rule from the checkpoint/);
  expect(await run('--resume', ckpt, '--out', small, '--logEvery', '5')).toMatch(/^patternflow: --resume: takes the config and the log rule from the checkpoint/);
  expect(await run('--resume', ckpt, '--out', join(dir, 'missing.csv'))).toMatch(/^patternflow: --out: .*does not exist/);
  expect(await run('--resume', ckpt, '--out', small, '--backend', 'reference')).toMatch(/^patternflow: --backend: checkpoints need the webgpu backend/);
  expect(await run('--tasks', '4', '--steps', '20', '--checkpoint', join(dir, 'r.ckpt'), '--backend', 'reference')).toMatch(/^patternflow: --backend: checkpoints need the webgpu backend/);
});
