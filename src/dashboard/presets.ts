// One-click runs reproducing MODEL.md §6. Each sentence states what the run shows; the numbers
// in it were measured with `npx patternflow run` (SwiftShader) and are asserted by e2e/presets.spec.ts.
import type { ConfigInput } from '../model/config';

export interface Preset {
  id: string;
  name: string;
  /** What the run shows, in one sentence. */
  claim: string;
  config: ConfigInput;
}

// The paper's gradient-flow example (§6.2): s = [0.9, 0.5, 0.4, 0.3], exact expected gradient, lr 0.5.
// Every task is identical in expected mode, so few tasks suffice.
const FLOW: ConfigInput = { tasks: 256, estimator: 'expected', lr: 0.5, successRates: [0.9, 0.5, 0.4, 0.3] };
const WEAK_INIT = [0.01, 0.33, 0.33, 0.33];
// A sampled GRPO run (1024 tasks x 8 rollouts) behind a noisy verifier.
const NOISY: ConfigInput = { tasks: 1024, group: 8, estimator: 'grpo', lr: 0.1, successRates: [0.9, 0.5, 0.4, 0.3], steps: 1000 };

export const PRESETS: readonly Preset[] = [
  {
    id: 'rlvr-strong',
    name: 'RLVR, strong start',
    claim: 'Half the mass on the best pattern: accuracy climbs monotonically from 0.66 to the best success rate 0.9, with 0.9 best-pattern mass by step 40.',
    config: { ...FLOW, init: [0.5, 0.1666667, 0.1666667, 0.1666666], steps: 300 },
  },
  {
    id: 'rlvr-weak',
    name: 'RLVR, weak start (plateau)',
    claim: 'With 1% on the best pattern, the second-best pattern first takes the mass and accuracy stalls near 0.5; 0.9 best-pattern mass takes 1,912 steps.',
    config: { ...FLOW, init: WEAK_INIT, steps: 3000 },
  },
  {
    id: 'sft-then-rlvr',
    name: 'Weak start, SFT first',
    claim: 'Ten SFT steps towards the best pattern before RLVR remove the plateau: 0.9 best-pattern mass at step 33 instead of 1,912.',
    config: { ...FLOW, init: WEAK_INIT, steps: 3000, sft: { steps: 10, lr: 0.5, target: [1, 0, 0, 0] } },
  },
  {
    id: 'rlif-collapse',
    name: 'RLIF: rise, then fall',
    claim: 'Rewarding self-certainty favours a confidently wrong pattern: accuracy rises 0.62 → 0.90 (step 1,600), then falls to 0.05, while the reward keeps rising 0.60 → 0.89.',
    config: {
      tasks: 64,
      estimator: 'expected',
      reward: 'rlif-certainty',
      lr: 1,
      patterns: 3,
      answers: 8,
      wrongDecay: 0.01,
      successRates: [0.9, 0.05, 0.5],
      init: [0.3, 0.02, 0.68],
      steps: 10000,
    },
  },
  {
    id: 'noisy-informative',
    name: 'Noisy verifier, TPR > FPR',
    claim: 'A verifier that is wrong 20% of the time (TPR 0.8, FPR 0.2) still rewards correct answers more often: accuracy climbs from 0.53 to 0.89.',
    config: { ...NOISY, tpr: 0.8, fpr: 0.2 },
  },
  {
    id: 'noisy-inverted',
    name: 'Noisy verifier, TPR < FPR',
    claim: 'A verifier that rewards wrong answers more often (TPR 0.2, FPR 0.8) drives accuracy from 0.52 down towards the worst pattern’s 0.3 while the reward rises.',
    config: { ...NOISY, tpr: 0.2, fpr: 0.8 },
  },
];

export const DEFAULT_PRESET = PRESETS[0];
