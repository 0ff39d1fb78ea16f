// One RL step for every task (docs/model.md §3–§5) in the register shape (K <= 32): one thread
// per task. The tabular policy fuses params.nSteps steps per dispatch, keeping the task's logits
// and Adam moments in registers; the shared policy runs one step per dispatch and leaves the
// update to sharedUpdate.

// Draws the group of task i at step t. Fills patterns, answers and rewards; returns the majority answer.
fn sampleGroup(i: u32, t: u32, pi: ptr<function, array<f32, K>>, pas: ptr<function, array<PatternAnswers, K>>,
               kg: ptr<function, array<u32, G>>, ag: ptr<function, array<u32, G>>, rg: ptr<function, array<f32, G>>) -> u32 {
  var verifier: array<f32, G>;
  for (var g = 0u; g < G; g++) {
    let u = rolloutUniforms(t, i, g);
    let k = samplePattern(pi, u.x);
    (*kg)[g] = k;
    (*ag)[g] = sampleAnswer(i, k, (*pas)[k], u.y);
    verifier[g] = u.z;
  }
  return groupRewards(i, kg, ag, &verifier, rg);
}

// The group of task i at step t under the policy in theta (shaders/batch.wgsl).
fn drawTaskGroup(i: u32, t: u32, kg: ptr<function, array<u32, G>>, ag: ptr<function, array<u32, G>>, rg: ptr<function, array<f32, G>>) -> u32 {
  var th: array<f32, K>;
  var lp: array<f32, K>;
  var pi: array<f32, K>;
  var pas: array<PatternAnswers, K>;
  let row = select(i, 0u, SHARED);
  for (var k = 0u; k < K; k++) { th[k] = theta[row * K + k]; }
  logSoftmax(&th, &lp);
  for (var k = 0u; k < K; k++) {
    pi[k] = exp(lp[k]);
    pas[k] = patternAnswers(i, k);
  }
  return sampleGroup(i, t, &pi, &pas, kg, ag, rg);
}

// The policy pi (= exp of the log-probabilities) and the answer distributions pas of task i: the
// step kernel keeps them from one fused step to the next, and refreshes pas only where the answers
// move (trainable).
fn policyOf(i: u32, lp: ptr<function, array<f32, K>>, pi: ptr<function, array<f32, K>>, pas: ptr<function, array<PatternAnswers, K>>, answers: bool) {
  for (var k = 0u; k < K; k++) {
    (*pi)[k] = exp((*lp)[k]);
    if (answers) { (*pas)[k] = patternAnswers(i, k); }
  }
}

// The policy gradient of task i at step t w.r.t. its pattern logits (without KL/entropy terms),
// under policy pi with answer distributions pas (policyOf). Trainable answers are updated here, in
// place. Returns the statistics of the step's rollouts, which only a step that writes a row
// (`full`) reads.
fn taskGradient(i: u32, t: u32, pi: ptr<function, array<f32, K>>, pas: ptr<function, array<PatternAnswers, K>>, grad: ptr<function, array<f32, K>>, full: bool) -> RolloutStats {
  if (ESTIMATOR == EST_EXPECTED) {
    // Gradient flow dJ/dtheta_k = pi_k (r_k - J). The majority reward takes its G -> infinity
    // limit: the group's majority is the mode of the marginal answer distribution. Other rewards
    // need it only for the majorityCorrect metric.
    var majority = 0u;
    var best = -1.0;
    // A constant bound with the test inside (as in shaders/stream.wgsl): the loop unrolls, so a
    // run of one cohort reads the answer tables at constant offsets (table()); lane by lane, those
    // reads took 40% of a logged step on lavapipe.
    let needed = full || REWARD == REWARD_RLIF_MAJORITY;
    for (var a = 0u; a < A; a++) {
      if (needed) {
        var q = 0.0;
        for (var k = 0u; k < K; k++) { q += (*pi)[k] * answerProb(i, k, (*pas)[k], a); }
        if (q > best) { best = q; majority = a; }
      }
    }
    var r: array<f32, K>;
    var J = 0.0;
    for (var k = 0u; k < K; k++) {
      r[k] = patternReward(i, k, (*pas)[k], majority);
      J += (*pi)[k] * r[k];
    }
    for (var k = 0u; k < K; k++) { (*grad)[k] = (*pi)[k] * (r[k] - J); }
    if (TRAINABLE) {
      for (var k = 0u; k < K; k++) { expectedAnswerStep(i, k, (*pi)[k], (*pas)[k], r[k], majority, t); }
    }
    return RolloutStats(J, 0.0, select(0.0, 1.0, majority == 0u));
  }

  var kg: array<u32, G>;
  var ag: array<u32, G>;
  var rg: array<f32, G>;
  let majority = sampleGroup(i, t, pi, pas, &kg, &ag, &rg);
  var factor = 0.0;
  let stats = centreGroup(&rg, majority, &factor);

  // grad_k = (1/G) sum_g Adv_g (1[k_g = k] - pi_k). The advantages of every sampled estimator sum
  // to zero exactly, so the pi_k term is dropped rather than carrying the f32 residue of that sum.
  var perPattern: array<f32, K>;
  for (var g = 0u; g < G; g++) { perPattern[kg[g]] += rg[g]; }
  for (var k = 0u; k < K; k++) {
    perPattern[k] *= factor;
    (*grad)[k] = perPattern[k] / f32(G);
  }

  if (TRAINABLE) {
    for (var k = 0u; k < K; k++) { sampledAnswerStep(i, k, (*pas)[k], perPattern[k], factor, &kg, &ag, &rg, t); }
  }
  return stats;
}

// The policy metrics of task i (docs/model.md §5) for log-probabilities lp (policy pi, answers
// pas: policyOf), written into out (the event metrics alone unless `full`, which alone reads pi_ref).
fn policyMetrics(i: u32, lp: ptr<function, array<f32, K>>, pi: ptr<function, array<f32, K>>, pas: ptr<function, array<PatternAnswers, K>>,
                 out: ptr<function, array<f32, M>>, full: bool) {
  var lref: array<f32, K>;
  if (full) { refLogProbs(&lref); }
  var sums = noPolicySums();
  for (var k = 0u; k < K; k++) { addPattern(&sums, k, (*lp)[k], (*pi)[k], lref[k], (*pas)[k].s, out, full); }
  finishPolicyMetrics(i, sums, out, full);
}

// The policy metrics of task i under the policy in theta's row `row` (shaders/metrics.wgsl).
fn storedPolicyMetrics(i: u32, row: u32, out: ptr<function, array<f32, M>>, full: bool) {
  var th: array<f32, K>;
  var lp: array<f32, K>;
  var pi: array<f32, K>;
  var pas: array<PatternAnswers, K>;
  for (var k = 0u; k < K; k++) { th[k] = logit(row, k); }
  logSoftmax(&th, &lp);
  policyOf(i, &lp, &pi, &pas, true);
  policyMetrics(i, &lp, &pi, &pas, out, full);
}

@compute @workgroup_size(WG)
fn step(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  let w = workgroupIndex(wid, nwg);
  let valid = enterTask(i);
  let row = select(i, 0u, SHARED);
  var th: array<f32, K>;
  // log softmax of th, its exp and the answer distributions, carried from one fused step to the next
  var lp: array<f32, K>;
  var pi: array<f32, K>;
  var pas: array<PatternAnswers, K>;
  var m: array<f32, K>;
  var v: array<f32, K>;
  var ev = vec2u(0u);
  if (valid) {
    if (EVENTS && !SHARED) { ev = loadEvents(i); }
    for (var k = 0u; k < K; k++) {
      th[k] = theta[row * K + k];
      if (ADAM && !SHARED) { m[k] = opt[THETA_M_OFF + i * K + k]; v[k] = opt[knobs.thetaVOff + i * K + k]; }
    }
    logSoftmax(&th, &lp);
    policyOf(i, &lp, &pi, &pas, true);
  }
  for (var s = 0u; s < params.nSteps; s++) {
    let t = params.step + s;
    let full = isLogged(s);
    var out: array<f32, M>;
    var grad: array<f32, M>; // first K entries used; M-sized for reduceWorkgroup
    if (valid) {
      var g: array<f32, K>;
      let stats = taskGradient(i, t, &pi, &pas, &g, full);
      if (full) { writeRolloutStats(stats, &out); }
      if (SHARED) {
        for (var k = 0u; k < K; k++) { grad[k] = g[k]; }
      } else {
        addRegularisers(&lp, &g);
        for (var k = 0u; k < K; k++) { th[k] = optimizerStep(th[k], g[k], &m[k], &v[k], t); }
        logSoftmax(&th, &lp);
        policyOf(i, &lp, &pi, &pas, TRAINABLE);
        policyMetrics(i, &lp, &pi, &pas, &out, full);
        noteRise(i, &out, t, full);
        noteEvent(i, &ev, &out, t);
      }
    }
    toPartialRows(&out, metricCount(s), lid, TO_PARTIALS, s * knobs.numWg + w);
    if (SHARED) { toPartialRows(&grad, K, lid, TO_GRAD, w); }
  }
  if (valid && !SHARED) {
    if (EVENTS) { storeEvents(i, ev); }
    for (var k = 0u; k < K; k++) {
      theta[i * K + k] = th[k];
      if (ADAM) { opt[THETA_M_OFF + i * K + k] = m[k]; opt[knobs.thetaVOff + i * K + k] = v[k]; }
    }
  }
}

// Shared policy: one workgroup sums the per-workgroup gradients in a fixed order, takes the mean
// over tasks, adds the regularisers once and updates the single logit vector.
@compute @workgroup_size(WG)
fn sharedUpdate(@builtin(local_invocation_index) lid: u32) {
  co = cohortRecord(0u); // the shared policy runs one cohort
  var acc: array<f32, M>;
  for (var r = lid; r < partialRows(); r += WG) {
    for (var k = 0u; k < K; k++) { acc[k] += scratch[GRADP_OFF + r * K + k]; }
  }
  reduceWorkgroup(&acc, K, lid, TO_GRADSUM, 0u);
  storageBarrier(); // the sums were written by threads 0..K-1
  if (lid == 0u) {
    var th: array<f32, K>;
    var lp: array<f32, K>;
    var g: array<f32, K>;
    for (var k = 0u; k < K; k++) {
      th[k] = theta[k];
      g[k] = scratch[knobs.gradSumOff + k] / f32(knobs.nTasks);
    }
    logSoftmax(&th, &lp);
    addRegularisers(&lp, &g);
    for (var k = 0u; k < K; k++) { updatePatternLogit(k, th[k], g[k], params.step); }
  }
}

