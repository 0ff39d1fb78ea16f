import { describe, expect, it } from 'vitest';
import { ConfigError, configToJSON, defaultSuccessRates, parseConfig } from '../src/model/config';

describe('run config', () => {
  it('fills the defaults of docs/model.md §7', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      tasks: 4096, patterns: 4, answers: 8, group: 8, steps: 1000, seed: 1,
      successRates: [0.8, 0.6, 0.4, 0.2], wrongDecay: [0.5, 0.5, 0.5, 0.5], init: [0.25, 0.25, 0.25, 0.25],
      policy: 'tabular', answerMode: 'frozen', reward: 'rlvr', tpr: 1, fpr: 0, estimator: 'grpo', scale: 'group',
      optimizer: 'sgd', lr: 0.1, klCoef: 0, entropyCoef: 0, passK: [1, 8, 64],
    });
    expect(c.successBeta).toBeUndefined();
    expect(c.sft).toBeUndefined();
  });

  it('spreads default success rates from 0.8 to 0.2 for any K', () => {
    expect(defaultSuccessRates(2)).toEqual([0.8, 0.2]);
    expect(defaultSuccessRates(7)).toEqual([0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]);
  });

  const bad: [string, unknown, string, RegExp][] = [
    ['K = 1', { patterns: 1 }, 'patterns', /integer in 2\.\.16384/],
    ['K = 16385', { patterns: 16385 }, 'patterns', /integer in 2\.\.16384/],
    ['A = 65', { answers: 65 }, 'answers', /integer in 2\.\.64/],
    ['fractional tasks', { tasks: 10.5 }, 'tasks', /integer in 1\.\./],
    ['negative tasks', { tasks: -3 }, 'tasks', /integer in 1\.\./],
    ['string steps', { steps: '100' }, 'steps', /integer in 1\.\.10000000/],
    ['too many steps', { steps: 1e8 }, 'steps', /integer in 1\.\.10000000/],
    ['seed above 2^32-1', { seed: 2 ** 32 }, 'seed', /0\.\.4294967295/],
    ['NaN lr', { lr: NaN }, 'lr', /> 0/],
    ['infinite lr', { lr: Infinity }, 'lr', /> 0/],
    ['zero lr', { lr: 0 }, 'lr', /> 0/],
    ['success rate above 1', { successRates: [0.5, 1.5, 0.2, 0.1] }, 'successRates[1]', /\[0, 1\]/],
    ['short successRates', { patterns: 4, successRates: [0.5, 0.2] }, 'successRates', /^successRates: must have 4 entries \(one per pattern\), got 2$/],
    ['vectors of different lengths', { successRates: [0.5, 0.2, 0.1], init: [0.5, 0.5] }, 'init', /^init: has 2 entries but successRates has 3: give every per-pattern vector K entries$/],
    ['Beta vectors of different lengths', { successBeta: { alpha: [1, 1, 1], beta: [1, 1] } }, 'successBeta.beta', /has 2 entries but successBeta.alpha has 3/],
    ['a one-entry vector', { successRates: [0.5] }, 'successRates', /^successRates: has 1 entries, and K \(patterns\) must be an integer in 2\.\.16384$/],
    ['a 16385-entry vector', { init: Array<number>(16385).fill(1 / 16385) }, 'init', /2\.\.16384/],
    ['successTilt above 50', { successTilt: 50.5 }, 'successTilt', /^successTilt: must be a finite number in \[-50, 50\] \(lambda of the tilted uniform law\)$/],
    ['successTilt infinite', { successTilt: -Infinity }, 'successTilt', /\[-50, 50\]/],
    ['successTilt a string', { successTilt: 'x' }, 'successTilt', /\[-50, 50\]/],
    ['successTilt with successRates', { successRates: [0.5, 0.5], successTilt: 0.1 }, 'successTilt', /^successTilt: give either successRates, successBeta or successTilt, not successRates and successTilt$/],
    ['successTilt with successBeta', { successBeta: { alpha: 1, beta: 1 }, successTilt: 0 }, 'successTilt', /either/],
    ['both success sources', { successRates: [0.5, 0.5, 0.5, 0.5], successBeta: { alpha: [1, 1, 1, 1], beta: [1, 1, 1, 1] } }, 'successBeta', /either/],
    ['Beta alpha zero', { successBeta: { alpha: [0, 1, 1, 1], beta: [1, 1, 1, 1] } }, 'successBeta.alpha[0]', /> 0/],
    ['Beta beta zero as one number', { successBeta: { alpha: 1, beta: 0 } }, 'successBeta.beta', /> 0/],
    ['Beta alpha a string', { successBeta: { alpha: 'one', beta: 1 } }, 'successBeta.alpha', /a number > 0 or K such numbers/],
    ['Beta without beta', { successBeta: { alpha: 1 } }, 'successBeta.beta', /a number > 0 or K such numbers/],
    ['init not summing to 1', { init: [0.5, 0.2, 0.2, 0.2] }, 'init', /sum to 1/],
    ['init with zero', { init: [0, 0.5, 0.25, 0.25] }, 'init[0]', /> 0/],
    ['wrongDecay 0', { wrongDecay: 0 }, 'wrongDecay', /\(0, 1\]/],
    ['wrongDecay wrong length', { patterns: 4, wrongDecay: [0.5, 0.5] }, 'wrongDecay', /4 entries \(one per pattern\), got 2/],
    ['unknown reward', { reward: 'rlhf' }, 'reward', /"rlvr", "rlif-self-certainty", "rlif-certainty", "rlif-entropy", "rlif-majority"/],
    ['group 1 with grpo', { group: 1 }, 'group', /2\.\.256/],
    ['group 300', { group: 300 }, 'group', /1\.\.256/],
    ['tpr above 1', { tpr: 2 }, 'tpr', /\[0, 1\]/],
    ['negative klCoef', { klCoef: -1 }, 'klCoef', />= 0/],
    ['passK 0', { passK: [0] }, 'passK[0]', /1\.\.4096/],
    ['empty passK', { passK: [] }, 'passK', /1 to 16/],
    ['sft target wrong length', { patterns: 4, sft: { steps: 1, lr: 1, target: [1, 0] } }, 'sft.target', /4 entries \(one per pattern\), got 2/],
    ['sft unknown key', { sft: { steps: 1, lr: 1, target: [1, 0, 0, 0], x: 1 } }, 'sft.x', /unknown field/],
    ['unknown field', { taks: 5 }, 'taks', /unknown field \(allowed: tasks, patterns/],
    ['array config', [1, 2], 'config', /JSON object/],
    ['nested junk', { init: { a: { b: [] } } }, 'init', /array of K numbers/],
  ];
  it.each(bad)('rejects %s naming the field and range', (_name, input, field, message) => {
    let error: unknown;
    try {
      parseConfig(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}: `));
    expect((error as ConfigError).message).toMatch(message);
  });

  it('accepts group 1 with the expected estimator, and per-pattern vectors', () => {
    const c = parseConfig({ group: 1, estimator: 'expected', patterns: 3, wrongDecay: [1, 0.5, 0.1], init: [0.2, 0.3, 0.5] });
    expect(c.successRates).toEqual([0.8, 0.5, 0.2]);
    expect(c.wrongDecay).toEqual([1, 0.5, 0.1]);
  });

  it('takes K from the vectors given when patterns is not', () => {
    const c = parseConfig({ successRates: [0.9, 0.5, 0.1] });
    expect(c.patterns).toBe(3);
    expect(c.init).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(c.wrongDecay).toEqual([0.5, 0.5, 0.5]);
    expect(parseConfig({ successBeta: { alpha: 2, beta: [1, 1, 1, 1, 1] } }).patterns).toBe(5);
    expect(parseConfig({ wrongDecay: [1, 0.5], sft: { steps: 1, lr: 1, target: [1, 0] } }).patterns).toBe(2);
    expect(parseConfig({ wrongDecay: 0.3, successBeta: { alpha: 1, beta: 1 } }).patterns).toBe(4);
    expect(parseConfig({ patterns: 6 }).successRates).toHaveLength(6);
  });

  it('keeps successBeta as given, and writes configs that read back as the same config', () => {
    const c = parseConfig({ patterns: 20, successBeta: { alpha: 1, beta: 1 }, answers: 2 });
    expect(c.successBeta).toEqual({ alpha: 1, beta: 1 });
    expect(c.successRates).toBeUndefined();
    for (const input of [{}, { patterns: 3, successBeta: { alpha: 1, beta: [2, 3, 4] } }, { successBeta: { alpha: 0.5, beta: 2 }, init: [0.7, 0.3] }]) {
      const config = parseConfig(input);
      expect(parseConfig(configToJSON(config))).toEqual(config);
    }
    expect(configToJSON(c)).toMatchObject({ patterns: 20, successBeta: { alpha: 1, beta: 1 } });
  });

  it('names a long vector of the wrong length by its length alone, in one short line', () => {
    // The largest K the schema allows; a vector of another length, however long, gives no values.
    for (const length of [31, 16385]) {
      const input = { patterns: 16384, successRates: Array.from({ length }, (_, j) => 0.123456789 + j * 1e-6) };
      let message = '';
      try {
        parseConfig(input);
      } catch (e) {
        message = (e as ConfigError).message;
      }
      expect(message).toBe(`successRates: must have 16384 entries (one per pattern), got ${length}`);
      expect(message.length).toBeLessThan(80);
    }
  });
});
