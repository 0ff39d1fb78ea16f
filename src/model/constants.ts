// Fixed numbers of the model, shared by the CPU reference and (through the generated WGSL header) the kernels.

/** Adam's moment decays and epsilon (standard values, not config fields). */
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;
/** GRPO divides by std + EPS_GRPO (docs/model.md §3). */
export const EPS_GRPO = 1e-6;
/**
 * Trainable answer logits start at log(max(P, PHI_FLOOR)), so a zero probability gives a finite
 * logit; the self-certainty reward floors s and 1 - s at it inside its logarithms for the same reason.
 */
export const PHI_FLOOR = 1e-30;
/** A task has converged when its best-pattern mass exceeds this; collapsed, when its worst-pattern mass does (docs/model.md §5). */
export const CONVERGED_MASS = 0.99;
/** The per-task event of sweeps (docs/model.md §8): the first step at which a task's own best-pattern mass reached this. */
export const TASK_EVENT_MASS = 0.9;
/** A recorded rollout is pattern | answer << RECORD_ANSWER_SHIFT: 16 bits hold any pattern index (K <= 16,384). */
export const RECORD_ANSWER_SHIFT = 16;
/**
 * A task has improved when its accuracy exceeds its accuracy at the start of RL by more than this
 * (docs/model.md §5): a policy moved only by rounding residue (a gradient that is zero in exact
 * arithmetic) does not count, in float32 or in float64.
 */
export const IMPROVED_MARGIN = 1e-6;
/**
 * Two tokens of a node whose logits differ by at most this are tied when ranking (docs/model.md §9):
 * tokens that exact arithmetic moves alike (the same probability, the same counts) stay tied in
 * float32 and float64 alike, whose roundings would otherwise break the tie in opposite ways and
 * count a rank change in one and not the other. Ties go to the smaller token index.
 */
export const RANK_TIE = 1e-5;
/**
 * A token tree node's sampled gradient C_v - pi(v|n) S (docs/model.md §9) within this fraction of
 * its two terms is exactly 0: the two cancel in exact arithmetic whenever pi(v|n) is a simple
 * fraction (a uniform init gives 1/b) and the counts match it, and the remainder, rounding alone
 * (1e-8 in float32, 1e-17 in float64), would otherwise become an Adam step of a good part of lr in
 * one precision and not the other.
 */
export const GRAD_CANCEL = 1e-6;
