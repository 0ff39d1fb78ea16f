// Sweep specs: every refusal is one ConfigError naming the axis (or base field) and what is
// allowed; grids expand in the documented order, with derived axes and seed replicates; shards
// come from flags or from a job array's environment. No GPU here.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/model/config';
import { modelReport } from '../src/model/report';
import { buildTasks } from '../src/model/tasks';
import { applyValues, parseAxes } from '../src/sweep/axes';
import { buildGrid, MAX_COHORTS, unionNames } from '../src/sweep/grid';
import { parseShard, shardCohorts, shardFromEnv } from '../src/sweep/shards';
import { LogSchedule } from '../src/model/cadence';
import { LOG_POINTS } from '../src/model/run-control';
import { parseSpec } from '../src/sweep/spec';
import { PRESETS } from '../src/sweep/presets';
import { formatDuration } from '../src/sweep/progress';

const grid = (spec: unknown) => buildGrid(parseSpec(spec));
const refusal = (spec: unknown): string => {
  try {
    grid(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be refused`);
};

describe('sweep spec: refusals name the axis and what is allowed', () => {
  it.each([
    [{ axes: { bogus: [1, 2] } }, /^axes\.bogus: unknown axis \(allowed: tasks, patterns, .*initBest, gamma, tprMinusFpr, tprPlusFpr/],
    [{ axes: { seed: [1, 2] } }, /^axes\.seed: cannot be an axis: replicate seeds with "seeds": n instead/],
    [{ axes: { steps: [10, 20] } }, /^axes\.steps: cannot be an axis: every cohort of a sweep runs the same steps \(set base\.steps\)/],
    [{ axes: { lr: [] } }, /^axes\.lr: has no values: every axis needs at least one \(an empty grid runs nothing\)/],
    [{ axes: { lr: { linspace: [0.1, 1, 0] } } }, /^axes\.lr: linspace count is 0/],
    [{ axes: { lr: { logspace: [0, 1, 4] } } }, /^axes\.lr: logspace needs from and to > 0, got 0 and 1/],
    [{ axes: { lr: { range: [0, 1] } } }, /^axes\.lr: must be a list of values, \{ "linspace": \[from, to, count\] \} or \{ "logspace"/],
    [{ axes: { reward: { linspace: [0, 1, 3] } } }, /^axes\.reward: linspace needs a numeric axis; give a list of values/],
    [{ axes: { lr: [0.5, 0] } }, /^axes\.lr: must be a finite number > 0 \(cohort 1: lr=0\)$/],
    [{ axes: { reward: ['rlvr', 'nope'] } }, /^axes\.reward: must be one of "rlvr", .*"rlif-majority" \(cohort 1: reward=nope\)$/],
    [{ axes: { patterns: [4, 8] }, base: { init: [0.7, 0.1, 0.1, 0.1] } }, /^base\.init: must have 8 entries \(one per pattern\), got 4 \(cohort 1: patterns=8\)$/],
    [{ base: { bogus: 1 } }, /^base\.bogus: unknown field \(allowed: tasks, patterns/],
    [{ base: { lr: -1 } }, /^base\.lr: must be a finite number > 0$/],
    [{ axes: { initBest: [0.5, 1] } }, /^axes\.initBest: must be a number in \(0, 1\), got 1 \(value 1\)/],
    [{ axes: { initBest: [0.5], init: [[0.5, 0.5, 0, 0]] } }, /^axes\.init: sets init, which axis initBest sets too: keep one of them/],
    [{ axes: { tpr: [0.9], tprMinusFpr: [0.5] } }, /^axes\.tprMinusFpr: sets tpr, which axis tpr sets too/],
    [{ axes: { lr: [0.1], 'lr,tasks': [[0.2, 10]] } }, /^axes\.lr: sets lr, which another axis sets too/],
    [{ axes: { 'patterns,init': [[2, [0.5, 0.5]], [3]] } }, /^axes\.patterns,init\[1\]: must be a list of 2 values, one each for patterns, init/],
    [{ axes: { tprMinusFpr: [0.8], tprPlusFpr: [0.4] } }, /^axes\.tprMinusFpr: fpr: must be a number in \[0, 1\] \(cohort 0: tprMinusFpr=0\.8, tprPlusFpr=0\.4\)/],
    [{ axes: { initBest: [0.5] }, base: { successBeta: { alpha: [1, 1, 1, 1], beta: [1, 1, 1, 1] } } }, /^axes\.initBest: needs successRates: with successBeta or successTilt each task/],
    [{ seeds: 0 }, /^seeds: must be an integer in 1\.\.1000000$/],
    [{ base: { seed: 4294967295 }, seeds: 2 }, /^seeds: base\.seed \+ replicate gives seed 4294967296: must be an integer in 0\.\.4294967295/],
    [{ logEvery: 5, logSteps: 'log' }, /^logSteps: give either logEvery or logSteps, not both$/],
    [{ logSteps: 'linear' }, /^logSteps: must be "log"/],
    [{ logEvery: 0 }, /^logEvery: must be an integer in 1\.\.10000000, got 0$/],
    [{ logEvery: 2.5 }, /^logEvery: must be an integer in 1\.\.10000000, got 2\.5$/],
    [{ axis: { lr: [1] } }, /^axis: unknown field of a sweep spec \(allowed: base, axes, seeds, logEvery, logSteps\)$/],
    [[1, 2], /^spec: must be a JSON object/],
  ])('%j', (spec, message) => {
    const text = refusal(spec);
    expect(text).toMatch(message);
    expect(text.split('\n')).toHaveLength(1);
  });

  it('refuses a 10^7-cohort grid up front, with the count and the memory it would need', () => {
    const t0 = performance.now();
    const text = refusal({ axes: { lr: { logspace: [0.001, 1, 1000] }, initBest: { linspace: [0.01, 0.5, 10_000] } }, base: { steps: 100 } });
    expect(performance.now() - t0).toBeLessThan(1000); // refused before expanding anything
    expect(text).toMatch(/^axes: the grid has 10,000,000 cohorts \(1000 lr x 10000 initBest x 1 seed\), more than the 1,000,000 a sweep takes/);
    expect(text).toMatch(/it would need about [\d.]+ GB of metric rows and [\d.]+ [GT]B of GPU memory in one run/);
    expect(MAX_COHORTS).toBe(1_000_000);
  });
});

describe('sweep grid', () => {
  it('expands lists, linspace and logspace; the first axis outermost, seed replicates innermost', () => {
    const g = grid({ base: { seed: 7 }, axes: { lr: { logspace: [0.01, 1, 3] }, klCoef: { linspace: [0, 0.6, 4] } }, seeds: 2 });
    expect(g.count).toBe(24);
    expect(g.spec.axes.map((a) => a.values.flat())).toEqual([
      [0.01, 0.1, 1],
      [0, 0.2, 0.4, 0.6],
    ]);
    const c = g.cohort(2 * (1 * 4 + 2) + 1); // lr 0.1, klCoef 0.4, replicate 1
    expect(c.values).toEqual([0.1, 0.4]);
    expect([c.config.lr, c.config.klCoef, c.seed, c.config.seed]).toEqual([0.1, 0.4, 8, 8]);
    expect(g.cohort(0).config.seed).toBe(7);
  });

  it('initBest puts its mass on the pattern with the highest success rate and spreads the rest', () => {
    const g = grid({ base: { successRates: [0.2, 0.9, 0.5, 0.3] }, axes: { initBest: [0.01, 0.4] } });
    expect(g.cohort(0).config.init).toEqual([0.33, 0.01, 0.33, 0.33]);
    expect(g.cohort(1).config.init).toEqual([0.2, 0.4, 0.2, 0.2]);
    // With the patterns as an axis too, the default rates of each K decide (evenly spaced 0.8 .. 0.2: pattern 0).
    const k = grid({ axes: { patterns: [2, 5], initBest: [0.6] } });
    expect(k.cohort(1).config.init).toEqual([0.6, 0.1, 0.1, 0.1, 0.1]);
    // With success rates as an axis, each cohort's own rates decide.
    const rates = grid({ axes: { 'patterns,successRates': [[2, [0.1, 0.9]], [3, [0.2, 0.3, 0.8]]], initBest: [0.5] } });
    expect([rates.cohort(0).config.init, rates.cohort(1).config.init]).toEqual([
      [0.5, 0.5],
      [0.25, 0.25, 0.5],
    ]);
  });

  it("tprMinusFpr and tprPlusFpr set tpr and fpr; alone, each keeps the base's other coordinate", () => {
    const both = grid({ axes: { tprMinusFpr: [0.6, -0.2], tprPlusFpr: [1.4] } });
    expect([both.cohort(0).config.tpr, both.cohort(0).config.fpr]).toEqual([1, 0.4]);
    expect([both.cohort(1).config.tpr, both.cohort(1).config.fpr]).toEqual([0.6, 0.8]);
    const minus = grid({ base: { tpr: 0.9, fpr: 0.1 }, axes: { tprMinusFpr: [0.4] } });
    expect([minus.cohort(0).config.tpr, minus.cohort(0).config.fpr]).toEqual([0.7, 0.3]);
  });

  it('zips fields given together, and groups cohorts into runs by the kernel-shaping fields', () => {
    const g = grid({ axes: { 'patterns,init': [[2, [0.5, 0.5]], [3, [0.2, 0.3, 0.5]]], estimator: ['expected', 'grpo'], lr: [0.1, 0.2] } });
    expect(g.count).toBe(8);
    expect(g.parts.map((p) => [p.name, p.kind])).toEqual([
      ['patterns', 'number'],
      ['init', 'json'],
      ['estimator', 'text'],
      ['lr', 'number'],
    ]);
    expect(g.runs.map((r) => [r.kernel.patterns, r.kernel.estimator, r.cohorts])).toEqual([
      [2, 'expected', [0, 1]],
      [2, 'grpo', [2, 3]],
      [3, 'expected', [4, 5]],
      [3, 'grpo', [6, 7]],
    ]);
    // Metric columns: every cohort's, each once, in their families' order.
    expect(g.metricNames.filter((n) => n.startsWith('patternMass'))).toEqual(['patternMass0', 'patternMass1', 'patternMass2']);
    expect(g.metricNames.indexOf('passAt1')).toBe(g.metricNames.indexOf('patternMass2') + 1);
  });

  it('unions metric layouts family by family, keeping one layout as it is', () => {
    const four = ['accuracy', 'patternMass0', 'patternMass1', 'passAt1', 'passAt8'];
    expect(unionNames([four])).toEqual(four);
    expect(unionNames([four, ['accuracy', 'patternMass0', 'patternMass1', 'patternMass2', 'passAt1', 'passAt8', 'successRate0']])).toEqual([
      'accuracy',
      'patternMass0',
      'patternMass1',
      'patternMass2',
      'passAt1',
      'passAt8',
      'successRate0',
    ]);
  });

  it('logs every n-th step and the last, or about 200 log-spaced steps', () => {
    const every = new LogSchedule(95, { every: 10 });
    expect(every.count).toBe(10);
    expect([10, 90, 95].map((s) => every.has(s))).toEqual([true, true, true]);
    expect([1, 11, 94].map((s) => every.has(s))).toEqual([false, false, false]);
    const log = new LogSchedule(1_000_000, { log: true });
    expect(log.count).toBeGreaterThan(LOG_POINTS * 0.8);
    expect(log.count).toBeLessThanOrEqual(LOG_POINTS);
    expect([1, 1_000_000].map((s) => log.has(s))).toEqual([true, true]);
    expect(new LogSchedule(50, { log: true }).count).toBe(50);
  });

  it('builds every preset', () => {
    for (const [name, preset] of Object.entries(PRESETS)) {
      const g = grid(preset.spec);
      expect(g.count, name).toBeGreaterThan(1);
      expect(preset.shows.length, name).toBeGreaterThan(40);
    }
  });
});

describe('shards', () => {
  it('takes I/N, and names what is wrong otherwise', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('3/3')).toThrow(/^--shard: shard index 3 is out of range for 3 shards \(0\.\.2\)$/);
    expect(() => parseShard('1-3')).toThrow(/^--shard: must be I\/N/);
    expect(() => parseShard('0/0')).toThrow(/^--shard: the shard count must be in 1\.\.99999/);
  });

  it("runs cohorts I, I+N, ...; refuses shards that would be empty", () => {
    expect(shardCohorts(8, { index: 1, count: 3 })).toEqual([1, 4, 7]);
    expect(shardCohorts(8, { index: 2, count: 3 })).toEqual([2, 5]);
    expect(shardCohorts(3)).toEqual([0, 1, 2]);
    expect(() => shardCohorts(3, { index: 0, count: 4 })).toThrow(/^shards: 4 shards for 3 cohorts would leave shards 3\.\. empty/);
  });

  it('reads a Slurm job array and a Kubernetes Indexed Job', () => {
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '12', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 2, count: 4 });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '3' }, 5)).toEqual({ index: 3, count: 5 });
    expect(shardFromEnv({})).toBeUndefined();
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '3' })).toThrow(/^--shards: is needed with JOB_COMPLETION_INDEX/);
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(/^SLURM_ARRAY_TASK_ID: shard index 5 is out of range for 4 shards/);
  });
});

describe('progress', () => {
  it('gives the ETA in seconds, minutes, or hours and minutes', () => {
    expect([45, 719, 3900, 100_000, Infinity].map(formatDuration)).toEqual(['45 s', '12 min', '1 h 05 min', '27 h 47 min', '?']);
  });
});

describe('the derived axis gamma (docs/model.md §6.7)', () => {
  const base = { successRates: [0.9, 0.7, 0.2, 0.1], init: [0.05, 0.7, 0.125, 0.125] };
  it("keeps r' at its base mass and gives r* (1 - pi_r') / gamma, the rest in proportion", () => {
    const [axis] = parseAxes({ gamma: [6, 12] });
    const init = applyValues({ ...base }, [axis], [[6]]).init as number[];
    expect(init[1]).toBe(0.7);
    expect(init[0]).toBeCloseTo(0.05, 12); // the paper's example: 0.05 on r*, 0.70 on r', 0.25 elsewhere is gamma 6
    expect(init[2]).toBeCloseTo(0.125, 12);
    const twelve = applyValues({ ...base }, [axis], [[12]]).init as number[];
    expect((1 - twelve[1]) / twelve[0]).toBeCloseTo(12, 9);
    expect(twelve[2]).toBeCloseTo(twelve[3], 12);
    expect(modelReport(parseConfig({ ...base, init: twelve }), buildTasks(parseConfig({ ...base, init: twelve }))).gamma?.median).toBeCloseTo(12, 9);
  });

  it('refuses what it cannot set, in one line naming the axis', () => {
    expect(() => parseAxes({ gamma: [1] })).toThrow(/^axes\.gamma: must be a finite number > 1, got 1 \(value 0\)$/);
    const [axis] = parseAxes({ gamma: [4] });
    expect(() => applyValues({ successTilt: 0.1 }, [axis], [[4]])).toThrow(/^axes\.gamma: needs successRates/);
    expect(() => applyValues({ successRates: [0.9, 0.5, 0.5, 0.1] }, [axis], [[4]])).toThrow(/^axes\.gamma: needs a unique second-best pattern/);
    expect(() => applyValues({ successRates: [0.9, 0.5] }, [axis], [[4]])).toThrow(/^axes\.gamma: needs a third pattern/);
    expect(() => parseAxes({ gamma: [4], initBest: [0.1] })).toThrow(/^axes\.initBest: sets init, which axis gamma sets too/);
  });
});
