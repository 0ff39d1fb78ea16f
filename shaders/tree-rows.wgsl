// The token tree of docs/model.md §9 (policy "tokens") in theta: each task's row of TREE_ROW node
// logits, laid out by src/model/tree.ts (the header's TREE_* constants), then pi_ref's rows (one
// per cohort, refRow), then the pattern rows: log pi(k) of every row's K patterns, which the
// pattern-level code reads through logit() (shaders/rows.wgsl) as a row of log-probabilities.
// Common to every kernel shape, because initState and the histograms call it; without a tree
// (TREE false) nothing here runs.

// Choices at a node of position l: b at a fork, V at a filler.
fn nodeWidth(l: u32) -> u32 {
  return select(TREE_V, TREE_B, TREE_IS_FORK[l] == 1u);
}

// Index in theta of the first logit of row `row`'s node at position l under fork prefix p.
fn nodeAt(row: u32, l: u32, p: u32) -> u32 {
  return row * TREE_ROW + TREE_OFF[l] + p * nodeWidth(l);
}

// log sum_v exp(theta[n + v]) over the node's w logits (src/model/policy.ts logSoftmax).
fn nodeLogNorm(n: u32, w: u32) -> f32 {
  var mx = theta[n];
  for (var v = 1u; v < w; v++) { mx = max(mx, theta[n + v]); }
  var z = 0.0;
  for (var v = 0u; v < w; v++) { z += exp(theta[n + v] - mx); }
  return mx + log(z);
}

// Writes log pi(k) = sum_j log pi(k_j | prefix) of row `row` into its pattern row, fork by fork, in
// place: after fork j, prefix p's sum sits at the first pattern of its block, p b^(c-j) (src/reference/tree.ts patternLogProbs).
fn writePatternRow(row: u32) {
  let out = knobs.patternOff + row * K;
  theta[out] = 0.0;
  for (var j = 0u; j < TREE_C; j++) {
    let child = TREE_POW[TREE_C - 1u - j]; // patterns under one choice of fork j
    for (var p = 0u; p < TREE_POW[j]; p++) {
      let n = nodeAt(row, TREE_FORKS[j], p);
      let lz = nodeLogNorm(n, TREE_B);
      let base = theta[out + p * TREE_B * child];
      // Choice 0 last: it overwrites the prefix's own sum.
      for (var v = TREE_B; v > 0u; v--) { theta[out + (p * TREE_B + v - 1u) * child] = base + (theta[n + v - 1u] - lz); }
    }
  }
}

// Task i's tree at the start of RL: the cohort's initial node logits (tables), its pattern row,
// and, from the cohort's first task, pi_ref's rows.
fn initTree(i: u32) {
  for (var n = 0u; n < TREE_ROW; n++) { theta[i * TREE_ROW + n] = table(TABLE_TREE_INIT_OFF + n); }
  writePatternRow(i);
  if (i == co.start) {
    for (var n = 0u; n < TREE_ROW; n++) { theta[refRow() * TREE_ROW + n] = table(TABLE_TREE_INIT_OFF + n); }
    writePatternRow(refRow());
  }
}
