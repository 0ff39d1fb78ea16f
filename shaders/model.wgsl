// The pattern-selection model of docs/model.md §1–§3 for one task and pattern: answer
// distributions, rewards, the optimizer. Both kernel shapes call these; the per-vector functions
// are in shaders/vectors.wgsl (registers) and shaders/stream.wgsl (storage). Each function
// mirrors one in src/reference/reference.ts. The ids a switch names (REWARD_*, EST_*, SCALE_*,
// OPT_*) come from the header: each names its every case, and a `default` (which WGSL requires)
// shares a named case's clause.

fn rateOf(i: u32, k: u32) -> f32 {
  if (PER_TASK_RATES) { return rates[i * K + k]; }
  return rates[k];
}

// Log normaliser of the answer logits of task i, pattern k (trainable answers).
fn answerLogNorm(i: u32, k: u32) -> f32 {
  let base = (i * K + k) * A;
  var mx = phi[base];
  for (var a = 1u; a < A; a++) { mx = max(mx, phi[base + a]); }
  var z = 0.0;
  for (var a = 0u; a < A; a++) { z += exp(phi[base + a] - mx); }
  return mx + log(z);
}

// What a pattern's answer distribution needs: its success rate s, and (trainable) the log normaliser.
struct PatternAnswers {
  s: f32,
  lse: f32,
}

fn patternAnswers(i: u32, k: u32) -> PatternAnswers {
  if (TRAINABLE) {
    let lse = answerLogNorm(i, k);
    return PatternAnswers(exp(phi[(i * K + k) * A] - lse), lse);
  }
  return PatternAnswers(rateOf(i, k), 0.0);
}

// P(a | q_i, k) of frozen answers with success rate s: the wrong mass spread by the weights w.
fn frozenAnswerProb(s: f32, k: u32, a: u32) -> f32 {
  if (a == 0u) { return s; }
  if (A == 2u) { return 1.0 - s; } // the one wrong answer's weight is 1: no table read (lavapipe reads it lane by lane)
  return (1.0 - s) * table(TABLE_WRONG_OFF + k * (A - 1u) + a - 1u);
}

// P(a | q_i, k).
fn answerProb(i: u32, k: u32, pa: PatternAnswers, a: u32) -> f32 {
  if (TRAINABLE) { return exp(phi[(i * K + k) * A + a] - pa.lse); }
  return frozenAnswerProb(pa.s, k, a);
}

// Frozen answers with at most UNIFORM_WEIGHTS (pattern, wrong answer) weights: a drawn pattern's
// weights are read by select from all of them (drawnAnswerProb).
const WEIGHTS_BY_SELECT = !TRAINABLE && K * (A - 1u) <= UNIFORM_WEIGHTS;

// P(a | q_i, k) for a pattern k drawn per lane. With WEIGHTS_BY_SELECT every pattern's weight is
// read at a constant offset and k's kept by select: lavapipe loads those once for all lanes, where
// an offset built from the drawn k is loaded lane by lane (a third of a GRPO step). The same
// product as answerProb's: the same bits. (A = 2 reads no weight at all: frozenAnswerProb.)
fn drawnAnswerProb(i: u32, k: u32, pa: PatternAnswers, a: u32) -> f32 {
  if (!WEIGHTS_BY_SELECT || A == 2u || a == 0u) { return answerProb(i, k, pa, a); }
  var w = 0.0;
  for (var j = 0u; j < K; j++) { w = select(w, table(TABLE_WRONG_OFF + j * (A - 1u) + a - 1u), j == k); }
  return (1.0 - pa.s) * w;
}

// Inverse-CDF draw; a u past the rounded total falls on the last index of nonzero mass. With
// WEIGHTS_BY_SELECT the loop runs to A without an early exit, so that the weights' offsets stay
// constants once unrolled.
fn sampleAnswer(i: u32, k: u32, pa: PatternAnswers, u: f32) -> u32 {
  var c = 0.0;
  var last = 0u;
  var drawn = A;
  for (var a = 0u; a < A; a++) {
    let p = drawnAnswerProb(i, k, pa, a);
    if (p > 0.0) { last = a; }
    c += p;
    if (drawn == A && u < c) {
      drawn = a;
      if (!WEIGHTS_BY_SELECT) { break; }
    }
  }
  return select(last, drawn, drawn < A);
}

fn xlogx(p: f32) -> f32 {
  return select(0.0, p * log(p), p > 0.0);
}

// Entropy of P(. | q_i, k); frozen answers use H = h(s) + (1 - s) H(w).
fn answerEntropy(i: u32, k: u32, pa: PatternAnswers) -> f32 {
  if (TRAINABLE) {
    var h = 0.0;
    for (var a = 0u; a < A; a++) { h -= xlogx(answerProb(i, k, pa, a)); }
    return h;
  }
  return -xlogx(pa.s) - xlogx(1.0 - pa.s) + (1.0 - pa.s) * table(TABLE_ENTROPY_OFF + k);
}

// sum_a P(a | q_i, k)^2; frozen answers use s^2 + (1 - s)^2 sum_j w_j^2.
fn answerSquareSum(i: u32, k: u32, pa: PatternAnswers) -> f32 {
  if (TRAINABLE) {
    var q = 0.0;
    for (var a = 0u; a < A; a++) { let p = answerProb(i, k, pa, a); q += p * p; }
    return q;
  }
  return pa.s * pa.s + (1.0 - pa.s) * (1.0 - pa.s) * table(TABLE_SQSUM_OFF + k);
}

// The self-certainty KL(U_A || P(. | q_i, k)) = -log A - (1/A) sum_a log P(a | q_i, k), from
// logarithms. Frozen answers: the sum is log s + (A - 1) log(1 - s) + sum_j log w_j, the last a
// table (d^(j-1) itself underflows), with s and 1 - s floored at PHI_FLOOR so that a zero
// probability gives a finite reward. Trainable answers: log P(a) = phi_a - lse.
fn selfCertainty(i: u32, k: u32, pa: PatternAnswers) -> f32 {
  if (TRAINABLE) {
    let base = (i * K + k) * A;
    var sum = 0.0;
    for (var a = 0u; a < A; a++) { sum += phi[base + a]; }
    return pa.lse - sum / f32(A) - log(f32(A));
  }
  let logSum = log(max(pa.s, PHI_FLOOR)) + f32(A - 1u) * log(max(1.0 - pa.s, PHI_FLOOR)) + table(TABLE_LOGSUM_OFF + k);
  return -log(f32(A)) - logSum / f32(A);
}

// Reward of answer a under pattern k, averaged over the verifier's noise for RLVR.
fn answerReward(i: u32, k: u32, pa: PatternAnswers, a: u32, majority: u32) -> f32 {
  switch REWARD {
    case REWARD_RLVR: { return select(co.fpr, co.tpr, a == 0u); }
    case REWARD_RLIF_SELF_CERTAINTY: { return selfCertainty(i, k, pa); }
    case REWARD_RLIF_CERTAINTY: { return answerProb(i, k, pa, a); }
    case REWARD_RLIF_ENTROPY: { return -answerEntropy(i, k, pa) / log(f32(A)); }
    case REWARD_RLIF_MAJORITY, default: { return select(0.0, 1.0, a == majority); }
  }
}

// The pattern's expected reward r_k = sum_a P(a|k) R(k, a).
fn patternReward(i: u32, k: u32, pa: PatternAnswers, majority: u32) -> f32 {
  switch REWARD {
    case REWARD_RLVR: { return co.tpr * pa.s + co.fpr * (1.0 - pa.s); }
    case REWARD_RLIF_SELF_CERTAINTY: { return selfCertainty(i, k, pa); }
    case REWARD_RLIF_CERTAINTY: { return answerSquareSum(i, k, pa); }
    case REWARD_RLIF_ENTROPY: { return -answerEntropy(i, k, pa) / log(f32(A)); }
    case REWARD_RLIF_MAJORITY, default: { return answerProb(i, k, pa, majority); }
  }
}

// x += lr * step for gradient ascent; Adam updates its moments m, v (the caller keeps them in opt).
fn optimizerStep(x: f32, grad: f32, m: ptr<function, f32>, v: ptr<function, f32>, t: u32) -> f32 {
  switch OPTIMIZER {
    case OPT_SGD: { return x + co.lr * grad; }
    case OPT_ADAM, default: {
      *m = ADAM_B1 * *m + (1.0 - ADAM_B1) * grad;
      *v = ADAM_B2 * *v + (1.0 - ADAM_B2) * grad * grad;
      let mHat = *m / (1.0 - pow(ADAM_B1, f32(t)));
      let vHat = *v / (1.0 - pow(ADAM_B2, f32(t)));
      return x + co.lr * mHat / (sqrt(vHat) + ADAM_EPS);
    }
  }
}
