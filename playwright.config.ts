// End-to-end tests of the dashboard in the machine's Chromium (Debian's, Google Chrome or
// Playwright's own), whose WebGPU runs on SwiftShader where there is no GPU.
import { availableParallelism } from 'node:os';
import { defineConfig } from '@playwright/test';
import { requireBrowser } from './src/node/browser';

const browser = requireBrowser();

const PORT = Number(process.env.E2E_PORT ?? 5199);

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/gpu-check.ts',
  outputDir: 'test-results/e2e',
  // A worker a core: SwiftShader runs a kernel on every core, but a spec also waits on page loads
  // and compiles, so two workers on a 2-core machine took 4.0 min where one took 4.9.
  workers: availableParallelism(),
  timeout: 180_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${PORT}`,
    browserName: 'chromium',
    viewport: { width: 1440, height: 1000 },
    acceptDownloads: true,
    launchOptions: {
      executablePath: browser.executable,
      args: [
        '--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        // npm run e2e:gpu: WebGPU through the system's Vulkan driver instead of SwiftShader.
        ...(process.env.PATTERNFLOW_GPU ? ['--enable-features=Vulkan', '--use-vulkan=native', '--ignore-gpu-blocklist'] : []),
      ],
    },
  },
  webServer: {
    command: `npx vite --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
