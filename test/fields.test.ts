// The config's text syntax (command-line flags, the dashboard's inputs), derived from the field table.
import { describe, expect, it } from 'vitest';
import { ConfigError, ESTIMATORS, FIELDS, POLICIES, parseConfig } from '../src/model/config';
import { defaultText, fieldChoices, formatField, parseField } from '../src/model/fields';

describe('field text syntax', () => {
  it('reads each syntax', () => {
    expect(parseField('tasks', '1000000')).toBe(1_000_000);
    expect(parseField('lr', 'abc')).toBe('abc'); // left to the schema, whose message names the field
    expect(parseField('init', '0.97,0.01,0.01,0.01')).toEqual([0.97, 0.01, 0.01, 0.01]);
    expect(parseField('wrongDecay', '0.5')).toBe(0.5);
    expect(parseField('wrongDecay', '0.5,1')).toEqual([0.5, 1]);
    expect(parseField('sft', '{"steps":3,"lr":1,"target":[1,0,0,0]}')).toEqual({ steps: 3, lr: 1, target: [1, 0, 0, 0] });
    expect(parseField('reward', 'rlif-majority')).toBe('rlif-majority');
    expect(() => parseField('sft', '{bad')).toThrow(ConfigError);
  });

  it('writes every field of a config back to text that reads as the same config', () => {
    const config = parseConfig({ patterns: 3, sft: { steps: 2, lr: 0.5, target: [1, 0, 0] }, reward: 'rlif-entropy' });
    const input = Object.fromEntries(FIELDS.flatMap((f) => (config[f] === undefined ? [] : [[f, parseField(f, formatField(config[f]))]])));
    expect(parseConfig(input)).toEqual(config);
  });

  it('takes choices from the enums and shows defaults or placeholders for empty texts', () => {
    expect(fieldChoices('estimator')).toEqual(ESTIMATORS);
    expect(fieldChoices('policy')).toEqual(POLICIES);
    expect(fieldChoices('lr')).toBeUndefined();
    expect(defaultText('estimator')).toBe('grpo');
    expect(defaultText('wrongDecay')).toBe('0.5');
    expect(defaultText('passK')).toBe('1,8,64');
    expect(defaultText('init')).toBe('uniform');
  });
});
