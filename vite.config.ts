import { defineConfig } from 'vitest/config';
import { contentSecurityPolicy } from './src/ui/csp.ts';
import { availableParallelism } from 'node:os';
import { adapterForWorkers } from './src/node/adapter-choice.ts';

// Vitest forks its workers from this process: the environment of the adapter adapter-choice.ts
// picks (a GPU, lavapipe, SwiftShader; or PATTERNFLOW_ADAPTER's), given here, is theirs (glibc
// reads LD_LIBRARY_PATH at start-up). Only under Vitest: the dev server and the build open no device.
if (process.env.VITEST) {
  Object.assign(process.env, adapterForWorkers(process.env));
  // lavapipe compiles each kernel module in the tests with LLVM's optimisation passes off
  // (GALLIVM_PERF=nopt) and for 4 lanes instead of 8 (LP_NATIVE_VECTOR_WIDTH=128), both Mesa's
  // documented settings: compiling is most of the suite's time on lavapipe, and these cut it about
  // 3x (test/gpu-vs-cpu.test.ts, Mesa's cache off: unoptimised took it from 307 s to 184 s on a
  // 2-core AMD EPYC; 4 lanes as well, from 110 s to 60 s on a 2-core Intel Xeon).
  // The kernels compute the same WGSL: results move at the last float place at most (the goldens
  // hold within 1e-6). Mesa keys its cache by these settings, so the command line and the
  // benchmark still get the optimised 8-lane code.
  process.env.GALLIVM_PERF ??= 'nopt';
  process.env.LP_NATIVE_VECTOR_WIDTH ??= '128';
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
