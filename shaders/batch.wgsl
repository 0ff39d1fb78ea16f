// GRPO with scale "batch": the std of all N*G rewards of the step, needed before any advantage.
// Each task's group is drawn here (drawTaskGroup, from either kernel shape) and drawn again,
// identically, by the step kernel. Counts, means and squared deviations are merged with Chan's
// pairwise formula, which stays accurate in f32 where sum-of-squares would cancel.

// (n, mean, M2) of two disjoint sets merged.
fn chan(a: vec3f, b: vec3f) -> vec3f {
  let n = a.x + b.x;
  if (n == 0.0) { return a; }
  let d = b.y - a.y;
  return vec3f(n, a.y + d * b.x / n, a.z + b.z + d * d * a.x * b.x / n);
}

// Merges every thread's (n, mean, M2) in a fixed tree order; the result is valid in thread 0.
fn reduceChan(v: vec3f, lid: u32) -> vec3f {
  red[lid * CHUNK] = v.x;
  red[lid * CHUNK + 1u] = v.y;
  red[lid * CHUNK + 2u] = v.z;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      let a = vec3f(red[lid * CHUNK], red[lid * CHUNK + 1u], red[lid * CHUNK + 2u]);
      let o = (lid + stride) * CHUNK;
      let c = chan(a, vec3f(red[o], red[o + 1u], red[o + 2u]));
      red[lid * CHUNK] = c.x;
      red[lid * CHUNK + 1u] = c.y;
      red[lid * CHUNK + 2u] = c.z;
    }
    workgroupBarrier();
  }
  return vec3f(red[0], red[1], red[2]);
}

@compute @workgroup_size(WG)
fn batchStats(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = taskIndex(wid, nwg, lid);
  var stats = vec3f(0.0);
  if (enterTask(i)) {
    var kg: array<u32, G>;
    var ag: array<u32, G>;
    var rg: array<f32, G>;
    drawTaskGroup(i, params.step, &kg, &ag, &rg);
    var sum = 0.0;
    for (var g = 0u; g < G; g++) { sum += rg[g]; }
    let mean = sum / f32(G);
    var m2 = 0.0;
    for (var g = 0u; g < G; g++) { m2 += (rg[g] - mean) * (rg[g] - mean); }
    stats = vec3f(f32(G), mean, m2);
  }
  let total = reduceChan(stats, lid);
  if (lid == 0u) {
    let o = knobs.batchPOff + workgroupIndex(wid, nwg) * BATCH_PARTIAL;
    scratch[o] = total.x;
    scratch[o + 1u] = total.y;
    scratch[o + 2u] = total.z;
  }
}

@compute @workgroup_size(WG)
fn batchReduce(@builtin(local_invocation_index) lid: u32) {
  var acc = vec3f(0.0);
  for (var w = lid; w < knobs.numWg; w += WG) {
    let o = knobs.batchPOff + w * BATCH_PARTIAL;
    acc = chan(acc, vec3f(scratch[o], scratch[o + 1u], scratch[o + 2u]));
  }
  let total = reduceChan(acc, lid);
  if (lid == 0u) {
    scratch[BATCH_OFF] = total.y;
    scratch[BATCH_OFF + 1u] = sqrt(total.z / (total.x - 1.0)); // sample std over all N*G rewards
  }
}
