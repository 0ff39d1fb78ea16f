#!/usr/bin/env node
// Entry of `npx patternflow`: runs the TypeScript sources through tsx. Where the machine has no
// Vulkan driver, it restarts itself once with SwiftShader's (the loader path must be set before
// the process starts, so it cannot be changed from inside).
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./wgsl-hooks.js', import.meta.url);

const { swiftShaderEnv } = await import('../src/node/swiftshader.ts');
const { relaunch, stopWhenOrphaned } = await import('../src/node/launch.ts');
const extra = swiftShaderEnv(process.env);
if (Object.keys(extra).length > 0) {
  relaunch(extra);
} else {
  stopWhenOrphaned();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv);
}
