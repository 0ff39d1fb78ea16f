// Finding a browser for the tests (and its SwiftShader), on a made-up filesystem: nothing here
// depends on which browsers this machine has.
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserCandidates, findBrowser } from '../src/node/browser';

const exec = promisify(execFile);

describe('browser finder', () => {
  it("tries Debian's Chromium, then Google Chrome, then Playwright's Chromium", () => {
    expect([...browserCandidates({})]).toEqual([
      { executable: '/usr/bin/chromium', dir: '/usr/lib/chromium' },
      { executable: '/usr/bin/google-chrome', dir: '/opt/google/chrome' },
      { executable: '/usr/bin/google-chrome-stable', dir: '/opt/google/chrome' },
      { executable: '/opt/google/chrome/chrome', dir: '/opt/google/chrome' },
      { executable: chromium.executablePath(), dir: dirname(chromium.executablePath()) },
    ]);
  });

  it('takes the first candidate that exists, or none', () => {
    const candidates = [...browserCandidates({})];
    const on = (...paths: string[]) => (p: string) => paths.includes(p);
    expect(findBrowser(candidates, on('/usr/bin/chromium', '/opt/google/chrome/chrome'))?.executable).toBe('/usr/bin/chromium');
    expect(findBrowser(candidates, on('/opt/google/chrome/chrome'))).toEqual({ executable: '/opt/google/chrome/chrome', dir: '/opt/google/chrome' });
    expect(findBrowser(candidates, on(chromium.executablePath()))?.executable).toBe(chromium.executablePath());
    expect(findBrowser(candidates, on())).toBeUndefined();
  });

  it('tries only PATTERNFLOW_BROWSER when it is set', () => {
    expect([...browserCandidates({ PATTERNFLOW_BROWSER: '/opt/chrome-linux64/chrome' })]).toEqual([{ executable: '/opt/chrome-linux64/chrome', dir: '/opt/chrome-linux64' }]);
  });

  it('stops the test command with one line saying how to get a browser', async () => {
    const run = exec(process.execPath, ['--import', 'tsx', 'scripts/check-browser.ts'], { env: { ...process.env, PATTERNFLOW_BROWSER: '/nonexistent/chrome' } });
    const error = await run.then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(error?.code).toBe(1);
    expect(error?.stderr).toMatch(/^patternflow: no Chromium or Chrome found .*apt-get install chromium, or npx playwright install chromium\n$/);
  });
});
