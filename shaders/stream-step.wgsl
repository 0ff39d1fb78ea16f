// One RL step for every task (docs/model.md §3–§5) in the storage shape (K > 32): one thread per
// task, as in the register shape (shaders/step.wgsl), streaming over the task's logits, Adam
// moments and success rates in storage. The tabular policy fuses params.nSteps steps per
// dispatch; under the shared policy each task leaves its gradient row in scratch for sharedUpdate.

// Step t of task i, whose logits are row `row` with log normaliser lz. Writes the step's metrics
// (the rollout statistics, and under the tabular policy the policy after the update; the event
// metrics alone unless `full`) and returns the row's new log normaliser. Under the expected
// estimator, *sums holds the step's expected sums and, under the tabular policy where the
// dispatch has a next step (withNext), receives that step's (logged: nextFull), summed in the pass
// that writes this step's metrics.
fn taskStep(i: u32, t: u32, row: u32, lz: f32, lzRef: f32, out: ptr<function, array<f32, M>>, full: bool,
            sums: ptr<function, ExpectedSums>, withNext: bool, nextFull: bool) -> f32 {
  var kg: array<u32, G>;
  var ag: array<u32, G>;
  var rg: array<f32, G>;
  var order: array<u32, G>;
  var factor = 0.0;
  let ex = *sums;
  if (ESTIMATOR == EST_EXPECTED) {
    if (full) { writeRolloutStats(RolloutStats(ex.J, 0.0, select(0.0, 1.0, ex.majority == 0u)), out); }
  } else {
    let majority = drawGroup(i, t, row, lz, &kg, &ag, &rg);
    let stats = centreGroup(&rg, majority, &factor);
    if (full) { writeRolloutStats(stats, out); }
    byPattern(&kg, &order);
  }
  var reg = vec2f(0.0);
  if (!SHARED && regularised()) { reg = regulariserSums(row, lz, lzRef); }

  // One pass: pattern k's gradient, then its answer logits (trainable), then its logit.
  var next = 0u; // position in order
  var newRow = LogSum(0.0, Sum(0.0, 0.0)); // the new logits' log normaliser, summed as they are written (rows.wgsl)
  for (var k = 0u; k < K; k++) {
    let x = logit(row, k);
    let p = exp(x - lz);
    let pa = patternAnswers(i, k); // before its answer logits move
    var g = 0.0;
    if (ESTIMATOR == EST_EXPECTED) {
      // dJ/dtheta_k = pi_k (r_k - J).
      let r = patternReward(i, k, pa, ex.majority);
      g = p * (r - ex.J);
      if (TRAINABLE) { expectedAnswerStep(i, k, p, pa, r, ex.majority, t); }
    } else {
      // grad_k = (1/G) sum_{g: k_g = k} Adv_g: the advantages sum to zero, so the pi_k term is dropped (step.wgsl).
      var perPattern = 0.0;
      for (; next < G && kg[order[next]] == k; next++) { perPattern += rg[order[next]]; }
      perPattern *= factor;
      g = perPattern / f32(G);
      if (TRAINABLE) { sampledAnswerStep(i, k, pa, perPattern, factor, &kg, &ag, &rg, t); }
    }
    if (SHARED) {
      scratch[GRADP_OFF + i * K + k] = g;
    } else {
      addLogit(&newRow, k, updateRowLogit(row, k, x, g, lz, lzRef, reg, t));
    }
  }
  if (SHARED) { return lz; }
  let lzNew = logSumOf(newRow);
  var terms: ExpectedTerms;
  streamPolicyMetrics(i, row, lzNew, lzRef, out, full, &terms, withNext, nextFull);
  if (ESTIMATOR == EST_EXPECTED && withNext) { *sums = finishExpected(terms, i, row, lzNew, nextFull); }
  return lzNew;
}

// The group of task i at step t under the policy in theta (shaders/batch.wgsl).
fn drawTaskGroup(i: u32, t: u32, kg: ptr<function, array<u32, G>>, ag: ptr<function, array<u32, G>>, rg: ptr<function, array<f32, G>>) -> u32 {
  let row = select(i, 0u, SHARED);
  return drawGroup(i, t, row, logNorm(row), kg, ag, rg);
}

@compute @workgroup_size(WG)
fn step(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  let w = workgroupIndex(wid, nwg);
  let valid = enterTask(i);
  let row = select(i, 0u, SHARED);
  var lz = 0.0;
  var lzRef = 0.0;
  var ev = vec2u(0u);
  var ex = ExpectedSums(0.0, 0u); // the expected sums of the next step
  if (valid) {
    if (EVENTS && !SHARED) { ev = loadEvents(i); }
    lz = logNorm(row);
    if (!SHARED) { lzRef = logNorm(refRow()); }
    if (ESTIMATOR == EST_EXPECTED) { ex = expectedSums(i, row, lz, isLogged(0u)); }
  }
  for (var s = 0u; s < params.nSteps; s++) {
    var out: array<f32, M>;
    if (valid) {
      let withNext = s + 1u < params.nSteps;
      lz = taskStep(i, params.step + s, row, lz, lzRef, &out, isLogged(s), &ex, withNext, withNext && isLogged(s + 1u));
      if (!SHARED) {
        noteRise(i, &out, params.step + s, isLogged(s));
        noteEvent(i, &ev, &out, params.step + s);
      }
    }
    toPartialRows(&out, metricCount(s), lid, TO_PARTIALS, s * knobs.numWg + w);
  }
  if (EVENTS && valid && !SHARED) { storeEvents(i, ev); }
}

// Shared policy: thread j sums the gradient columns j, j + WG, ... over the tasks in task order;
// then one thread takes the mean, adds the regularisers and updates the single logit vector.
@compute @workgroup_size(WG)
fn sharedUpdate(@builtin(local_invocation_index) lid: u32) {
  co = cohortRecord(0u); // the shared policy runs one cohort
  for (var k = lid; k < K; k += WG) {
    var acc = 0.0;
    for (var r = 0u; r < knobs.nTasks; r++) { acc += scratch[GRADP_OFF + r * K + k]; }
    scratch[knobs.gradSumOff + k] = acc;
  }
  storageBarrier();
  if (lid == 0u) {
    let lz = logNorm(0u);
    let lzRef = logNorm(refRow());
    var reg = vec2f(0.0);
    if (regularised()) { reg = regulariserSums(0u, lz, lzRef); }
    for (var k = 0u; k < K; k++) { updateRowLogit(0u, k, logit(0u, k), scratch[knobs.gradSumOff + k] / f32(knobs.nTasks), lz, lzRef, reg, params.step); }
  }
}
