// The storage kernel shape (K > 32): against the register shape where both run (K <= 32), and in
// lockstep with the float64 reference at K = 1,000 and K = 16,384. Lockstep as in
// gpu-vs-cpu.test.ts: each step starts both from the GPU's own state, and the tolerances are
// that file's.
import { afterAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine';
import { IMPROVED_MARGIN, RECORD_ANSWER_SHIFT } from '../src/model/constants';
import { parseConfig, type ConfigInput } from '../src/model/config';
import { softmax } from '../src/model/policy';
import { rolloutUniforms } from '../src/model/rng';
import { answerDist, makeParams, step, type Params, type State } from '../src/reference/reference';
import { engineFor, runRows, testGpu, toState } from './helpers';

afterAll(async () => (await testGpu()).device.destroy());

const ones = (n: number) => Array<number>(n).fill(1);

describe('the storage shape computes what the register shape computes (K <= 32)', () => {
  // Same sums in the same order, so on SwiftShader most runs agree bit for bit; WGSL lets a
  // compiler fuse a multiply-add in one shape's code and not the other's, so allow the last bits.
  const BASE: ConfigInput = { tasks: 70, patterns: 5, answers: 4, group: 5, wrongDecay: 0.6, lr: 0.3 };
  const STEPS = 6;
  const cases: [string, ConfigInput][] = [
    ['expected, majority reward, KL and entropy after SFT', { estimator: 'expected', reward: 'rlif-majority', klCoef: 0.2, entropyCoef: 0.1, sft: { steps: 3, lr: 0.5, target: [0.6, 0.1, 0.1, 0.1, 0.1] } }],
    ['expected, certainty, Adam, trainable answers', { estimator: 'expected', reward: 'rlif-certainty', optimizer: 'adam', answerMode: 'trainable', lr: 0.05 }],
    ['grpo, noisy verifier, per-task Beta rates', { tpr: 0.8, fpr: 0.2, successBeta: { alpha: [2, 1, 1, 0.5, 1], beta: [1, 1, 2, 3, 1] } }],
    ['rloo, trainable answers, Adam', { estimator: 'rloo', answerMode: 'trainable', optimizer: 'adam', lr: 0.05 }],
    ['reinforce, entropy reward, KL', { estimator: 'reinforce', reward: 'rlif-entropy', klCoef: 0.3 }],
    ['expected, self-certainty, trainable answers', { estimator: 'expected', reward: 'rlif-self-certainty', answerMode: 'trainable' }],
    ['grpo batch scale', { scale: 'batch', reward: 'rlif-certainty' }],
    ['grpo no scale, 32 patterns, 64 answers', { scale: 'none', patterns: 32, answers: 64, wrongDecay: 0.9, group: 3 }],
    ['shared, grpo batch scale, majority reward, KL', { policy: 'shared', scale: 'batch', reward: 'rlif-majority', klCoef: 0.1 }],
    ['shared, expected, Adam, trainable answers', { policy: 'shared', estimator: 'expected', optimizer: 'adam', answerMode: 'trainable', reward: 'rlif-certainty', lr: 0.05 }],
  ];

  it.each(cases)('%s', async (_name, extra) => {
    const input = { ...BASE, ...extra, steps: STEPS };
    const [registers, storage] = await Promise.all((['registers', 'storage'] as const).map((shape) => engineFor(input, { shape, stepsPerBatch: 3 })));
    expect([registers.plan.shape, storage.plan.shape]).toEqual(['registers', 'storage']);
    const [a, b] = await Promise.all([registers, storage].map(async (e) => ({ rows: (await runRows(e, STEPS)).flatMap((r) => Array.from(r)), snap: await e.snapshot() })));
    // The shared gradient's columns are summed in another order (per task, not per workgroup).
    const tol = input.policy === 'shared' ? 1e-5 : 1e-6;
    closeTo(b.rows, a.rows, tol, 'metrics');
    for (const part of ['theta', 'opt', 'phi', 'refLogits'] as const) closeTo(b.snap[part], a.snap[part], tol, part);
    registers.destroy();
    storage.destroy();
  });
});

it('the storage shape sums metrics per workgroup (GPUs) as per task row (software adapters)', async () => {
  for (const extra of [{ estimator: 'rloo', optimizer: 'adam', lr: 0.05 }, { policy: 'shared', reward: 'rlif-majority' }] satisfies ConfigInput[]) {
    const input = { tasks: 100, patterns: 40, group: 4, steps: 6, ...extra };
    const [rows, sums] = await Promise.all([true, false].map((taskRows) => engineFor(input, { taskRows, stepsPerBatch: 3 })));
    expect([rows.plan.shape, rows.plan.taskRows, sums.plan.taskRows]).toEqual(['storage', true, false]);
    const [a, b] = await Promise.all([rows, sums].map(async (e) => (await runRows(e, 6)).flatMap((r) => Array.from(r))));
    closeTo(b, a, 1e-6, 'metrics');
    closeTo((await sums.snapshot()).theta, (await rows.snapshot()).theta, 1e-6, 'theta');
    rows.destroy();
    sums.destroy();
  }
});

function closeTo(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  expect(got.length, what).toBe(want.length);
  for (let j = 0; j < want.length; j++) {
    const err = Math.abs(got[j] - want[j]);
    if (!(err <= tol * (1 + Math.abs(want[j])))) expect.fail(`${what}[${j}]: GPU ${got[j]} vs CPU ${want[j]} (|diff| ${err} > ${tol})`);
  }
}

/** Whether the float64 CDF of p passes within 1e-5 of u between indices a and b: a draw that float32 may place on the other side. */
function nearBoundary(p: ArrayLike<number>, u: number, a: number, b: number): boolean {
  let c = 0;
  for (let j = 0; j < Math.max(a, b); j++) {
    c += p[j];
    if (j >= Math.min(a, b) && Math.abs(u - c) < 1e-5) return true;
  }
  return false;
}

/**
 * Tasks whose GPU and CPU draws differ. The float32 running sum of pi differs from the float64
 * one by ~1e-6, so a uniform that close to one of the K boundaries may be drawn on its other
 * side (about 1% of draws at K = 1,000); every other difference fails the test.
 */
function flippedTasks(P: Params, before: State, gpu: Uint32Array, cpu: Uint32Array): Set<number> {
  const { group: G, seed, patterns: K, policy } = P.cfg;
  const flipped = new Set<number>();
  const mask = (1 << RECORD_ANSWER_SHIFT) - 1;
  cpu.forEach((want, j) => {
    if (gpu[j] === want) return;
    const i = Math.floor(j / G);
    const u = rolloutUniforms(seed, before.t + 1, i, j % G);
    const [kGpu, kCpu] = [gpu[j] & mask, want & mask];
    const row = policy === 'shared' ? 0 : i;
    const near =
      kGpu === kCpu
        ? nearBoundary(answerDist(P, before, i, kCpu), u[1], gpu[j] >>> RECORD_ANSWER_SHIFT, want >>> RECORD_ANSWER_SHIFT)
        : nearBoundary(softmax(before.theta.subarray(row * K, (row + 1) * K)), u[0], kGpu, kCpu);
    if (!near) expect.fail(`task ${i} rollout ${j % G} at step ${before.t + 1}: GPU drew ${gpu[j]}, CPU ${want}, not at a CDF boundary`);
    flipped.add(i);
  });
  return flipped;
}

/**
 * Tasks whose accuracy under state s is within 1e-5 of a threshold of improvedFrac, roseFirst or
 * roseThenFell (its start plus or minus the margin, docs/model.md §5, §6.4). The GPU sums K = 1,000
 * float32 terms for each accuracy, so it may count such a task on the other side of the threshold;
 * each may move those fractions by 1/N.
 */
const THRESHOLD_COUNTS = ['improvedFrac', 'roseFirst', 'roseThenFell'];

function nearImprovement(P: Params, s: State): number {
  const { tasks: N, patterns: K, policy } = P.cfg;
  let near = 0;
  for (let i = 0; i < N; i++) {
    const row = policy === 'shared' ? 0 : i;
    const pi = softmax(s.theta.subarray(row * K, (row + 1) * K));
    let acc = 0;
    for (let k = 0; k < K; k++) acc += pi[k] * answerDist(P, s, i, k)[0];
    if (Math.abs(acc - P.startAccuracy[i]) < IMPROVED_MARGIN + 1e-5) near++;
  }
  return near;
}

/**
 * Steps `steps` steps of the GPU and of the reference from the GPU's state. A step with a flipped
 * draw compares only the other tasks' logits, or nothing where one task's draws move every
 * logit (the shared policy, the batch std). Returns the share of draws that flipped.
 */
async function lockstep(engine: Engine, input: ConfigInput, steps: number): Promise<number> {
  const P = makeParams(parseConfig(input), engine.tasks);
  const { patterns: K, answers: A, policy, scale, estimator } = P.cfg;
  const coupled = policy === 'shared' || (estimator === 'grpo' && scale === 'batch');
  const tol = input.optimizer === 'adam' ? 2e-4 : 2e-5;
  let flips = 0;
  let draws = 0;
  for (let t = 0; t < steps; t++) {
    const before = toState(P, await engine.snapshot());
    const cpu = step(P, before);
    let gpuMetrics = new Float32Array(0);
    await engine.run(1, (_f, m) => (gpuMetrics = Float32Array.from(m)));
    const flipped = cpu.rollouts.length ? flippedTasks(P, before, await engine.readRecord(), cpu.rollouts) : new Set<number>();
    flips += flipped.size;
    draws += cpu.rollouts.length;
    const after = await engine.snapshot();
    if (flipped.size > 0 && coupled) continue;
    if (flipped.size === 0) {
      const improvedTol = nearImprovement(P, cpu.state) / P.cfg.tasks;
      P.layout.names.forEach((name, j) => {
        if (THRESHOLD_COUNTS.includes(name)) expect(Math.abs(gpuMetrics[j] - cpu.metrics[j]), `step ${t + 1} ${name}`).toBeLessThanOrEqual(improvedTol + tol);
        else closeTo([gpuMetrics[j]], [cpu.metrics[j]], tol, `step ${t + 1} ${name}`);
      });
    }
    const rows = after.theta.length / K;
    for (let i = 0; i < rows; i++) {
      if (flipped.has(i)) continue;
      closeTo(after.theta.subarray(i * K, (i + 1) * K), cpu.state.theta.subarray(i * K, (i + 1) * K), tol, `step ${t + 1} theta of task ${i}`);
      closeTo(after.phi.subarray(i * K * A, (i + 1) * K * A), cpu.state.phi.subarray(i * K * A, (i + 1) * K * A), tol, `step ${t + 1} phi of task ${i}`);
    }
  }
  return draws ? flips / draws : 0;
}

describe('the storage shape matches the float64 reference step by step', () => {
  const K = 1000;
  // Shared rates from 0.9 down to 0.2: their mean is no tie between the two answers' marginals.
  const rates = Array.from({ length: K }, (_, k) => 0.9 - (0.7 * k) / (K - 1));
  const BASE: ConfigInput = { tasks: 32, patterns: K, answers: 2, group: 4, lr: 0.5, successRates: rates };
  const STEPS = 3;
  const beta = { successRates: undefined, successBeta: { alpha: ones(K), beta: ones(K) } };
  const cases: [string, ConfigInput][] = [
    ['expected, rlvr', { estimator: 'expected', lr: 10 }],
    ['expected, certainty, per-task Beta rates', { estimator: 'expected', reward: 'rlif-certainty', lr: 10, ...beta }],
    ['expected, majority reward', { estimator: 'expected', reward: 'rlif-majority', lr: 10, ...beta }],
    ['expected, self-certainty, per-task Beta rates', { estimator: 'expected', reward: 'rlif-self-certainty', lr: 10, ...beta }],
    ['expected, rlvr, Adam, KL and entropy after SFT', { estimator: 'expected', optimizer: 'adam', lr: 0.05, klCoef: 0.3, entropyCoef: 0.05, sft: { steps: 3, lr: 0.5, target: [1, ...Array<number>(K - 1).fill(0)] } }],
    ['expected, certainty, shared, Adam', { estimator: 'expected', reward: 'rlif-certainty', policy: 'shared', optimizer: 'adam', lr: 0.05, ...beta }],
    ['reinforce, rlvr', { estimator: 'reinforce' }],
    ['rloo, certainty, shared', { estimator: 'rloo', reward: 'rlif-certainty', policy: 'shared' }],
    ['grpo, rlvr, per-task Beta rates', { ...beta }],
    ['grpo, certainty, Adam', { reward: 'rlif-certainty', optimizer: 'adam', lr: 0.05, ...beta }],
    ['grpo, self-certainty', { reward: 'rlif-self-certainty', ...beta }],
    ['grpo batch scale, rlvr, shared, Adam', { scale: 'batch', policy: 'shared', optimizer: 'adam', lr: 0.05 }],
    ['grpo batch scale, certainty', { scale: 'batch', reward: 'rlif-certainty', ...beta }],
    ['grpo no scale, certainty, shared', { scale: 'none', reward: 'rlif-certainty', policy: 'shared', ...beta }],
    ['grpo, certainty, trainable answers, Adam', { reward: 'rlif-certainty', answerMode: 'trainable', optimizer: 'adam', lr: 0.05, ...beta }],
  ];

  it.each(cases)(`K = ${K}, %s`, async (_name, extra) => {
    const input = { ...BASE, ...extra, steps: STEPS };
    const engine = await engineFor(input, { record: input.estimator !== 'expected', stepsPerBatch: 1 });
    expect(engine.plan.shape).toBe('storage');
    expect(engine.plan.layout.names).not.toContain('patternMass0');
    expect(await lockstep(engine, input, STEPS)).toBeLessThan(0.01);
    engine.destroy();
  });

  const BIG = 16384;
  it.each([
    ['expected', { estimator: 'expected', lr: 100 }],
    ['grpo', { estimator: 'grpo', lr: 0.5 }],
  ] as [string, ConfigInput][])(`K = ${BIG}, %s, per-task Beta rates`, async (_name, extra) => {
    const input = { tasks: 4, patterns: BIG, answers: 2, group: 4, successBeta: { alpha: ones(BIG), beta: ones(BIG) }, ...extra, steps: STEPS };
    const engine = await engineFor(input, { record: input.estimator !== 'expected', stepsPerBatch: 1 });
    expect(await lockstep(engine, input, STEPS)).toBeLessThan(0.01);
    engine.destroy();
  });
});
