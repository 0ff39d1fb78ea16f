// Sizes of every GPU buffer and region for one config, and the check against the adapter's
// limits that refuses a config up front, with the numbers, instead of failing deep in WebGPU.
import { ConfigError, type Config } from '../model/config';
import { metricLayout, type MetricLayout } from '../model/metrics';
import { HIST_BINS } from '../model/simulation';


/** Threads per workgroup (one task each) and metrics summed per pass of the workgroup reduction. */
export const WORKGROUP = 64;
export const CHUNK = 16;
const MAX_WORKGROUPS_PER_DIM = 65535;
/** Partials of fused steps are bounded to this many bytes. */
const PARTIALS_BUDGET = 32 << 20;
/**
 * The most steps one submitted batch holds, and the bytes of one metrics readback buffer: the
 * engine sizes each batch by time (src/engine/batch-sizer.ts) up to this capacity.
 */
const MAX_STEPS_PER_BATCH = 256;
const STAGING_BUDGET = 4 << 20;

/**
 * The answer tables of frozen answers, float offsets into one buffer: each pattern's wrong-answer
 * weights w (K rows of A - 1), then per pattern (K each) sum_j w_j^2, the entropy of w, and
 * sum_j log w_j.
 */
export interface TablesLayout {
  wrong: number;
  squareSum: number;
  entropy: number;
  logSum: number;
  len: number;
}

export function tablesLayout(K: number, A: number): TablesLayout {
  let at = 0;
  const region = (len: number) => ((at += len), at - len);
  return { wrong: region(K * (A - 1)), squareSum: region(K), entropy: region(K), logSum: region(K), len: at };
}

export interface Plan {
  layout: MetricLayout;
  metrics: number; // M
  perTaskRates: boolean;
  workgroups: [number, number]; // dispatch size (x, y) of the per-task kernels
  numWorkgroups: number; // x * y
  thetaLen: number;
  phiLen: number;
  opt: { thetaM: number; thetaV: number; phiM: number; phiV: number; len: number };
  ratesLen: number;
  tables: TablesLayout;
  stepsPerBatch: number; // the most steps one batch holds (metric staging capacity)
  fusedSteps: number; // steps per dispatch of the tabular step kernel
  taskRows: boolean; // partials: one row per task (no workgroup barrier in the per-task kernels) or per workgroup
  metricRows: number; // partial rows per step
  partialsLen: number;
  scratch: { ref: number; batch: number; gradPartials: number; gradSum: number; batchPartials: number; metrics: number; hist: number; startAccuracy: number; len: number };
  recordLen: number;
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
}

export function makePlan(c: Config, opts: PlanOptions = {}): Plan {
  const { tasks: N, patterns: K, answers: A } = c;
  const layout = metricLayout(c);
  const M = layout.names.length;
  const wgNeeded = Math.ceil(N / WORKGROUP);
  const y = Math.ceil(wgNeeded / MAX_WORKGROUPS_PER_DIM);
  const x = Math.ceil(wgNeeded / y);
  const numWorkgroups = x * y;
  const shared = c.policy === 'shared';
  const thetaLen = shared ? K : N * K;
  const phiLen = c.answerMode === 'trainable' ? N * K * A : 0;
  const adam = c.optimizer === 'adam';
  const opt = { thetaM: 0, thetaV: thetaLen, phiM: 2 * thetaLen, phiV: 2 * thetaLen + phiLen, len: adam ? 2 * (thetaLen + phiLen) : 0 };
  const stepsPerBatch = Math.min(c.steps, opts.stepsPerBatch ?? Math.max(1, Math.min(MAX_STEPS_PER_BATCH, Math.floor(STAGING_BUDGET / (4 * M)))));
  const taskRows = (opts.taskRows ?? false) && numWorkgroups * WORKGROUP * M * 4 <= PARTIALS_BUDGET;
  const metricRows = taskRows ? numWorkgroups * WORKGROUP : numWorkgroups;
  const stepBytes = metricRows * M * 4;
  const unfused = shared || (c.estimator === 'grpo' && c.scale === 'batch');
  const fusedSteps = unfused ? 1 : Math.max(1, Math.min(stepsPerBatch, Math.floor(PARTIALS_BUDGET / stepBytes)));
  const batchScale = c.estimator === 'grpo' && c.scale === 'batch';
  let at = 0;
  const region = (len: number) => ((at += len), at - len);
  const scratch = {
    ref: region(K),
    batch: region(2),
    gradPartials: region(shared ? metricRows * K : 0),
    gradSum: region(K),
    batchPartials: region(batchScale ? numWorkgroups * 3 : 0),
    metrics: region(stepsPerBatch * M),
    hist: region(2 * HIST_BINS),
    startAccuracy: region(N),
    len: 0,
  };
  scratch.len = at;
  return {
    layout,
    metrics: M,
    perTaskRates: c.successBeta !== undefined,
    workgroups: [x, y],
    numWorkgroups,
    thetaLen,
    phiLen,
    opt,
    ratesLen: c.successBeta ? N * K : K,
    tables: tablesLayout(K, A),
    stepsPerBatch,
    fusedSteps,
    taskRows,
    metricRows,
    partialsLen: Math.max(metricRows * fusedSteps * M, numWorkgroups * 2 * HIST_BINS),
    scratch,
    recordLen: opts.record ? N * c.group : 0,
  };
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

/** Throws a ConfigError naming `tasks` when a buffer would exceed the adapter's limits. */
export function checkLimits(c: Config, plan: Plan, limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>): void {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const K = c.patterns;
  const tabular = c.policy === 'tabular';
  const phiPerTask = c.answerMode === 'trainable' ? K * c.answers * 4 : 0;
  const adamPerTask = c.optimizer === 'adam' ? 2 * ((tabular ? K * 4 : 0) + phiPerTask) : 0;
  const perTask: [string, number, number][] = [
    ['pattern logits (theta)', plan.thetaLen * 4, tabular ? K * 4 : 0],
    ['answer logits (phi)', plan.phiLen * 4, phiPerTask],
    ['Adam state', plan.opt.len * 4, adamPerTask],
    ['success rates', plan.ratesLen * 4, plan.perTaskRates ? K * 4 : 0],
    ['rollout record', plan.recordLen * 4, plan.recordLen > 0 ? c.group * 4 : 0],
    ['metric partials', plan.partialsLen * 4, 0],
  ];
  // Name the largest buffer, and the task count at which every per-task buffer still fits.
  const [what, bytes] = perTask.reduce((a, b) => (b[1] > a[1] ? b : a));
  if (bytes <= limit) return;
  const maxTasks = Math.min(...perTask.filter(([, , b]) => b > 0).map(([, , b]) => Math.floor(limit / b)));
  throw new ConfigError(
    'tasks',
    `${c.tasks} tasks need ${gb(bytes)} for the ${what}, above this adapter's buffer limit of ${gb(limit)}` +
      (Number.isFinite(maxTasks) ? `; allowed here: 1..${maxTasks} with this config` : ''),
  );
}
