// Sizes of every GPU buffer and region for one config, and the check against the adapter's
// limits that refuses a config up front, with the numbers, instead of failing deep in WebGPU.
import { ConfigError, type Config } from '../model/config';
import { metricLayout, type MetricLayout } from '../model/metrics';
import { perTaskRates } from '../model/tasks';
import { HIST_BINS } from '../model/simulation-interface';
import { configTree } from '../model/tree';
import { COHORT_WORDS } from './cohort-record';

/** Threads per workgroup (one task each) and metrics summed per pass of the workgroup reduction. */
export const WORKGROUP = 64;
export const CHUNK = 16;
/**
 * The register shape keeps a task's K-vectors in function-scope arrays, which WGSL bounds at 8,192
 * bytes per entry point; above this K the storage shape streams over them in storage instead.
 */
export const REGISTER_PATTERNS = 32;
/** A token tree (policy "tokens", docs/model.md §9) streams over its node logits in storage too (shaders/tree-step.wgsl). */
export type KernelShape = 'registers' | 'storage' | 'tree';
/** Sums over the patterns add blocks of this many terms (shaders/rows.wgsl): sqrt(16,384). */
export const SUM_BLOCK = 128;
/** Frozen answers with at most this many (pattern, wrong answer) weights read a drawn pattern's weights by select from all of them (shaders/model.wgsl WEIGHTS_BY_SELECT). */
export const UNIFORM_WEIGHTS = 64;
/** Floats of one workgroup's partial batch statistics (n, mean, M2) under GRPO's batch scale (batch.wgsl). */
export const BATCH_PARTIAL = 3;
const MAX_WORKGROUPS_PER_DIM = 65535;
/** Partials of fused steps are bounded to this many bytes. */
const PARTIALS_BUDGET = 32 << 20;
/**
 * The most steps one submitted batch holds, and the bytes of one metrics readback buffer: the
 * engine sizes each batch by time (src/engine/batch-sizer.ts) up to this capacity.
 */
export const MAX_STEPS_PER_BATCH = 256;
const STAGING_BUDGET = 4 << 20;

/**
 * The run's fixed vectors, float offsets into one read-only buffer: each pattern's wrong-answer
 * weights w (K rows of A - 1), then per pattern (K each) sum_j w_j^2, the entropy of w,
 * sum_j log w_j, the initial logits log pi0 and the SFT target; then a token tree's initial node
 * logits (its T logits per task, src/model/tree.ts initialTreeLogits).
 */
export interface TablesLayout {
  wrong: number;
  squareSum: number;
  entropy: number;
  logSum: number;
  initLogits: number;
  sftTarget: number;
  treeInit: number;
  len: number;
}

export function tablesLayout(K: number, A: number, treeLogits = 0): TablesLayout {
  let at = 0;
  const region = (len: number) => ((at += len), at - len);
  return {
    wrong: region(K * (A - 1)),
    squareSum: region(K),
    entropy: region(K),
    logSum: region(K),
    initLogits: region(K),
    sftTarget: region(K),
    treeInit: region(treeLogits),
    len: at,
  };
}

/** A cohort's block of the run's threads: tasks start..start + tasks - 1 (padding after it is idle). */
export interface CohortBlock {
  start: number;
  tasks: number;
}

export interface Plan {
  options: PlanOptions; // what it was made with
  shape: KernelShape;
  /** The run's cohorts in order; a plain run is one cohort of every task. */
  cohorts: CohortBlock[];
  /** Threads of the per-task kernels that hold a task or padding (N of the buffers below). */
  threads: number;
  layout: MetricLayout;
  metrics: number; // M
  perTaskRates: boolean;
  workgroups: [number, number]; // dispatch size (x, y) of the per-task kernels
  numWorkgroups: number; // x * y
  /** Logits of one policy row: K, or a token tree's T node logits. */
  rowLen: number;
  thetaLen: number; // the policy's logits; pi_ref's rows (one per cohort) follow them in the theta buffer
  refLen: number; // pi_ref's logits: a row per cohort
  /** A token tree's pattern log-probabilities in theta after pi_ref's rows: a row of K per task, then per cohort (shaders/tree-rows.wgsl). */
  patternRows: { off: number; len: number };
  phiLen: number;
  opt: { thetaM: number; thetaV: number; phiM: number; phiV: number; len: number };
  ratesLen: number;
  tables: TablesLayout; // one cohort's vectors; cohort c's at c * tables.len
  cohortRecords: number; // tables: the cohort records (cohort-record.ts), COHORT_WORDS each
  taskCohorts: number; // tables: each dispatched thread's cohort (u32 bits)
  tablesLen: number;
  stepsPerBatch: number; // the most steps one batch holds (metric staging capacity)
  fusedSteps: number; // steps per dispatch of the tabular step kernel
  taskRows: boolean; // partials: one row per task (no workgroup barrier in the per-task kernels) or per workgroup
  rowLanes: number; // with taskRows, the tasks one row sums (a subgroup's: PlanOptions.rowLanes), else 1
  metricRows: number; // partial rows per step
  partialsLen: number;
  scratch: {
    batch: number;
    gradPartials: number;
    gradSum: number;
    batchPartials: number;
    metrics: number;
    hist: number;
    startAccuracy: number;
    rose: number;
    rival: number;
    treeGrad: number;
    treeValue: number;
    positions: number;
    len: number;
  };
  recordLen: number;
  eventsLen: number; // record buffer after the rollouts: each task's first step with best-pattern mass >= TASK_EVENT_MASS, then each task's T0 (0: not yet)
}

export interface PlanOptions {
  /** Record every rollout's (pattern, answer) of the last step (tests). */
  record?: boolean;
  /** Every submitted batch holds this many steps, instead of as many as fill the batch sizer's target time. */
  stepsPerBatch?: number;
  /**
   * Sum the per-task kernels' metrics (and the shared policy's gradients) from one partial row
   * per task, leaving those kernels without a workgroup barrier. Software adapters want it:
   * SwiftShader runs a kernel with a barrier as one coroutine per 4-lane subgroup, created anew
   * for every workgroup of every dispatch. Taken only where a step's rows fit the partials
   * budget; GPUs sum in workgroup memory instead.
   */
  taskRows?: boolean;
  /**
   * With taskRows, let a subgroup of this many lanes sum its tasks' rows into one (subgroupAdd,
   * no barrier) before they are stored: lavapipe stores and loads storage lane by lane, so the
   * rows cost less the fewer they are. Only for an adapter whose subgroups all have this size and
   * hold consecutive invocations (engine.ts planFor); cohorts then start at a multiple of it.
   */
  rowLanes?: number;
  /** Override the kernel shape (tests: the storage shape at small K against the register shape). */
  shape?: KernelShape;
  /** Keep each task's first step at best-pattern mass 0.9 and its T0 (the sweep's per-task events). */
  events?: boolean;
}

/**
 * Places the cohorts, of `tasks` tasks each, one after the other, each starting at a multiple of
 * `align`: aligned to the workgroup, a cohort's workgroup sums are those of its own run.
 */
function packCohorts(tasks: readonly number[], align: number): { cohorts: CohortBlock[]; threads: number } {
  let at = 0;
  const cohorts = tasks.map((n) => {
    const start = Math.ceil(at / align) * align;
    at = start + n;
    return { start, tasks: n };
  });
  return { cohorts, threads: at };
}

/**
 * The plan of a run of cohorts of `cohortTasks` tasks each (default: one cohort of c.tasks), which
 * share c's kernel-shaping fields. Per-task rows are summed per cohort in task order, so they need
 * no alignment; workgroup sums need each cohort to start a workgroup.
 */
export function makePlan(c: Config, opts: PlanOptions = {}, cohortTasks: readonly number[] = [c.tasks]): Plan {
  const tree = configTree(c);
  const lanes = opts.rowLanes ?? 1;
  const dense = packCohorts(cohortTasks, lanes);
  const M0 = metricLayout(c).names.length;
  const rowsFit = ((Math.ceil(dense.threads / WORKGROUP) * WORKGROUP) / lanes) * M0 * 4 <= PARTIALS_BUDGET;
  const { cohorts, threads: N } = (opts.taskRows ?? false) && rowsFit ? dense : packCohorts(cohortTasks, WORKGROUP);
  const C = cohorts.length;
  const { patterns: K, answers: A } = c;
  const layout = metricLayout(c);
  const M = layout.names.length;
  const wgNeeded = Math.ceil(N / WORKGROUP);
  const y = Math.ceil(wgNeeded / MAX_WORKGROUPS_PER_DIM);
  const x = Math.ceil(wgNeeded / y);
  const numWorkgroups = x * y;
  const shared = c.policy === 'shared';
  const rowLen = tree?.logits ?? K;
  const thetaLen = shared ? K : N * rowLen;
  const refLen = C * rowLen;
  const patternRows = { off: thetaLen + refLen, len: tree ? (N + C) * K : 0 };
  const phiLen = c.answerMode === 'trainable' ? N * K * A : 0;
  const adam = c.optimizer === 'adam';
  const opt = { thetaM: 0, thetaV: thetaLen, phiM: 2 * thetaLen, phiV: 2 * thetaLen + phiLen, len: adam ? 2 * (thetaLen + phiLen) : 0 };
  const shape = tree ? 'tree' : (opts.shape ?? (K <= REGISTER_PATTERNS ? 'registers' : 'storage'));
  const stepsPerBatch = Math.min(c.steps, opts.stepsPerBatch ?? Math.max(1, Math.min(MAX_STEPS_PER_BATCH, Math.floor(STAGING_BUDGET / (4 * M)))));
  const taskRows = (opts.taskRows ?? false) && ((numWorkgroups * WORKGROUP) / lanes) * M * 4 <= PARTIALS_BUDGET;
  const rowLanes = taskRows ? lanes : 1;
  const metricRows = taskRows ? (numWorkgroups * WORKGROUP) / rowLanes : numWorkgroups;
  const stepBytes = metricRows * M * 4;
  const unfused = shared || (c.estimator === 'grpo' && c.scale === 'batch');
  // At most MAX_STEPS_PER_BATCH: a dispatch's params flag each of its steps (params.ts).
  const fusedSteps = unfused ? 1 : Math.max(1, Math.min(stepsPerBatch, MAX_STEPS_PER_BATCH, Math.floor(PARTIALS_BUDGET / stepBytes)));
  const batchScale = c.estimator === 'grpo' && c.scale === 'batch';
  let at = 0;
  const region = (len: number) => ((at += len), at - len);
  const scratch = {
    batch: region(2),
    // Shared policy: the gradient per partial row (registers) or per task (storage), summed by sharedUpdate.
    gradPartials: region(shared ? (shape === 'registers' ? metricRows : N) * K : 0),
    gradSum: region(K),
    batchPartials: region(batchScale ? numWorkgroups * BATCH_PARTIAL : 0),
    metrics: region(stepsPerBatch * C * M),
    hist: region(2 * HIST_BINS),
    startAccuracy: region(N),
    // Each task's rise at step 1 (1 or 0), for roseFirst and roseThenFell (Theorem 5.6, docs/model.md §6.4).
    rose: region(N),
    // Each task's rival success rate s_r' for T0 (docs/model.md §6.7), with the per-task events only.
    rival: region(opts.events ? N : 0),
    // A token tree's gradient of every node logit, and (expected mode) the values of its backward pass per pattern.
    treeGrad: region(tree ? N * rowLen : 0),
    treeValue: region(tree && c.estimator === 'expected' ? N * K : 0),
    // A token tree's rank change and KL per position, summed over tasks (treePositions).
    positions: region(tree ? 2 * tree.L : 0),
    len: 0,
  };
  scratch.len = at;
  const tables = tablesLayout(K, A, tree ? rowLen : 0);
  const perTask = perTaskRates(c) || C > 1;
  return {
    options: opts,
    shape,
    cohorts,
    threads: N,
    layout,
    metrics: M,
    perTaskRates: perTask,
    workgroups: [x, y],
    numWorkgroups,
    rowLen,
    thetaLen,
    refLen,
    patternRows,
    phiLen,
    opt,
    ratesLen: perTask ? N * K : K,
    tables,
    cohortRecords: C * tables.len,
    taskCohorts: C * (tables.len + COHORT_WORDS),
    tablesLen: C * (tables.len + COHORT_WORDS) + numWorkgroups * WORKGROUP,
    stepsPerBatch,
    fusedSteps,
    taskRows,
    rowLanes,
    metricRows,
    partialsLen: Math.max(metricRows * fusedSteps * M, numWorkgroups * 2 * Math.max(HIST_BINS, tree?.L ?? 0)),
    scratch,
    recordLen: opts.record ? N * c.group : 0,
    eventsLen: opts.events ? 2 * N : 0,
  };
}

const size = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(2)} MB`);

type Limits = Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>;

/**
 * The floats of every storage buffer of a plan and of the metrics readback (each of two), with what
 * each holds: the engine creates them from this, the limit check and the sweep's memory estimate
 * read it.
 */
export function bufferFloats(plan: Plan) {
  return {
    theta: [plan.shape === 'tree' ? 'token tree logits (theta)' : 'pattern logits (theta)', plan.thetaLen + plan.refLen + plan.patternRows.len],
    opt: ['Adam state', plan.opt.len],
    phi: ['answer logits (phi)', plan.phiLen],
    rates: ['success rates', plan.ratesLen],
    tables: ['answer tables', plan.tablesLen],
    partials: ['metric partials', plan.partialsLen],
    scratch: [plan.scratch.gradPartials > 0 ? "shared policy's gradient rows" : plan.scratch.treeGrad > 0 ? "token tree's gradient rows" : 'scratch', plan.scratch.len],
    record: ['rollout record', plan.recordLen + plan.eventsLen],
    staging: ['metrics readback', plan.stepsPerBatch * plan.cohorts.length * plan.metrics],
  } satisfies Record<string, [string, number]>;
}

/** The largest GPU storage buffer of a plan: what it holds, and its bytes. */
function largestBuffer(plan: Plan): [what: string, bytes: number] {
  const { staging: _readback, ...storage } = bufferFloats(plan);
  const [what, floats] = Object.values(storage).reduce((a, b) => (b[1] > a[1] ? b : a));
  return [what, floats * 4];
}

/** The largest n in lo..hi for which fits(n) holds, or lo - 1 if none does (fits is monotone). */
function largestFitting(lo: number, hi: number, fits: (n: number) => boolean): number {
  let [good, bad] = [lo - 1, hi + 1];
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (fits(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/**
 * Throws a ConfigError when a buffer would exceed the adapter's limits, naming the buffer, its
 * bytes and the limit: for `tasks`, with the most tasks that fit; for `patterns` where not even
 * one task fits, with the most patterns that do.
 */
const bufferLimit = (limits: Limits) => Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);

/** Whether every buffer of `plan` fits the adapter's limits. */
export const fitsLimits = (plan: Plan, limits: Limits): boolean => largestBuffer(plan)[1] <= bufferLimit(limits);

export function checkLimits(c: Config, plan: Plan, limits: Limits): void {
  const limit = bufferLimit(limits);
  const [what, bytes] = largestBuffer(plan);
  if (bytes <= limit) return;
  // Plans of the same options for other counts (sizes only: the config's vectors are not read).
  const fits = (other: Config) => largestBuffer(makePlan(other, plan.options))[1] <= limit;
  const maxTasks = largestFitting(1, c.tasks - 1, (n) => fits({ ...c, tasks: n }));
  const above = `above this adapter's buffer limit of ${size(limit)}`;
  if (maxTasks >= 1) throw new ConfigError('tasks', `${c.tasks} tasks need ${size(bytes)} for the ${what}, ${above}; allowed here: 1..${maxTasks} with this config`);
  const one = { ...c, tasks: 1 };
  const [whatOne, bytesOne] = largestBuffer(makePlan(one, plan.options));
  if (plan.shape === 'tree') throw new ConfigError('length', `a token tree of ${plan.rowLen} logits per task needs ${size(bytesOne)} for the ${whatOne} even with one task, ${above}: fewer positions, forks or vocab`);
  const maxPatterns = largestFitting(2, c.patterns - 1, (k) => fits({ ...c, patterns: k }));
  throw new ConfigError(
    'patterns',
    `${c.patterns} patterns need ${size(bytesOne)} for the ${whatOne} even with one task, ${above}` + (maxPatterns >= 2 ? `; allowed here: 2..${maxPatterns} with this config` : ''),
  );
}
