// Shared steps of the dashboard tests: run to the end, export, parse.
import { expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { parseCsv } from '../src/model/export';
import type { ModelReport } from '../src/model/report';

/**
 * The adapter of the tests' Chromium (playwright.config.ts): SwiftShader, or the system's GPU with
 * PATTERNFLOW_GPU=1 (e2e/gpu-check.ts makes sure). A command-line run compared byte for byte with
 * the page's must run on the same: `--adapter` this.
 */
export const PAGE_ADAPTER = process.env.PATTERNFLOW_GPU ? 'gpu' : 'swiftshader';

/** Waits until the current run has done all its steps. */
export async function waitDone(page: Page, timeout = 120_000): Promise<void> {
  await expect(page.getByTestId('status')).toHaveAttribute('data-phase', 'done', { timeout });
}

/** Clicks an export (or PNG) button and returns the downloaded file's name and bytes. */
export async function downloadOf(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: await readFile(path) };
}

export async function exportCsvText(page: Page): Promise<string> {
  return (await downloadOf(page, 'export-csv')).bytes.toString('utf8');
}

export async function exportCsv(page: Page): Promise<Record<string, number[]>> {
  return parseCsv(await exportCsvText(page));
}

/** The current run as the Export JSON button writes it: config, adapter, model report, metrics. */
export async function exportJson(page: Page): Promise<{ config: Record<string, unknown>; adapter: Record<string, unknown>; model: ModelReport & { roseFirst?: number }; metrics: Record<string, number[]> }> {
  return JSON.parse((await downloadOf(page, 'export-json')).bytes.toString('utf8'));
}

/** Opens the dashboard and waits for its default preset to finish, so that later clicks start from a settled page. */
export async function openDashboard(page: Page, path = '/'): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId('adapter')).toBeVisible({ timeout: 60_000 });
}

/** A config as the dashboard's URL hash. */
export const hashOf = (config: object): string => `#config=${encodeURIComponent(JSON.stringify(config))}`;

export const last = (xs: number[]): number => xs[xs.length - 1];

/** First step at which column `metric` of a parsed CSV reaches `level`, or -1. */
export function firstStepAt(csv: Record<string, number[]>, metric: string, level: number): number {
  const i = csv[metric].findIndex((x) => x >= level);
  return i < 0 ? -1 : csv.step[i];
}
