// Rows of logits in storage, read in pattern order: row r of theta, or pi_ref's logits (REF_ROW)
// in scratch. What every kernel that reads a policy from storage needs, in either shape.

const REF_ROW = 0xffffffffu;

fn logit(row: u32, k: u32) -> f32 {
  if (row == REF_ROW) { return scratch[REF_OFF + k]; }
  return theta[row * K + k];
}

// log sum_k exp(x_k) of a row whose maximum is mx, summed as logSoftmax sums it, so that
// x_k - logNormFrom(row, mx) is the log-probability the register shape computes.
fn logNormFrom(row: u32, mx: f32) -> f32 {
  var z = 0.0;
  for (var k = 0u; k < K; k++) { z += exp(logit(row, k) - mx); }
  return mx + log(z);
}

fn logNorm(row: u32) -> f32 {
  var mx = logit(row, 0u);
  for (var k = 1u; k < K; k++) { mx = max(mx, logit(row, k)); }
  return logNormFrom(row, mx);
}
