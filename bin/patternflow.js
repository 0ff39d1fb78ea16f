#!/usr/bin/env node
// Entry of `npx patternflow`: runs the TypeScript sources through tsx. The WebGPU adapter is
// chosen first (src/node/adapter-choice.ts); for SwiftShader it restarts itself once, as the
// loader path must be set before the process starts and cannot be changed from inside.
import { spawn } from 'node:child_process';
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./wgsl-hooks.js', import.meta.url);

const { adapterForProcess } = await import('../src/node/adapter-choice.ts');
const extra = adapterForProcess(process.argv, process.env);
if (extra) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...extra } });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv);
}
