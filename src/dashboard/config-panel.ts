// <pf-config-panel>: every field of the run config (MODEL.md §7) as text or a choice. Texts are
// turned into JSON values the way the command line reads its flags, and parseConfig checks them,
// so the messages here are the command line's: they name the field and its allowed range.
import { LitElement, html, type PropertyDeclarations } from 'lit';
import { ANSWER_MODES, ConfigError, ESTIMATORS, FIELD_HELP, FIELDS, OPTIMIZERS, POLICIES, REWARDS, SCALES, parseConfig, type Config, type ConfigInput } from '../model/config';
import { fieldKind, flagValue } from '../cli/flags';

type Field = keyof ConfigInput;

const CHOICES: Partial<Record<Field, readonly string[]>> = {
  policy: POLICIES,
  answerMode: ANSWER_MODES,
  reward: REWARDS,
  estimator: ESTIMATORS,
  scale: SCALES,
  optimizer: OPTIMIZERS,
};


/** A config value as the text the panel shows (the command line's flag syntax). */
function toText(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value.join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const DEFAULTS = parseConfig({}) as unknown as Record<string, unknown>;
const PLACEHOLDER: Partial<Record<Field, string>> = {
  successRates: 'evenly spaced 0.8 … 0.2',
  init: 'uniform',
  successBeta: 'none',
  sft: 'none',
  wrongDecay: toText((DEFAULTS.wrongDecay as number[])[0]),
};

export type ConfigResult = { config: Config; error?: undefined } | { config?: undefined; error: ConfigError };

/** The texts of the panel as a config, or the first error (naming the field). */
export function parseTexts(texts: Partial<Record<Field, string>>): ConfigResult {
  try {
    const input: Record<string, unknown> = {};
    for (const field of FIELDS) {
      const text = texts[field]?.trim();
      if (text) input[field] = flagValue(field, text);
    }
    return { config: parseConfig(input) };
  } catch (e) {
    if (e instanceof ConfigError) return { error: e };
    throw e;
  }
}

export class PfConfigPanel extends LitElement {
  static properties: PropertyDeclarations = { texts: { state: true } };
  declare texts: Partial<Record<Field, string>>;

  constructor() {
    super();
    this.texts = {};
  }

  protected createRenderRoot(): HTMLElement {
    return this;
  }

  /** Shows `input` (a preset's fields, or a whole config); fields it omits take their defaults. */
  load(input: ConfigInput | Config): void {
    const values: Record<string, unknown> = { ...input };
    // A resolved config repeats one decay K times; one number keeps it valid when K is edited.
    const decay = values.wrongDecay;
    if (Array.isArray(decay) && decay.every((d) => d === decay[0])) values.wrongDecay = decay[0];
    this.texts = Object.fromEntries(FIELDS.map((f) => [f, toText(values[f])]));
    this.changed();
  }

  get result(): ConfigResult {
    return parseTexts(this.texts);
  }

  private changed() {
    this.dispatchEvent(new CustomEvent('config-change', { bubbles: true }));
  }

  private edit(field: Field, text: string) {
    this.texts = { ...this.texts, [field]: text };
    this.changed();
  }

  render() {
    const { error } = this.result;
    // "successRates[2]" or "sft.target" belong to the input of successRates or sft.
    const errorField = error?.field.match(/^[A-Za-z]+/)?.[0];
    return html`
      ${error ? html`<p class="error" role="alert" data-testid="config-error">${error.message}</p>` : ''}
      <form class="config" @submit=${(e: Event) => e.preventDefault()} novalidate>
        ${FIELDS.map((field) => {
          const id = `cfg-${field}`;
          const choices = CHOICES[field];
          const text = this.texts[field] ?? '';
          const onInput = (e: Event) => this.edit(field, (e.target as HTMLInputElement | HTMLSelectElement).value);
          return html`<div class="field ${errorField === field ? 'invalid' : ''}">
            <label for=${id} title=${FIELD_HELP[field]}>${field}</label>
            ${choices
              ? html`<select id=${id} data-testid=${`field-${field}`} .value=${text || String(DEFAULTS[field])} @change=${onInput}>
                  ${choices.map((c) => html`<option value=${c} ?selected=${(text || DEFAULTS[field]) === c}>${c}</option>`)}
                </select>`
              : html`<input
                  id=${id}
                  data-testid=${`field-${field}`}
                  type="text"
                  spellcheck="false"
                  autocomplete="off"
                  .value=${text}
                  placeholder=${PLACEHOLDER[field] ?? toText(DEFAULTS[field])}
                  title=${`${FIELD_HELP[field]} (${fieldKind(field) === 'json' ? 'JSON' : 'empty = default'})`}
                  @input=${onInput}
                />`}
            ${errorField === field ? html`<small class="help field-error">${error?.message}</small>` : html`<small class="help">${FIELD_HELP[field]}</small>`}
          </div>`;
        })}
      </form>
    `;
  }
}

customElements.define('pf-config-panel', PfConfigPanel);

declare global {
  interface HTMLElementTagNameMap {
    'pf-config-panel': PfConfigPanel;
  }
}
