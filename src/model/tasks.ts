// The fixed side of the model (docs/model.md §1): success rates per task and pattern, and the
// geometric spread of wrong answers. Computed once on the host in float64 and shared by the
// GPU engine and the CPU reference, so both simulate the very same tasks.
import type { Config } from './config';
import { PHI_FLOOR } from './constants';
import { philox, STREAM_TASKS, uniform01 } from './rng';

export interface TaskTables {
  /** Success rates s[i,k], row-major; length K when shared by all tasks, N*K for per-task draws. */
  rates: Float64Array;
  perTask: boolean;
  /** w[k,j] for j = 1..A-1, row-major K x: how pattern k spreads its wrong mass. */
  wrongWeights: Float64Array;
  /** sum_j log w[k,j] for each pattern k (K): the self-certainty reward's share of the wrong answers. */
  wrongLogSums: Float64Array;
}

/** Geometric weights d^(j-1) / sum, j = 1..A-1, for each pattern's decay d. */
export function wrongWeights(decays: readonly number[], answers: number): Float64Array {
  const w = new Float64Array(decays.length * (answers - 1));
  decays.forEach((d, k) => {
    let sum = 0;
    for (let j = 0; j < answers - 1; j++) sum += d ** j;
    for (let j = 0; j < answers - 1; j++) w[k * (answers - 1) + j] = d ** j / sum;
  });
  return w;
}

/**
 * sum_{j=1..A-1} log w[k,j] = (A-1)(A-2)/2 log d - (A-1) log sum_m d^(m-1) for each pattern's
 * decay d, from logarithms: d^(j-1) underflows for small d and large A, its logarithm does not.
 */
export function wrongLogSums(decays: readonly number[], answers: number): Float64Array {
  return Float64Array.from(decays, (d) => {
    let sum = 0;
    for (let j = 0; j < answers - 1; j++) sum += d ** j;
    return (((answers - 1) * (answers - 2)) / 2) * Math.log(d) - (answers - 1) * Math.log(sum);
  });
}

/**
 * The self-certainty KL(U_A || P) = -log A - (1/A) sum_a log P(a) (the paper's reward less the
 * constant log A: reportedRewardOffset) of frozen answers with success
 * rate s and wrong-answer log sum `wrongLogSum` (docs/model.md §3.2): log P(0) = log s and
 * log P(j) = log(1 - s) + log w_j, with s and 1 - s floored at PHI_FLOOR so that a zero
 * probability gives a finite reward.
 */
export function frozenSelfCertainty(s: number, wrongLogSum: number, A: number): number {
  const logSum = Math.log(Math.max(s, PHI_FLOOR)) + (A - 1) * Math.log(Math.max(1 - s, PHI_FLOOR)) + wrongLogSum;
  return -Math.log(A) - logSum / A;
}

/**
 * What the reward column adds to the reward the estimators use: log A under rlif-self-certainty, so
 * that it reports the paper's -(1/A) sum_a log P(a) = log A + KL(U_A || P) (docs/model.md §3.2),
 * and 0 otherwise. The estimators keep the KL form: a constant cancels in every advantage and in
 * the expected gradient, and leaving it out keeps their float32 rounding, and so the policy's
 * trajectory, exactly as they were.
 */
export function reportedRewardOffset(c: Pick<Config, 'reward' | 'answers'>): number {
  return c.reward === 'rlif-self-certainty' ? Math.log(c.answers) : 0;
}

/** Seeded uniform stream for task i, pattern k: each call consumes one Philox block. */
function taskStream(seed: number, task: number, pattern: number) {
  let n = 0;
  let block: number[] = [];
  return () => {
    if (block.length === 0) block = philox([n++, task, pattern, 0], [seed, STREAM_TASKS]).map(uniform01);
    return block.shift()!;
  };
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000), with the boost U^(1/shape) for shape < 1. */
function gamma(shape: number, u: () => number): number {
  if (shape < 1) return gamma(shape + 1, u) * (1 - u()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    // Box-Muller normal; 1 - u() is in (0, 1], so the log is finite.
    const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const x = 1 - u();
    if (Math.log(x) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One Beta(alpha, beta) draw as X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta). */
export function betaDraw(alpha: number, beta: number, u: () => number): number {
  const x = gamma(alpha, u);
  const y = gamma(beta, u);
  return x + y > 0 ? x / (x + y) : alpha / (alpha + beta);
}

/**
 * One draw from the tilted uniform law of lambda, density lambda e^(lambda s) / (e^lambda - 1) on
 * [0, 1], by its inverse CDF s = log(1 + u (e^lambda - 1)) / lambda; expm1 and log1p keep it exact
 * as lambda -> 0, where the law is U[0, 1] (s = u).
 */
export function tiltedDraw(lambda: number, u: number): number {
  if (lambda === 0) return u;
  return Math.min(1, Math.max(0, Math.log1p(u * Math.expm1(lambda)) / lambda));
}

export function buildTasks(c: Config): TaskTables {
  const K = c.patterns;
  const wrong = wrongWeights(c.wrongDecay, c.answers);
  let rates: Float64Array;
  if (c.successBeta) {
    const { alpha, beta } = c.successBeta;
    // One number stands for every pattern.
    const of = (v: number | readonly number[], k: number) => (typeof v === 'number' ? v : v[k]);
    rates = new Float64Array(c.tasks * K);
    for (let i = 0; i < c.tasks; i++)
      for (let k = 0; k < K; k++) rates[i * K + k] = betaDraw(of(alpha, k), of(beta, k), taskStream(c.seed, i, k));
  } else if (c.successTilt !== undefined) {
    const lambda = c.successTilt;
    rates = new Float64Array(c.tasks * K);
    // The first uniform of successBeta's stream for the same task and pattern.
    for (let i = 0; i < c.tasks; i++) for (let k = 0; k < K; k++) rates[i * K + k] = tiltedDraw(lambda, taskStream(c.seed, i, k)());
  } else {
    rates = Float64Array.from(c.successRates!);
  }
  const perTask = perTaskRates(c);
  return { rates, perTask, wrongWeights: wrong, wrongLogSums: wrongLogSums(c.wrongDecay, c.answers) };
}

/** Whether each task draws its own success rates (successBeta, successTilt) instead of sharing successRates. */
export const perTaskRates = (c: Pick<Config, 'successBeta' | 'successTilt'>): boolean => c.successBeta !== undefined || c.successTilt !== undefined;

/** Success rate of task i under pattern k. */
export function rateOf(t: TaskTables, K: number, i: number, k: number): number {
  return t.rates[t.perTask ? i * K + k : k];
}
