// SIGINT and SIGTERM sent to the outermost process of each documented way to start patternflow
// (README, "Signals") reach the process that simulates: it writes its checkpoint and exits 130 /
// 143, the outermost process exits with that code, and no process is left running.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'patternflow-signals-'));
// Long enough that only a signal ends it; a checkpoint every 200 steps proves the run was under way.
const RUN = ['run', '--quiet', '--tasks', '16', '--steps', '1000000', '--checkpointEvery', '200'];
const EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
const PID1 = ['unshare', '--pid', '--fork', '--mount-proc'];
// A container's PID 1 is simulated by a new PID namespace (needs root or user namespaces).
const canUnshare = spawnSync(PID1[0], [...PID1.slice(1), 'true']).status === 0;

const FORMS: Record<string, { command: string[]; env?: NodeJS.ProcessEnv; pid1?: boolean }> = {
  'npx patternflow': { command: ['npx', 'patternflow'] },
  'npm run patternflow --': { command: ['npm', 'run', '--silent', 'patternflow', '--'] },
  'node bin/patternflow.js': { command: [process.execPath, 'bin/patternflow.js'] },
  // README's Slurm script: the batch shell execs npx, so the batch step's process is npm.
  'a batch script ending in exec npx patternflow': { command: ['bash', '-c', 'exec npx patternflow "$@"', 'sweep.sh'] },
  'npx patternflow as a container\'s PID 1': { command: [...PID1, 'npx', 'patternflow'], pid1: true },
  'node bin/patternflow.js as a container\'s PID 1': { command: [...PID1, process.execPath, 'bin/patternflow.js'], pid1: true },
};

/** Starts `command` on a run, signals its outermost process once the first checkpoint exists; its code, stderr and the checkpoint's step. */
async function interrupt(name: string, command: string[], signal: keyof typeof EXIT, env: NodeJS.ProcessEnv = {}, pid1 = false) {
  const out = join(dir, `${name.replace(/\W+/g, '-')}-${signal}.csv`);
  const child = spawn(command[0], [...command.slice(1), ...RUN, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // 'close' waits for every process holding stderr: a simulation left running orphaned keeps it open.
  const closed = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('close', (code, killedBy) => resolve(code ?? killedBy)));
  const ckpt = `${out}.ckpt`;
  while (!existsSync(ckpt)) await new Promise((r) => setTimeout(r, 20));
  // In a container the outermost process is PID 1 of the namespace, the child of `unshare --fork`.
  const target = pid1 ? Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim()) : child.pid!;
  process.kill(target, signal);
  const code = await closed;
  return { code, stderr, step: JSON.parse(readFileSync(ckpt, 'utf8')).step as number };
}

describe.each(Object.entries(FORMS))('%s', (name, { command, env, pid1 }) => {
  it.skipIf(pid1 && !canUnshare).each(['SIGTERM', 'SIGINT'] as const)('checkpoints and exits with the code of %s', async (signal) => {
    const { code, stderr, step } = await interrupt(name, command, signal, env, pid1);
    expect(stderr).toMatch(new RegExp(`stopped by ${signal} after step \\d+; resume with`));
    expect(code).toBe(EXIT[signal]);
    expect(step).toBeGreaterThan(0);
  });
});

it('stops a run whose npm went away without passing SIGTERM on (a shell that swallows it)', async () => {
  // With Debian's sh as npm's script shell, npm's SIGTERM kills the shell and npm exits at once;
  // the simulation notices it is orphaned, checkpoints and exits, and so closes stderr.
  const { code, stderr, step } = await interrupt('npx-sh', ['npx', 'patternflow'], 'SIGTERM', { npm_config_script_shell: 'sh' });
  expect(code).toBe('SIGTERM'); // npm re-raises the signal its shell died of
  expect(stderr).toMatch(/stopped by SIGTERM after step \d+; resume with/);
  expect(step).toBeGreaterThan(0);
});
