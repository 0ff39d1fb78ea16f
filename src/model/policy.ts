// The policy at the start of RL, pi_ref (docs/model.md §2, §4): the initial logits log(pi0),
// then the SFT steps, in float64. The float64 reference starts from it and the model report
// (§5b) classifies every task by it.
import type { Config } from './config';

/** log-softmax with the maximum subtracted first; finite for any finite logits. */
export function logSoftmax(x: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < x.length; k++) max = Math.max(max, x[k]);
  let z = 0;
  for (let k = 0; k < x.length; k++) z += Math.exp(x[k] - max);
  const lz = max + Math.log(z);
  return Float64Array.from(x, (v) => v - lz);
}

export const softmax = (x: ArrayLike<number>): Float64Array => logSoftmax(x).map(Math.exp);

/** The logits of pi_ref: log(init), then `sft.steps` cross-entropy steps theta += lr (target - pi). */
export function initialLogits(cfg: Pick<Config, 'init' | 'sft'>): Float64Array {
  const theta = Float64Array.from(cfg.init, Math.log);
  if (cfg.sft) {
    for (let n = 0; n < cfg.sft.steps; n++) {
      const pi = softmax(theta);
      for (let k = 0; k < theta.length; k++) theta[k] += cfg.sft.lr * (cfg.sft.target[k] - pi[k]);
    }
  }
  return theta;
}

/** Index drawn by inverse CDF; a u past the rounded total falls on the last index of nonzero mass. */
export function sampleIndex(p: ArrayLike<number>, u: number): number {
  let c = 0;
  let last = 0;
  for (let j = 0; j < p.length; j++) {
    if (p[j] > 0) last = j;
    c += p[j];
    if (u < c) return j;
  }
  return last;
}
