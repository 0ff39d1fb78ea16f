import { defineConfig } from 'vitest/config';
import { contentSecurityPolicy } from './src/ui/csp.ts';
import { availableParallelism } from 'node:os';
import { adapterForWorkers } from './src/node/adapter-choice.ts';

// Vitest forks its workers from this process: the environment of the adapter adapter-choice.ts
// picks (a GPU, lavapipe, SwiftShader; or PATTERNFLOW_ADAPTER's), given here, is theirs (glibc
// reads LD_LIBRARY_PATH at start-up). Only under Vitest: the dev server and the build open no device.
if (process.env.VITEST) {
  Object.assign(process.env, adapterForWorkers(process.env));
  // lavapipe compiles each kernel module with LLVM's optimisation passes off in the tests
  // (GALLIVM_PERF=nopt, one of Mesa's documented settings): compiling is most of the suite's time
  // on lavapipe, and this halves it. The kernels compute the same WGSL; Mesa keeps their compiled
  // code in a cache of its own, so the command line and the benchmark still get the optimised code.
  process.env.GALLIVM_PERF ??= 'nopt';
}

export default defineConfig({
  server: { port: 5173 },
  plugins: [
    {
      name: 'patternflow-csp',
      transformIndexHtml: (_html, ctx) => [
        { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy(ctx.server !== undefined) }, injectTo: 'head-prepend' },
      ],
    },
  ],
  // Three pages: the dashboard, the sweep explorer and the throughput benchmark; the plugin above gives each the policy.
  build: { rolldownOptions: { input: { main: 'index.html', sweep: 'sweep.html', bench: 'bench.html' } } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A worker a core, not Vitest's default of one fewer: lavapipe compiles a kernel module on the
    // thread that asks for it, so one worker left a 2-core machine's other core idle for most of
    // the suite (390 s with one worker, 234 s with two, Mesa's cache empty; README, npm test's time).
    maxWorkers: availableParallelism(),
  },
});
