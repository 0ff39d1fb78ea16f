// Rows of logits in theta, read in pattern order: the policy's rows (one per task, or the shared
// one), then pi_ref's (refRow, one per cohort). What every kernel that reads a policy from storage needs, in
// either shape, and the blocked sums over the patterns that keep its float32 sums accurate.

// pi_ref's row: one per cohort after the policy's rows.
fn refRow() -> u32 {
  return select(knobs.nTasks + co.index, 1u, SHARED);
}

fn logit(row: u32, k: u32) -> f32 {
  if (TREE) { return theta[knobs.patternOff + row * K + k]; } // log pi(k) (shaders/tree-rows.wgsl)
  return theta[row * K + k];
}

// A sum over the patterns, kept as the total of whole blocks of SUM_BLOCK terms plus the running
// sum of the current block. One running sum of 16,384 similar float32 terms drifts by ~1e-4
// relative; by blocks it stays near 1e-6. Up to SUM_BLOCK terms it is the plain running sum.
struct Sum {
  blocks: f32,
  block: f32,
}

fn endOfBlock(k: u32) -> bool {
  return k % SUM_BLOCK == SUM_BLOCK - 1u;
}

// Adds term x of pattern k; terms come in pattern order.
fn addTerm(s: ptr<function, Sum>, k: u32, x: f32) {
  (*s).block += x;
  if (endOfBlock(k)) {
    (*s).blocks += (*s).block;
    (*s).block = 0.0;
  }
}

fn total(s: Sum) -> f32 {
  return s.blocks + s.block;
}

// log sum_k exp(x_k) of a row whose maximum is mx: up to SUM_BLOCK patterns summed as
// logSoftmax sums them, so that x_k - logNormFrom(row, mx) is the log-probability the register
// shape computes.
fn logNormFrom(row: u32, mx: f32) -> f32 {
  var z = Sum(0.0, 0.0);
  for (var k = 0u; k < K; k++) { addTerm(&z, k, exp(logit(row, k) - mx)); }
  return mx + log(total(z));
}

fn logNorm(row: u32) -> f32 {
  if (TREE) { return 0.0; } // a token tree's pattern rows are log-probabilities already
  var mx = logit(row, 0u);
  for (var k = 1u; k < K; k++) { mx = max(mx, logit(row, k)); }
  return logNormFrom(row, mx);
}
