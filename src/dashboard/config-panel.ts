// <pf-config-panel>: every field of the run config (docs/model.md §7) as text or a choice, with
// the help line and text syntax the config declares. Texts are read as the command line reads its
// flags, and parseConfig checks them, so the messages here are the command line's: they name the
// field and its allowed range.
import { html, type PropertyDeclarations } from 'lit';
import { LightElement } from '../ui/light-element';
import { ConfigError, FIELD_SPECS, FIELDS, parseConfig, TREE_FIELDS, type Config, type ConfigInput, type Field } from '../model/config';
import { defaultText, fieldChoices, formatField, parseField } from '../model/fields';

export type ConfigResult = { config: Config; error?: undefined } | { config?: undefined; error: ConfigError };

/** The fields the panel shows for these texts: the token tree's only when the policy is "tokens". */
const shownFields = (texts: Partial<Record<Field, string>>): Field[] =>
  texts.policy?.trim() === 'tokens' ? FIELDS : FIELDS.filter((f) => !(TREE_FIELDS as readonly string[]).includes(f));

/** The texts of the panel as a config, or the first error (naming the field); the hidden tree fields are not read. */
export function parseTexts(texts: Partial<Record<Field, string>>): ConfigResult {
  try {
    const input: Record<string, unknown> = {};
    for (const field of shownFields(texts)) {
      const text = texts[field]?.trim();
      if (text) input[field] = parseField(field, text);
    }
    return { config: parseConfig(input) };
  } catch (e) {
    if (e instanceof ConfigError) return { error: e };
    throw e;
  }
}

export class PfConfigPanel extends LightElement {
  static properties: PropertyDeclarations = { texts: { state: true } };
  declare texts: Partial<Record<Field, string>>;

  constructor() {
    super();
    this.texts = {};
  }

  /** Shows `input` (a preset's fields, or a whole config); fields it omits take their defaults. */
  load(input: ConfigInput | Config): void {
    const values: Record<string, unknown> = { ...input };
    // A resolved config repeats one decay K times; one number keeps it valid when K is edited.
    const decay = values.wrongDecay;
    if (Array.isArray(decay) && decay.every((d) => d === decay[0])) values.wrongDecay = decay[0];
    this.texts = Object.fromEntries(FIELDS.map((f) => [f, formatField(values[f])]));
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
        ${shownFields(this.texts).map((field) => {
          const id = `cfg-${field}`;
          const { help, syntax } = FIELD_SPECS[field];
          const choices = fieldChoices(field);
          const text = this.texts[field] ?? '';
          const onInput = (e: Event) => this.edit(field, (e.target as HTMLInputElement | HTMLSelectElement).value);
          return html`<div class="field ${errorField === field ? 'invalid' : ''}">
            <label for=${id} title=${help}>${field}</label>
            ${choices
              ? html`<select id=${id} data-testid=${`field-${field}`} .value=${text || defaultText(field)} @change=${onInput}>
                  ${choices.map((c) => html`<option value=${c} ?selected=${(text || defaultText(field)) === c}>${c}</option>`)}
                </select>`
              : html`<input
                  id=${id}
                  data-testid=${`field-${field}`}
                  type="text"
                  spellcheck="false"
                  autocomplete="off"
                  .value=${text}
                  placeholder=${defaultText(field)}
                  title=${`${help} (${syntax === 'json' ? 'JSON' : 'empty = default'})`}
                  @input=${onInput}
                />`}
            ${errorField === field ? html`<small class="help field-error">${error?.message}</small>` : html`<small class="help">${help}</small>`}
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
