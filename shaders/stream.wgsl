// The storage shape's per-vector functions (K > 32; the token tree's pattern rows too): a task's K-vectors stay in storage, and each
// per-vector quantity is one pass over them in pattern order, summed in the order of the register
// shape's functions (shaders/vectors.wgsl), so the two shapes compute the same numbers up to the
// log normaliser's rounding. A row's log-probabilities are logit(row, k) - lz, with lz =
// logNorm(row) (shaders/rows.wgsl), or the running log-sum-exp of the step that wrote the row.

// Draws the patterns of task i's group at step t by inverse CDF in one pass over the policy. The
// draws are taken in increasing order of their uniform, so one running sum serves them all: it is
// samplePattern's (by blocks above SUM_BLOCK patterns), and each draw lands on the pattern
// samplePattern would give it (a u past the rounded total on the last pattern of nonzero mass).
fn drawPatterns(i: u32, t: u32, row: u32, lz: f32, kg: ptr<function, array<u32, G>>) {
  var u: array<f32, G>;
  var order: array<u32, G>; // draws by increasing u (insertion sort: G is small next to K)
  for (var g = 0u; g < G; g++) {
    u[g] = rolloutUniforms(t, i, g).x;
    var j = g;
    for (; j > 0u && u[order[j - 1u]] > u[g]; j--) { order[j] = order[j - 1u]; }
    order[j] = g;
  }
  var cdf = Sum(0.0, 0.0);
  var last = 0u;
  var next = 0u;
  for (var k = 0u; k < K && next < G; k++) {
    let p = exp(logit(row, k) - lz);
    if (p > 0.0) { last = k; }
    addTerm(&cdf, k, p);
    let c = total(cdf);
    for (; next < G && u[order[next]] < c; next++) { (*kg)[order[next]] = k; }
  }
  for (; next < G; next++) { (*kg)[order[next]] = last; }
}

// Draws the group of task i at step t from row `row`. Fills patterns, answers and rewards; returns
// the majority answer.
fn drawGroup(i: u32, t: u32, row: u32, lz: f32, kg: ptr<function, array<u32, G>>, ag: ptr<function, array<u32, G>>,
             rg: ptr<function, array<f32, G>>) -> u32 {
  drawPatterns(i, t, row, lz, kg);
  return answerGroup(i, t, kg, ag, rg);
}

// The group's indices ordered by pattern, then by g (a stable insertion sort): one pass over the
// patterns meets each pattern's rollouts together and sums them in g order, as the register shape does.
fn byPattern(kg: ptr<function, array<u32, G>>, order: ptr<function, array<u32, G>>) {
  for (var g = 0u; g < G; g++) {
    var j = g;
    for (; j > 0u && (*kg)[(*order)[j - 1u]] > (*kg)[g]; j--) { (*order)[j] = (*order)[j - 1u]; }
    (*order)[j] = g;
  }
}

// The expected gradient's sums over the patterns of task i.
struct ExpectedSums {
  J: f32,         // sum_k pi_k r_k
  majority: u32,  // the mode of the marginal answer distribution: the G -> infinity limit of the group's majority
}

// ExpectedSums' running sums, added pattern by pattern (addExpected): by expectedSums' own pass, or
// by the pass that writes a step's metrics, for the step after it (taskStep), which reads the same
// probabilities of the same row.
struct ExpectedTerms {
  J: Sum,             // under the majority reward J needs the majority first: summed by finishExpected
  q: array<Sum, A>,   // the marginal answer distribution
}

// The majority is found only where it is read: by the majority reward, or (`full`) by the
// majorityCorrect metric.
fn wantsMajority(full: bool) -> bool {
  return full || REWARD == REWARD_RLIF_MAJORITY;
}

// Adds pattern k, of probability p and answers pa.
fn addExpected(e: ptr<function, ExpectedTerms>, i: u32, k: u32, p: f32, pa: PatternAnswers, full: bool) {
  // The loop's bound is the constant A, not a runtime count: unrolled, q stays in registers, where
  // a runtime bound costs lavapipe a third of the step at K = 1,000 (bench/RESULTS.md).
  let majority = wantsMajority(full);
  for (var a = 0u; a < A; a++) {
    if (majority) { addTerm(&(*e).q[a], k, p * answerProb(i, k, pa, a)); }
  }
  if (REWARD != REWARD_RLIF_MAJORITY) { addTerm(&(*e).J, k, p * patternReward(i, k, pa, 0u)); }
}

// ExpectedSums from the terms e of every pattern of row `row` (log normaliser lz); the majority
// reward's J takes a pass of its own, after the majority.
fn finishExpected(e: ExpectedTerms, i: u32, row: u32, lz: f32, full: bool) -> ExpectedSums {
  var majority = 0u;
  var best = -1.0;
  for (var a = 0u; a < A; a++) {
    let qa = total(e.q[a]);
    if (wantsMajority(full) && qa > best) { best = qa; majority = a; }
  }
  var J = e.J;
  if (REWARD == REWARD_RLIF_MAJORITY) {
    for (var k = 0u; k < K; k++) { addTerm(&J, k, exp(logit(row, k) - lz) * patternReward(i, k, patternAnswers(i, k), majority)); }
  }
  return ExpectedSums(total(J), majority);
}

fn expectedSums(i: u32, row: u32, lz: f32, full: bool) -> ExpectedSums {
  var e: ExpectedTerms;
  for (var k = 0u; k < K; k++) { addExpected(&e, i, k, exp(logit(row, k) - lz), patternAnswers(i, k), full); }
  return finishExpected(e, i, row, lz, full);
}

// KL(pi || pi_ref) (x) and H(pi) (y) of a row, for the regularisers' terms.
fn regulariserSums(row: u32, lz: f32, lzRef: f32) -> vec2f {
  var kl = Sum(0.0, 0.0);
  var h = Sum(0.0, 0.0);
  for (var k = 0u; k < K; k++) {
    let lp = logit(row, k) - lz;
    let p = exp(lp);
    addTerm(&kl, k, p * (lp - (logit(refRow(), k) - lzRef)));
    addTerm(&h, k, -(p * lp));
  }
  return vec2f(total(kl), total(h));
}

// Steps logit k of row `row`, of value x, along g plus the regularisers' term (sums reg); returns the new logit.
fn updateRowLogit(row: u32, k: u32, x: f32, g: f32, lz: f32, lzRef: f32, reg: vec2f, t: u32) -> f32 {
  var grad = g;
  if (regularised()) { grad += regulariserGrad(x - lz, logit(refRow(), k) - lzRef, reg.x, reg.y); }
  return updatePatternLogit(row * K + k, x, grad, t);
}

// The policy metrics of task i (docs/model.md §5) under row `row`, written into out (the event
// metrics alone unless `full`). Under the expected estimator, where the dispatch has a next step
// (withNext), the same pass adds that step's expected sums into next (logged: nextFull): one pass
// over the row fewer per fused step.
fn streamPolicyMetrics(i: u32, row: u32, lz: f32, lzRef: f32, out: ptr<function, array<f32, M>>, full: bool,
                       next: ptr<function, ExpectedTerms>, withNext: bool, nextFull: bool) {
  var sums = noPolicySums();
  var block = noPolicySums();
  for (var k = 0u; k < K; k++) {
    let lp = logit(row, k) - lz;
    let p = exp(lp);
    let pa = patternAnswers(i, k);
    addPattern(&block, k, lp, p, logit(refRow(), k) - lzRef, pa.s, out, full);
    if (ESTIMATOR == EST_EXPECTED && !SHARED && withNext) { addExpected(next, i, k, p, pa, nextFull); }
    if (endOfBlock(k)) {
      mergePolicySums(&sums, block);
      block = noPolicySums();
    }
  }
  mergePolicySums(&sums, block);
  finishPolicyMetrics(i, sums, out, full);
}

// The policy metrics of task i under the policy in theta's row `row` (shaders/metrics.wgsl).
fn storedPolicyMetrics(i: u32, row: u32, out: ptr<function, array<f32, M>>, full: bool) {
  var unused: ExpectedTerms;
  streamPolicyMetrics(i, row, logNorm(row), logNorm(refRow()), out, full, &unused, false, false);
}
