// <pf-spec-panel>: the sweep spec as JSON text, checked on every edit by the command line's own
// parser (parseSpec, then buildGrid, which parses every cohort's config), so its messages are the
// command line's: they name the axis or field and what is allowed.
import { html, nothing, type PropertyDeclarations } from 'lit';
import { LightElement } from '../ui/light-element';
import { ConfigError } from '../model/config';
import { buildGrid, type Grid } from '../sweep/grid';
import { parseSpec } from '../sweep/spec';

export type SpecResult = { grid: Grid; input: unknown; error?: undefined } | { grid?: undefined; error: string };

/** The spec in `text`, checked, or the first error in one line. */
export function parseSpecText(text: string): SpecResult {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    return { error: `spec: not JSON: ${(e as Error).message}` };
  }
  try {
    return { grid: buildGrid(parseSpec(input)), input };
  } catch (e) {
    if (e instanceof ConfigError) return { error: e.message };
    throw e;
  }
}

/** The grid in one line: what the command line's --plan says first. */
export function planLine(grid: Grid): string {
  const { spec } = grid;
  const dims = [...spec.axes.map((a) => `${a.values.length} ${a.name}`), `${spec.seeds} seed${spec.seeds > 1 ? 's' : ''}`].join(' × ');
  const runs = grid.runs.length;
  return `${grid.count.toLocaleString('en-US')} cohorts (${dims}), ${grid.steps.toLocaleString('en-US')} steps each; ${runs} run${runs > 1 ? 's' : ''} (one compiled kernel each)`;
}

/** Spec checks wait for a pause in typing: a big grid parses every cohort's config. */
const CHECK_DELAY_MS = 250;

export class PfSpecPanel extends LightElement {
  static properties: PropertyDeclarations = { text: { state: true }, result: { state: true } };
  declare text: string;
  declare result: SpecResult;
  private timer = 0;

  constructor() {
    super();
    this.text = '';
    this.result = { error: 'spec: empty' };
  }

  /** Shows `spec` (pretty-printed) and checks it at once. */
  load(spec: unknown): void {
    this.text = JSON.stringify(spec, null, 2);
    this.check();
  }

  /** The result for the text as it is now, checking at once if an edit is waiting. */
  current(): SpecResult {
    if (this.timer) this.check();
    return this.result;
  }

  private check() {
    clearTimeout(this.timer);
    this.timer = 0;
    this.result = parseSpecText(this.text);
    this.dispatchEvent(new CustomEvent('spec-change', { bubbles: true }));
  }

  private edit(text: string) {
    this.text = text;
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.check(), CHECK_DELAY_MS);
  }

  render() {
    const { grid, error } = this.result;
    return html`
      <textarea
        class="spec"
        data-testid="sweep-spec"
        spellcheck="false"
        autocomplete="off"
        aria-label="sweep spec (JSON)"
        .value=${this.text}
        @input=${(e: Event) => this.edit((e.target as HTMLTextAreaElement).value)}
      ></textarea>
      ${error ? html`<p class="error" role="alert" data-testid="sweep-spec-error">${error}</p>` : nothing}
      ${grid ? html`<p class="muted plan" data-testid="sweep-plan">${planLine(grid)}</p>` : nothing}
    `;
  }
}

customElements.define('pf-spec-panel', PfSpecPanel);

declare global {
  interface HTMLElementTagNameMap {
    'pf-spec-panel': PfSpecPanel;
  }
}
