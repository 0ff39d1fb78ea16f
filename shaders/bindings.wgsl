// What every kernel shares: the task and workgroup indexing, and the deterministic reduction of
// per-task values. The bind group's declarations and structs Params and Knobs are generated
// (src/engine/bindings.ts).

var<workgroup> red: array<f32, WG * CHUNK>;

// The cohort of the task this invocation works on (src/engine/cohort-record.ts): its numbers that do not
// shape the kernels. Every kernel sets it first (enterTask, or cohortRecord for a cohort's kernels).
var<private> co: Cohort;

// Sets co to task i's cohort; false for a padding thread (after its cohort's tasks, or past the last).
// A run of one cohort reads its record at constant offsets, which lavapipe loads once for all lanes
// (and then pi_ref's row, refRow, is one row for all lanes too).
fn enterTask(i: u32) -> bool {
  if (ONE_COHORT) { co = cohortRecord(0u); } else { co = cohortRecord(bitcast<u32>(tables[knobs.taskCohortOff + i])); }
  return i - co.start < co.tasks;
}

// Task i's index within its cohort: what its random streams are keyed by, as in its own run.
fn localTask(i: u32) -> u32 {
  return i - co.start;
}

// Entry `off` of the cohort's fixed vectors (plan.tables). A run of one cohort reads them at
// constant offsets where `off` is one: lavapipe then loads an entry once for all lanes, instead
// of lane by lane as for an index it reads from storage (co.index).
fn table(off: u32) -> f32 {
  if (ONE_COHORT) { return tables[off]; }
  return tables[co.index * TABLE_STRIDE + off];
}

fn taskIndex(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid;
}

fn workgroupIndex(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.y * nwg.x + wid.x;
}

// Where a workgroup's sums go.
const TO_PARTIALS = 0u;      // overwrite partials row
const ADD_PARTIALS = 1u;     // add to partials row (the shared policy's second kernel)
const TO_GRAD = 2u;          // scratch grad partials row
const TO_GRADSUM = 3u;       // scratch grad sum (single workgroup; read back after a storageBarrier)
const TO_METRICS = 4u;       // scratch metrics row, divided by N

// Sums vals[0..count) over the workgroup in a fixed order (deterministic, no atomics): every
// thread stores a chunk of its values, then thread j adds up column j over all WG threads and
// writes the sum to `dest`, row `row`. Two barriers a chunk, where a tree takes log2(WG) + 1:
// on software adapters barriers dominate the step. Must be called in uniform control flow.
fn reduceWorkgroup(vals: ptr<function, array<f32, M>>, count: u32, lid: u32, dest: u32, row: u32) {
  for (var base = 0u; base < count; base += CHUNK) {
    for (var j = 0u; j < CHUNK; j++) {
      red[lid * CHUNK + j] = select(0.0, (*vals)[min(base + j, M - 1u)], base + j < count);
    }
    workgroupBarrier();
    let m = base + lid;
    if (lid < CHUNK && m < count) {
      var v = 0.0;
      for (var w = 0u; w < WG; w++) { v += red[w * CHUNK + lid]; }
      storeSum(dest, row, m, v);
    }
    workgroupBarrier();
  }
}

fn storeSum(dest: u32, row: u32, m: u32, v: f32) {
  switch dest {
    case TO_PARTIALS: { partials[row * M + m] = v; }
    case ADD_PARTIALS: { partials[row * M + m] += v; }
    case TO_GRAD: { scratch[GRADP_OFF + row * K + m] = v; }
    case TO_GRADSUM: { scratch[knobs.gradSumOff + m] = v; }
    case TO_METRICS, default: { scratch[knobs.metricsOff + row * M + m] = v / f32(co.tasks); }
  }
}

// Partial rows of a per-task kernel: the workgroup's sum in row w or, with TASK_ROWS, the sum of
// each subgroup of ROW_LANES threads (laneSum; one thread each without one) in row
// (w * WG + lid) / ROW_LANES, left for the next kernel to sum (no barrier: see PlanOptions.taskRows
// and rowLanes, which also says why lid / ROW_LANES is the subgroup). Must be called in uniform
// control flow.
fn toPartialRows(vals: ptr<function, array<f32, M>>, count: u32, lid: u32, dest: u32, w: u32) {
  if (TASK_ROWS) {
    // A constant bound, and the step's count inside: the loop unrolls and vals stays in
    // registers (indexed by a runtime m, lavapipe keeps it in memory, lane by lane).
    for (var m = 0u; m < M; m++) {
      if (m < count) {
        let v = laneSum((*vals)[m]);
        if (lid % ROW_LANES == 0u) { storeSum(dest, (w * WG + lid) / ROW_LANES, m, v); }
      }
    }
  } else {
    reduceWorkgroup(vals, count, lid, dest, w);
  }
}

// Rows of partials per step (or grad partials) that toPartialRows leaves.
fn partialRows() -> u32 {
  return select(knobs.numWg, knobs.numWg * WG / ROW_LANES, TASK_ROWS);
}

// Metrics that fused step s computes and sums: all of them where it writes a row, else the
// event metrics, which lead the row (src/model/metrics.ts EVENT_METRICS).
fn metricCount(s: u32) -> u32 {
  return select(NUM_EVENT_METRICS, M, isLogged(s));
}

// Sums every workgroup's partials row of `width` values (a per-task kernel's counts or sums), in
// workgroup order, into scratch at `at`: run by one workgroup, thread lid taking columns lid, lid + WG, ...
fn sumPartialRows(lid: u32, width: u32, at: u32) {
  for (var j = lid; j < width; j += WG) {
    var total = 0.0;
    for (var w = 0u; w < knobs.numWg; w++) { total += partials[w * width + j]; }
    scratch[at + j] = total;
  }
}
