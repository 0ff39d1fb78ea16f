// The top of every page: its title, the adapter it runs on (with the warning of a CPU adapter
// or of the float64 reference), and links to the other pages.
import { html, nothing, type TemplateResult } from 'lit';
import type { Platform } from './platform';

export interface PageHeader {
  title: string;
  subtitle: string;
  platform?: Platform;
  /** Whether WebGPU is still being opened (no platform yet, and no reason why there is none). */
  opening: boolean;
  /** The links to the other pages. */
  nav: TemplateResult;
}

export function renderPageHeader(h: PageHeader): TemplateResult {
  return html`<header class="top">
      <h1>${h.title}</h1>
      <p class="subtitle">${h.subtitle}</p>
      ${h.platform
        ? html`<p class="adapter">Adapter: <span data-testid="adapter">${h.platform.adapter.line}</span></p>`
        : h.opening
          ? html`<p class="adapter" data-testid="adapter-pending">Opening WebGPU…</p>`
          : nothing}
      <nav class="nav">${h.nav}</nav>
    </header>
    ${h.platform?.warning ? html`<p class="warning" data-testid="fallback-warning">${h.platform.warning}</p>` : nothing}`;
}
