// Property-based: random and adversarial configs at the validator, the command line's flag
// parsing and the URL hash. Each input gives a valid config or one ConfigError naming a field,
// never another exception; valid ones run on the GPU with finite metrics.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ANSWER_MODES, ConfigError, ESTIMATORS, FIELD_SPECS, FIELDS, OPTIMIZERS, REWARDS, SCALES, parseConfig, type Config } from '../src/model/config';
import { resolveConfig } from '../src/cli/run';
import { configFromHash } from '../src/ui/run-link';
import { engineFor, runRows, testGpu } from './helpers';

const RUNS = 4000; // per property; three properties over the validator: >= 10,000 inputs

const adversarial = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 1, 0.5, 2 ** 31, 2 ** 53, -0, 1e308, 33, 65, 257),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.string({ minLength: 5000, maxLength: 20000 }),
  fc.constantFrom('rlvr', 'grpo', 'shared', 'trainable', 'adam', 'batch', '<script>alert(1)</script>', '__proto__', ''),
  fc.array(fc.double({ min: -1, max: 2 }), { maxLength: 40 }),
  fc.array(fc.integer({ min: -5, max: 5000 }), { maxLength: 20 }),
  fc.constant(null),
  fc.boolean(),
  fc.object({ maxDepth: 4 }),
);

/** A valid base config with fields replaced or added by adversarial values. */
const mutated = fc
  .record({
    // Without patterns, K comes from the vectors the changes give.
    base: fc.record({ tasks: fc.integer({ min: 1, max: 64 }), patterns: fc.integer({ min: 2, max: 6 }) }, { requiredKeys: ['tasks'] }),
    changes: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 12 })), adversarial), { maxLength: 4 }),
  })
  .map(({ base, changes }) => Object.assign({ ...base }, Object.fromEntries(changes)) as Record<string, unknown>);

/** Every way a result may come back: a consistent config, or a ConfigError that names a field. */
function checkOutcome(parse: () => Config | undefined) {
  let c: Config | undefined;
  try {
    c = parse();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const err = e as ConfigError;
    expect(err.message.startsWith(`${err.field}: `)).toBe(true);
    expect(err.message.length).toBeLessThan(600);
    return;
  }
  if (!c) return;
  const K = c.patterns;
  expect(FIELD_SPECS.patterns.type.safeParse(K).success).toBe(true);
  expect(c.successRates === undefined).toBe(c.successBeta !== undefined || c.successTilt !== undefined);
  for (const v of [c.init, c.wrongDecay, ...(c.successRates ? [c.successRates] : [])]) expect(v).toHaveLength(K);
  // successBeta keeps a number as given.
  for (const v of [c.successBeta?.alpha, c.successBeta?.beta]) {
    if (Array.isArray(v)) expect(v).toHaveLength(K);
    else if (v !== undefined) expect(v).toBeGreaterThan(0);
  }
  expect(Math.abs(c.init.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-6);
  expect(Number.isFinite(c.lr)).toBe(true);
}

describe('fuzzing the config paths', () => {
  it('validator: arbitrary values and mutated configs', () => {
    fc.assert(fc.property(fc.oneof(fc.anything(), mutated), (input) => checkOutcome(() => parseConfig(input))), { numRuns: RUNS, seed: 42 });
  });

  it('command line: flag texts', () => {
    const flagText = fc.oneof(fc.string({ maxLength: 30 }), adversarial.map((v) => (Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v))));
    const flags = fc.dictionary(fc.constantFrom(...FIELDS), flagText, { maxKeys: 5 });
    fc.assert(fc.property(flags, (f) => checkOutcome(() => resolveConfig({ backend: 'webgpu', checkpointEvery: '1000', ...f }))), { numRuns: RUNS, seed: 43 });
  });

  it('URL hash: malformed encodings, non-JSON and hostile configs', () => {
    const hash = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ maxLength: 50 }).map((s) => `#config=${s}`),
      fc.oneof(fc.anything(), mutated).map((v) => `#config=${encodeURIComponent(JSON.stringify(v) ?? 'undefined')}`),
      fc.constantFrom('#config=%E0%A4%A', '#config=%', '#', '', '#config={"tasks":', '#config=<img src=x onerror=alert(1)>', '#config={}&logEvery=0', '#config={}&logEvery=x'),
      fc.string({ maxLength: 20 }).map((s) => `#config=%7B%7D&logEvery=${s}`),
    );
    fc.assert(fc.property(hash, (h) => checkOutcome(() => configFromHash(h)?.config)), { numRuns: RUNS, seed: 44 });
  });
});

describe('valid random configs run with finite metrics', () => {
  afterAll(async () => (await testGpu()).device.destroy());
  const valid = fc.sample(
    fc.record({
      tasks: fc.integer({ min: 1, max: 100 }),
      answers: fc.integer({ min: 2, max: 10 }),
      group: fc.integer({ min: 2, max: 16 }),
      reward: fc.constantFrom(...REWARDS),
      estimator: fc.constantFrom(...ESTIMATORS),
      scale: fc.constantFrom(...SCALES),
      // The flat policies; token trees have tree fields of their own (test/gpu-vs-cpu.test.ts, test/tree-gpu.test.ts).
      policy: fc.constantFrom('tabular', 'shared'),
      answerMode: fc.constantFrom(...ANSWER_MODES),
      optimizer: fc.constantFrom(...OPTIMIZERS),
      lr: fc.double({ min: 1e-3, max: 5, noNaN: true }),
      klCoef: fc.double({ min: 0, max: 1, noNaN: true }),
      entropyCoef: fc.double({ min: 0, max: 0.5, noNaN: true }),
      tpr: fc.double({ min: 0, max: 1, noNaN: true }),
      fpr: fc.double({ min: 0, max: 1, noNaN: true }),
      weights: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 2, maxLength: 8 }),
    }).map(({ weights, ...c }) => {
      const total = weights.reduce((a, b) => a + b, 0);
      return { ...c, patterns: weights.length, init: weights.map((w) => w / total) };
    }),
    { numRuns: 8, seed: 7 },
  );
  it.each(valid.map((c) => [`${c.reward} ${c.estimator} ${c.policy} ${c.answerMode} ${c.optimizer} K=${c.patterns}`, c]))('%s', async (_name, input) => {
    const engine = await engineFor({ ...(input as object), steps: 3 });
    const rows = await runRows(engine, 3);
    for (const row of rows) for (const v of row) expect(Number.isFinite(v)).toBe(true);
    engine.destroy();
  });
});
