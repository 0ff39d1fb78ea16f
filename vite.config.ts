import { defineConfig } from 'vitest/config';
import { swiftShaderEnv } from './src/node/swiftshader.ts';

// Vitest forks its workers from this process: giving them the SwiftShader environment here lets
// Dawn find a Vulkan adapter on machines without a GPU (glibc reads LD_LIBRARY_PATH at start-up).
Object.assign(process.env, swiftShaderEnv(process.env));

// One Content-Security-Policy for every page of this static app: scripts and data from its own
// origin only (the dev server adds its websocket; uPlot and Lit set inline styles).
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws://localhost:* ws://127.0.0.1:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export default defineConfig({
  server: { port: 5173 },
  plugins: [
    {
      name: 'patternflow-csp',
      transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
    },
  ],
  // Two pages: the dashboard and the throughput benchmark.
  build: { rolldownOptions: { input: { main: 'index.html', bench: 'bench.html' } } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
