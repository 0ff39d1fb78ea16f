// The register shape's per-vector functions (K <= 32): a task's K-vectors are function-scope
// arrays, which WGSL bounds at 8,192 bytes per entry point. The storage shape streams over
// storage instead (shaders/stream.wgsl).

// log softmax with the row maximum subtracted first; finite for any finite logits.
fn logSoftmax(x: ptr<function, array<f32, K>>, out: ptr<function, array<f32, K>>) {
  var mx = (*x)[0];
  for (var k = 1u; k < K; k++) { mx = max(mx, (*x)[k]); }
  var z = 0.0;
  for (var k = 0u; k < K; k++) { z += exp((*x)[k] - mx); }
  let lz = mx + log(z);
  for (var k = 0u; k < K; k++) { (*out)[k] = (*x)[k] - lz; }
}

// Inverse-CDF draw; a u past the rounded total falls on the last index of nonzero mass.
fn samplePattern(pi: ptr<function, array<f32, K>>, u: f32) -> u32 {
  var c = 0.0;
  var last = 0u;
  for (var k = 0u; k < K; k++) {
    let p = (*pi)[k];
    if (p > 0.0) { last = k; }
    c += p;
    if (u < c) { return k; }
  }
  return last;
}

fn refLogProbs(out: ptr<function, array<f32, K>>) {
  var r: array<f32, K>;
  for (var k = 0u; k < K; k++) { r[k] = logit(refRow(), k); }
  logSoftmax(&r, out);
}

// Adds -beta dKL(pi||pi_ref)/dtheta + c dH/dtheta (both exact) to grad.
fn addRegularisers(lp: ptr<function, array<f32, K>>, grad: ptr<function, array<f32, K>>) {
  if (!regularised()) { return; }
  var lref: array<f32, K>;
  refLogProbs(&lref);
  var kl = 0.0;
  var h = 0.0;
  for (var k = 0u; k < K; k++) {
    let p = exp((*lp)[k]);
    kl += p * ((*lp)[k] - lref[k]);
    h -= p * (*lp)[k];
  }
  for (var k = 0u; k < K; k++) { (*grad)[k] += regulariserGrad((*lp)[k], lref[k], kl, h); }
}
