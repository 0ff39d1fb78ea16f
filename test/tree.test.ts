// The token tree of docs/model.md §9: its config, its layout, and the float64 reference's tree
// policy against closed forms (the flat softmax at one fork, a hand-computed tree, the
// score-function identity, finite differences).
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type ConfigInput } from '../src/model/config';
import { RECORD_ANSWER_SHIFT } from '../src/model/constants';
import { modelReport, reportSentences } from '../src/model/report';
import { buildTasks } from '../src/model/tasks';
import { metricLayout, TREE_METRICS } from '../src/model/metrics';
import { tokenUniforms } from '../src/model/rng';
import { initialTreeLogits, layoutOf, treeConfig, treeLayout } from '../src/model/tree';
import { makeParams, simulate, step, initState } from '../src/reference/reference';
import { expectedTreeGrad, patternLogProbs, positionProfile, ranks, sampledTreeGrad, sampleResponse, treeMetrics } from '../src/reference/tree';

const tokens = (extra: ConfigInput = {}) => parseConfig({ policy: 'tokens', ...extra });

describe('the token tree config', () => {
  it('fills the tree defaults of §7 and infers K = b^c', () => {
    const c = tokens();
    expect(c).toMatchObject({ length: 40, forks: 2, branching: 4, vocab: 4, fillerDecay: 0.3, patterns: 16 });
    expect(c.successRates).toHaveLength(16);
    expect(tokens({ forks: 3, branching: 2 }).patterns).toBe(8);
    expect(tokens({ forks: 3, branching: 2, patterns: 8 }).patterns).toBe(8);
    // Other policies keep their configs free of tree fields.
    expect(parseConfig({}).length).toBeUndefined();
  });

  const bad: [string, ConfigInput, RegExp][] = [
    ['patterns not b^c', { policy: 'tokens', patterns: 4 }, /^patterns: must equal branching\^forks = 16 with policy "tokens" \(or be left out\), got 4$/],
    ['vectors not b^c', { policy: 'tokens', init: [0.5, 0.5] }, /^init: must have 16 entries \(one per pattern\), got 2$/],
    ['K above 1024', { policy: 'tokens', forks: 6, branching: 4 }, /^branching: branching\^forks = 4\^6 = 4096 patterns, above the tree's limit of 1024$/],
    ['forks above length', { policy: 'tokens', length: 3, forks: 4, branching: 2 }, /^forks: must be an integer in 1\.\.3 \(at most length, 3\)$/],
    ['length 257', { policy: 'tokens', length: 257 }, /^length: must be an integer in 1\.\.256$/],
    ['vocab 17', { policy: 'tokens', vocab: 17 }, /^vocab: must be an integer in 1\.\.16$/],
    ['branching 1', { policy: 'tokens', branching: 1 }, /^branching: must be an integer in 2\.\.1024$/],
    ['fillerDecay 0', { policy: 'tokens', fillerDecay: 0 }, /^fillerDecay: must be a number in \(0, 1\]$/],
    ['a tree field without tokens', { length: 10 }, /^length: is a field of the token tree: give it with policy "tokens" only \(policy is "tabular"\)$/],
    ['klCoef', { policy: 'tokens', klCoef: 0.1 }, /^klCoef: must be 0 with policy "tokens"/],
    ['entropyCoef', { policy: 'tokens', entropyCoef: 0.1 }, /^entropyCoef: must be 0 with policy "tokens"/],
    ['sft', { policy: 'tokens', sft: { steps: 1, lr: 1, target: Array<number>(16).fill(1 / 16) } }, /^sft: is not available with policy "tokens"/],
    ['trainable answers', { policy: 'tokens', answerMode: 'trainable' }, /^answerMode: must be "frozen" with policy "tokens"/],
  ];
  it.each(bad)('refuses %s in one line', (_name, input, message) => {
    expect(() => parseConfig(input)).toThrow(ConfigError);
    expect(() => parseConfig(input)).toThrow(message);
  });

  it('adds the four tree metrics after the other columns', () => {
    const names = metricLayout(tokens()).names;
    expect(names.slice(-4)).toEqual([...TREE_METRICS]);
    expect(metricLayout(parseConfig({})).names).not.toContain('rankChangeRatio');
  });
});

describe('the tree layout', () => {
  it('puts the forks at floor((j + 1/2) L / c) and counts the nodes', () => {
    expect(treeLayout(40, 2, 4, 4).forkPos).toEqual([10, 30]);
    expect(treeLayout(5, 2, 2, 3).forkPos).toEqual([1, 3]);
    expect(treeLayout(3, 3, 2, 3).forkPos).toEqual([0, 1, 2]);
    // L = 3, c = 1, b = 2, V = 2: a filler root (2), the fork (2), two fillers under it (2 x 2).
    const T = treeLayout(3, 1, 2, 2);
    expect(T.forkPos).toEqual([1]);
    expect(T.offset).toEqual([0, 2, 4]);
    expect(T.logits).toBe(8);
    // L = 40, c = 2, b = 4, V = 4: 10 fillers x 1 node, fork, 19 fillers x 4, fork x 4, 9 fillers x 16.
    expect(treeLayout(40, 2, 4, 4).logits).toBe(10 * 4 + 4 + 19 * 16 + 4 * 4 + 9 * 64);
  });

  it('starts at init over the patterns and fillerDecay^v on the fillers', () => {
    const init = [0.1, 0.2, 0.05, 0.15, 0.3, 0.1, 0.04, 0.06];
    const c = tokens({ length: 7, forks: 3, branching: 2, vocab: 3, fillerDecay: 0.5, init });
    const T = layoutOf(treeConfig(c));
    const theta = initialTreeLogits(T, treeConfig(c));
    patternLogProbs(T, theta).forEach((lp, k) => expect(Math.exp(lp)).toBeCloseTo(init[k], 14));
    const filler = T.isFork.indexOf(false);
    const z = 1 + 0.5 + 0.25;
    const p = Array.from(theta.subarray(T.offset[filler], T.offset[filler] + 3), Math.exp);
    p.forEach((x, v) => expect(x / p.reduce((a, b) => a + b)).toBeCloseTo(0.5 ** v / z, 14));
  });
});

describe('the tree policy in float64', () => {
  it('with one fork is the tabular policy, exactly, in expected mode', () => {
    const shared = { tasks: 6, successBeta: { alpha: 1, beta: 1 }, init: [0.05, 0.7, 0.15, 0.1], estimator: 'expected', lr: 0.7, steps: 300 } as const;
    const flat = makeParams(parseConfig(shared));
    const tree = makeParams(parseConfig({ ...shared, policy: 'tokens', forks: 1, branching: 4, length: 5 }), flat.tasks);
    const a = simulate(flat, 300).metrics;
    const b = simulate(tree, 300).metrics;
    const width = flat.layout.names.length;
    expect(tree.layout.names.slice(0, width)).toEqual(flat.layout.names);
    for (let n = 0; n < 300; n++) expect(Array.from(b[n].subarray(0, width))).toEqual(Array.from(a[n]));
    expect(a[299][0]).toBeGreaterThan(a[0][0] + 0.1); // it learned
  });

  it('has the hand-computed expected gradient of a two-fork tree', () => {
    // L = 2, c = 2, b = 2: root pi = [0.7, 0.3]; under 0: [4/7, 3/7]; under 1: [2/3, 1/3]; R = [0.9, 0.5, 0.4, 0.3].
    const c = tokens({ length: 2, forks: 2, branching: 2, init: [0.4, 0.3, 0.2, 0.1] });
    const T = layoutOf(treeConfig(c));
    const grad = expectedTreeGrad(T, initialTreeLogits(T, treeConfig(c)), [0.9, 0.5, 0.4, 0.3]);
    // J = 0.62, V(0) = 0.51 / 0.7, V(1) = 0.11 / 0.3.
    const want = [0.51 - 0.7 * 0.62, 0.11 - 0.3 * 0.62, 0.4 * (0.9 - 0.51 / 0.7), 0.3 * (0.5 - 0.51 / 0.7), 0.2 * (0.4 - 0.11 / 0.3), 0.1 * (0.3 - 0.11 / 0.3)];
    Array.from(grad).forEach((g, j) => expect(g).toBeCloseTo(want[j], 14));
  });

  it('has the expected gradient of J = sum_k pi(k) R_k (finite differences), zero on every filler', () => {
    const c = tokens({ length: 9, forks: 2, branching: 3, vocab: 2, init: [0.02, 0.1, 0.08, 0.3, 0.05, 0.15, 0.1, 0.12, 0.08] });
    const T = layoutOf(treeConfig(c));
    const theta = initialTreeLogits(T, treeConfig(c));
    const R = [0.9, 0.1, 0.4, 0.7, 0.2, 0.5, 0.3, 0.8, 0.6];
    const J = (x: Float64Array) => patternLogProbs(T, x).reduce((a, lp, k) => a + Math.exp(lp) * R[k], 0);
    const grad = expectedTreeGrad(T, theta, R);
    for (let j = 0; j < T.logits; j++) {
      const h = 1e-6;
      const up = theta.slice();
      const down = theta.slice();
      up[j] += h;
      down[j] -= h;
      expect(grad[j]).toBeCloseTo((J(up) - J(down)) / (2 * h), 8);
    }
    for (let l = 0; l < T.L; l++) if (!T.isFork[l]) expect(grad.subarray(T.offset[l], T.offset[l] + (T.b ** T.depth[l]) * T.V).every((g) => g === 0)).toBe(true);
  });

  it("samples responses whose score-function average is the expected gradient", () => {
    const c = tokens({ length: 6, forks: 2, branching: 2, vocab: 3, init: [0.1, 0.4, 0.3, 0.2] });
    const T = layoutOf(treeConfig(c));
    const theta = initialTreeLogits(T, treeConfig(c));
    const R = [1, 0, 0.5, 0.2];
    const n = 100_000;
    const responses = Array.from({ length: n }, (_, g) => sampleResponse(T, theta, tokenUniforms(7, 1, 0, g, T.L)));
    // Adv = R - J, centred as every sampled estimator's advantages are (sampledTreeGrad takes them
    // to sum to 0): E[(R - J) (1[y = v] - pi(v|n)) over responses through n] = P(reach n) pi(v|n) (Q - V).
    const J = patternLogProbs(T, theta).reduce((acc, lp, k) => acc + Math.exp(lp) * R[k], 0);
    const adv = responses.map((r) => R[r.pattern] - J);
    const mean = adv.reduce((a, b) => a + b) / n;
    const sampled = sampledTreeGrad(T, theta, responses, adv.map((a) => a - mean));
    const expected = expectedTreeGrad(T, theta, R);
    for (let j = 0; j < T.logits; j++) expect(Math.abs(sampled[j] - expected[j])).toBeLessThan(6e-3);
    const freq = [0, 0, 0, 0];
    responses.forEach((r) => freq[r.pattern]++);
    [0.1, 0.4, 0.3, 0.2].forEach((p, k) => expect(Math.abs(freq[k] / n - p)).toBeLessThan(5e-3));
  });

  it('ranks with ties broken by token index', () => {
    expect(Array.from(ranks([0.5, 0.5]))).toEqual([0, 1]);
    expect(Array.from(ranks([0.2, 0.5, 0.3]))).toEqual([2, 0, 1]);
    expect(Array.from(ranks([0.25, 0.25, 0.5]))).toEqual([1, 2, 0]);
    // Logits within RANK_TIE (1e-5) are tied: float32 and float64 round equal moves apart.
    expect(Array.from(ranks([-1.64171278, -1.64171274, 0]))).toEqual([1, 2, 0]);
    expect(Array.from(ranks([-1.6417, -1.6416, 0]))).toEqual([2, 1, 0]);
  });

  it('computes the §9 metrics of a hand-made tree', () => {
    // L = 3, c = 1, b = 2, V = 2: filler root, fork at 1, fillers under prefixes 0 and 1 at 2.
    const c = tokens({ length: 3, forks: 1, branching: 2, vocab: 2, fillerDecay: 0.5, init: [0.6, 0.4] });
    const T = layoutOf(treeConfig(c));
    const ref = initialTreeLogits(T, treeConfig(c));
    const theta = ref.slice();
    theta.set([Math.log(0.3), Math.log(0.7)], T.offset[1]); // the fork flips its ranks
    theta.set([Math.log(0.2), Math.log(0.8)], T.offset[2]); // the filler under prefix 0 (reached with 0.3) flips too
    const prof = positionProfile(T, theta, ref);
    expect(Array.from(prof.rankChange).map((x) => +x.toFixed(12))).toEqual([0, 1, 0.3]);
    const forkKl = 0.3 * Math.log(0.3 / 0.6) + 0.7 * Math.log(0.7 / 0.4);
    const fillerKl = 0.3 * (0.2 * Math.log(0.2 / (2 / 3)) + 0.8 * Math.log(0.8 / (1 / 3)));
    const m = treeMetrics(T, prof);
    expect(m.rankChangeRatio).toBeCloseTo(1.3 / 3, 12);
    expect(m.forkRankChange).toBeCloseTo(1, 12);
    expect(m.fillerRankChange).toBeCloseTo(0.15, 12);
    expect(m.criticalShare).toBeCloseTo(forkKl / (forkKl + fillerKl), 12);
    expect(treeMetrics(T, positionProfile(T, ref, ref))).toEqual({ rankChangeRatio: 0, forkRankChange: 0, fillerRankChange: 0, criticalShare: 0 });
  });

  it('moves only forks in expected mode: criticalShare 1, fillerRankChange 0, rankChangeRatio <= c / L', () => {
    const P = makeParams(tokens({ tasks: 3, length: 12, forks: 2, branching: 3, vocab: 3, estimator: 'expected', lr: 2, successBeta: { alpha: 1, beta: 1 }, init: [0.02, 0.1, 0.08, 0.3, 0.05, 0.15, 0.1, 0.12, 0.08] }));
    const { metrics } = simulate(P, 200);
    const at = (name: string) => metrics.map((m) => m[P.layout.names.indexOf(name)]);
    expect(at('criticalShare').every((x) => x === 1)).toBe(true);
    expect(at('fillerRankChange').every((x) => x === 0)).toBe(true);
    expect(at('rankChangeRatio').every((x) => x <= 2 / 12)).toBe(true);
    expect(Math.max(...at('forkRankChange'))).toBeGreaterThan(0); // forks do reorder
  });

  it('draws sampled responses token by token from the rollout stream, and lets the fillers drift', () => {
    const P = makeParams(tokens({ tasks: 2, length: 8, forks: 2, branching: 2, vocab: 3, group: 4, lr: 1 }));
    const s0 = initState(P);
    const r = step(P, s0);
    const T = layoutOf(treeConfig(P.cfg));
    for (let i = 0; i < 2; i++)
      for (let g = 0; g < 4; g++) {
        const want = sampleResponse(T, s0.theta.subarray(i * T.logits, (i + 1) * T.logits), tokenUniforms(P.cfg.seed, 1, i, g, T.L));
        expect(r.rollouts[i * 4 + g] & ((1 << RECORD_ANSWER_SHIFT) - 1)).toBe(want.pattern);
      }
    const { metrics } = simulate(P, 100);
    const last = metrics[99];
    expect(last[P.layout.names.indexOf('fillerRankChange')]).toBeGreaterThan(0);
    expect(last[P.layout.names.indexOf('criticalShare')]).toBeLessThan(1);
  });
});

describe('tokens vs patterns (docs/model.md §9)', () => {
  // The weak and strong starts of §6.2 (expected mode, lr 0.5), flat and as a 2 x 2 tree.
  const stepsTo09 = (init: number[], tree: ConfigInput) => {
    const P = makeParams(parseConfig({ tasks: 1, estimator: 'expected', lr: 0.5, successRates: [0.9, 0.5, 0.4, 0.3], init, ...tree }));
    const best = P.layout.names.indexOf('bestMass');
    return simulate(P, 2000).metrics.findIndex((m) => m[best] >= 0.9) + 1;
  };
  const tree = { policy: 'tokens', forks: 2, branching: 2, length: 4, vocab: 1 } as const;

  it('the tree shortens the weak start plateau tenfold: 179 steps to best mass 0.9 against 1,912', () => {
    const weak = [0.01, 0.33, 0.33, 0.33];
    expect(stepsTo09(weak, {})).toBe(1912);
    expect(stepsTo09(weak, tree)).toBe(179);
  });

  it('and is slightly slower from the strong start: 48 steps against 40', () => {
    const strong = [0.5, 1 / 6, 1 / 6, 1 / 6];
    expect(stepsTo09(strong, {})).toBe(40);
    expect(stepsTo09(strong, tree)).toBe(48);
  });
});

describe('the model report of a token tree', () => {
  it('classifies the pattern distribution it starts from (init) and says the tree takes another path', () => {
    const input = { successRates: [0.9, 0.5, 0.4, 0.3], init: [0.01, 0.33, 0.33, 0.33], tasks: 3 };
    const flat = parseConfig(input);
    const tree = parseConfig({ ...input, policy: 'tokens', forks: 2, branching: 2 });
    const r = modelReport(tree, buildTasks(tree));
    expect(r).toEqual(modelReport(flat, buildTasks(flat)));
    expect(r.regimes.two).toBe(3);
    expect(reportSentences(r, tree)[0]).toMatch(/^Token tree: the regimes below are those of the flat softmax from the same start/);
    expect(reportSentences(r, flat).join(' ')).not.toMatch(/Token tree/);
  });
});
