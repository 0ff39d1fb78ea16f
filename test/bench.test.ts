// The benchmark: the rollout count, the sweep plan, one tiny row measured on the test adapter,
// the report's head and the roofline's counts.
import { describe, expect, it } from 'vitest';
import { expectedCounts, floorOf, stepCounts, THREEFRY_OPS, treeCounts } from '../src/bench/roofline';
import { treeLayout } from '../src/model/tree';
import { caseConfig, MAIN, planSweep, rolloutsPerStep, TREE_ROWS, type BenchCase } from '../src/bench/cases';
import { formatReport } from '../src/bench/format';
import { benchCase } from '../src/bench/measure';
import { runBench, type BenchReport } from '../src/bench/report';
import { adapterLine, describeInfo } from '../src/engine/adapter';
import { initState, makeParams, step } from '../src/reference/reference';
import { testGpu } from './helpers';

const ESTIMATORS = ['grpo', 'reinforce', 'rloo', 'expected'] as const;
const POLICIES = ['tabular', 'shared'] as const;

describe('rollout count', () => {
  it('is N G a step, as the float64 reference samples them; N a step for the expected estimator, which samples none', () => {
    for (const estimator of ESTIMATORS)
      for (const policy of POLICIES) {
        const c: BenchCase = { tasks: 50, patterns: 4, group: estimator === 'expected' ? 1 : 8, estimator, policy };
        const P = makeParams(caseConfig(c));
        let s = initState(P);
        let sampled = 0;
        for (let t = 0; t < 7; t++) {
          const r = step(P, s);
          sampled += r.rollouts.length;
          s = r.state;
        }
        // The expected estimator's "rollout" is one task's exact gradient: the reference draws nothing for it.
        expect(sampled).toBe(estimator === 'expected' ? 0 : rolloutsPerStep(c) * 7);
        expect(rolloutsPerStep(c)).toBe(estimator === 'expected' ? 50 : 50 * 8);
      }
  });

  it('makes a measured row report N G rollouts per RL step, and only the WGSL engine\'s figures', async () => {
    const gpu = await testGpu();
    const c: BenchCase = { tasks: 300, patterns: 4, group: 8, estimator: 'grpo', policy: 'tabular' };
    const row = await benchCase(gpu, c, { repeats: 1, minSeconds: 0.01, roofline: false });
    expect(row.rolloutsPerSec / row.stepsPerSec).toBeCloseTo(300 * 8, 6);
    expect(row.rolloutsPerSec).toBeGreaterThan(0);
    expect(Number.isInteger(row.steps) && row.steps >= 1).toBe(true);
    expect(row.timing).toBe(gpu.hasTimestamps ? 'timestamp-query' : 'queue');
    // The JSON row's fields, as README's "Performance" lists them (a peer adds its own).
    expect(Object.keys(row).sort()).toEqual([...Object.keys(c), 'rolloutsPerSec', 'stepsPerSec', 'steps', 'timing'].sort());
  });
});

describe('sweep', () => {
  it('runs the full grid on a GPU, a thinned one (said so) on a fallback adapter', () => {
    const full = planSweep(false);
    // The grid, the three target rows, the four large-K rows, the two token-tree rows.
    expect(full.cases).toHaveLength(5 * 2 * (2 * 3 + 1) * 2 + 3 + 4 + 2);
    expect(full.notes).toEqual([]);
    const thin = planSweep(true);
    // The curve and variants, the target rows, the K = 1,000 rows and the token-tree rows.
    expect(thin.cases).toHaveLength(11 + 3 + 2 + 2);
    expect(thin.cases.slice(11, 14)).toEqual([
      { tasks: 65536, patterns: 4, group: 1, estimator: 'expected', policy: 'tabular' },
      { tasks: 65536, patterns: 4, group: 1, estimator: 'expected', policy: 'tabular', logEvery: 100 },
      { tasks: 65536, patterns: 4, group: 8, estimator: 'grpo', policy: 'tabular', logEvery: 100 },
    ]);
    expect(thin.cases.slice(14, 16).map((c) => [c.patterns, c.answers, c.estimator])).toEqual([[1000, 2, 'expected'], [1000, 2, 'grpo']]);
    expect(full.cases.slice(-6, -2).map((c) => [c.patterns, c.answers, c.estimator])).toEqual([[1000, 2, 'expected'], [1000, 2, 'grpo'], [16384, 2, 'expected'], [16384, 2, 'grpo']]);
    // The tree: N = 4,096, L = 40, 2 forks of 4 (K = 16), vocab 4, expected and grpo G = 8.
    for (const plan of [thin, full])
      expect(plan.cases.slice(-2).map((c) => [c.tasks, c.policy, c.patterns, c.estimator, c.group])).toEqual([[4096, 'tokens', 16, 'expected', 1], [4096, 'tokens', 16, 'grpo', 8]]);
    expect(caseConfig(thin.cases.at(-1)!)).toMatchObject({ length: 40, forks: 2, branching: 4, vocab: 4 });
    expect(Math.max(...thin.cases.map((c) => c.tasks))).toBeLessThanOrEqual(1e5);
    expect(thin.notes.join()).toMatch(/thinned/);
  });

  it('runs the token tree rows alone with --policy tokens, with the flags that fit a tree', () => {
    expect(planSweep(true, { policy: ['tokens'] })).toEqual({ cases: TREE_ROWS, notes: [] });
    const tree = { tasks: 4096, patterns: 16, group: 8, estimator: 'grpo', policy: 'tokens' };
    expect(planSweep(false, { policy: ['tabular', 'tokens'], estimator: ['grpo'], tasks: [1000] }).cases).toEqual([{ ...MAIN, tasks: 1000 }, { ...tree, tasks: 1000 }]);
    expect(planSweep(false, { policy: ['tokens'], estimator: ['rloo'], group: [4] }).cases).toEqual([{ ...tree, estimator: 'rloo', group: 4 }]);
  });

  it('narrows to one row when the flags name one config', () => {
    expect(planSweep(true, { tasks: [65536], patterns: [4], group: [8] }).cases).toEqual([{ tasks: 65536, patterns: 4, group: 8, estimator: 'grpo', policy: 'tabular' }]);
    expect(planSweep(false, { estimator: ['expected'] }).cases.map((c) => c.group)).toEqual([1, 1, 1, 1, 1]);
  });

  it('names the CPU driver over CPU figures, lavapipe and SwiftShader alike, and nothing over a GPU', () => {
    const headOf = (info: Parameters<typeof describeInfo>[0]) => {
      const adapter = describeInfo(info);
      const report: BenchReport = { adapter: { ...adapter, line: adapterLine(adapter) }, timing: 'queue', date: '', notes: [], rows: [] };
      return formatReport(report).split('\n').slice(0, 2);
    };
    const lavapipe = headOf({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7', isFallbackAdapter: true });
    expect(lavapipe[0]).toBe('adapter: mesa / software / llvmpipe: Mesa 25.0.7 (lavapipe, a CPU adapter, not a GPU figure)');
    expect(lavapipe[1]).toMatch(/^CPU ADAPTER \(lavapipe\): these are not GPU figures\. timing: /);
    const swiftshader = headOf({ vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true });
    expect(swiftshader[1]).toMatch(/^CPU ADAPTER \(SwiftShader\): these are not GPU figures\. timing: /);
    const gpu = headOf({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA 560.35', isFallbackAdapter: false });
    expect(gpu).toEqual(['adapter: nvidia / hopper / NVIDIA 560.35', expect.stringMatching(/^timing: /)]);
  });

  it('heads a fallback report with the adapter, never calling it a GPU figure', async () => {
    const gpu = await testGpu();
    const cases = [
      { tasks: 64, patterns: 4, group: 8, estimator: 'grpo', policy: 'tabular' },
      { tasks: 64, patterns: 4, group: 1, estimator: 'expected', policy: 'tabular' },
    ] as const;
    const report = await runBench(gpu, { cases: [...cases], notes: [] }, { repeats: 1, minSeconds: 0.01, roofline: true });
    const text = formatReport(report);
    expect(text.split('\n')[0]).toBe(`adapter: ${report.adapter.line}`);
    if (gpu.adapter.isFallback) expect(text).toMatch(/not a GPU figure/);
    // Every tabular row has its floor: the sampled one's Threefry alone is 213 integer ops per rollout (those that differ between lanes), the expected one draws nothing.
    const [sampled, expected] = report.roofline!.rows;
    expect(THREEFRY_OPS).toBe(213);
    expect(sampled.fraction).toBeGreaterThan(0);
    expect(sampled.intOps).toBeGreaterThan(THREEFRY_OPS);
    expect(expected.estimator).toBe('expected');
    expect(expected.fraction).toBeGreaterThan(0);
    expect(expected.intOps).toBeLessThan(sampled.intOps);
  });

  it('bounds the roofline floor by the slowest resource', () => {
    const peaks = { intOpsPerSec: 1e9, floatOpsPerSec: 1e9, bytesPerSec: 1e9 };
    expect(floorOf({ intOps: 500, floatOps: 100, bytes: 1 }, peaks)).toEqual({ rolloutsPerSec: 2e6, bound: 'integer' });
    expect(floorOf({ intOps: 5, floatOps: 1, bytes: 100 }, peaks)).toEqual({ rolloutsPerSec: 1e7, bound: 'memory' });
  });
});

describe('roofline counts', () => {
  const shape = { K: 4, A: 8, M: 19, F: 6, W: 1 };
  it('charge the full metrics once every L steps', () => {
    const every = expectedCounts({ ...shape, L: 1, passK: 3 });
    const sparse = expectedCounts({ ...shape, L: 100, passK: 3 });
    expect(sparse.floatOps).toBeLessThan(every.floatOps / 2);
    // The event metrics' rows stay: 2 of the 19 floats of a task's row, 8 bytes each (written and read).
    expect(sparse.bytes - (8 * 4) / 6).toBeCloseTo(8 * (2 + 17 / 100), 9);
    const sampled = stepCounts({ ...shape, G: 8, L: 100 });
    expect(sampled.intOps).toBeLessThan(stepCounts({ ...shape, G: 8, L: 1 }).intOps);
  });

  it("count the token tree's kernel: two draws of every response, the node logits and gradient once a step", () => {
    const T = treeLayout(40, 2, 4, 4); // the bench rows' tree: 940 node logits
    expect(T.logits).toBe(940);
    const grpo = treeCounts({ T, A: 2, G: 8, M: 20, W: 1, L: 1, expected: false });
    // A Threefry block per 4 positions, each response drawn twice.
    expect(grpo.intOps).toBeGreaterThan(2 * 10 * THREEFRY_OPS);
    // Logits and gradient read and written (16 bytes per node logit), the pattern row, the metric row: per task, over G.
    expect(grpo.bytes).toBeCloseTo((16 * 940 + 8 * 16 + 8 * 20) / 8, 9);
    const expected = treeCounts({ T, A: 2, G: 1, M: 20, W: 1, L: 1, expected: true });
    expect(expected.intOps).toBeLessThan(8 * grpo.intOps); // per task-step, against G = 8 drawn responses
    expect(expected.bytes).toBeCloseTo(16 * 940 + 8 * 16 + 8 * 20, 9);
    expect(treeCounts({ T, A: 2, G: 8, M: 20, W: 1, L: 100, expected: false }).floatOps).toBeLessThan(grpo.floatOps);
  });
});
