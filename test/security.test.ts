// The static app's security guarantees that hold before any page runs: the production build
// carries the strict Content-Security-Policy on every page, and no source file writes markup
// through the DOM's HTML-parsing sinks (the dashboard renders through Lit templates only).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../src/ui/csp';

const unescapeHtml = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

describe('Content-Security-Policy', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'patternflow-build-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('production allows scripts and connections from the app itself only', () => {
    const csp = contentSecurityPolicy(false);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self';");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval|ws:|\*/);
    expect(contentSecurityPolicy(true)).toContain('ws://localhost:*');
  });

  it('every page of the production build carries it', async () => {
    await build({ logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    for (const page of ['index.html', 'sweep.html', 'bench.html']) {
      const html = readFileSync(join(outDir, page), 'utf8');
      const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/);
      expect(meta, page).not.toBeNull();
      expect(unescapeHtml(meta![1]), page).toBe(contentSecurityPolicy(false));
      // The policy must come before any script, or the browser runs the script unchecked.
      expect(html.indexOf('Content-Security-Policy'), page).toBeLessThan(html.indexOf('<script'));
    }
  });
});

describe('no markup from data', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(p) ? [p] : [];
    });

  it('no source file uses an HTML-parsing DOM sink', () => {
    const sinks = /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|unsafeHTML|DOMParser/;
    const hits = files('src').filter((f) => sinks.test(readFileSync(f, 'utf8')));
    expect(hits).toEqual([]);
  });
});
