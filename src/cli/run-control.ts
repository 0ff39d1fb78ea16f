// The run-control flags of run, sweep and bench, made from the one table of src/model/run-control.ts.
import { Option } from 'commander';
import { ConfigError } from '../model/config';
import { RUN_CONTROL, type ControlField, type ControlName } from '../model/run-control';

/** The flag of a run-control field, its help ending in the allowed values and the default. */
export function controlOption(name: ControlName, defaultValue?: string): Option {
  const f: ControlField = RUN_CONTROL[name];
  const option = new Option(`--${name} ${f.syntax}`, `${f.help} (allowed: ${f.allowed}${defaultValue ? `; default: ${defaultValue}` : ''})`);
  if (f.choices) option.choices(f.choices);
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** `parse()`, with a refusal naming the field as its flag (`--logEvery: must be ...`). */
export function asFlag<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ConfigError && !e.field.startsWith('--')) throw new ConfigError(`--${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }
}
