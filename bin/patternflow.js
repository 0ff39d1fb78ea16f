#!/usr/bin/env node
// Entry of `npx patternflow`: runs the TypeScript sources through tsx. The WebGPU adapter is
// chosen first (src/node/adapter-choice.ts); for SwiftShader it restarts itself once, as the
// loader path must be set before the process starts and cannot be changed from inside; signals
// reach the process that simulates either way (src/node/launch.ts).
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./wgsl-hooks.js', import.meta.url);

const { adapterForProcess } = await import('../src/node/adapter-choice.ts');
const { relaunch, stopWhenOrphaned } = await import('../src/node/launch.ts');
const extra = adapterForProcess(process.argv, process.env);
stopWhenOrphaned(); // in the re-spawning parent too: its SIGTERM is forwarded to the child
if (extra) {
  relaunch(extra);
} else {
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv);
}
