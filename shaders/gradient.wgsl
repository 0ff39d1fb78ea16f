// The parts of a task's step (docs/model.md §3) that do not depend on how its K-vectors are
// held, called by both kernel shapes: the group's rewards and advantages, the answer-logit steps
// of one pattern, the regularisers' term of one logit, and the optimizer with its moments.

struct RolloutStats {
  reward: f32,
  zeroStd: f32,
  majorityCorrect: f32,
}

// Rewards of task i's drawn group (patterns kg, answers ag, verifier coins); records the
// rollouts when asked. Returns the group's majority answer.
fn groupRewards(i: u32, kg: ptr<function, array<u32, G>>, ag: ptr<function, array<u32, G>>, verifier: ptr<function, array<f32, G>>,
                rg: ptr<function, array<f32, G>>) -> u32 {
  var counts: array<u32, A>;
  for (var g = 0u; g < G; g++) {
    counts[(*ag)[g]] += 1u;
    if (RECORD) { record[i * G + g] = (*kg)[g] | ((*ag)[g] << RECORD_ANSWER_SHIFT); }
  }
  var majority = 0u; // ties go to the smallest answer
  for (var a = 1u; a < A; a++) {
    if (counts[a] > counts[majority]) { majority = a; }
  }
  for (var g = 0u; g < G; g++) {
    let a = (*ag)[g];
    if (REWARD == REWARD_RLVR) {
      // Noisy verifier: a correct answer is rewarded with probability co.tpr, a wrong one with co.fpr.
      (*rg)[g] = select(0.0, 1.0, (*verifier)[g] < select(co.fpr, co.tpr, a == 0u));
    } else {
      let k = (*kg)[g];
      (*rg)[g] = answerReward(i, k, patternAnswers(i, k), a, majority);
    }
  }
  return majority;
}

// The answers and rewards of task i's group at step t, whose patterns kg are drawn: each answer
// from its pattern's distribution with the rollout's second uniform, the verifier's coin its third.
fn answerGroup(i: u32, t: u32, kg: ptr<function, array<u32, G>>, ag: ptr<function, array<u32, G>>, rg: ptr<function, array<f32, G>>) -> u32 {
  var verifier: array<f32, G>;
  for (var g = 0u; g < G; g++) {
    let u = rolloutUniforms(t, i, g);
    let k = (*kg)[g];
    (*ag)[g] = sampleAnswer(i, k, patternAnswers(i, k), u.y);
    verifier[g] = u.z;
  }
  return groupRewards(i, kg, ag, &verifier, rg);
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

// Turns the group's rewards rg into G R_g - S, in place, and sets the advantage factor.
// Returns the statistics of the group.
fn centreGroup(rg: ptr<function, array<f32, G>>, majority: u32, factor: ptr<function, f32>) -> RolloutStats {
  var sum = 0.0;
  var allEqual = true;
  for (var g = 0u; g < G; g++) {
    sum += (*rg)[g];
    allEqual = allEqual && (*rg)[g] == (*rg)[0];
  }
  let mean = sum / f32(G);
  // Equal rewards centre to exactly 0 whatever the rounding of S.
  var ss = 0.0;
  for (var g = 0u; g < G; g++) {
    (*rg)[g] = select(f32(G) * (*rg)[g] - sum, 0.0, allEqual);
    ss += (*rg)[g] * (*rg)[g];
  }
  var sd = sqrt(ss / f32(G * G * (max(G, 2u) - 1u))); // sample std (divisor G - 1), as in TRL
  if (SCALE == SCALE_BATCH) { sd = scratch[BATCH_OFF + 1u]; }
  *factor = advantageFactor(sd);
  return RolloutStats(mean, select(0.0, 1.0, allEqual), select(0.0, 1.0, majority == 0u));
}

// One optimizer step of x along grad; Adam's moments live in opt at mOff and vOff.
fn stepWithMoments(x: f32, grad: f32, mOff: u32, vOff: u32, t: u32) -> f32 {
  var m = 0.0;
  var v = 0.0;
  if (ADAM) { m = opt[mOff]; v = opt[vOff]; }
  let next = optimizerStep(x, grad, &m, &v, t);
  if (ADAM) { opt[mOff] = m; opt[vOff] = v; }
  return next;
}

fn updateAnswerLogit(idx: u32, grad: f32, t: u32) {
  phi[idx] = stepWithMoments(phi[idx], grad, knobs.phiMOff + idx, knobs.phiVOff + idx, t);
}

// Logit theta[idx] of a storage row: the shared policy's, the storage shape's, or a token tree's node.
fn updatePatternLogit(idx: u32, x: f32, grad: f32, t: u32) -> f32 {
  let next = stepWithMoments(x, grad, THETA_M_OFF + idx, knobs.thetaVOff + idx, t);
  theta[idx] = next;
  return next;
}

// Trainable answers, expected gradient: pattern k's answer logits (mass p, expected reward r).
// All of its gradients first: they read the old logits.
fn expectedAnswerStep(i: u32, k: u32, p: f32, pa: PatternAnswers, r: f32, majority: u32, t: u32) {
  var ga: array<f32, A>;
  for (var a = 0u; a < A; a++) { ga[a] = p * answerProb(i, k, pa, a) * (answerReward(i, k, pa, a, majority) - r); }
  for (var a = 0u; a < A; a++) { updateAnswerLogit((i * K + k) * A + a, ga[a], t); }
}

// Trainable answers, sampled: d/dphi[k,a] of (1/G) sum_g Adv_g log P(a_g | k_g) = (1/G) (C[k,a] - P(a|k) S_k),
// with S_k = perPattern the factor times the sum of pattern k's centred rewards.
fn sampledAnswerStep(i: u32, k: u32, pa: PatternAnswers, perPattern: f32, factor: f32, kg: ptr<function, array<u32, G>>,
                     ag: ptr<function, array<u32, G>>, rg: ptr<function, array<f32, G>>, t: u32) {
  var ga: array<f32, A>;
  for (var a = 0u; a < A; a++) {
    var c = 0.0;
    for (var g = 0u; g < G; g++) { c += select(0.0, (*rg)[g], (*kg)[g] == k && (*ag)[g] == a); }
    ga[a] = (c * factor - answerProb(i, k, pa, a) * perPattern) / f32(G);
  }
  for (var a = 0u; a < A; a++) { updateAnswerLogit((i * K + k) * A + a, ga[a], t); }
}

fn regularised() -> bool {
  return co.klCoef != 0.0 || co.entCoef != 0.0;
}

// -beta dKL(pi||pi_ref)/dtheta_k + c dH/dtheta_k for the pattern of log-probability lp (lref
// under pi_ref), given KL(pi||pi_ref) and H(pi): both exact.
fn regulariserGrad(lp: f32, lref: f32, kl: f32, h: f32) -> f32 {
  let p = exp(lp);
  return -co.klCoef * p * (lp - lref - kl) - co.entCoef * p * (lp + h);
}
