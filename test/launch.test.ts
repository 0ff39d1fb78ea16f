// The re-spawn of bin/patternflow.js (src/node/launch.ts): a signal to the first process reaches
// the second, and the first exits with the second's code, or 128 + the signal that killed it.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';

/** Starts the fixture, waits for its child, then does `act` to it; the parent's exit code and the output. */
async function relaunched(act: (parent: number, child: number) => void) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/launch-fixture.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<number>((resolve) =>
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /ready (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    }),
  );
  const child = await ready;
  const code = new Promise<number | null>((resolve) => proc.on('close', resolve));
  act(proc.pid!, child);
  return { code: await code, out, child };
}

it.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const)('forwards %s to the re-spawned process and exits with its code', async (signal, exitCode) => {
  const { code, out, child } = await relaunched((parent) => process.kill(parent, signal));
  expect(out).toContain(`child ${child} got ${signal}`);
  expect(code).toBe(exitCode);
});

it('exits 128 + the number of the signal that killed the re-spawned process', async () => {
  const { code } = await relaunched((_, child) => process.kill(child, 'SIGKILL'));
  expect(code).toBe(137);
});
