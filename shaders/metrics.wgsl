// A task's row of the metrics of docs/model.md §5, and the sum of those rows. Either kernel
// shape adds the task's patterns one by one into PolicySums (addPattern), and finishPolicyMetrics
// turns the sums into the row: each metric is defined once, whatever the shape.

// Per-task sums over the patterns; the storage shape sums blocks of patterns and merges them
// (mergePolicySums), so every field has its merge there.
struct PolicySums {
  acc: f32,     // sum_k pi_k s_k
  h: f32,       // entropy of pi
  kl: f32,      // KL(pi || pi_ref)
  bestRate: f32,
  bestLp: f32,  // log pi of the best pattern, the first with the highest success rate
  worstRate: f32,
  worstLp: f32, // log pi of the worst pattern, the first with the lowest success rate
}

fn noPolicySums() -> PolicySums {
  return PolicySums(0.0, 0.0, 0.0, -1.0, 0.0, 2.0, 0.0);
}

// Adds pattern k, of log-probability lp (p = exp(lp); lref under pi_ref) and success rate s, and
// writes its per-pattern columns when the run has them. With `full` false only the event metrics'
// sums (accuracy, the best pattern) are kept, and lref is not read.
fn addPattern(sums: ptr<function, PolicySums>, k: u32, lp: f32, p: f32, lref: f32, s: f32, out: ptr<function, array<f32, M>>, full: bool) {
  (*sums).acc += p * s;
  if (s > (*sums).bestRate) {
    (*sums).bestRate = s;
    (*sums).bestLp = lp;
  }
  if (!full) { return; }
  (*sums).h -= p * lp;
  (*sums).kl += p * (lp - lref);
  if (s < (*sums).worstRate) {
    (*sums).worstRate = s;
    (*sums).worstLp = lp;
  }
  if (PATTERN_COLUMNS) {
    (*out)[M_MASS + k] = p;
    if (TRAINABLE) { (*out)[M_SRATE + k] = s; }
  }
}

// Adds the sums of the patterns after those of `sums` (a later block) to them.
fn mergePolicySums(sums: ptr<function, PolicySums>, later: PolicySums) {
  (*sums).acc += later.acc;
  (*sums).h += later.h;
  (*sums).kl += later.kl;
  if (later.bestRate > (*sums).bestRate) {
    (*sums).bestRate = later.bestRate;
    (*sums).bestLp = later.bestLp;
  }
  if (later.worstRate < (*sums).worstRate) {
    (*sums).worstRate = later.worstRate;
    (*sums).worstLp = later.worstLp;
  }
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

// The policy metrics of task i from its sums, written into out (the event metrics alone unless
// `full`); improvedFrac compares with the task's accuracy at the start of RL (shaders/init.wgsl
// startAccuracy).
fn finishPolicyMetrics(i: u32, sums: PolicySums, out: ptr<function, array<f32, M>>, full: bool) {
  let bestMass = exp(sums.bestLp);
  (*out)[M_ACCURACY] = sums.acc;
  (*out)[M_BEST_MASS] = bestMass;
  if (!full) { return; }
  let worstMass = exp(sums.worstLp);
  (*out)[M_ENTROPY] = sums.h;
  (*out)[M_CONVERGED] = select(0.0, 1.0, bestMass > CONVERGED_MASS);
  (*out)[M_KL_TO_REF] = sums.kl;
  (*out)[M_WORST_MASS] = worstMass;
  (*out)[M_CONVERGED_WORST] = select(0.0, 1.0, worstMass > CONVERGED_MASS);
  (*out)[M_IMPROVED_FRAC] = select(0.0, 1.0, sums.acc > scratch[knobs.startAccOff + i] + IMPROVED_MARGIN);
  for (var j = 0u; j < NUM_PASSK; j++) { (*out)[M_PASSK + j] = passAt(sums.acc, PASSK[j]); }
}

fn writeRolloutStats(rs: RolloutStats, out: ptr<function, array<f32, M>>) {
  (*out)[M_REWARD] = rs.reward + REWARD_OFFSET; // the paper's scale for self-certainty (header.ts)
  (*out)[M_ZERO_STD_FRAC] = rs.zeroStd;
  (*out)[M_MAJORITY_CORRECT] = rs.majorityCorrect;
}

// Sums each fused step's partial rows of each cohort into its metrics row ([step][cohort][metric]),
// the event metrics alone on a step that writes no row (metricCount). The sum is that of a
// workgroup whose thread w adds the cohort's rows w, w + WG, ... counted from its first, then
// column sums over w in order: the order of the cohort's own run, so its sums are bit-identical to
// that run's (its rows are its tasks', or its workgroups', which start at a workgroup boundary:
// plan.ts packCohorts). Workgroup (s, c) does it for cohort c; with TASK_ROWS, which leaves the
// per-task kernels without a barrier, one thread per (cohort, metric) does the same additions
// serially, without one either (on SwiftShader, the faster of the two).
@compute @workgroup_size(WG)
fn finalize(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {
  let s = wid.x;
  let rows = partialRows();
  let count = metricCount(s);
  if (TASK_ROWS) {
    let j = wid.y * WG + lid;
    let c = j / M;
    let m = j % M;
    if (c < knobs.cohorts && m < count) {
      co = cohortRecord(c);
      // The cohort's rows: it starts at a multiple of ROW_LANES (plan.ts packCohorts).
      let first = co.start / ROW_LANES;
      let end = first + (co.tasks + ROW_LANES - 1u) / ROW_LANES;
      var v = 0.0;
      // Threads past the cohort's last row would add 0.0, which leaves v as it is.
      for (var w = 0u; w < min(WG, end - first); w++) {
        var acc = 0.0;
        for (var r = first + w; r < end; r += WG) { acc += partials[(s * rows + r) * M + m]; }
        v += acc;
      }
      storeSum(TO_METRICS, (params.slot + s) * knobs.cohorts + c, m, v);
    }
  } else {
    co = cohortRecord(wid.y);
    var acc: array<f32, M>;
    for (var r = co.start / WG + lid; r < (co.start + co.tasks + WG - 1u) / WG; r += WG) {
      for (var m = 0u; m < count; m++) { acc[m] += partials[(s * rows + r) * M + m]; }
    }
    reduceWorkgroup(&acc, count, lid, TO_METRICS, (params.slot + s) * knobs.cohorts + wid.y);
  }
}

// Theorem 5.6's two claims per task (docs/model.md §6.4), given the metrics `out` of step t: at
// step 1 whether its accuracy rose above its start (by IMPROVED_MARGIN, as improvedFrac), kept in
// scratch for the rest of the run; on a logged step that bit (roseFirst) and whether a task that
// rose is now below its start (roseThenFell).
fn noteRise(i: u32, out: ptr<function, array<f32, M>>, t: u32, full: bool) {
  let start = scratch[knobs.startAccOff + i];
  if (t == 1u) { scratch[knobs.roseOff + i] = select(0.0, 1.0, (*out)[M_ACCURACY] > start + IMPROVED_MARGIN); }
  if (!full) { return; }
  let rose = scratch[knobs.roseOff + i];
  (*out)[M_ROSE_FIRST] = rose;
  (*out)[M_ROSE_THEN_FELL] = select(0.0, 1.0, rose > 0.5 && (*out)[M_ACCURACY] < start - IMPROVED_MARGIN);
}

// Task i's per-task events (0: not yet), given the metrics `out` of step t: x, the first step at
// which its own best-pattern mass reached TASK_EVENT_MASS; y, T0, the first at which its accuracy
// reached the success rate of its rival r' (regime 2, docs/model.md §6.7; NO_RIVAL otherwise,
// never reached).
fn noteEvent(i: u32, ev: ptr<function, vec2u>, out: ptr<function, array<f32, M>>, t: u32) {
  if ((*ev).x == 0u && (*out)[M_BEST_MASS] >= TASK_EVENT_MASS) { (*ev).x = t; }
  if ((*ev).y == 0u && (*out)[M_ACCURACY] >= scratch[knobs.rivalOff + i]) { (*ev).y = t; }
}

// The events of task i are record[eventsOff + i] (x) and record[eventsOff + nTasks + i] (y).
fn loadEvents(i: u32) -> vec2u {
  return vec2u(record[knobs.eventsOff + i], record[knobs.eventsOff + knobs.nTasks + i]);
}

fn storeEvents(i: u32, ev: vec2u) {
  record[knobs.eventsOff + i] = ev.x;
  record[knobs.eventsOff + knobs.nTasks + i] = ev.y;
}

// Shared policy: the policy metrics after the update, added to the rollout statistics in partials.
// Each shape reads the stored policy its own way (storedPolicyMetrics).
@compute @workgroup_size(WG)
fn sharedMetrics(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  var out: array<f32, M>;
  if (enterTask(i)) {
    storedPolicyMetrics(i, 0u, &out, isLogged(0u));
    noteRise(i, &out, params.step, isLogged(0u));
    if (EVENTS) {
      var ev = loadEvents(i);
      noteEvent(i, &ev, &out, params.step);
      storeEvents(i, ev);
    }
  }
  toPartialRows(&out, metricCount(0u), lid, ADD_PARTIALS, workgroupIndex(wid, nwg));
}
