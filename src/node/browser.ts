// Which Chromium this machine has. The end-to-end tests drive it, and on machines without a GPU
// its SwiftShader (a CPU Vulkan driver, with a Vulkan loader beside it) runs WebGPU for Dawn.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export interface Browser {
  /** What Playwright launches. */
  executable: string;
  /** Where its SwiftShader is: vk_swiftshader_icd.json, libvk_swiftshader.so, libvulkan.so.1. */
  dir: string;
}

const CHROME_DIR = '/opt/google/chrome';

/**
 * Chromium builds, best first: Debian's, Google Chrome's, then Playwright's own (asked for last,
 * as loading playwright-core takes most of a second). PATTERNFLOW_BROWSER, when set, names the
 * only one to try: a browser binary in the directory of its libraries.
 */
export function* browserCandidates(env: NodeJS.ProcessEnv): Generator<Browser> {
  const chosen = env.PATTERNFLOW_BROWSER;
  if (chosen) {
    yield { executable: chosen, dir: dirname(chosen) };
    return;
  }
  yield { executable: '/usr/bin/chromium', dir: '/usr/lib/chromium' };
  for (const executable of ['/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', `${CHROME_DIR}/chrome`]) yield { executable, dir: CHROME_DIR };
  const playwright = playwrightChromium();
  if (playwright) yield { executable: playwright, dir: dirname(playwright) };
}

/** Where `npx playwright install chromium` puts its Chromium (whether or not it is there). */
function playwrightChromium(): string | undefined {
  try {
    const { chromium } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
    return chromium.executablePath();
  } catch {
    return undefined; // playwright-core is a dev dependency: absent where only the command line is installed
  }
}

/** The first candidate whose executable exists. */
export function findBrowser(candidates: Iterable<Browser> = browserCandidates(process.env), exists: (path: string) => boolean = existsSync): Browser | undefined {
  for (const browser of candidates) if (exists(browser.executable)) return browser;
  return undefined;
}

/** The browser for the tests; without one, the test command stops here with one line saying how to get one. */
export function requireBrowser(): Browser {
  const browser = findBrowser();
  if (browser) return browser;
  process.stderr.write('patternflow: no Chromium or Chrome found (the tests need one, and its SwiftShader where there is no GPU): apt-get install chromium, or npx playwright install chromium\n');
  process.exit(1);
}
