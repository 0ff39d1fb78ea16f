#!/usr/bin/env node
// Entry of `npx patternflow`: runs the TypeScript sources through tsx. Where the machine has no
// Vulkan driver, it restarts itself once with SwiftShader's (the loader path must be set before
// the process starts, so it cannot be changed from inside).
import { spawn } from 'node:child_process';
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./wgsl-hooks.js', import.meta.url);

const { swiftShaderEnv } = await import('../src/node/swiftshader.ts');
const extra = swiftShaderEnv(process.env);
if (Object.keys(extra).length > 0) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...extra } });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv);
}
