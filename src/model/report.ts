// The model report (docs/model.md §5b): which of the paper's results applies to each task,
// computed once per run from pi_ref and the task tables, before step 1. Every simulator reports
// the same object, and the command line, the dashboard and sweeps show it.
import type { Config } from './config';
import { initialLogits, softmax } from './policy';
import { rateOf, type TaskTables } from './tasks';

export interface ModelReport {
  /** Tasks whose base model's marginal answer distribution does not have its mode at a* (Assumption 5.5). */
  assumption55Failures: number;
  /** Tasks where some single pattern makes a wrong answer at least as likely as a* (the per-pattern reading). */
  patternModeFailures: number;
  /** Tasks in regime 1 (Theorem 5.3), regime 2 (Theorem 5.4), or neither. */
  regimes: { one: number; two: number; other: number };
  /** gamma = sum_{r != r'} pi_ref_r / pi_ref_r* over the regime-2 tasks; null when there are none. */
  gamma: { min: number; median: number; max: number } | null;
}

/** What one task contributes to the report. */
interface TaskClass {
  regime: 'one' | 'two' | 'other';
  gamma?: number;
  /** s_r' of the rival r' in regime 2: T0 is the first step at which the accuracy reaches it (§6.7). */
  rival?: number;
  assumption55: boolean;
  patternMode: boolean;
}

/**
 * Classifies one task with success rates s (K) under pi_ref. r* is the best pattern (the first
 * on ties); a pattern r != r* "beats" the base model when s_r >= ACC_ref, so regime 1 needs
 * ACC_ref > s_r for every r != r* strictly, as Theorem 5.3 states it, and a tie counts against it.
 */
function classify(s: ArrayLike<number>, pi: Float64Array, wrong: Float64Array, A: number): TaskClass {
  const K = pi.length;
  let best = 0;
  let acc = 0;
  for (let k = 0; k < K; k++) {
    if (s[k] > s[best]) best = k;
    acc += pi[k] * s[k];
  }
  let beaters = 0;
  let second = -1;
  for (let k = 0; k < K; k++)
    if (k !== best && s[k] >= acc) {
      beaters++;
      second = k;
    }
  const regime = beaters === 0 ? 'one' : beaters === 1 ? 'two' : 'other';
  // Marginal reading of Assumption 5.5: m(a) = sum_k pi_k P(a|k) has its mode at a* = 0.
  const stride = A - 1;
  let worstWrong = 0;
  for (let a = 1; a < A; a++) {
    let m = 0;
    for (let k = 0; k < K; k++) m += pi[k] * (1 - s[k]) * wrong[k * stride + a - 1];
    worstWrong = Math.max(worstWrong, m);
  }
  // Per pattern: answer 1 carries the largest wrong weight (d <= 1).
  let patternMode = false;
  for (let k = 0; k < K && !patternMode; k++) patternMode = !(s[k] > (1 - s[k]) * wrong[k * stride]);
  return {
    regime,
    gamma: regime === 'two' ? (1 - pi[second]) / pi[best] : undefined,
    rival: regime === 'two' ? s[second] : undefined,
    assumption55: !(acc > worstWrong),
    patternMode,
  };
}

export function modelReport(c: Config, tasks: TaskTables): ModelReport {
  const K = c.patterns;
  const pi = softmax(initialLogits(c));
  const report: ModelReport = { assumption55Failures: 0, patternModeFailures: 0, regimes: { one: 0, two: 0, other: 0 }, gamma: null };
  const gammas: number[] = [];
  const add = (t: TaskClass, count: number) => {
    report.regimes[t.regime] += count;
    if (t.assumption55) report.assumption55Failures += count;
    if (t.patternMode) report.patternModeFailures += count;
  };
  if (!tasks.perTask) {
    // Every task is the same task: classify it once.
    const t = classify(tasks.rates, pi, tasks.wrongWeights, c.answers);
    add(t, c.tasks);
    if (t.gamma !== undefined) report.gamma = { min: t.gamma, median: t.gamma, max: t.gamma };
    return report;
  }
  const s = new Float64Array(K);
  for (let i = 0; i < c.tasks; i++) {
    for (let k = 0; k < K; k++) s[k] = rateOf(tasks, K, i, k);
    const t = classify(s, pi, tasks.wrongWeights, c.answers);
    add(t, 1);
    if (t.gamma !== undefined) gammas.push(t.gamma);
  }
  if (gammas.length > 0) {
    const g = Float64Array.from(gammas).sort();
    const mid = g.length >> 1;
    report.gamma = { min: g[0], median: g.length % 2 ? g[mid] : (g[mid - 1] + g[mid]) / 2, max: g[g.length - 1] };
  }
  return report;
}

/**
 * Each task's rival success rate s_r' (regime 2, Theorem 5.4; NaN for the other tasks): its T0 is the
 * first step at which its accuracy reaches it (docs/model.md §6.7).
 */
export function rivalRates(c: Config, tasks: TaskTables): Float64Array {
  const K = c.patterns;
  const pi = softmax(initialLogits(c));
  const s = new Float64Array(K);
  return Float64Array.from({ length: c.tasks }, (_, i) => {
    for (let k = 0; k < K; k++) s[k] = rateOf(tasks, K, i, k);
    return classify(s, pi, tasks.wrongWeights, c.answers).rival ?? NaN;
  });
}

/** The report in one line, as the command line prints it at start-up: the dashboard's sentences, caveats first. */
export const reportLine = (r: ModelReport, c: Parameters<typeof reportSentences>[1]): string => `model report: ${reportSentences(r, c).join('. ')}.`;

/**
 * The report as sentences for a reader: first what in the config takes the run outside the
 * regimes' setting (they are results on clean RLVR, per task, without a KL penalty), then one
 * sentence per regime that has tasks, naming its theorem and what it predicts, then one on
 * Assumption 5.5 (docs/model.md §5b).
 */
export function reportSentences(r: ModelReport, c: Pick<Config, 'tasks' | 'reward' | 'tpr' | 'fpr' | 'klCoef' | 'policy'>): string[] {
  const tasks = c.tasks;
  const { one, two, other } = r.regimes;
  const of = (n: number) => (n === tasks ? `all ${tasks} tasks` : `${n} of ${tasks} tasks`);
  const lines: string[] = [];
  if (c.reward !== 'rlvr')
    lines.push(
      'RLIF reward: the regimes below are what RLVR would do from this start; RLIF moves the mass towards the pattern of ' +
        "highest expected reward instead (with self-certainty, Theorem 5.6's most self-certain pattern), which need not be the best",
    );
  else if (c.tpr <= c.fpr)
    lines.push('The verifier rewards a wrong answer at least as often as a correct one (TPR ≤ FPR): RLVR does not move towards the best pattern, and the regimes below do not apply');
  if (c.klCoef > 0) lines.push(`KL penalty (beta ${fmt(c.klCoef)}): the policy stops at π_ref·exp(R/beta)/Z (Proposition 5.2), short of a single pattern`);
  if (c.policy === 'shared') lines.push('Shared policy: one logit vector serves every task, while the regimes below are per-task results');
  if (c.policy === 'tokens')
    lines.push(
      'Token tree: the regimes below are those of the flat softmax from the same start; the tree (a hierarchical softmax) moves the pattern distribution along another path, so a plateau can be shorter or longer (docs/model.md §9)',
    );
  if (one > 0) lines.push(`Theorem 5.3 (regime 1): ${of(one)} — best-pattern mass rises monotonically to 1`);
  if (two > 0)
    lines.push(
      `Theorem 5.4 (regime 2): ${of(two)}${r.gamma ? `, gamma ${gammaText(r.gamma)}` : ''} — ` +
        'the mass first flows to the second-best pattern, then to the best',
    );
  if (other > 0) lines.push(`other: ${of(other)} — two or more patterns beat the base model's accuracy, a case the paper does not cover`);
  const a55 = r.assumption55Failures;
  const perPattern = r.patternModeFailures;
  lines.push(
    `Assumption 5.5 (marginal reading): ${a55 === 0 ? `holds for all ${tasks} tasks` : `fails for ${of(a55)}`}; ` +
      (perPattern === 0
        ? 'no single pattern makes a wrong answer as likely as the correct one'
        : `in ${of(perPattern)} some single pattern makes a wrong answer at least as likely as the correct one`),
  );
  return lines;
}

/** gamma as one number when every regime-2 task shares it, else its range and median. */
function gammaText(g: NonNullable<ModelReport['gamma']>): string {
  return g.min === g.max ? fmt(g.min) : `${fmt(g.min)}..${fmt(g.max)} (median ${fmt(g.median)})`;
}

const fmt = (x: number) => String(+x.toPrecision(3));
