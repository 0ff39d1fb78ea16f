import { defineConfig } from 'vitest/config';
import { contentSecurityPolicy } from './src/ui/csp.ts';
import { swiftShaderEnv } from './src/node/swiftshader.ts';

// Vitest forks its workers from this process: giving them the SwiftShader environment here lets
// Dawn find a Vulkan adapter on machines without a GPU (glibc reads LD_LIBRARY_PATH at start-up).
Object.assign(process.env, swiftShaderEnv(process.env));

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
  },
});
