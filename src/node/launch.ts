// How the `patternflow` process stays the one that signals reach (README, "Signals"): a re-spawned
// copy of the command gets every SIGINT / SIGTERM / SIGHUP its parent gets, and the parent exits
// with its code; a command started by npm stops as if sent SIGTERM when npm goes away, rather than
// running on orphaned without a checkpoint.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const PARENT_POLL_MS = 500;

/** Runs this command again in a child with `env` added, forwards signals to it, and exits as it does. */
export function relaunch(env: Record<string, string>): void {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...env } });
  for (const signal of FORWARDED) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
}

/**
 * Under npm (`npx patternflow`, `npm run patternflow`), npm forwards signals to its child; when it
 * dies without doing so (SIGKILL, or a shell between them that swallows them), this process is
 * re-parented: it then signals itself SIGTERM, so the run checkpoints and exits 143. A process
 * started otherwise (nohup, a shell's `&`) is left to outlive its parent, as such processes mean to.
 */
export function stopWhenOrphaned(env: NodeJS.ProcessEnv = process.env): void {
  if (env.npm_command === undefined && env.npm_lifecycle_event === undefined) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, PARENT_POLL_MS);
  timer.unref();
}
