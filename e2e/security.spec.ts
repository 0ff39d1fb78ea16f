// The page as a new user opens it: the default preset runs, curves move, the console stays free
// of errors, and the Content-Security-Policy is in force without being violated.
import { expect, test } from '@playwright/test';
import { hashOf, waitDone } from './helpers';

test('the default preset runs with no console error and no CSP violation', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    (window as unknown as { violations: string[] }).violations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto('/');
  await waitDone(page);
  const steps = await page.getByTestId('status').getAttribute('data-phase');
  expect(steps).toBe('done');
  expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toContain("script-src 'self'");
  expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
  expect(errors).toEqual([]);
});

test('markup smuggled in through the URL hash runs no script', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));
  await page.goto(`/${hashOf({ tasks: 4, steps: 5, reward: '<img src=x onerror=alert(1)>' })}`);
  await expect(page.getByTestId('hash-error')).toContainText('reward');
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(dialogs).toEqual([]);
});
