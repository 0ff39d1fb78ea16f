// What each chart shows: its metrics (picked from a run's metric names), title and axis label.
import { TREE_METRICS } from '../model/metrics';

export interface ChartSpec {
  id: string;
  title: string;
  yLabel: string;
  /** Probabilities and fractions: the y axis spans at least [0, 1] so runs compare at a glance. */
  unit: boolean;
  pick(names: readonly string[]): string[];
}

const matching = (re: RegExp) => (names: readonly string[]) => names.filter((n) => re.test(n));

export const CHARTS: readonly ChartSpec[] = [
  { id: 'accuracy', title: 'Accuracy and reward', yLabel: 'mean over tasks', unit: true, pick: () => ['accuracy', 'reward'] },
  { id: 'pass-at-k', title: 'pass@k', yLabel: 'mean over tasks', unit: true, pick: matching(/^passAt\d+$/) },
  // Runs with more than 32 patterns report no per-pattern masses: the best and worst remain.
  { id: 'pattern-mass', title: 'Pattern mass', yLabel: 'mean π(k | q)', unit: true, pick: (names) => ['bestMass', 'worstMass', ...matching(/^patternMass\d+$/)(names)] },
  { id: 'entropy-kl', title: 'Policy entropy and KL to π_ref', yLabel: 'nats', unit: false, pick: () => ['entropy', 'klToRef'] },
  { id: 'converged', title: 'Converged tasks and zero-std groups', yLabel: 'fraction', unit: true, pick: () => ['converged', 'zeroStdFrac'] },
  { id: 'collapse', title: 'Collapse onto the worst pattern (Theorem 5.6)', yLabel: 'fraction of tasks', unit: true, pick: () => ['convergedWorst', 'improvedFrac', 'roseFirst', 'roseThenFell'] },
  { id: 'majority', title: 'Majority answer correct', yLabel: 'fraction of groups', unit: true, pick: () => ['majorityCorrect'] },
  { id: 'success-rate', title: 'Success rates (trainable answers)', yLabel: 'mean s(k)', unit: true, pick: matching(/^successRate\d+$/) },
  // Token-tree runs only (docs/model.md §9): where in a response RL changes the policy.
  { id: 'critical-tokens', title: 'Critical tokens', yLabel: 'fraction', unit: true, pick: (names) => TREE_METRICS.filter((m) => names.includes(m)) },
];

const LABELS: Record<string, string> = {
  accuracy: 'accuracy',
  reward: 'reward',
  entropy: 'entropy',
  klToRef: 'KL(π ‖ π_ref)',
  bestMass: 'best pattern',
  worstMass: 'worst pattern',
  converged: 'converged (mass > 0.99)',
  convergedWorst: 'on the worst pattern (mass > 0.99)',
  improvedFrac: 'accuracy above its start',
  roseFirst: 'rose at step 1',
  roseThenFell: 'rose at step 1, now below its start',
  zeroStdFrac: 'zero-std groups',
  majorityCorrect: 'majority correct',
  rankChangeRatio: 'rank change ratio',
  forkRankChange: 'rank change at forks',
  fillerRankChange: 'rank change at fillers',
  criticalShare: 'KL share on forks',
};

export function metricLabel(name: string): string {
  const m = /^(passAt|patternMass|successRate)(\d+)$/.exec(name);
  if (!m) return LABELS[name] ?? name;
  return m[1] === 'passAt' ? `pass@${m[2]}` : `${m[1] === 'patternMass' ? 'pattern' : 's'} ${m[2]}`;
}

// Tableau 10: distinct on white, and the colour of a metric is the same in every run.
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
/** Runs in an overlay differ by dash: the current run solid, the others dashed or dotted. */
export const DASHES: readonly number[][] = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4]];
