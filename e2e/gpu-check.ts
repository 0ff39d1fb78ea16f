// Global setup. With PATTERNFLOW_GPU=1 (`npm run e2e:gpu`) the suite must run on a real GPU
// adapter: it stops before any spec when Chromium's adapter is a CPU fallback such as SwiftShader.
import { chromium, type FullConfig } from '@playwright/test';

export default async function gpuCheck(config: FullConfig): Promise<void> {
  if (!process.env.PATTERNFLOW_GPU) return;
  const { launchOptions, baseURL } = config.projects[0].use;
  const browser = await chromium.launch(launchOptions);
  try {
    const page = await browser.newPage();
    await page.goto(baseURL!); // WebGPU needs a secure context: localhost, not about:blank
    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
      if (!a) return undefined;
      const info = a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
      return { vendor: info.vendor, architecture: info.architecture, fallback: info.isFallbackAdapter === true || /swiftshader/i.test(info.architecture) };
    });
    if (!adapter) throw new Error('PATTERNFLOW_GPU=1: Chromium has no WebGPU adapter');
    if (adapter.fallback) throw new Error(`PATTERNFLOW_GPU=1: refusing to run on the CPU fallback adapter ${adapter.vendor} ${adapter.architecture}`);
    console.log(`e2e on GPU adapter: ${adapter.vendor} ${adapter.architecture}`);
  } finally {
    await browser.close();
  }
}
