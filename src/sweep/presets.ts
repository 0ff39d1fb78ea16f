// Sweeps that reproduce the paper's figures (docs/model.md §6), runnable as
// `patternflow sweep --preset NAME`. Each is small enough for a few minutes on a CPU fallback
// adapter; the numbers to read are named in `shows`.
import type { SpecInput } from './spec';

export interface Preset {
  /** What it shows, and which summary columns to read. */
  shows: string;
  spec: SpecInput;
}

/** K of the RLIF preset: the paper simulates |R| = 10^3 and 10^4 patterns. */
export const RLIF_PATTERNS = [10, 100, 1000, 10000];

export const PRESETS: Record<string, Preset> = {
  'two-regimes': {
    shows:
      'Theorems 5.3 and 5.4: stepsToBest90 grows steeply as initBest shrinks, most where regimeTwo > 0 ' +
      '(initBest < 0.2 here, where pattern 2 beats the base accuracy 0.4 + 0.5 initBest); faster with lr',
    spec: {
      base: { estimator: 'expected', successRates: [0.9, 0.5, 0.4, 0.3], steps: 4000, tasks: 1 },
      axes: { initBest: { logspace: [0.01, 0.5, 8] }, lr: [0.25, 0.5, 1] },
      logSteps: 'log',
    },
  },
  'noisy-verifier': {
    shows:
      'a noisy verifier (GRPO): finalAccuracy rises above the initial 0.5 where tprMinusFpr > 0 and falls ' +
      'towards the worst pattern where it is < 0, at any tprPlusFpr',
    spec: {
      base: { tasks: 256, group: 8, estimator: 'grpo', lr: 0.1, steps: 300 },
      axes: { tprMinusFpr: { linspace: [-0.6, 0.6, 7] }, tprPlusFpr: [0.6, 1, 1.4] },
      logEvery: 10,
    },
  },
  'rlif-collapse': {
    shows:
      "Theorem 5.6: the paper's self-certainty RLIF in its setting (A = 2, s ~ U[0, 1], uniform start) sends each task to its most " +
      'self-certain pattern, the one whose success rate is farthest from 1/2, which is its worst one about half the time: ' +
      'finalConvergedWorst near 0.5 at every K (within 3 standard errors, 3 sqrt(0.25 / 32) = 0.27)',
    spec: {
      base: { reward: 'rlif-self-certainty', answers: 2, estimator: 'expected', successBeta: { alpha: 1, beta: 1 }, tasks: 32, lr: 10, steps: 300 },
      axes: { patterns: RLIF_PATTERNS },
      logSteps: 'log',
    },
  },
  'rlif-margin': {
    shows:
      "Theorem 5.6, both claims, under the margin reading (docs/model.md §6.4): self-certainty RLIF (A = 2, uniform start, expected " +
      'mode) on success rates drawn from the tilted uniform law. With successTilt 0.1, roseFirst (the tasks whose accuracy rose at ' +
      'step 1) climbs towards 1 with K (about 0.57, 0.68, 0.93 at K = 10^2, 10^3, 10^4); with successTilt 0 (U[0, 1], the literal ' +
      'reading) it stays near 1/2. finalConvergedWorst stays near 1/2 in both, and finalRoseThenFell counts the tasks that rose ' +
      'first and ended below their start. lr = K / 10 keeps the first step the same size at every K (3 standard errors: 3 sqrt(0.25 / 256) = 0.09)',
    spec: {
      base: { reward: 'rlif-self-certainty', answers: 2, estimator: 'expected', klCoef: 0, policy: 'tabular', tasks: 256, steps: 100 },
      axes: {
        'patterns,lr': [
          [100, 10],
          [1000, 100],
          [10000, 1000],
        ],
        successTilt: [0, 0.1],
      },
      logSteps: 'log',
    },
  },
  'entanglement': {
    shows:
      "Theorem 5.4's entanglement phase: medianT0 (the first step at which the accuracy reaches the rival pattern's success rate 0.7) " +
      "grows with gamma = sum_{r != r'} pi_r / pi_r* as a power of gamma (about gamma^3 here, far below the paper's bound gamma^(C gamma)), " +
      'and like 1 / lr; stepsToBest99, stepsToBest999 and stepsToBest9999 show T1 = O(1 / epsilon) after it',
    spec: {
      base: { estimator: 'expected', successRates: [0.9, 0.7, 0.2, 0.1], init: [0.05, 0.7, 0.125, 0.125], tasks: 1, steps: 50000 },
      axes: { gamma: { logspace: [2, 16, 7] }, lr: [0.5, 1, 2] },
      logSteps: 'log',
    },
  },
  'kl-optimum': {
    shows:
      "Proposition 5.2: with KL coefficient beta, finalBestMass converges to the closed form pi*_best = e^(0.9/beta) / sum_k e^(s_k/beta) " +
      '(uniform pi_ref; within 1e-5 here), and towards 1 as beta shrinks',
    spec: {
      base: { estimator: 'expected', successRates: [0.9, 0.5, 0.4, 0.3], lr: 1, steps: 12000, tasks: 1 },
      axes: { klCoef: { logspace: [0.1, 1, 8] } },
      logSteps: 'log',
    },
  },
  'critical-tokens': {
    shows:
      'docs/model.md §9, token trees under GRPO: sampling noise alone reorders the fillers, so ' +
      'finalFillerRankChange grows with lr and falls as group grows, while finalCriticalShare (the KL on the forks) rises with group',
    spec: {
      base: { policy: 'tokens', tasks: 256, estimator: 'grpo', fillerDecay: 0.8, successBeta: { alpha: 1, beta: 1 }, answers: 2, steps: 100 },
      axes: { lr: [0.05, 0.2, 0.4], group: [4, 16] },
      logEvery: 10,
    },
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);
