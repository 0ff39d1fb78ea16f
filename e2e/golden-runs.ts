// The golden runs: small configs whose metric CSVs are committed, checked in Chromium
// (e2e/golden.spec.ts) and on the command line's adapter (test/golden.test.ts). One baseline per
// kind of adapter: a GPU, lavapipe and SwiftShader round exp and log differently, and a single
// flipped draw sends a sampled run elsewhere. None of lavapipe's is bit-identical to SwiftShader's:
// three agree within 1e-6, rlif-majority-shared differs by up to 1.9e-6 and rloo-trainable-adam
// (Adam, trainable answers) by up to 1.1e-5, so lavapipe has its own (e2e/golden/lavapipe/).
import type { ConfigInput } from '../src/model/config';

export const GOLDEN_TOLERANCE = 1e-6;

export const GOLDEN: Record<string, ConfigInput> = {
  'grpo-rlvr-tabular': { tasks: 128, steps: 100, successBeta: { alpha: [3, 1, 1, 1], beta: [1, 1, 2, 3] } },
  'rlif-majority-shared': { tasks: 128, steps: 100, policy: 'shared', reward: 'rlif-majority', answers: 5, wrongDecay: 0.2 },
  'expected-kl-sft': { tasks: 16, steps: 300, estimator: 'expected', klCoef: 0.1, entropyCoef: 0.01, lr: 0.5, sft: { steps: 10, lr: 0.5, target: [0.7, 0.1, 0.1, 0.1] } },
  'rloo-trainable-adam': { tasks: 64, steps: 100, estimator: 'rloo', answerMode: 'trainable', optimizer: 'adam', lr: 0.03, reward: 'rlif-certainty' },
  'grpo-batch-noisy': { tasks: 128, steps: 100, scale: 'batch', tpr: 0.9, fpr: 0.2, group: 16 },
};

/** Where an adapter kind's baselines live: SwiftShader's (the page's and Node's, byte-identical) at the top. */
export const goldenDir = (kind: 'gpu' | 'lavapipe' | 'swiftshader') => (kind === 'swiftshader' ? 'e2e/golden' : `e2e/golden/${kind}`);
