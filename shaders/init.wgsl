// Initial state (docs/model.md §2): theta = log pi0 for every row, trainable answer logits
// phi = log P(a | q_i, k) (floored so a zero probability gives a finite logit), then SFT, then
// each task's accuracy at the start of RL. Every kernel shape runs these: they stream over the
// rows in storage (a token tree's: shaders/tree-rows.wgsl).

@compute @workgroup_size(WG)
fn initState(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  if (!enterTask(i)) { return; }
  if (TREE) {
    initTree(i);
    return;
  }
  if (!SHARED || i == 0u) {
    for (var k = 0u; k < K; k++) { theta[i * K + k] = table(TABLE_INIT_OFF + k); }
  }
  if (i == co.start) { copyToRef(i); }
  if (TRAINABLE) {
    for (var k = 0u; k < K; k++) {
      let s = rateOf(i, k);
      for (var a = 0u; a < A; a++) { phi[(i * K + k) * A + a] = log(max(frozenAnswerProb(s, k, a), PHI_FLOOR)); }
    }
  }
}

// pi_ref, the policy at the start of RL, is every row's: the cohort's first task's row i is copied to refRow.
fn copyToRef(i: u32) {
  for (var k = 0u; k < K; k++) { theta[refRow() * K + k] = theta[i * K + k]; }
}

// SFT before RL (docs/model.md §4): co.sftSteps steps of theta += lr (target - pi) on every logit row.
@compute @workgroup_size(WG)
fn sft(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  if (!enterTask(i) || (SHARED && i > 0u)) { return; }
  for (var n = 0u; n < co.sftSteps; n++) {
    let lz = logNorm(i);
    for (var k = 0u; k < K; k++) {
      let x = theta[i * K + k];
      theta[i * K + k] = x + co.sftLr * (table(TABLE_SFT_OFF + k) - exp(x - lz));
    }
  }
  if (i == co.start) { copyToRef(i); }
}

// Each task's accuracy at the start of RL (after SFT), which improvedFrac compares with
// (docs/model.md §5). Taken from policyMetrics itself, so that a task whose policy never moves
// compares equal.
@compute @workgroup_size(WG)
fn startAccuracy(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  if (!enterTask(i)) { return; }
  var out: array<f32, M>;
  storedPolicyMetrics(i, select(i, 0u, SHARED), &out, false);
  scratch[knobs.startAccOff + i] = out[M_ACCURACY];
}
