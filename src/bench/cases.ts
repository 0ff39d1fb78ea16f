// The benchmark's cases: the sweep over task counts, patterns, group sizes, estimators and
// policies, thinned on a fallback adapter and narrowed by the command line's flags or the page's
// query string. Pure planning: nothing here measures.
import { parseConfig, TREE_DEFAULTS, type Config, type Estimator } from '../model/config';

/** The policies the sweep crosses; the token tree has rows of its own (TREE_ROWS). */
export const BENCH_POLICIES = ['tabular', 'shared'] as const;
export type Policy = (typeof BENCH_POLICIES)[number] | 'tokens';
/** The policies a filter may name: --policy tokens runs the token tree's rows alone. */
export const FILTER_POLICIES: readonly Policy[] = [...BENCH_POLICIES, 'tokens'];

export interface BenchCase {
  tasks: number;
  patterns: number;
  /** G; 1 for the expected estimator, which samples nothing. */
  group: number;
  estimator: Estimator;
  policy: Policy;
  /** A, where a row sets it (the large-K rows); the config's default otherwise. */
  answers?: number;
  /** Full metrics every this many steps, the event metrics on the others (src/model/cadence.ts); every step when absent. */
  logEvery?: number;
}

/** The rows to measure, and what was left out of the full sweep and why. */
export interface SweepPlan {
  cases: BenchCase[];
  notes: string[];
}

/** The full sweep (the main config of docs/model.md first in each list). */
export const SWEEP = {
  tasks: [1e3, 1e4, 1e5, 1e6, 1e7],
  patterns: [4, 16],
  group: [8, 64],
  estimator: ['grpo', 'reinforce', 'rloo', 'expected'] as Estimator[],
  policy: [...BENCH_POLICIES] as Policy[],
};
/** The main kernel, and the benchmark's target row (N = 65,536). */
export const MAIN: Omit<BenchCase, 'tasks'> = { patterns: 4, group: 8, estimator: 'grpo', policy: 'tabular' };
export const TARGET_TASKS = 65536;
/**
 * On a fallback (CPU) adapter the sweep is thinned to finish in a few minutes: the scaling curve
 * of the main kernel up to 10^5 tasks (with the target 65,536), and at 10^4 tasks one factor at a
 * time away from the main config (each other estimator, the shared policy, K 16, G 64, both).
 */
const FALLBACK_TASKS = [1e3, 1e4, TARGET_TASKS, 1e5];
const FALLBACK_VARIANT_TASKS = 1e4;
const FALLBACK_VARIANTS: Partial<BenchCase>[] = [
  ...SWEEP.estimator.filter((estimator) => estimator !== MAIN.estimator).map((estimator) => ({ estimator })),
  { policy: 'shared' },
  { patterns: 16 },
  { group: 64 },
  { patterns: 16, group: 64 },
];

/** The rows of the benchmark's targets (bench/RESULTS.md) beside the sweep: expected and grpo at N = 65,536, with full metrics every TARGET_LOG_EVERY steps. */
const TARGET_LOG_EVERY = 100;
const TARGETS: BenchCase[] = [
  { ...MAIN, tasks: TARGET_TASKS, estimator: 'expected', group: 1 },
  { ...MAIN, tasks: TARGET_TASKS, estimator: 'expected', group: 1, logEvery: TARGET_LOG_EVERY },
  { ...MAIN, tasks: TARGET_TASKS, logEvery: TARGET_LOG_EVERY },
];
/** The large-K rows a fallback adapter runs: K = 16,384 takes minutes a row there. */
const FALLBACK_MAX_PATTERNS = 1000;

/**
 * The storage kernel shape (K > 32), expected and grpo: K = 1,000 with A = 2 as in the paper's
 * experiments, and the largest K; N sized for a step of about a second on a fallback adapter.
 * A fallback adapter runs the K = 1,000 rows only.
 */
export const LARGE_K: BenchCase[] = [
  { tasks: 2048, patterns: 1000, group: 1, estimator: 'expected', policy: 'tabular', answers: 2 },
  { tasks: 2048, patterns: 1000, group: 8, estimator: 'grpo', policy: 'tabular', answers: 2 },
  { tasks: 128, patterns: 16384, group: 1, estimator: 'expected', policy: 'tabular', answers: 2 },
  { tasks: 128, patterns: 16384, group: 8, estimator: 'grpo', policy: 'tabular', answers: 2 },
];

/**
 * The token tree (docs/model.md §9): responses of TREE_DEFAULTS' 40 tokens with 2 forks of 4
 * choices (K = 16) and fillers of 4 alternatives, expected and grpo; tokens/s = rollouts/s x 40.
 */
export const TREE_ROWS: BenchCase[] = [
  { tasks: 4096, patterns: TREE_DEFAULTS.branching ** TREE_DEFAULTS.forks, group: 1, estimator: 'expected', policy: 'tokens' },
  { tasks: 4096, patterns: TREE_DEFAULTS.branching ** TREE_DEFAULTS.forks, group: 8, estimator: 'grpo', policy: 'tokens' },
];

export type SweepFilter = { [F in keyof BenchCase]?: NonNullable<BenchCase[F]>[] };

/** Rollouts of one RL step: N G sampled (pattern, answer, reward) triples; N exact task gradients in expected mode. */
export const rolloutsPerStep = (c: Pick<BenchCase, 'tasks' | 'group' | 'estimator'>) => c.tasks * (c.estimator === 'expected' ? 1 : c.group);

export function caseConfig(c: BenchCase): Config {
  return parseConfig({ tasks: c.tasks, patterns: c.patterns, group: c.group, estimator: c.estimator, policy: c.policy, steps: 1e7, ...(c.answers ? { answers: c.answers } : {}) });
}

/** Tokens of one RL step's responses (N G L), for the token tree's rows; undefined for the others. */
export function tokensPerRollout(c: Pick<BenchCase, 'policy'>): number | undefined {
  return c.policy === 'tokens' ? TREE_DEFAULTS.length : undefined;
}

export const describeCase = (c: BenchCase) =>
  `N=${c.tasks} K=${c.patterns}${c.answers ? ` A=${c.answers}` : ''} ${c.estimator === 'expected' ? 'expected' : `G=${c.group} ${c.estimator}`} ${c.policy}${c.logEvery ? ` logEvery ${c.logEvery}` : ''}`;

const key = (c: BenchCase) => `${c.tasks}/${c.patterns}/${c.group}/${c.estimator}/${c.policy}/${c.answers ?? ''}/${c.logEvery ?? ''}`;

/** G is 1 for the expected estimator, which samples nothing. */
const normalise = (c: BenchCase): BenchCase => ({ ...c, group: c.estimator === 'expected' ? 1 : c.group });

/** Every combination of the given values, without duplicates. */
function grid(v: { [F in Exclude<keyof BenchCase, 'answers'>]-?: NonNullable<BenchCase[F]>[] }): BenchCase[] {
  const out = new Map<string, BenchCase>();
  for (const policy of v.policy)
    for (const estimator of v.estimator)
      for (const patterns of v.patterns)
        for (const group of v.group)
          for (const logEvery of v.logEvery)
            for (const tasks of v.tasks) {
              const c = normalise({ tasks, patterns, group, estimator, policy, ...(logEvery > 1 ? { logEvery } : {}) });
              out.set(key(c), c);
            }
  return [...out.values()];
}

/** The filter's values of a field, or the given ones where it names none. */
const pickFrom =
  (filter: SweepFilter) =>
  <F extends keyof BenchCase>(f: F, fallbackValue: NonNullable<BenchCase[F]>[]) =>
    filter[f]?.length ? filter[f]! : fallbackValue;

/**
 * The token tree's rows a filter naming the policy tokens asks for: TREE_ROWS, with the tasks,
 * estimators, group sizes and logEvery the filter names in place of theirs (K is the tree's).
 */
function treeRows(filter: SweepFilter): BenchCase[] {
  const [expected, grpo] = TREE_ROWS;
  const pick = pickFrom(filter);
  return grid({
    tasks: pick('tasks', [grpo.tasks]),
    patterns: [grpo.patterns],
    group: pick('group', [grpo.group]),
    estimator: pick('estimator', [expected.estimator, grpo.estimator]),
    policy: ['tokens'],
    logEvery: pick('logEvery', [1]),
  });
}

/**
 * The rows to run. With no filter: the full sweep, thinned on a fallback adapter. A filter fixes
 * the fields it names; the others take the main config's value, and tasks the sweep's N values
 * (the token tree's rows: TREE_ROWS' values, see treeRows).
 */
export function planSweep(fallback: boolean, filter: SweepFilter = {}): SweepPlan {
  const given = Object.values(filter).some((v) => v && v.length > 0);
  if (given) {
    const pick = pickFrom(filter);
    const tasks = pick('tasks', fallback ? FALLBACK_TASKS : SWEEP.tasks);
    const policies = pick('policy', [MAIN.policy]).filter((p) => p !== 'tokens');
    const flat = policies.length
      ? grid({
          tasks,
          patterns: pick('patterns', [MAIN.patterns]),
          group: pick('group', [MAIN.group]),
          estimator: pick('estimator', [MAIN.estimator]),
          policy: policies,
          logEvery: pick('logEvery', [1]),
        })
      : [];
    const cases = [...flat, ...(filter.policy?.includes('tokens') ? treeRows(filter) : [])];
    return { cases, notes: fallback && flat.length && !filter.tasks?.length ? [`CPU adapter: N limited to ${FALLBACK_TASKS.join(', ')}`] : [] };
  }
  if (!fallback) return { cases: [...grid({ ...SWEEP, logEvery: [1] }), ...TARGETS, ...LARGE_K, ...TREE_ROWS], notes: [] };
  const curve = FALLBACK_TASKS.map((tasks) => ({ ...MAIN, tasks }));
  const variants = FALLBACK_VARIANTS.map((v) => normalise({ ...MAIN, tasks: FALLBACK_VARIANT_TASKS, ...v }));
  return {
    cases: [...curve, ...variants, ...TARGETS, ...LARGE_K.filter((c) => c.patterns <= FALLBACK_MAX_PATTERNS), ...TREE_ROWS],
    notes: [
      `CPU adapter: sweep thinned to the main kernel (K ${MAIN.patterns}, G ${MAIN.group}, ${MAIN.estimator}, ${MAIN.policy}) at N = ${FALLBACK_TASKS.join(', ')} ` +
        `and, at N = ${FALLBACK_VARIANT_TASKS}, one change at a time: the other estimators, the shared policy, K 16, G 64, both; ` +
        `the expected estimator at N = ${TARGET_TASKS}, and both with full metrics every ${TARGET_LOG_EVERY} steps; the large-K rows at K = 1,000 (A = 2), not K = 16,384; ` +
        `the token tree's two rows ` +
        `(full sweep: every combination of N = ${SWEEP.tasks.join(', ')}, K = ${SWEEP.patterns.join(', ')}, G = ${SWEEP.group.join(', ')}, all estimators, both policies)`,
    ],
  };
}
