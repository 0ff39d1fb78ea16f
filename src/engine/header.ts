// The WGSL constants block prepended to the kernels: every knob that shapes the kernels becomes
// a `const`, so the compiler specialises them (array sizes K, A, G; dead branches for unused
// modes). Numbers that do not (lr, seed, N, ...) go to the uniform of knobs.ts instead: runs that
// differ only in those share one compiled module, which the device caches.
import { ESTIMATORS, OPTIMIZERS, REWARDS, SCALES, type Config } from '../model/config';
import { ADAM, CONVERGED_MASS, EPS_GRPO, GRAD_CANCEL, IMPROVED_MARGIN, PHI_FLOOR, RANK_TIE, RECORD_ANSWER_SHIFT, TASK_EVENT_MASS } from '../model/constants';
import { BASE_METRICS, EVENT_METRICS, METRIC, TREE_METRICS } from '../model/metrics';
import { STREAM_ROLLOUT } from '../model/rng';
import { reportedRewardOffset } from '../model/tasks';
import { HIST_BINS } from '../model/simulation-interface';
import { shapeTree } from '../model/tree';
import { BATCH_PARTIAL, CHUNK, SUM_BLOCK, UNIFORM_WEIGHTS, WORKGROUP, type Plan } from './plan';

/** A name as a WGSL constant: 'rlif-certainty' gives RLIF_CERTAINTY, 'zeroStdFrac' ZERO_STD_FRAC. */
export const wgslName = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toUpperCase();

/**
 * The config fields the kernels switch over. Each value gets a numbered id, `prefix`_NAME, in the
 * order of the config's array, and `selector` holds the id of the run's value: `switch REWARD`
 * names its cases REWARD_RLVR, REWARD_RLIF_CERTAINTY, ...
 */
export const VARIANTS = {
  reward: { selector: 'REWARD', prefix: 'REWARD', values: REWARDS },
  estimator: { selector: 'ESTIMATOR', prefix: 'EST', values: ESTIMATORS },
  scale: { selector: 'SCALE', prefix: 'SCALE', values: SCALES },
  optimizer: { selector: 'OPTIMIZER', prefix: 'OPT', values: OPTIMIZERS },
} as const;

export const variantId = (prefix: string, value: string) => `${prefix}_${wgslName(value)}`;

/**
 * The config fields the header reads (wgslHeader takes nothing else of a config): runs that differ
 * in one of them need a module of their own, so a sweep's cohorts that share them pack into one run
 * (docs/model.md §8). passK is one: it sizes the PASSK array and the metric row.
 */
export const KERNEL_FIELDS = [
  'patterns', 'answers', 'group', 'reward', 'estimator', 'scale', 'policy', 'answerMode', 'optimizer', 'passK',
  // The token tree's shape (docs/model.md §9); fillerDecay only sets initial logits.
  'length', 'forks', 'branching', 'vocab',
] as const satisfies readonly (keyof Config)[];
export type KernelField = (typeof KERNEL_FIELDS)[number];

/** Whether two configs compile to the same kernels. */
export const sameKernels = (a: Pick<Config, KernelField>, b: Pick<Config, KernelField>) => KERNEL_FIELDS.every((f) => JSON.stringify(a[f]) === JSON.stringify(b[f]));

/** An f32 literal that parses back to exactly Math.fround(x). */
export function f32(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`non-finite WGSL constant ${x}`);
  return `${Math.fround(x).toPrecision(9)}f`;
}

const u32 = (x: number) => `${x >>> 0}u`;

const u32Array = (xs: readonly number[]) => [`array<u32, ${xs.length}>`, `array<u32, ${xs.length}>(${xs.map(u32).join(', ')})`];

/**
 * The token tree's shape (docs/model.md §9, src/model/tree.ts): TREE_L positions, TREE_C forks of
 * TREE_B choices, TREE_V filler alternatives, TREE_ROW node logits per task; per position its
 * first node's offset in a row, its depth (forks before it) and whether it is a fork; the fork
 * positions; TREE_POW[d] = b^d. Without a tree, one-entry placeholders that no kernel reads.
 */
function treeConsts(c: Pick<Config, KernelField>): [string, string, string][] {
  const T = shapeTree(c);
  const arr = (name: string, xs: readonly number[]): [string, string, string] => [name, ...u32Array(xs.length ? xs : [0])] as [string, string, string];
  return [
    ['TREE', 'bool', String(T !== undefined)],
    ['TREE_L', 'u32', u32(T?.L ?? 1)],
    ['TREE_C', 'u32', u32(T?.c ?? 0)],
    ['TREE_B', 'u32', u32(T?.b ?? 1)],
    ['TREE_V', 'u32', u32(T?.V ?? 1)],
    ['TREE_ROW', 'u32', u32(T?.logits ?? 0)],
    arr('TREE_OFF', T?.offset ?? []),
    arr('TREE_DEPTH', T?.depth ?? []),
    arr('TREE_IS_FORK', T?.isFork.map(Number) ?? []),
    arr('TREE_FORKS', T?.forkPos ?? []),
    arr('TREE_POW', T ? Array.from({ length: T.c + 1 }, (_, d) => T.b ** d) : []),
  ];
}

/**
 * Declared as private variables rather than consts: every array, as a const array indexed by a
 * runtime value is materialised anew at each access (a token tree's step ran many times slower on
 * lavapipe), and the tree's shape, whose const loop bounds the driver's compiler unrolls (a tree's
 * kernels took twice as long to compile). TREE_L stays a const: treePositions loops over it
 * around its barriers, which need uniform control flow.
 */
const RUNTIME_SCALARS = new Set(['TREE_C', 'TREE_B', 'TREE_V', 'TREE_ROW']);

export function wgslHeader(c: Pick<Config, KernelField>, plan: Plan): string {
  const K = c.patterns;
  const variants = Object.entries(VARIANTS).flatMap(([field, { selector, prefix, values }]): [string, string, string][] => [
    ...values.map((v, j): [string, string, string] => [variantId(prefix, v), 'u32', u32(j)]),
    [selector, 'u32', variantId(prefix, c[field as keyof typeof VARIANTS])],
  ]);
  const consts: [string, string, string][] = [
    ...variants,
    ['K', 'u32', u32(K)],
    ['A', 'u32', u32(c.answers)],
    ['G', 'u32', u32(c.estimator === 'expected' ? 1 : c.group)],
    ['WG', 'u32', u32(WORKGROUP)],
    ['CHUNK', 'u32', u32(CHUNK)],
    ['SUM_BLOCK', 'u32', u32(SUM_BLOCK)],
    ['UNIFORM_WEIGHTS', 'u32', u32(UNIFORM_WEIGHTS)],
    ['M', 'u32', u32(plan.metrics)],
    ['PER_TASK_RATES', 'bool', String(plan.perTaskRates)],
    ['SHARED', 'bool', String(c.policy === 'shared')],
    ['TRAINABLE', 'bool', String(c.answerMode === 'trainable')],
    ['ADAM', 'bool', 'OPTIMIZER == OPT_ADAM'],
    ['RECORD', 'bool', String(plan.recordLen > 0)],
    ['RECORD_ANSWER_SHIFT', 'u32', u32(RECORD_ANSWER_SHIFT)],
    ['ONE_COHORT', 'bool', String(plan.cohorts.length === 1)],
    ['TASK_ROWS', 'bool', String(plan.taskRows)],
    ['ROW_LANES', 'u32', u32(plan.rowLanes)],
    ['EVENTS', 'bool', String(plan.eventsLen > 0)],
    ['TASK_EVENT_MASS', 'f32', f32(TASK_EVENT_MASS)],
    ['STREAM_ROLLOUT', 'u32', u32(STREAM_ROLLOUT)],
    ['NUM_PASSK', 'u32', u32(c.passK.length)],
    ['PASSK', ...u32Array(c.passK)] as [string, string, string],
    ...BASE_METRICS.map((m): [string, string, string] => [`M_${wgslName(m)}`, 'u32', u32(METRIC[m])]),
    ['NUM_EVENT_METRICS', 'u32', u32(EVENT_METRICS.length)],
    ...TREE_METRICS.map((m, j): [string, string, string] => [`M_${wgslName(m)}`, 'u32', u32(Math.max(0, plan.layout.tree + j))]),
    ...treeConsts(c),
    ['TABLE_TREE_INIT_OFF', 'u32', u32(plan.tables.treeInit)],
    ['PATTERN_COLUMNS', 'bool', String(plan.layout.mass >= 0)],
    ['M_MASS', 'u32', u32(Math.max(0, plan.layout.mass))],
    ['M_PASSK', 'u32', u32(plan.layout.passAt)],
    ['M_SRATE', 'u32', u32(Math.max(0, plan.layout.successRate))],
    ['THETA_M_OFF', 'u32', u32(plan.opt.thetaM)],
    ['BATCH_OFF', 'u32', u32(plan.scratch.batch)],
    ['BATCH_PARTIAL', 'u32', u32(BATCH_PARTIAL)],
    ['GRADP_OFF', 'u32', u32(plan.scratch.gradPartials)],
    ['TABLE_WRONG_OFF', 'u32', u32(plan.tables.wrong)],
    ['TABLE_SQSUM_OFF', 'u32', u32(plan.tables.squareSum)],
    ['TABLE_ENTROPY_OFF', 'u32', u32(plan.tables.entropy)],
    ['TABLE_INIT_OFF', 'u32', u32(plan.tables.initLogits)],
    ['TABLE_SFT_OFF', 'u32', u32(plan.tables.sftTarget)],
    ['TABLE_LOGSUM_OFF', 'u32', u32(plan.tables.logSum)],
    ['TABLE_STRIDE', 'u32', u32(plan.tables.len)],
    ['HIST_BINS', 'u32', u32(HIST_BINS)],
    ['ADAM_B1', 'f32', f32(ADAM.beta1)],
    ['ADAM_B2', 'f32', f32(ADAM.beta2)],
    ['ADAM_EPS', 'f32', f32(ADAM.eps)],
    ['EPS_GRPO', 'f32', f32(EPS_GRPO)],
    ['PHI_FLOOR', 'f32', f32(PHI_FLOOR)],
    ['CONVERGED_MASS', 'f32', f32(CONVERGED_MASS)],
    ['IMPROVED_MARGIN', 'f32', f32(IMPROVED_MARGIN)],
    ['RANK_TIE', 'f32', f32(RANK_TIE)],
    ['GRAD_CANCEL', 'f32', f32(GRAD_CANCEL)],
    ['REWARD_OFFSET', 'f32', f32(reportedRewardOffset(c))],
  ];
  const decl = (n: string, t: string) => (t.startsWith('array') || RUNTIME_SCALARS.has(n) ? `var<private> ${n}: ${t}` : `const ${n}: ${t}`);
  // A subgroup's sum of x (the rows of ROW_LANES tasks, PlanOptions.rowLanes). subgroupAdd needs
  // the `subgroups` extension, which a module may enable only on a device that has the feature.
  const lanes = plan.rowLanes > 1;
  return [
    ...(lanes ? ['enable subgroups;'] : []),
    '// Generated by src/engine/header.ts for one run config.',
    ...consts.map(([n, t, v]) => `${decl(n, t)} = ${v};`),
    `fn laneSum(x: f32) -> f32 { return ${lanes ? 'subgroupAdd(x)' : 'x'}; }`,
  ].join('\n');
}
