// Initial state (MODEL.md §2): theta = log pi0 for every row, trainable answer logits
// phi = log P(a | q_i, k) (floored so a zero probability gives a finite logit), then SFT.

@compute @workgroup_size(WG)
fn initState(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  if (i >= knobs.nTasks) { return; }
  if (!SHARED || i == 0u) {
    for (var k = 0u; k < K; k++) { theta[i * K + k] = tables[TABLE_INIT_OFF + k]; }
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
    for (var k = 0u; k < K; k++) { th[k] += knobs.sftLr * (tables[TABLE_SFT_OFF + k] - exp(lp[k])); }
  }
  for (var k = 0u; k < K; k++) { theta[i * K + k] = th[k]; }
}
