// Initial state (MODEL.md §2): theta = log pi0 for every row, trainable answer logits
// phi = log P(a | q_i, k) (floored so a zero probability gives a finite logit), then SFT, then
// each task's accuracy at the start of RL.

@compute @workgroup_size(WG)
fn initState(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  if (i >= knobs.nTasks) { return; }
  if (!SHARED || i == 0u) {
    for (var k = 0u; k < K; k++) { theta[i * K + k] = knobs.initLogits[k / 4u][k % 4u]; }
  }
  if (TRAINABLE) {
    for (var k = 0u; k < K; k++) {
      let s = rateOf(i, k);
      for (var a = 0u; a < A; a++) { phi[(i * K + k) * A + a] = log(max(frozenAnswerProb(s, k, a), PHI_FLOOR)); }
    }
  }
}

// SFT before RL (MODEL.md §4): knobs.sftSteps steps of theta += lr (target - pi) on every logit row.
@compute @workgroup_size(WG)
fn sft(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  if (i >= knobs.nTasks || (SHARED && i > 0u)) { return; }
  var th: array<f32, K>;
  var lp: array<f32, K>;
  for (var k = 0u; k < K; k++) { th[k] = theta[i * K + k]; }
  for (var n = 0u; n < knobs.sftSteps; n++) {
    logSoftmax(&th, &lp);
    for (var k = 0u; k < K; k++) { th[k] += knobs.sftLr * (knobs.sftTarget[k / 4u][k % 4u] - exp(lp[k])); }
  }
  for (var k = 0u; k < K; k++) { theta[i * K + k] = th[k]; }
}

// Each task's accuracy at the start of RL (after SFT), which improvedFrac compares with
// (docs/model.md §5). Taken from policyMetrics itself, so that a task whose policy never moves
// compares equal.
@compute @workgroup_size(WG)
fn startAccuracy(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  if (i >= knobs.nTasks) { return; }
  let row = select(i, 0u, SHARED);
  var th: array<f32, K>;
  var lp: array<f32, K>;
  for (var k = 0u; k < K; k++) { th[k] = theta[row * K + k]; }
  logSoftmax(&th, &lp);
  var out: array<f32, M>;
  policyMetrics(i, &lp, &out);
  scratch[knobs.startAccOff + i] = out[M_ACCURACY];
}
