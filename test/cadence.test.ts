// Metric cadence (src/model/cadence.ts): a step that writes no row computes only the event
// metrics, and they, and every logged row, are bit-identical to those of a run that logs every
// step, in both kernel shapes, both partial-row layouts, and under the shared policy.
import { afterAll, describe, expect, it } from 'vitest';
import { LogSchedule, loggedSegments } from '../src/model/cadence';
import type { ConfigInput } from '../src/model/config';
import { EVENT_METRICS } from '../src/model/metrics';
import { engineFor, runRows, testGpu } from './helpers';

afterAll(async () => (await testGpu()).device.destroy());

const STEPS = 40;
const every7 = (t: number) => t % 7 === 0 || t === STEPS;

const CASES: [string, ConfigInput][] = [
  ['grpo, K = 4', { estimator: 'grpo' }],
  ['expected with a KL term, K = 4', { estimator: 'expected', klCoef: 0.05, lr: 0.5 }],
  ['expected, rlif-majority', { estimator: 'expected', reward: 'rlif-majority' }],
  ['rloo, trainable answers, Adam', { estimator: 'rloo', answerMode: 'trainable', optimizer: 'adam', lr: 0.05 }],
  ['shared policy, grpo', { policy: 'shared', estimator: 'grpo' }],
  ['storage shape, expected, K = 40', { estimator: 'expected', patterns: 40, lr: 2 }],
  ['storage shape, grpo, K = 40', { estimator: 'grpo', patterns: 40, lr: 0.5 }],
];

describe.each([true, false])('partial rows per task: %s', (taskRows) => {
  it.each(CASES)('%s', async (_, input) => {
    const config = { tasks: 100, steps: STEPS, seed: 3, ...input };
    const all = await runRows(await engineFor(config, { taskRows }), STEPS);
    const some = await runRows(await engineFor(config, { taskRows, logged: every7, stepsPerBatch: 9 }), STEPS);
    expect(some).toHaveLength(STEPS);
    some.forEach((row, r) => {
      const t = r + 1;
      if (every7(t)) expect(row, `step ${t}`).toEqual(all[r]);
      else expect(row.subarray(0, EVENT_METRICS.length), `step ${t}`).toEqual(all[r].subarray(0, EVENT_METRICS.length));
    });
    // A test that could not fail: the rows of unlogged steps must differ somewhere past the event metrics.
    expect(some.some((row, r) => !every7(r + 1) && row.subarray(EVENT_METRICS.length).some((x, j) => x !== all[r][EVENT_METRICS.length + j]))).toBe(true);
  });
});

describe('log schedule', () => {
  it('picks every n-th step and the last, or about 200 log-spaced ones', () => {
    const s = new LogSchedule(25, { every: 10 });
    expect(Array.from({ length: 25 }, (_, j) => j + 1).filter((t) => s.has(t))).toEqual([10, 20, 25]);
    expect(s.count).toBe(3);
    expect(new LogSchedule(25, { every: 1 }).count).toBe(25);
  });

  it("cuts a batch into runs of logged steps, views of the batch's values", () => {
    const s = new LogSchedule(12, { every: 3 });
    const values = Float32Array.from({ length: 8 * 2 }, (_, j) => j);
    // Steps 5..12: 6, 9 and 12 logged.
    const segments = loggedSegments(s, 5, values, 8, 2);
    expect(segments.map((g) => [g.first, g.rows, Array.from(g.values)])).toEqual([
      [6, 1, [2, 3]],
      [9, 1, [8, 9]],
      [12, 1, [14, 15]],
    ]);
    expect(segments[0].values.buffer).toBe(values.buffer);
    const whole = loggedSegments(new LogSchedule(12, { every: 1 }), 5, values, 8, 2);
    expect(whole).toHaveLength(1);
    expect(whole[0].values).toEqual(values);
  });
});
