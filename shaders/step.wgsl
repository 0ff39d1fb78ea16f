// One RL step for every task (MODEL.md §3–§5): one thread per task. The tabular policy fuses
// params.nSteps steps per dispatch, keeping the task's logits and Adam moments in registers;
// the shared policy runs one step per dispatch and leaves the update to sharedUpdate.

struct RolloutStats {
  reward: f32,
  zeroStd: f32,
  majorityCorrect: f32,
}

// Draws the group of task i at step t. Fills patterns, answers and rewards; returns the majority answer.
fn sampleGroup(i: u32, t: u32, pi: ptr<function, array<f32, K>>, pas: ptr<function, array<PatternAnswers, K>>,
               kg: ptr<function, array<u32, G>>, ag: ptr<function, array<u32, G>>, rg: ptr<function, array<f32, G>>) -> u32 {
  var counts: array<u32, A>;
  var verifier: array<f32, G>;
  for (var g = 0u; g < G; g++) {
    let u = rolloutUniforms(t, i, g);
    let k = samplePattern(pi, u.x);
    let a = sampleAnswer(i, k, (*pas)[k], u.y);
    (*kg)[g] = k;
    (*ag)[g] = a;
    verifier[g] = u.z;
    counts[a] += 1u;
    if (RECORD) { record[i * G + g] = k | (a << 8u); }
  }
  var majority = 0u; // ties go to the smallest answer
  for (var a = 1u; a < A; a++) {
    if (counts[a] > counts[majority]) { majority = a; }
  }
  for (var g = 0u; g < G; g++) {
    let a = (*ag)[g];
    if (REWARD == REWARD_RLVR) {
      // Noisy verifier: a correct answer is rewarded with probability knobs.tpr, a wrong one with knobs.fpr.
      (*rg)[g] = select(0.0, 1.0, verifier[g] < select(knobs.fpr, knobs.tpr, a == 0u));
    } else {
      (*rg)[g] = answerReward(i, (*kg)[g], (*pas)[(*kg)[g]], a, majority);
    }
  }
  return majority;
}

// Every sampled estimator's advantage is (G R_g - S) times a per-group factor (S = sum of the
// group's rewards): reinforce R - S/G, rloo R - (S - R)/(G-1), grpo (R - S/G)/(std + eps).
// Keeping G R_g - S apart from the factor keeps 0/1 rewards in exact integer arithmetic, so
// advantages that cancel in exact arithmetic cancel in f32 too (Adam would turn any residue
// into a full step).
// The expected gradient samples nothing and never gets here.
fn advantageFactor(sd: f32) -> f32 {
  switch ESTIMATOR {
    case EST_RLOO: { return 1.0 / f32(max(G, 2u) - 1u); } // G >= 2 when sampled
    case EST_GRPO: {
      switch SCALE {
        case SCALE_NONE: { return 1.0 / f32(G); }
        case SCALE_GROUP, SCALE_BATCH, default: { return 1.0 / (f32(G) * (sd + EPS_GRPO)); }
      }
    }
    case EST_REINFORCE, EST_EXPECTED, default: { return 1.0 / f32(G); }
  }
}

fn updateAnswerLogit(idx: u32, grad: f32, t: u32) {
  var m = 0.0;
  var v = 0.0;
  if (ADAM) { m = opt[knobs.phiMOff + idx]; v = opt[knobs.phiVOff + idx]; }
  phi[idx] = optimizerStep(phi[idx], grad, &m, &v, t);
  if (ADAM) { opt[knobs.phiMOff + idx] = m; opt[knobs.phiVOff + idx] = v; }
}

// The policy gradient of task i at step t w.r.t. its pattern logits (without KL/entropy terms).
// Trainable answers are updated here, in place. Returns the statistics of the step's rollouts.
fn taskGradient(i: u32, t: u32, lp: ptr<function, array<f32, K>>, grad: ptr<function, array<f32, K>>) -> RolloutStats {
  var pi: array<f32, K>;
  var pas: array<PatternAnswers, K>;
  for (var k = 0u; k < K; k++) {
    pi[k] = exp((*lp)[k]);
    pas[k] = patternAnswers(i, k);
  }

  if (ESTIMATOR == EST_EXPECTED) {
    // Gradient flow dJ/dtheta_k = pi_k (r_k - J). The majority reward takes its G -> infinity
    // limit: the group's majority is the mode of the marginal answer distribution.
    var majority = 0u;
    var best = -1.0;
    for (var a = 0u; a < A; a++) {
      var q = 0.0;
      for (var k = 0u; k < K; k++) { q += pi[k] * answerProb(i, k, pas[k], a); }
      if (q > best) { best = q; majority = a; }
    }
    var r: array<f32, K>;
    var J = 0.0;
    for (var k = 0u; k < K; k++) {
      r[k] = patternReward(i, k, pas[k], majority);
      J += pi[k] * r[k];
    }
    for (var k = 0u; k < K; k++) { (*grad)[k] = pi[k] * (r[k] - J); }
    if (TRAINABLE) {
      for (var k = 0u; k < K; k++) {
        var ga: array<f32, A>; // all of pattern k's gradients first: they read the old logits
        for (var a = 0u; a < A; a++) {
          ga[a] = pi[k] * answerProb(i, k, pas[k], a) * (answerReward(i, k, pas[k], a, majority) - r[k]);
        }
        for (var a = 0u; a < A; a++) { updateAnswerLogit((i * K + k) * A + a, ga[a], t); }
      }
    }
    return RolloutStats(J, 0.0, select(0.0, 1.0, majority == 0u));
  }

  var kg: array<u32, G>;
  var ag: array<u32, G>;
  var rg: array<f32, G>;
  let majority = sampleGroup(i, t, &pi, &pas, &kg, &ag, &rg);
  var sum = 0.0;
  var allEqual = true;
  for (var g = 0u; g < G; g++) {
    sum += rg[g];
    allEqual = allEqual && rg[g] == rg[0];
  }
  let mean = sum / f32(G);
  // rg becomes G R_g - S; equal rewards centre to exactly 0 whatever the rounding of S.
  var ss = 0.0;
  for (var g = 0u; g < G; g++) {
    rg[g] = select(f32(G) * rg[g] - sum, 0.0, allEqual);
    ss += rg[g] * rg[g];
  }
  var sd = sqrt(ss / f32(G * G * (max(G, 2u) - 1u))); // sample std (divisor G - 1), as in TRL
  if (SCALE == SCALE_BATCH) { sd = scratch[BATCH_OFF + 1u]; }
  let factor = advantageFactor(sd);

  // grad_k = (1/G) sum_g Adv_g (1[k_g = k] - pi_k). The advantages of every sampled estimator sum
  // to zero exactly, so the pi_k term is dropped rather than carrying the f32 residue of that sum.
  var perPattern: array<f32, K>;
  for (var g = 0u; g < G; g++) { perPattern[kg[g]] += rg[g]; }
  for (var k = 0u; k < K; k++) {
    perPattern[k] *= factor;
    (*grad)[k] = perPattern[k] / f32(G);
  }

  if (TRAINABLE) {
    // d/dphi[k,a] of (1/G) sum_g Adv_g log P(a_g | k_g) = (1/G) (C[k,a] - P(a|k) S_k).
    for (var k = 0u; k < K; k++) {
      var ga: array<f32, A>;
      for (var a = 0u; a < A; a++) {
        var c = 0.0;
        for (var g = 0u; g < G; g++) { c += select(0.0, rg[g], kg[g] == k && ag[g] == a); }
        ga[a] = (c * factor - answerProb(i, k, pas[k], a) * perPattern[k]) / f32(G);
      }
      for (var a = 0u; a < A; a++) { updateAnswerLogit((i * K + k) * A + a, ga[a], t); }
    }
  }
  return RolloutStats(mean, select(0.0, 1.0, allEqual), select(0.0, 1.0, majority == 0u));
}

// 1 - (1 - acc)^k by binary powering: exact for k = 1, and no log of 0.
fn passAt(acc: f32, k: u32) -> f32 {
  var base = max(1.0 - acc, 0.0);
  var e = k;
  var q = 1.0;
  while (e > 0u) {
    if ((e & 1u) == 1u) { q *= base; }
    base *= base;
    e >>= 1u;
  }
  return 1.0 - q;
}

// The policy metrics of task i (MODEL.md §5) for log-probabilities lp, written into out.
fn policyMetrics(i: u32, lp: ptr<function, array<f32, K>>, out: ptr<function, array<f32, M>>) {
  var lref: array<f32, K>;
  refLogProbs(&lref);
  var acc = 0.0;
  var h = 0.0;
  var kl = 0.0;
  var best = 0u;
  var bestRate = -1.0;
  var worst = 0u;
  var worstRate = 2.0;
  for (var k = 0u; k < K; k++) {
    let p = exp((*lp)[k]);
    let s = patternAnswers(i, k).s;
    acc += p * s;
    h -= p * (*lp)[k];
    kl += p * ((*lp)[k] - lref[k]);
    if (s > bestRate) { bestRate = s; best = k; }
    if (s < worstRate) { worstRate = s; worst = k; }
    (*out)[M_MASS + k] = p;
    if (TRAINABLE) { (*out)[M_SRATE + k] = s; }
  }
  finishPolicyMetrics(i, PolicySums(acc, h, kl, exp((*lp)[best]), exp((*lp)[worst])), out);
}

// A task's policy reduced over its patterns: accuracy, entropy, KL to pi_ref, and the masses of
// its best and worst patterns (highest and lowest success rate, first on ties).
struct PolicySums {
  acc: f32,
  entropy: f32,
  kl: f32,
  bestMass: f32,
  worstMass: f32,
}

// Every policy metric of task i that follows from its sums (all but the per-pattern columns),
// written into out: whatever way a kernel reduces the patterns, it finishes the row here.
fn finishPolicyMetrics(i: u32, t: PolicySums, out: ptr<function, array<f32, M>>) {
  (*out)[M_ACCURACY] = t.acc;
  (*out)[M_ENTROPY] = t.entropy;
  (*out)[M_BEST_MASS] = t.bestMass;
  (*out)[M_CONVERGED] = select(0.0, 1.0, t.bestMass > CONVERGED_MASS);
  (*out)[M_KL_TO_REF] = t.kl;
  (*out)[M_WORST_MASS] = t.worstMass;
  (*out)[M_CONVERGED_WORST] = select(0.0, 1.0, t.worstMass > CONVERGED_MASS);
  (*out)[M_IMPROVED_FRAC] = select(0.0, 1.0, t.acc > scratch[knobs.startAccOff + i] + IMPROVED_MARGIN);
  for (var j = 0u; j < NUM_PASSK; j++) { (*out)[M_PASSK + j] = passAt(t.acc, PASSK[j]); }
}

fn writeRolloutStats(rs: RolloutStats, out: ptr<function, array<f32, M>>) {
  (*out)[M_REWARD] = rs.reward;
  (*out)[M_ZERO_STD_FRAC] = rs.zeroStd;
  (*out)[M_MAJORITY_CORRECT] = rs.majorityCorrect;
}

@compute @workgroup_size(WG)
fn step(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  let w = workgroupIndex(wid, nwg);
  let valid = i < knobs.nTasks;
  let row = select(i, 0u, SHARED);
  var th: array<f32, K>;
  var m: array<f32, K>;
  var v: array<f32, K>;
  if (valid) {
    for (var k = 0u; k < K; k++) {
      th[k] = theta[row * K + k];
      if (ADAM && !SHARED) { m[k] = opt[THETA_M_OFF + i * K + k]; v[k] = opt[knobs.thetaVOff + i * K + k]; }
    }
  }
  for (var s = 0u; s < params.nSteps; s++) {
    let t = params.step + s;
    var out: array<f32, M>;
    var grad: array<f32, M>; // first K entries used; M-sized for reduceWorkgroup
    if (valid) {
      var lp: array<f32, K>;
      logSoftmax(&th, &lp);
      var g: array<f32, K>;
      writeRolloutStats(taskGradient(i, t, &lp, &g), &out);
      if (SHARED) {
        for (var k = 0u; k < K; k++) { grad[k] = g[k]; }
      } else {
        addRegularisers(&lp, &g);
        for (var k = 0u; k < K; k++) { th[k] = optimizerStep(th[k], g[k], &m[k], &v[k], t); }
        var lpNew: array<f32, K>;
        logSoftmax(&th, &lpNew);
        policyMetrics(i, &lpNew, &out);
      }
    }
    toPartialRows(&out, M, lid, TO_PARTIALS, s * knobs.numWg + w);
    if (SHARED) { toPartialRows(&grad, K, lid, TO_GRAD, w); }
  }
  if (valid && !SHARED) {
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
    for (var k = 0u; k < K; k++) {
      var m = 0.0;
      var v = 0.0;
      if (ADAM) { m = opt[THETA_M_OFF + k]; v = opt[knobs.thetaVOff + k]; }
      theta[k] = optimizerStep(th[k], g[k], &m, &v, params.step);
      if (ADAM) { opt[THETA_M_OFF + k] = m; opt[knobs.thetaVOff + k] = v; }
    }
  }
}

// Shared policy: the policy metrics after the update, added to the rollout statistics in partials.
@compute @workgroup_size(WG)
fn sharedMetrics(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  var out: array<f32, M>;
  if (i < knobs.nTasks) {
    var th: array<f32, K>;
    var lp: array<f32, K>;
    for (var k = 0u; k < K; k++) { th[k] = theta[k]; }
    logSoftmax(&th, &lp);
    policyMetrics(i, &lp, &out);
  }
  toPartialRows(&out, M, lid, ADD_PARTIALS, workgroupIndex(wid, nwg));
}

// Sums each fused step's partial rows (workgroup s handles step s) into the metrics rows.
@compute @workgroup_size(WG)
fn finalize(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {
  let s = wid.x;
  let rows = partialRows();
  var acc: array<f32, M>;
  for (var r = lid; r < rows; r += WG) {
    for (var m = 0u; m < M; m++) { acc[m] += partials[(s * rows + r) * M + m]; }
  }
  reduceWorkgroup(&acc, M, lid, TO_METRICS, params.slot + s);
}
