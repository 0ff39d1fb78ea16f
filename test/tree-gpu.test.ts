// The token tree's kernels (shaders/tree-step.wgsl, shaders/tree-rows.wgsl) held to the float64
// reference over long runs, to the tabular kernels where the tree is flat, to themselves (reruns,
// packed cohorts), and the per-position view to the reference's; step-by-step agreement of every
// reward and estimator, with the same tokens drawn, is in test/gpu-vs-cpu.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../src/model/config';
import { makeParams, simulate, tokenPositions } from '../src/reference/reference';
import { Engine } from '../src/engine/engine';
import { engineFor, runRows, testGpu, toState } from './helpers';

const TREE: ConfigInput = { policy: 'tokens', tasks: 5, length: 9, forks: 2, branching: 3, vocab: 2, fillerDecay: 0.7, answers: 3, successBeta: { alpha: 1, beta: 1 } };

describe('the token tree on the GPU', () => {
  afterAll(async () => (await testGpu()).device.destroy());

  it('follows the float64 reference within 1e-5 over 3,000 expected steps: only forks move', async () => {
    const input = { ...TREE, estimator: 'expected', lr: 2, steps: 3000 } as const;
    const engine = await engineFor(input);
    const rows = await runRows(engine, input.steps);
    const P = makeParams(parseConfig(input), engine.tasks);
    const want = simulate(P, input.steps).metrics;
    const names = P.layout.names;
    for (const t of [0, 9, 99, 999, 1999, 2999])
      for (const name of ['accuracy', 'bestMass', 'entropy', 'klToRef', 'worstMass', 'rankChangeRatio', 'forkRankChange', 'fillerRankChange', 'criticalShare']) {
        const j = names.indexOf(name);
        expect(Math.abs(rows[t][j] - want[t][j]), `${name} at step ${t + 1}: GPU ${rows[t][j]}, float64 ${want[t][j]}`).toBeLessThan(1e-5);
      }
    const last = rows.at(-1)!;
    expect(last[names.indexOf('criticalShare')]).toBe(1);
    expect(last[names.indexOf('fillerRankChange')]).toBe(0);
    expect(last[names.indexOf('rankChangeRatio')]).toBeLessThanOrEqual(2 / 9);
    expect(last[names.indexOf('bestMass')]).toBeGreaterThan(0.9);
    engine.destroy();
  });

  it('with one fork is the tabular policy from the same init (expected mode)', async () => {
    const common: ConfigInput = { tasks: 7, patterns: 5, init: [0.1, 0.35, 0.2, 0.25, 0.1], successRates: [0.2, 0.5, 0.9, 0.4, 0.6], estimator: 'expected', lr: 1, steps: 600 };
    const tree = await engineFor({ ...common, policy: 'tokens', length: 6, forks: 1, branching: 5, vocab: 3 });
    const flat = await engineFor({ ...common, policy: 'tabular' });
    const [a, b] = [await runRows(tree, 600), await runRows(flat, 600)];
    for (const t of [0, 59, 599]) for (let j = 0; j < b[t].length; j++) expect(Math.abs(a[t][j] - b[t][j]), `column ${j} at step ${t + 1}`).toBeLessThan(2e-6);
    tree.destroy();
    flat.destroy();
  });

  it('reruns bit for bit, and a packed cohort is its own run bit for bit', async () => {
    const base = { ...TREE, estimator: 'grpo', group: 6, steps: 40 } as const;
    const other = { ...base, lr: 0.3, fillerDecay: 0.4, seed: 9, tasks: 3 };
    const alone = async (input: ConfigInput) => {
      const e = await engineFor(input, { stepsPerBatch: 8 });
      const rows = await runRows(e, 40);
      e.destroy();
      return rows;
    };
    const [first, again, second] = [await alone(base), await alone(base), await alone(other)];
    expect(again).toEqual(first);
    const packed = await Engine.create(await testGpu(), [parseConfig(base), parseConfig(other)], { stepsPerBatch: 8 });
    const rows = await runRows(packed, 40);
    const M = first[0].length;
    rows.forEach((r, t) => {
      expect(r.subarray(0, M), `cohort 0 at step ${t + 1}`).toEqual(first[t]);
      expect(r.subarray(M), `cohort 1 at step ${t + 1}`).toEqual(second[t]);
    });
    packed.destroy();
  });

  it("shows the reference's rank change and KL per position", async () => {
    const input = { ...TREE, estimator: 'grpo', group: 4, lr: 0.5, steps: 3 } as const;
    const engine = await engineFor(input);
    await engine.run(input.steps);
    const P = makeParams(parseConfig(input), engine.tasks);
    const want = tokenPositions(P, toState(P, await engine.snapshot()))!;
    const got = (await engine.histograms()).positions!;
    expect(got.forks).toEqual(want.forks);
    for (let l = 0; l < 9; l++) {
      expect(Math.abs(got.rankChange[l] - want.rankChange[l]), `rank change at ${l}`).toBeLessThan(1e-6);
      expect(Math.abs(got.kl[l] - want.kl[l]), `KL at ${l}`).toBeLessThan(1e-6 * (1 + want.kl[l]));
    }
    // Sampling moved fillers as well as forks.
    expect(want.kl.filter((x, l) => !want.forks[l] && x > 0).length).toBeGreaterThan(0);
    engine.destroy();
  });
});
