// A command that re-spawns itself as bin/patternflow.js does for SwiftShader (test/launch.test.ts):
// the child reports each signal it gets and exits with 128 + its number; the parent only relaunches.
import { constants } from 'node:os';
import { relaunch } from '../src/node/launch';

if (!process.env.RELAUNCHED) relaunch({ RELAUNCHED: '1' });
else {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => {
      process.stdout.write(`child ${process.pid} got ${signal}\n`);
      process.exit(128 + constants.signals[signal]);
    });
  process.stdout.write(`ready ${process.pid}\n`);
  setInterval(() => {}, 1000);
}
