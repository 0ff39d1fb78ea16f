// Sweeps that reproduce the paper's figures (docs/model.md §6), runnable as
// `patternflow sweep --preset NAME`. Each is small enough for a few minutes on a CPU fallback
// adapter; the numbers to read are named in `shows`.
import type { SpecInput } from './spec';

export interface Preset {
  /** What it shows, and which summary columns to read. */
  shows: string;
  spec: SpecInput;
}

/**
 * K of the RLIF preset. The paper simulates |R| = 10^3 and 10^4 patterns; `patterns` stops at 32
 * until larger K lands: extend this list then. Each K is zipped with K-vectors of Beta(1, 1)
 * rates; once successBeta takes one number, a plain `patterns` axis will do.
 */
export const RLIF_PATTERNS = [2, 4, 8, 16, 32];

/** s[i,k] ~ Beta(1, 1) = U[0, 1] for K patterns, as in Theorem 5.6's setting. */
const uniformRates = (K: number) => ({ alpha: Array<number>(K).fill(1), beta: Array<number>(K).fill(1) });

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
      "Theorem 5.6: self-certainty RLIF in the paper's setting (A = 2, s ~ U[0, 1], uniform start) sends each task to its most " +
      'self-certain pattern, its worst one about half the time: finalReward rises towards 1 while finalBestMass and finalConverged ' +
      "(tasks on their best pattern) stay near 0.5 at every K. The reward is rlif-certainty, which for A = 2 ranks patterns as the paper's " +
      'self-certainty does (both by |s - 1/2|)',
    spec: {
      base: { reward: 'rlif-certainty', answers: 2, estimator: 'expected', tasks: 500, lr: 2, steps: 2000 },
      axes: { 'patterns,successBeta': RLIF_PATTERNS.map((K) => [K, uniformRates(K)]) },
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
};

export const PRESET_NAMES = Object.keys(PRESETS);
