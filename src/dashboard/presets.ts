// One-click runs reproducing docs/model.md §6: the paper's results (named by their theorem) and
// the extensions (named as such). Each sentence states what the run shows; the numbers in it were
// measured with `npx patternflow run` (SwiftShader) and are asserted by e2e/presets.spec.ts.
import type { ConfigInput } from '../model/config';

export interface Preset {
  id: string;
  name: string;
  /** What the run shows, in one sentence. */
  claim: string;
  config: ConfigInput;
}

// The paper's gradient-flow example (docs/model.md §6.2): s = [0.9, 0.5, 0.4, 0.3], exact expected
// gradient, lr 0.5. Every task is identical in expected mode, so few tasks suffice.
const FLOW: ConfigInput = { tasks: 256, estimator: 'expected', lr: 0.5, successRates: [0.9, 0.5, 0.4, 0.3] };
const WEAK_INIT = [0.01, 0.33, 0.33, 0.33];
// Theorem 5.6's setting (docs/model.md §6.4): 1,000 patterns, two answers, uniform start, the
// paper's reward; 256 tasks make 1/2 within 3 standard errors a ±0.094 band.
const THEOREM_5_6: ConfigInput = { tasks: 256, patterns: 1000, answers: 2, estimator: 'expected', reward: 'rlif-self-certainty' };
// The small RLIF example of docs/model.md §6.4: pattern 1 is confidently wrong (wrongDecay 0.01 puts
// 0.94 of its mass on answer 1) and starts with 2% of the mass.
const RLIF: ConfigInput = {
  tasks: 64,
  estimator: 'expected',
  lr: 1,
  patterns: 3,
  answers: 8,
  wrongDecay: 0.01,
  successRates: [0.9, 0.05, 0.5],
  init: [0.3, 0.02, 0.68],
  steps: 10000,
};
// A sampled GRPO run (1024 tasks x 8 rollouts) behind a noisy verifier.
const NOISY: ConfigInput = { tasks: 1024, group: 8, estimator: 'grpo', lr: 0.1, successRates: [0.9, 0.5, 0.4, 0.3], steps: 1000 };

// The ranking change of docs/model.md §9 under GRPO: a 16-pattern token tree (40 tokens, 2 forks of
// 4) whose fillers sit close together (fillerDecay 0.8) and whose forks start without ties
// (init ∝ 0.8^k), success rates U[0, 1] per task, two answers (the paper's RLIF setting).
const TREE_INIT = [0.205793, 0.164634, 0.131707, 0.105366, 0.084293, 0.067434, 0.053947, 0.043158, 0.034526, 0.027621, 0.022097, 0.017677, 0.014142, 0.011314, 0.009051, 0.00724];
const RANKING: ConfigInput = {
  policy: 'tokens',
  tasks: 32,
  group: 8,
  estimator: 'grpo',
  lr: 0.1,
  fillerDecay: 0.8,
  init: TREE_INIT,
  successBeta: { alpha: 1, beta: 1 },
  answers: 2,
  steps: 100,
};

export const PRESETS: readonly Preset[] = [
  {
    id: 'rlvr-strong',
    name: 'Theorem 5.3: RLVR, strong start (regime 1)',
    claim:
      'Half the mass on the best pattern, so the base accuracy 0.65 beats every other pattern: the best-pattern mass rises monotonically (0.9 by step 40) and accuracy climbs from 0.66 to the best success rate 0.9.',
    config: { ...FLOW, init: [0.5, 0.1666667, 0.1666667, 0.1666666], steps: 300 },
  },
  {
    id: 'rlvr-regime-2',
    name: 'Theorem 5.4: RLVR, regime 2 (gamma 6)',
    claim:
      'The paper’s gamma = 6 start (0.05 on the best pattern, 0.70 on the second-best): only the second-best beats the base accuracy 0.48, so its mass first rises to 0.74 (step 35), then falls while the best pattern’s climbs to 0.9 by step 136.',
    config: { ...FLOW, init: [0.05, 0.7, 0.125, 0.125], steps: 400 },
  },
  {
    id: 'rlvr-weak',
    name: 'RLVR, weak start (plateau)',
    claim: 'With 1% on the best pattern (regime 2, gamma 67), the second-best pattern first takes the mass and accuracy stalls near 0.5; 0.9 best-pattern mass takes 1,912 steps.',
    config: { ...FLOW, init: WEAK_INIT, steps: 3000 },
  },
  {
    id: 'sft-then-rlvr',
    name: 'Weak start, SFT first',
    claim: 'Ten SFT steps towards the best pattern before RLVR remove the plateau: 0.9 best-pattern mass at step 33 instead of 1,912.',
    config: { ...FLOW, init: WEAK_INIT, steps: 3000, sft: { steps: 10, lr: 0.5, target: [1, 0, 0, 0] } },
  },
  {
    id: 'kl-optimum',
    name: 'Proposition 5.2: the KL-regularised optimum',
    claim:
      'With a KL penalty to π_ref (β 0.25), RLVR stops short of the best pattern: the masses converge to π_ref·exp(s/β)/Z = 0.349, 0.313, 0.211, 0.127 (within 1e-4 by step 87) and accuracy to 0.577 instead of 0.8.',
    config: { tasks: 64, estimator: 'expected', lr: 2, klCoef: 0.25, successRates: [0.8, 0.6, 0.4, 0.2], init: [0.1, 0.2, 0.3, 0.4], steps: 300 },
  },
  {
    id: 'rlif-theorem-5-6',
    name: 'Theorem 5.6: RLIF with self-certainty, 1,000 patterns',
    claim:
      'The paper’s setting read literally (1,000 patterns, two answers, success rates exactly uniform on [0, 1], uniform start, self-certainty reward): each task converges to its most self-certain pattern, the one farthest from 1/2, which is its worst for 50.4% of the 256 tasks and its best for the rest (the second claim); but accuracy rose after the first step for only 48% of them (roseFirst), as the symmetry s → 1 − s makes it half the tasks at any K: the first claim needs the margin reading, the next preset.',
    // Under a minute on SwiftShader.
    config: { ...THEOREM_5_6, lr: 10, successBeta: { alpha: 1, beta: 1 }, steps: 300 },
  },
  {
    id: 'rlif-theorem-5-6-margin',
    name: 'Theorem 5.6, both claims: the margin reading, 1,000 patterns',
    claim:
      'The same setting with success rates uniform on [0, 1] plus a small margin towards the correct answer (successTilt 0.1, density ∝ e^(0.1 s)): accuracy rose after the first step for 68.8% of the 256 tasks (roseFirst; towards 1 as the patterns grow, 0.93 at 10,000: sweep preset rlif-margin), and still 46.5% end on their worst pattern (convergedWorst, about 1/2): both claims of Theorem 5.6 at once. 26.2% rose first, then fell below their start (roseThenFell).',
    // lr = K / 10 keeps the first step well above improvedFrac's 1e-6 margin (docs/model.md §6.4).
    config: { ...THEOREM_5_6, lr: 100, successTilt: 0.1, steps: 100 },
  },
  {
    id: 'rlif-self-certainty',
    name: 'RLIF, the paper’s reward: no fall',
    claim:
      'Three patterns, one confidently wrong, under the paper’s self-certainty reward (how far a pattern’s answers are from uniform): the confidently right pattern is the most self-certain, so accuracy climbs from 0.66 to 0.90 (0.89 by step 24) and never falls, unlike the same run under the extension below.',
    config: { ...RLIF, reward: 'rlif-self-certainty' },
  },
  {
    id: 'rlif-collapse',
    name: 'RLIF extension (answer probability): rise, then fall',
    claim:
      'Rewarding the probability of its own answer (an extension, not the paper’s reward) favours a confidently wrong pattern: accuracy rises 0.62 → 0.90 (step 1,600), then falls to 0.05, while the reward keeps rising 0.60 → 0.89.',
    config: { ...RLIF, reward: 'rlif-certainty' },
  },
  {
    id: 'noisy-informative',
    name: 'Noisy verifier, TPR > FPR (extension)',
    claim: 'A verifier that is wrong 20% of the time (TPR 0.8, FPR 0.2) still rewards correct answers more often: accuracy climbs from 0.53 to 0.89.',
    config: { ...NOISY, tpr: 0.8, fpr: 0.2 },
  },
  {
    id: 'noisy-inverted',
    name: 'Noisy verifier, TPR < FPR (extension)',
    claim: 'A verifier that rewards wrong answers more often (TPR 0.2, FPR 0.8) drives accuracy from 0.52 down towards the worst pattern’s 0.3 while the reward rises.',
    config: { ...NOISY, tpr: 0.2, fpr: 0.8 },
  },
  {
    id: 'tokens-weak-start',
    name: 'Tokens vs patterns: the weak start as a token tree (extension)',
    claim:
      'The plateau preset’s start (1% on the best pattern) as a tree of 2 forks with 2 choices: the best pattern shares its first fork with the second-best, which takes the mass first (0.81 at step 89), and 0.9 best-pattern mass comes at step 179 instead of the flat policy’s 1,912.',
    // docs/model.md §9: the hierarchical softmax moves the pattern distribution along another path.
    config: { ...FLOW, tasks: 16, init: WEAK_INIT, steps: 600, policy: 'tokens', forks: 2, branching: 2, length: 4, vocab: 1 },
  },
  {
    id: 'critical-tokens',
    name: 'Critical tokens: a token tree in expected mode (extension)',
    claim:
      'Responses of 40 tokens whose 2 forks pick one of 16 patterns: in expected mode only the forks move, so all of the KL lies on them and no filler changes rank, while the rank change ratio rises to 2.9% of positions (under c/L = 5%) and accuracy from 0.47 to 0.86 by step 200.',
    // docs/model.md §9. A start without ties at the forks (init ∝ 0.8^k), so that a rank change is a real reordering.
    config: {
      policy: 'tokens',
      tasks: 8,
      estimator: 'expected',
      lr: 0.5,
      successBeta: { alpha: 1, beta: 1 },
      init: TREE_INIT,
      steps: 200,
    },
  },
  {
    id: 'ranking-rlvr',
    name: 'Ranking change under RLVR (GRPO, token tree; extension)',
    claim:
      'The share of positions whose token changed rank grows over training, 1.0% → 8.1% → 14.2% at steps 20, 60, 100 (the paper’s GSM8K RLVR: 5.2% → 6.6% → 7.3%), mostly fillers reordered by sampling noise; 57% of the KL lies on the 2 forks.',
    config: RANKING,
  },
  {
    id: 'ranking-rlif',
    name: 'Ranking change under RLIF (GRPO, token tree; extension)',
    claim:
      'The same tree under the self-certainty reward: 1.9% → 9.9% → 16.4% at steps 20, 60, 100, above RLVR’s at every step as in the paper’s table (GSM8K RLIF: 6.8% → 8.9% → 10.1%), with 79% of the KL on the forks.',
    config: { ...RANKING, reward: 'rlif-self-certainty' },
  },
];

export const DEFAULT_PRESET = PRESETS[0];
