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

// log sum_k exp(x_k) over a row's logits in pattern order, in one pass: the running maximum, and
// the blocked sum of exp(x - maximum), rescaled when the maximum rises. A step adds its new
// logits as it writes them (shaders/stream-step.wgsl), so its normaliser costs no pass of its own;
// logNorm adds a stored row in the same order, so both give the same bits and a run does not
// depend on where its dispatches start.
struct LogSum {
  mx: f32,
  z: Sum,
}

// Adds logit x of pattern k (k = 0 first). One exp: e^-|x - max| is the rescaling factor when
// the maximum rises to x, and x's own term otherwise.
fn addLogit(s: ptr<function, LogSum>, k: u32, x: f32) {
  if (k == 0u) { (*s).mx = x; }
  let d = x - (*s).mx;
  let e = exp(-abs(d));
  let rises = d > 0.0;
  let scale = select(1.0, e, rises);
  (*s).z.blocks *= scale;
  (*s).z.block *= scale;
  addTerm(&(*s).z, k, select(e, 1.0, rises));
  (*s).mx = max((*s).mx, x);
}

fn logSumOf(s: LogSum) -> f32 {
  return s.mx + log(total(s.z));
}

fn logNorm(row: u32) -> f32 {
  if (TREE) { return 0.0; } // a token tree's pattern rows are log-probabilities already
  var s = LogSum(0.0, Sum(0.0, 0.0));
  for (var k = 0u; k < K; k++) { addLogit(&s, k, logit(row, k)); }
  return logSumOf(s);
}
