// The float64 reference: docs/model.md §2–§5 and §9 (the token tree: ./tree.ts) in float64,
// written for clarity rather than speed. A pure step function of explicit state, parameters and
// RNG key (gymnax style): `step(params, state)` returns the next state and the step's metrics and
// never mutates its input. It draws the same Threefry numbers as the WGSL kernels, so for the same
// seed it samples the same rollouts.
import type { Config } from '../model/config';
import { BASE_METRICS, METRIC, metricLayout, TREE_METRICS, type BaseMetric, type MetricLayout } from '../model/metrics';
import { rolloutUniforms, tokenUniforms } from '../model/rng';
import type { PositionProfiles } from '../model/simulation-interface';
import { buildTasks, frozenSelfCertainty, rateOf, reportedRewardOffset, type TaskTables } from '../model/tasks';
import { ADAM, CONVERGED_MASS, EPS_GRPO, IMPROVED_MARGIN, PHI_FLOOR, RECORD_ANSWER_SHIFT } from '../model/constants';
import { initialLogits, logSoftmax, sampleIndex, softmax } from '../model/policy';
import { configTree, initialTreeLogits, treeConfig, type TreeLayout } from '../model/tree';
import { expectedTreeGrad, patternLogProbs, positionProfile, sampledTreeGrad, sampleResponse, treeMetrics, type Response } from './tree';

/** What stays fixed through RL. */
export interface Params {
  cfg: Config;
  tasks: TaskTables;
  layout: MetricLayout;
  /** Each task's accuracy at the start of RL (after SFT): improvedFrac compares with it (§5). */
  startAccuracy: Float64Array;
}

/** The part of Params that the answer distributions and the initial state depend on. */
type Model = Pick<Params, 'cfg' | 'tasks'>;

export interface State {
  /** RL steps done so far (the next step is t + 1). */
  t: number;
  /** Pattern logits: N*K (tabular) or K (shared); node logits N*T under policy "tokens" (T per task, src/model/tree.ts). */
  theta: Float64Array;
  thetaM: Float64Array;
  thetaV: Float64Array;
  /** Answer logits N*K*A (trainable answers), else empty. */
  phi: Float64Array;
  phiM: Float64Array;
  phiV: Float64Array;
  /** Logits of pi_ref, the policy at the start of RL (identical for every task): K, or the tree's T. */
  refLogits: Float64Array;
  /** Each task's rise at step 1 (1 or 0; 0 before step 1): roseFirst and roseThenFell read it (§6.4). */
  rose: Uint8Array;
}

export function makeParams(cfg: Config, tasks: TaskTables = buildTasks(cfg)): Params {
  return { cfg, tasks, layout: metricLayout(cfg), startAccuracy: accuracies({ cfg, tasks }, initState({ cfg, tasks })) };
}

export { logSoftmax, sampleIndex };

const entropyOf = (p: ArrayLike<number>) => {
  let h = 0;
  for (let j = 0; j < p.length; j++) if (p[j] > 0) h -= p[j] * Math.log(p[j]);
  return h;
};

/** A pattern's answer distribution P(. | q_i, k), and its self-certainty KL(U_A || P) (§3.2). */
interface PatternAnswers {
  p: Float64Array;
  selfCertainty: number;
}

/** P(. | q_i, k) and its self-certainty -log A - (1/A) sum_a log P(a | q_i, k), log P computed analytically for frozen answers. */
function patternAnswers(P: Model, s: State, i: number, k: number): PatternAnswers {
  const { answers: A, patterns: K } = P.cfg;
  if (P.cfg.answerMode === 'trainable') {
    const lp = logSoftmax(s.phi.subarray((i * K + k) * A, (i * K + k + 1) * A));
    return { p: lp.map(Math.exp), selfCertainty: -Math.log(A) - lp.reduce((a, b) => a + b, 0) / A };
  }
  return { p: frozenAnswerDist(P, i, k), selfCertainty: frozenSelfCertainty(rateOf(P.tasks, K, i, k), P.tasks.wrongLogSums[k], A) };
}

/** P(a | q_i, k) for a = 0..A-1. */
export function answerDist(P: Model, s: State, i: number, k: number): Float64Array {
  return patternAnswers(P, s, i, k).p;
}

/** The fixed answer distribution of docs/model.md §1: s for a*, the wrong mass spread geometrically. */
function frozenAnswerDist(P: Model, i: number, k: number): Float64Array {
  const { answers: A, patterns: K } = P.cfg;
  const rate = rateOf(P.tasks, K, i, k);
  const p = new Float64Array(A);
  p[0] = rate;
  for (let j = 1; j < A; j++) p[j] = (1 - rate) * P.tasks.wrongWeights[k * (A - 1) + j - 1];
  return p;
}

/** Reward of answer a under a pattern (expected over the verifier's noise). */
function answerReward(P: Params, pa: PatternAnswers, a: number, majority: number): number {
  const { reward, tpr, fpr, answers } = P.cfg;
  switch (reward) {
    case 'rlvr':
      return a === 0 ? tpr : fpr;
    case 'rlif-self-certainty':
      return pa.selfCertainty;
    case 'rlif-certainty':
      return pa.p[a];
    case 'rlif-entropy':
      return -entropyOf(pa.p) / Math.log(answers);
    case 'rlif-majority':
      return a === majority ? 1 : 0;
  }
}

/** The pattern's expected reward: sum_a P(a) R(a). */
function patternReward(P: Params, pa: PatternAnswers, majority: number): number {
  let r = 0;
  for (let a = 0; a < pa.p.length; a++) r += pa.p[a] * answerReward(P, pa, a, majority);
  return r;
}

export function initState(P: Model): State {
  const { tasks: N, patterns: K, answers: A } = P.cfg;
  const tree = configTree(P.cfg);
  const logits = tree ? initialTreeLogits(tree, treeConfig(P.cfg)) : initialLogits(P.cfg);
  const rows = P.cfg.policy === 'shared' ? 1 : N;
  const theta = new Float64Array(rows * logits.length);
  for (let i = 0; i < rows; i++) theta.set(logits, i * logits.length);
  const adam = P.cfg.optimizer === 'adam';
  const trainable = P.cfg.answerMode === 'trainable';
  const phi = new Float64Array(trainable ? N * K * A : 0);
  for (let i = 0; trainable && i < N; i++)
    for (let k = 0; k < K; k++) {
      const p = frozenAnswerDist(P, i, k);
      for (let a = 0; a < A; a++) phi[(i * K + k) * A + a] = Math.log(Math.max(p[a], PHI_FLOOR));
    }
  return {
    t: 0,
    theta,
    phi,
    refLogits: logits,
    rose: new Uint8Array(N),
    thetaM: new Float64Array(adam ? theta.length : 0),
    thetaV: new Float64Array(adam ? theta.length : 0),
    phiM: new Float64Array(adam ? phi.length : 0),
    phiV: new Float64Array(adam ? phi.length : 0),
  };
}

/** Everything a task's step needs, sampled or exact. */
interface TaskStep {
  gradTheta: Float64Array; // K, without the KL and entropy terms
  gradPhi: Float64Array; // K*A (trainable answers)
  meanReward: number;
  zeroStd: boolean;
  majorityCorrect: boolean;
}

interface Rollouts {
  patterns: number[];
  answers: number[];
  rewards: number[];
  majority: number;
}

/** Draws rollout g's pattern from its uniforms u (rolloutUniforms). */
type PatternDraw = (g: number, u: number[]) => number;

function sampleGroup(P: Params, s: State, i: number, draw: PatternDraw, dists: PatternAnswers[]): Rollouts {
  const { group: G, answers: A, seed, reward, tpr, fpr } = P.cfg;
  const patterns: number[] = [];
  const answers: number[] = [];
  const verifier: number[] = [];
  const counts = new Array<number>(A).fill(0);
  for (let g = 0; g < G; g++) {
    const u = rolloutUniforms(seed, s.t + 1, i, g);
    const k = draw(g, u);
    const a = sampleIndex(dists[k].p, u[1]);
    patterns.push(k);
    answers.push(a);
    verifier.push(u[2]);
    counts[a]++;
  }
  const majority = counts.indexOf(Math.max(...counts)); // ties go to the smallest answer
  // The noisy verifier rewards a correct answer with probability tpr, a wrong one with probability fpr.
  const rewards = answers.map((a, g) =>
    reward === 'rlvr' ? (verifier[g] < (a === 0 ? tpr : fpr) ? 1 : 0) : answerReward(P, dists[patterns[g]], a, majority),
  );
  return { patterns, answers, rewards, majority };
}

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const sampleStd = (x: number[]) => {
  const m = mean(x);
  return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
};

function advantages(P: Params, R: number[], batchStd: number): number[] {
  const G = R.length;
  // Equal rewards give every estimator an advantage of exactly 0; float64 rounding of the mean
  // would leave a residue that GRPO's division by std + eps, then Adam, turn into a real step.
  if (R.every((r) => r === R[0])) return R.map(() => 0);
  const m = mean(R);
  const sum = m * G;
  const scaled = (std: number) => R.map((r) => (r - m) / (std + EPS_GRPO));
  switch (P.cfg.estimator) {
    case 'reinforce':
      return R.map((r) => r - m);
    case 'rloo':
      return R.map((r) => r - (sum - r) / (G - 1));
    case 'grpo':
      switch (P.cfg.scale) {
        case 'group':
          return scaled(sampleStd(R));
        case 'batch':
          return scaled(batchStd);
        case 'none':
          return R.map((r) => r - m);
      }
    case 'expected':
      throw new Error('the expected gradient has no sampled advantages');
  }
}

/** The gradient of the policy's logits from the group's advantages, where the policy is not the flat softmax (the token tree). */
type SampledGrad = (adv: number[]) => Float64Array;

function sampledTaskStep(P: Params, pi: Float64Array, dists: PatternAnswers[], ro: Rollouts, batchStd: number, logitsGrad?: SampledGrad): TaskStep {
  const { patterns: K, answers: A, group: G } = P.cfg;
  const adv = advantages(P, ro.rewards, batchStd);
  const gradTheta = logitsGrad?.(adv) ?? new Float64Array(K);
  const gradPhi = new Float64Array(K * A);
  for (let g = 0; g < G; g++) {
    const kg = ro.patterns[g];
    if (!logitsGrad) for (let k = 0; k < K; k++) gradTheta[k] += (adv[g] * ((k === kg ? 1 : 0) - pi[k])) / G;
    for (let a = 0; a < A; a++) gradPhi[kg * A + a] += (adv[g] * ((a === ro.answers[g] ? 1 : 0) - dists[kg].p[a])) / G;
  }
  return {
    gradTheta,
    gradPhi,
    meanReward: mean(ro.rewards),
    zeroStd: ro.rewards.every((r) => r === ro.rewards[0]),
    majorityCorrect: ro.majority === 0,
  };
}

/** The exact expected gradient (gradient flow): dJ/dtheta_k = pi_k (r_k - J), or logitsGrad(r) of the pattern rewards r (the token tree). */
function expectedTaskStep(P: Params, pi: Float64Array, dists: PatternAnswers[], logitsGrad?: (r: number[]) => Float64Array): TaskStep {
  const { patterns: K, answers: A } = P.cfg;
  // Majority reward in expectation: the G -> infinity limit, where the group's majority is the mode of the marginal.
  const marginal = new Float64Array(A);
  for (let k = 0; k < K; k++) for (let a = 0; a < A; a++) marginal[a] += pi[k] * dists[k].p[a];
  const majority = marginal.indexOf(Math.max(...marginal));
  const r = dists.map((pa) => patternReward(P, pa, majority));
  const J = r.reduce((acc, rk, k) => acc + pi[k] * rk, 0);
  const gradTheta = logitsGrad?.(r) ?? Float64Array.from(pi, (p, k) => p * (r[k] - J));
  const gradPhi = new Float64Array(K * A);
  for (let k = 0; k < K; k++)
    for (let a = 0; a < A; a++) gradPhi[k * A + a] = pi[k] * dists[k].p[a] * (answerReward(P, dists[k], a, majority) - r[k]);
  return { gradTheta, gradPhi, meanReward: J, zeroStd: false, majorityCorrect: majority === 0 };
}

/** -beta dKL(pi||pi_ref)/dtheta + c dH/dtheta, exact. */
function regulariserGrad(P: Params, logits: Float64Array, refLogits: Float64Array): Float64Array {
  const { klCoef, entropyCoef } = P.cfg;
  const lp = logSoftmax(logits);
  const lref = logSoftmax(refLogits);
  const pi = lp.map(Math.exp);
  let kl = 0;
  let h = 0;
  for (let k = 0; k < lp.length; k++) {
    kl += pi[k] * (lp[k] - lref[k]);
    h -= pi[k] * lp[k];
  }
  return pi.map((p, k) => -klCoef * p * (lp[k] - lref[k] - kl) - entropyCoef * p * (lp[k] + h));
}

/** theta += lr * step(grad), SGD or bias-corrected Adam; t is the 1-based RL step. Mutates x, m, v. */
function applyUpdate(P: Params, x: Float64Array, m: Float64Array, v: Float64Array, off: number, grad: Float64Array, t: number) {
  const { lr, optimizer } = P.cfg;
  for (let j = 0; j < grad.length; j++) {
    switch (optimizer) {
      case 'sgd':
        x[off + j] += lr * grad[j];
        break;
      case 'adam': {
        m[off + j] = ADAM.beta1 * m[off + j] + (1 - ADAM.beta1) * grad[j];
        v[off + j] = ADAM.beta2 * v[off + j] + (1 - ADAM.beta2) * grad[j] ** 2;
        const mHat = m[off + j] / (1 - ADAM.beta1 ** t);
        const vHat = v[off + j] / (1 - ADAM.beta2 ** t);
        x[off + j] += (lr * mHat) / (Math.sqrt(vHat) + ADAM.eps);
        break;
      }
    }
  }
}

const cloneState = (s: State): State => ({
  t: s.t,
  theta: s.theta.slice(),
  thetaM: s.thetaM.slice(),
  thetaV: s.thetaV.slice(),
  phi: s.phi.slice(),
  phiM: s.phiM.slice(),
  phiV: s.phiV.slice(),
  refLogits: s.refLogits,
  rose: s.rose.slice(),
});

/** Logits of one task's policy: K, or the T of its token tree. */
const rowWidth = (c: Config) => configTree(c)?.logits ?? c.patterns;

const logitsOf = (P: Model, s: State, i: number) => {
  const w = rowWidth(P.cfg);
  const row = P.cfg.policy === 'shared' ? 0 : i;
  return s.theta.subarray(row * w, (row + 1) * w);
};

/** log pi(k) of the K patterns under logits of one task (a flat softmax, or the product of the tree's fork choices). */
function patternLogProbsOf(c: Config, logits: Float64Array): Float64Array {
  const tree = configTree(c);
  return tree ? patternLogProbs(tree, logits) : logSoftmax(logits);
}

/** The position profiles of a token tree's state, averaged over tasks (undefined for other policies). */
export function tokenPositions(P: Model, s: State): PositionProfiles | undefined {
  const tree = configTree(P.cfg);
  if (!tree) return undefined;
  const N = P.cfg.tasks;
  const rankChange = new Float64Array(tree.L);
  const kl = new Float64Array(tree.L);
  for (let i = 0; i < N; i++) {
    const p = positionProfile(tree, logitsOf(P, s, i), s.refLogits);
    for (let l = 0; l < tree.L; l++) {
      rankChange[l] += p.rankChange[l] / N;
      kl[l] += p.kl[l] / N;
    }
  }
  return { rankChange, kl, forks: tree.isFork };
}

/** Task i's pattern distribution pi(k) under state s. */
export const patternDistribution = (P: Model, s: State, i: number): Float64Array => patternLogProbsOf(P.cfg, logitsOf(P, s, i)).map(Math.exp);

/** The token tree's draw of rollout g: its response token by token (kept in `responses`), whose forks give the pattern. */
function treeDraw(P: Params, T: TreeLayout, s: State, i: number, responses: Response[]): PatternDraw {
  return (g) => {
    const r = sampleResponse(T, logitsOf(P, s, i), tokenUniforms(P.cfg.seed, s.t + 1, i, g, T.L));
    responses[g] = r;
    return r.pattern;
  };
}

export interface StepResult {
  state: State;
  metrics: Float64Array;
  /** (pattern | answer << RECORD_ANSWER_SHIFT) of every rollout, task-major, as the GPU records them; empty in expected mode. */
  rollouts: Uint32Array;
}

/** One RL step for every task: returns the next state and the metrics of docs/model.md §5. */
export function step(P: Params, s: State): StepResult {
  const { tasks: N, patterns: K, answers: A, estimator, policy } = P.cfg;
  const t = s.t + 1;
  const tree = configTree(P.cfg);
  const pis = Array.from({ length: N }, (_, i) => (tree ? patternDistribution(P, s, i) : softmax(logitsOf(P, s, i))));
  const dists = Array.from({ length: N }, (_, i) => Array.from({ length: K }, (_, k) => patternAnswers(P, s, i, k)));

  let steps: TaskStep[];
  let rollouts = new Uint32Array(0);
  if (estimator === 'expected') {
    steps = pis.map((pi, i) => expectedTaskStep(P, pi, dists[i], tree && ((r) => expectedTreeGrad(tree, logitsOf(P, s, i), r))));
  } else {
    const responses = pis.map((): Response[] => []);
    const draw = (i: number): PatternDraw => (tree ? treeDraw(P, tree, s, i, responses[i]) : (_g, u) => sampleIndex(pis[i], u[0]));
    const groups = pis.map((_pi, i) => sampleGroup(P, s, i, draw(i), dists[i]));
    const batchStd = sampleStd(groups.flatMap((g) => g.rewards));
    steps = groups.map((ro, i) => sampledTaskStep(P, pis[i], dists[i], ro, batchStd, tree && ((adv) => sampledTreeGrad(tree, logitsOf(P, s, i), responses[i], adv))));
    rollouts = Uint32Array.from(groups.flatMap((g) => g.patterns.map((k, j) => k | (g.answers[j] << RECORD_ANSWER_SHIFT))));
  }

  const next = cloneState(s);
  next.t = t;
  if (policy === 'shared') {
    const grad = regulariserGrad(P, s.theta, s.refLogits);
    for (const ts of steps) for (let k = 0; k < K; k++) grad[k] += ts.gradTheta[k] / N;
    applyUpdate(P, next.theta, next.thetaM, next.thetaV, 0, grad, t);
  } else {
    const w = rowWidth(P.cfg);
    steps.forEach((ts, i) => {
      // The tree refuses klCoef and entropyCoef (config.ts): its gradient has no regulariser.
      const reg = tree ? undefined : regulariserGrad(P, logitsOf(P, s, i), s.refLogits);
      applyUpdate(P, next.theta, next.thetaM, next.thetaV, i * w, reg ? ts.gradTheta.map((g, k) => g + reg[k]) : ts.gradTheta, t);
    });
  }
  if (P.cfg.answerMode === 'trainable') steps.forEach((ts, i) => applyUpdate(P, next.phi, next.phiM, next.phiV, i * K * A, ts.gradPhi, t));
  // Theorem 5.6's first claim, per task: did step 1 raise its accuracy above its start (as improvedFrac)?
  if (t === 1) next.rose = Uint8Array.from(accuracies(P, next), (acc, i) => (acc > P.startAccuracy[i] + IMPROVED_MARGIN ? 1 : 0));
  return { state: next, metrics: metricsOf(P, next, steps), rollouts };
}

/** Task i's policy under state s, its current success rates and its accuracy sum_k pi_k s[i,k]. */
function taskPolicy(P: Model, s: State, i: number) {
  const K = P.cfg.patterns;
  const lp = patternLogProbsOf(P.cfg, logitsOf(P, s, i));
  const pi = lp.map(Math.exp);
  const rates = Array.from({ length: K }, (_, k) => (P.cfg.answerMode === 'trainable' ? answerDist(P, s, i, k)[0] : rateOf(P.tasks, K, i, k)));
  return { lp, pi, rates, acc: pi.reduce((a, p, k) => a + p * rates[k], 0) };
}

/** Each task's accuracy under state s (at the initial state: Params.startAccuracy). */
function accuracies(P: Model, s: State): Float64Array {
  return Float64Array.from({ length: P.cfg.tasks }, (_, i) => taskPolicy(P, s, i).acc);
}

/** Index of the first largest (sign 1) or smallest (sign -1) value. */
function firstExtreme(x: readonly number[], sign: 1 | -1): number {
  let j = 0;
  for (let k = 1; k < x.length; k++) if (sign * x[k] > sign * x[j]) j = k;
  return j;
}

/** Metrics of the policy after the update, with the rollout statistics of the step that made it. */
function metricsOf(P: Params, s: State, steps: TaskStep[]): Float64Array {
  const { tasks: N, patterns: K, passK } = P.cfg;
  const L = P.layout;
  const out = new Float64Array(L.names.length);
  const lref = patternLogProbsOf(P.cfg, s.refLogits);
  const tree = configTree(P.cfg);
  const offset = reportedRewardOffset(P.cfg);
  for (let i = 0; i < N; i++) {
    const { lp, pi, rates, acc } = taskPolicy(P, s, i);
    const best = firstExtreme(rates, 1);
    const worst = firstExtreme(rates, -1);
    let kl = 0;
    for (let k = 0; k < K; k++) kl += pi[k] * (lp[k] - lref[k]);
    const row: Record<BaseMetric, number> = {
      accuracy: acc,
      reward: steps[i].meanReward + offset,
      entropy: entropyOf(pi),
      bestMass: pi[best],
      converged: pi[best] > CONVERGED_MASS ? 1 : 0,
      zeroStdFrac: steps[i].zeroStd ? 1 : 0,
      klToRef: kl,
      majorityCorrect: steps[i].majorityCorrect ? 1 : 0,
      worstMass: pi[worst],
      convergedWorst: pi[worst] > CONVERGED_MASS ? 1 : 0,
      improvedFrac: acc > P.startAccuracy[i] + IMPROVED_MARGIN ? 1 : 0,
      roseFirst: s.rose[i],
      roseThenFell: s.rose[i] && acc < P.startAccuracy[i] - IMPROVED_MARGIN ? 1 : 0,
    };
    for (const m of BASE_METRICS) out[METRIC[m]] += row[m] / N;
    if (L.mass >= 0) for (let k = 0; k < K; k++) out[L.mass + k] += pi[k] / N;
    passK.forEach((kk, j) => (out[L.passAt + j] += (1 - (1 - acc) ** kk) / N));
    if (L.successRate >= 0) for (let k = 0; k < K; k++) out[L.successRate + k] += rates[k] / N;
    if (tree) {
      const tm = treeMetrics(tree, positionProfile(tree, logitsOf(P, s, i), s.refLogits));
      TREE_METRICS.forEach((m, j) => (out[L.tree + j] += tm[m] / N));
    }
  }
  return out;
}

/** Runs `steps` RL steps from the initial state; returns the final state and one metrics row per step. */
export function simulate(P: Params, steps: number, s: State = initState(P)): { state: State; metrics: Float64Array[] } {
  const metrics: Float64Array[] = [];
  for (let n = 0; n < steps; n++) {
    const r = step(P, s);
    s = r.state;
    metrics.push(r.metrics);
  }
  return { state: s, metrics };
}
