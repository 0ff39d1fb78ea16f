// The config's text syntax: a field's value as one line of text, the way a command-line flag
// (`--tasks 1000000 --init 0.97,0.01,0.01,0.01`) and an input of the dashboard's config panel take
// it. Texts become the JSON values the schema expects; the schema does the checking.
import { z } from 'zod';
import { ConfigError, FIELD_SPECS, type Field, type Syntax } from './config';

/** Each syntax as the placeholder of a usage line: `--tasks <n>`. */
export const SYNTAX_USAGE: Record<Syntax, string> = {
  number: '<n>',
  list: '<a,b,...>',
  numberOrList: '<x|a,b,...>',
  json: '<json>',
  choice: '<name>',
};

// A number keeps its text when it is not one, so that the schema's message names the field.
const num = (text: string): unknown => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

/** The value of `field` written as `text`; a ConfigError for JSON that does not parse. */
export function parseField(field: Field, text: string): unknown {
  switch (FIELD_SPECS[field].syntax) {
    case 'number':
      return num(text);
    case 'list':
      return text.split(',').map(num);
    case 'numberOrList':
      return text.includes(',') ? text.split(',').map(num) : num(text);
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        throw new ConfigError(field, `must be JSON, e.g. ${field === 'sft' ? '\'{"steps":100,"lr":0.5,"target":[1,0,0,0]}\'' : '\'{"alpha":1,"beta":1}\''}`);
      }
    case 'choice':
      return text;
  }
}

/** A config value as text: the inverse of `parseField` ('' for undefined). */
export function formatField(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value.join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** What an empty text stands for: the field's default, or the placeholder of a field without one. */
export function defaultText(field: Field): string {
  const spec = FIELD_SPECS[field];
  return spec.placeholder ?? formatField(spec.type.parse(undefined));
}

/** What the field allows, in the words of its schema's own message (`an integer in 1..4096`). */
export function allowedText(field: Field): string {
  const result = FIELD_SPECS[field].type.safeParse(null);
  return result.success ? 'any' : result.error.issues[0].message.replace(/^must be /, '');
}

/** The values a choice allows, read from its enum; undefined for other fields. */
export function fieldChoices(field: Field): readonly string[] | undefined {
  const type: z.ZodType = FIELD_SPECS[field].type;
  const inner = type instanceof z.ZodDefault ? type.unwrap() : type;
  return inner instanceof z.ZodEnum ? inner.options.map(String) : undefined;
}
