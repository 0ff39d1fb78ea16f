// Shared by the regression specs: run a config in the page (through the URL hash, as a shared
// link would) and get its exported CSV; and the CPU twin's curves for comparison.
import type { Page } from '@playwright/test';
import { parseConfig, type ConfigInput } from '../src/model/config';
import { makeParams, simulate } from '../src/reference/reference';
import { exportCsvText, hashOf, waitDone } from './helpers';

/** Opens `config` as a link and waits for its last step; export what you need afterwards. */
export async function runLink(page: Page, config: ConfigInput, timeout = 170_000): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`/${hashOf(config)}`);
  await waitDone(page, timeout);
}

export async function runInPage(page: Page, config: ConfigInput, timeout?: number): Promise<string> {
  await runLink(page, config, timeout);
  return exportCsvText(page);
}

/** The float64 reference's metric columns for `config`. */
export function referenceColumns(config: ConfigInput): Record<string, number[]> {
  const P = makeParams(parseConfig(config));
  const { metrics } = simulate(P, P.cfg.steps);
  const cols: Record<string, number[]> = { step: metrics.map((_, t) => t + 1) };
  P.layout.names.forEach((name, j) => (cols[name] = metrics.map((row) => row[j])));
  return cols;
}
