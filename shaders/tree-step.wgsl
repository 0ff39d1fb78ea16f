// One RL step for every task whose policy is a token tree (docs/model.md §9): one thread per
// task, streaming over its node logits in storage (shaders/tree-rows.wgsl). Sampled estimators
// draw each response token by token, then its answer; the expected gradient is one backward pass
// over the forks. Every node logit then takes its optimizer step, and the pattern-level metrics
// are those of the storage shape (shaders/stream.wgsl) on the tree's pattern row. Fuses
// params.nSteps steps per dispatch, as the tabular kernels do. Mirrors src/reference/tree.ts.

// Index in scratch of the gradient of theta[n], a logit of a task's row.
fn gradAt(n: u32) -> u32 {
  return knobs.treeGradOff + n;
}

// The token drawn at node n (w logits, log normaliser lz) with uniform u, by inverse CDF; a u past
// the rounded total falls on the last choice of nonzero mass (src/model/policy.ts sampleIndex).
fn drawToken(n: u32, w: u32, lz: f32, u: f32) -> u32 {
  var c = 0.0;
  var last = 0u;
  for (var v = 0u; v < w; v++) {
    let p = exp(theta[n + v] - lz);
    if (p > 0.0) { last = v; }
    c += p;
    if (u < c) { return v; }
  }
  return last;
}

// Response g of task i at step t, drawn token by token; returns its pattern (its fork choices).
// With weight != 0 it adds weight to the gradient slot of the token it emits at every node it
// passes (the counts of sampledNodeSteps): the step draws each response twice, once for its
// reward and once for its gradient, as the float64 reference draws it once and keeps it.
fn response(i: u32, t: u32, g: u32, weight: f32) -> u32 {
  var prefix = 0u;
  var u = vec4f(0.0);
  for (var l = 0u; l < TREE_L; l++) {
    if (l % 4u == 0u) { u = tokenUniforms(t, i, g, l / 4u); }
    let w = nodeWidth(l);
    let n = nodeAt(i, l, prefix);
    let y = drawToken(n, w, nodeLogNorm(n, w), u[l % 4u]);
    if (weight != 0.0) { scratch[gradAt(n + y)] += weight; }
    if (TREE_IS_FORK[l] == 1u) { prefix = prefix * TREE_B + y; }
  }
  return prefix;
}

// The group of task i at step t: responses, their answers and rewards (shaders/batch.wgsl too).
fn drawTaskGroup(i: u32, t: u32, kg: ptr<function, array<u32, G>>, ag: ptr<function, array<u32, G>>, rg: ptr<function, array<f32, G>>) -> u32 {
  for (var g = 0u; g < G; g++) { (*kg)[g] = response(i, t, g, 0.0); }
  return answerGroup(i, t, kg, ag, rg);
}

// P(reach) of fork prefix p after d forks in task i: the mass of the b^(c-d) patterns that extend it.
fn prefixMass(i: u32, d: u32, p: u32) -> f32 {
  let block = TREE_POW[TREE_C - d];
  var m = 0.0;
  for (var k = p * block; k < (p + 1u) * block; k++) { m += exp(logit(i, k)); }
  return m;
}

// dJ/dtheta_{n,v} = P(reach n) pi(v|n) (Q(n,v) - V(n)) at every fork node of task i, by one
// backward pass from the pattern rewards; filler nodes have Q = V, so their gradient stays 0. The
// values of the pass sit in place in a row of K: V of prefix p after d forks at p b^(c-d).
fn expectedTreeGrad(i: u32, majority: u32) {
  let vals = knobs.treeValueOff + i * K;
  for (var k = 0u; k < K; k++) { scratch[vals + k] = patternReward(i, k, patternAnswers(i, k), majority); }
  for (var j = TREE_C; j > 0u; j--) {
    let d = j - 1u; // the fork's depth
    let child = TREE_POW[TREE_C - j];
    for (var p = 0u; p < TREE_POW[d]; p++) {
      let n = nodeAt(i, TREE_FORKS[d], p);
      let lz = nodeLogNorm(n, TREE_B);
      let reach = prefixMass(i, d, p);
      var value = 0.0;
      for (var v = 0u; v < TREE_B; v++) { value += exp(theta[n + v] - lz) * scratch[vals + (p * TREE_B + v) * child]; }
      for (var v = 0u; v < TREE_B; v++) {
        scratch[gradAt(n + v)] = reach * exp(theta[n + v] - lz) * (scratch[vals + (p * TREE_B + v) * child] - value);
      }
      scratch[vals + p * TREE_B * child] = value;
    }
  }
}

// e^x - 1 and log(1 + x), accurate near 0 where the float32 expressions lose every digit: by their
// series below 0.1, whose next terms are below 1e-9 relative there.
fn expm1(x: f32) -> f32 {
  if (abs(x) >= 0.1) { return exp(x) - 1.0; }
  return x * (1.0 + x * (1.0 / 2.0 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x * (1.0 / 720.0))))));
}

fn log1p(x: f32) -> f32 {
  if (abs(x) >= 0.1) { return log(1.0 + x); }
  return x * (1.0 - x * (1.0 / 2.0 - x * (1.0 / 3.0 - x * (1.0 / 4.0 - x * (1.0 / 5.0 - x * (1.0 / 6.0 - x * (1.0 / 7.0 - x / 8.0)))))));
}

// (delta - 1) e^delta + 1 >= 0, a token's term of KL(p || r) = sum_v r_v phi(delta_v), delta the log
// ratio: each term is second order in delta, so nothing cancels (its series below 0.1).
fn klTerm(d: f32) -> f32 {
  if (abs(d) >= 0.1) { return (d - 1.0) * exp(d) + 1.0; }
  return d * d * (1.0 / 2.0 + d * (1.0 / 3.0 + d * (1.0 / 8.0 + d * (1.0 / 30.0 + d * (1.0 / 144.0)))));
}

// Whether a token of logit x ranks above one of logit y at the same node: logits within RANK_TIE
// are tied (src/model/constants.ts), and `first` says whether x's token has the smaller index.
fn ranksAbove(x: f32, y: f32, first: bool) -> bool {
  return x > y + RANK_TIE || (abs(x - y) <= RANK_TIE && first);
}

// The mass of node (l, p) of task i on tokens whose rank moved from pi_ref's (x), and
// KL(pi(.|n) || pi_ref(.|n)) (y). Ranks compare logits, which order a node's tokens as its
// probabilities do. The KL is summed from the logits' moves d_v (exact in
// float32 for small moves) as sum_v pi_ref(v) klTerm(d_v - log sum_u pi_ref(u) e^(d_u)): after a
// few steps it is 1e-4 or less, which the difference of two log-probabilities would give to a
// few digits only.
fn nodeChange(i: u32, l: u32, p: u32) -> vec2f {
  let w = nodeWidth(l);
  let n = nodeAt(i, l, p);
  let r = nodeAt(refRow(), l, p);
  // A node no step has moved (every filler in expected mode, every node no response has reached)
  // has nothing to count: the sums below would be exactly 0.
  var moved = false;
  for (var v = 0u; v < w; v++) { moved = moved || theta[n + v] != theta[r + v]; }
  if (!moved) { return vec2f(0.0); }
  let lz = nodeLogNorm(n, w);
  let lzRef = nodeLogNorm(r, w);
  var shift = 0.0; // sum_u pi_ref(u) (e^(d_u) - 1)
  for (var v = 0u; v < w; v++) { shift += exp(theta[r + v] - lzRef) * expm1(theta[n + v] - theta[r + v]); }
  let dz = log1p(shift); // lz - lzRef
  var change = vec2f(0.0);
  for (var v = 0u; v < w; v++) {
    let x = theta[n + v];
    let xRef = theta[r + v];
    var rank = 0u;
    var rankRef = 0u;
    for (var u = 0u; u < w; u++) {
      rank += select(0u, 1u, ranksAbove(theta[n + u], x, u < v));
      rankRef += select(0u, 1u, ranksAbove(theta[r + u], xRef, u < v));
    }
    if (rank != rankRef) { change.x += exp(x - lz); }
    change.y += exp(xRef - lzRef) * klTerm(x - xRef - dz);
  }
  return change;
}

// Position l of task i's responses: the expected mass of rank-changed tokens (x) and the KL to
// pi_ref (y), over its nodes weighted by P(reach) (src/reference/tree.ts positionProfile).
fn positionChange(i: u32, l: u32) -> vec2f {
  let d = TREE_DEPTH[l];
  var acc = vec2f(0.0);
  for (var p = 0u; p < TREE_POW[d]; p++) {
    let m = prefixMass(i, d, p);
    if (m > 0.0) { acc += m * nodeChange(i, l, p); }
  }
  return acc;
}

// The tree metrics of docs/model.md §9 of task i, written into out.
fn treeMetrics(i: u32, out: ptr<function, array<f32, M>>) {
  var fork = vec2f(0.0);
  var filler = vec2f(0.0);
  for (var l = 0u; l < TREE_L; l++) {
    let c = positionChange(i, l);
    if (TREE_IS_FORK[l] == 1u) { fork += c; } else { filler += c; }
  }
  let kl = fork.y + filler.y;
  (*out)[M_RANK_CHANGE_RATIO] = (fork.x + filler.x) / f32(TREE_L);
  (*out)[M_FORK_RANK_CHANGE] = fork.x / f32(TREE_C);
  (*out)[M_FILLER_RANK_CHANGE] = select(0.0, filler.x / f32(TREE_L - TREE_C), TREE_L > TREE_C);
  (*out)[M_CRITICAL_SHARE] = select(fork.y / kl, 0.0, kl == 0.0);
}

// The gradient of task i's node logits at step t and their optimizer steps; writes the step's
// rollout statistics into out when `full`.
fn treeGradient(i: u32, t: u32, out: ptr<function, array<f32, M>>, full: bool) {
  if (ESTIMATOR == EST_EXPECTED) {
    let ex = expectedSums(i, i, 0.0, full);
    if (full) { writeRolloutStats(RolloutStats(ex.J, 0.0, select(0.0, 1.0, ex.majority == 0u)), out); }
    expectedTreeGrad(i, ex.majority);
  } else {
    var kg: array<u32, G>;
    var ag: array<u32, G>;
    var rg: array<f32, G>;
    let majority = drawTaskGroup(i, t, &kg, &ag, &rg);
    var factor = 0.0;
    let stats = centreGroup(&rg, majority, &factor);
    if (full) { writeRolloutStats(stats, out); }
    for (var n = i * TREE_ROW; n < (i + 1u) * TREE_ROW; n++) { scratch[gradAt(n)] = 0.0; }
    for (var g = 0u; g < G; g++) {
      if (rg[g] != 0.0) { response(i, t, g, rg[g]); }
    }
    sampledNodeSteps(i, t, &kg, &rg, factor);
    return;
  }
  for (var n = i * TREE_ROW; n < (i + 1u) * TREE_ROW; n++) { updatePatternLogit(n, theta[n], scratch[gradAt(n)], t); }
}

// c - d, exactly 0 where it is within GRAD_CANCEL of its terms (src/model/constants.ts).
fn cancelled(c: f32, d: f32) -> f32 {
  return select(c - d, 0.0, abs(c - d) <= GRAD_CANCEL * (abs(c) + abs(d)));
}

// The sampled gradient (1/G) sum_{g through n} Adv_g (1[y_g = v] - pi(v|n)) = factor/G (C_v - pi(v|n) S)
// at every node n of task i, and each logit's optimizer step. C_v sums the centred rewards rg of
// the responses through n that emit v (response() left them in the gradient slots), S of all
// responses through n: those whose pattern extends n's fork prefix. Through a node every
// response passes, S is exactly 0, as the advantages sum to 0 (centreGroup): float32's residue
// would otherwise become a full Adam step of each token no response emitted.
fn sampledNodeSteps(i: u32, t: u32, kg: ptr<function, array<u32, G>>, rg: ptr<function, array<f32, G>>, factor: f32) {
  for (var l = 0u; l < TREE_L; l++) {
    let w = nodeWidth(l);
    let block = TREE_POW[TREE_C - TREE_DEPTH[l]];
    for (var p = 0u; p < TREE_POW[TREE_DEPTH[l]]; p++) {
      let n = nodeAt(i, l, p);
      var s = 0.0;
      var through = 0u;
      for (var g = 0u; g < G; g++) {
        if ((*kg)[g] / block == p) {
          s += (*rg)[g];
          through++;
        }
      }
      if (through == G) { s = 0.0; }
      let lz = nodeLogNorm(n, w);
      // Each logit's own probability is read before its step.
      for (var v = 0u; v < w; v++) {
        let x = theta[n + v];
        updatePatternLogit(n + v, x, factor / f32(G) * cancelled(scratch[gradAt(n + v)], exp(x - lz) * s), t);
      }
    }
  }
}

// Step t of task i: its gradient and every node logit's optimizer step (treeGradient), then its
// pattern row and metrics (the event metrics alone unless `full`).
fn treeTaskStep(i: u32, t: u32, out: ptr<function, array<f32, M>>, full: bool) {
  treeGradient(i, t, out, full);
  writePatternRow(i);
  storedPolicyMetrics(i, i, out, full);
  if (full) { treeMetrics(i, out); }
}

@compute @workgroup_size(WG)
fn step(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  let w = workgroupIndex(wid, nwg);
  let valid = enterTask(i);
  var ev = vec2u(0u);
  if (valid) {
    if (EVENTS) { ev = loadEvents(i); }
    writePatternRow(i); // a restored snapshot holds the node logits only
  }
  for (var s = 0u; s < params.nSteps; s++) {
    var out: array<f32, M>;
    if (valid) {
      treeTaskStep(i, params.step + s, &out, isLogged(s));
      noteRise(i, &out, params.step + s, isLogged(s));
      noteEvent(i, &ev, &out, params.step + s);
    }
    toPartialRows(&out, metricCount(s), lid, TO_PARTIALS, s * knobs.numWg + w);
  }
  if (EVENTS && valid) { storeEvents(i, ev); }
}

// Per position, the rank change (row [0, L)) and KL (row [L, 2L)) of every task, summed over each
// workgroup's tasks in a fixed order into its partials row; treePositionsReduce sums the rows.
// Positions go CHUNK / 2 at a time through the workgroup array of reduceWorkgroup.
@compute @workgroup_size(WG)
fn treePositions(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  let valid = enterTask(i);
  if (valid) { writePatternRow(i); }
  let w = workgroupIndex(wid, nwg);
  let per = CHUNK / 2u;
  for (var base = 0u; base < TREE_L; base += per) {
    for (var j = 0u; j < per; j++) {
      var c = vec2f(0.0);
      if (valid && base + j < TREE_L) { c = positionChange(i, base + j); }
      red[lid * CHUNK + 2u * j] = c.x;
      red[lid * CHUNK + 2u * j + 1u] = c.y;
    }
    workgroupBarrier();
    let l = base + lid / 2u;
    if (lid < CHUNK && l < TREE_L) {
      var v = 0.0;
      for (var u = 0u; u < WG; u++) { v += red[u * CHUNK + lid]; }
      partials[w * 2u * TREE_L + (lid % 2u) * TREE_L + l] = v;
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG)
fn treePositionsReduce(@builtin(local_invocation_index) lid: u32) {
  sumPartialRows(lid, 2u * TREE_L, knobs.positionsOff);
}
