// Per-task distributions at the current step, for the dashboard: histograms over [0, 1] of each
// task's best-pattern mass and of its accuracy. Counts are integers, so workgroup atomics keep
// them deterministic; workgroup rows are summed in a fixed order by histogramReduce.

var<workgroup> histCounts: array<atomic<u32>, 2u * HIST_BINS>;

fn histBin(x: f32) -> u32 {
  return min(u32(max(x, 0.0) * f32(HIST_BINS)), HIST_BINS - 1u);
}

@compute @workgroup_size(WG)
fn histogram(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var j = lid; j < 2u * HIST_BINS; j += WG) { atomicStore(&histCounts[j], 0u); }
  workgroupBarrier();
  let i = taskIndex(wid, nwg, lid);
  if (enterTask(i)) {
    if (TREE) { writePatternRow(i); } // a restored snapshot holds the node logits only
    let row = select(i, 0u, SHARED);
    let lz = logNorm(row);
    var acc = 0.0;
    var bestRate = -1.0;
    var bestLp = 0.0;
    for (var k = 0u; k < K; k++) {
      let lp = logit(row, k) - lz;
      let s = patternAnswers(i, k).s;
      acc += exp(lp) * s;
      if (s > bestRate) { bestRate = s; bestLp = lp; }
    }
    atomicAdd(&histCounts[histBin(exp(bestLp))], 1u);
    atomicAdd(&histCounts[HIST_BINS + histBin(acc)], 1u);
  }
  workgroupBarrier();
  let w = workgroupIndex(wid, nwg);
  for (var j = lid; j < 2u * HIST_BINS; j += WG) { partials[w * 2u * HIST_BINS + j] = f32(atomicLoad(&histCounts[j])); }
}

@compute @workgroup_size(WG)
fn histogramReduce(@builtin(local_invocation_index) lid: u32) {
  sumPartialRows(lid, 2u * HIST_BINS, knobs.histOff);
}
