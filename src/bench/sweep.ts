// The throughput benchmark, shared by `patternflow bench` and bench.html: a sweep over task
// counts, patterns, group sizes, estimators and policies; for each row the WGSL engine's
// rollouts/s and RL steps/s (median of repeats after a warm-up) and the fast CPU engine's on the
// same config, then the roofline of the main kernel. Browser-safe: no Node imports.
import { adapterLine, type AdapterReport, type Gpu } from '../engine/adapter';
import { Engine, planFor } from '../engine/engine';
import { checkLimits, WORKGROUP } from '../engine/plan';
import { POLICIES, parseConfig, type Config, type Estimator } from '../model/config';
import { FastCpuEngine } from '../fast/engine';
import { floorOf, measurePeaks, stepCounts, type Floor, type Peaks, type StepCounts } from './roofline';
import { PassTimer } from './timer';

export type Policy = (typeof POLICIES)[number];
export type Timing = 'timestamp-query' | 'queue';

export interface BenchCase {
  tasks: number;
  patterns: number;
  /** G; 1 for the expected estimator, which samples nothing. */
  group: number;
  estimator: Estimator;
  policy: Policy;
}

export interface BenchRow extends BenchCase {
  rolloutsPerSec: number;
  stepsPerSec: number;
  cpuRolloutsPerSec: number;
  /** WGSL engine over fast CPU engine. */
  speedup: number;
  timing: Timing;
  /** RL steps in each timed repeat of the WGSL engine. */
  steps: number;
  /** Tasks of the CPU measurement: N, or fewer when one CPU step of N tasks would be too slow (per-task cost is flat in N). */
  cpuTasks: number;
}

export interface RooflineRow extends StepCounts {
  tasks: number;
  patterns: number;
  group: number;
  floorRolloutsPerSec: number;
  bound: Floor['bound'];
  /** Achieved rollouts/s over the floor. */
  fraction: number;
}

export interface BenchReport {
  adapter: AdapterReport & { line: string };
  timing: Timing;
  date: string;
  /** What was left out of the full sweep and why; empty when nothing was. */
  notes: string[];
  rows: BenchRow[];
  roofline?: { peaks: Peaks; rows: RooflineRow[] };
}

/** The full sweep (MODEL.md's main config first in each list). */
export const SWEEP = {
  tasks: [1e3, 1e4, 1e5, 1e6, 1e7],
  patterns: [4, 16],
  group: [8, 64],
  estimator: ['grpo', 'reinforce', 'rloo', 'expected'] as Estimator[],
  policy: ['tabular', 'shared'] as Policy[],
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
/** A CPU step above this many rollouts is measured on fewer tasks (see BenchRow.cpuTasks). */
const CPU_MAX_ROLLOUTS_PER_STEP = 1 << 21;

export type SweepFilter = { [F in keyof BenchCase]?: BenchCase[F][] };

/** Rollouts of one RL step: N G sampled (pattern, answer, reward) triples; N exact task gradients in expected mode. */
export const rolloutsPerStep = (c: Pick<BenchCase, 'tasks' | 'group' | 'estimator'>) => c.tasks * (c.estimator === 'expected' ? 1 : c.group);

export function caseConfig(c: BenchCase): Config {
  return parseConfig({ tasks: c.tasks, patterns: c.patterns, group: c.group, estimator: c.estimator, policy: c.policy, steps: 1e7 });
}

const key = (c: BenchCase) => `${c.tasks}/${c.patterns}/${c.group}/${c.estimator}/${c.policy}`;

/** G is 1 for the expected estimator, which samples nothing. */
const normalise = (c: BenchCase): BenchCase => ({ ...c, group: c.estimator === 'expected' ? 1 : c.group });

/** Every combination of the given values, without duplicates. */
function grid(v: { [F in keyof BenchCase]: BenchCase[F][] }): BenchCase[] {
  const out = new Map<string, BenchCase>();
  for (const policy of v.policy)
    for (const estimator of v.estimator)
      for (const patterns of v.patterns)
        for (const group of v.group)
          for (const tasks of v.tasks) {
            const c = normalise({ tasks, patterns, group, estimator, policy });
            out.set(key(c), c);
          }
  return [...out.values()];
}

/**
 * The rows to run. With no filter: the full sweep, thinned on a fallback adapter. A filter fixes
 * the fields it names; the others take the main config's value, and tasks the sweep's N values.
 */
export function planSweep(fallback: boolean, filter: SweepFilter = {}): { cases: BenchCase[]; notes: string[] } {
  const given = Object.values(filter).some((v) => v && v.length > 0);
  if (given) {
    const pick = <F extends keyof BenchCase>(f: F, fallbackValue: BenchCase[F][]) => (filter[f]?.length ? filter[f]! : fallbackValue);
    const tasks = pick('tasks', fallback ? FALLBACK_TASKS : SWEEP.tasks);
    const cases = grid({
      tasks,
      patterns: pick('patterns', [MAIN.patterns]),
      group: pick('group', [MAIN.group]),
      estimator: pick('estimator', [MAIN.estimator]),
      policy: pick('policy', [MAIN.policy]),
    });
    return { cases, notes: fallback && !filter.tasks?.length ? [`fallback adapter: N limited to ${FALLBACK_TASKS.join(', ')}`] : [] };
  }
  if (!fallback) return { cases: grid(SWEEP), notes: [] };
  const curve = FALLBACK_TASKS.map((tasks) => ({ ...MAIN, tasks }));
  const variants = FALLBACK_VARIANTS.map((v) => normalise({ ...MAIN, tasks: FALLBACK_VARIANT_TASKS, ...v }));
  return {
    cases: [...curve, ...variants],
    notes: [
      `fallback adapter: sweep thinned to the main kernel (K ${MAIN.patterns}, G ${MAIN.group}, ${MAIN.estimator}, ${MAIN.policy}) at N = ${FALLBACK_TASKS.join(', ')} ` +
        `and, at N = ${FALLBACK_VARIANT_TASKS}, one change at a time: the other estimators, the shared policy, K 16, G 64, both ` +
        `(full sweep: every combination of N = ${SWEEP.tasks.join(', ')}, K = ${SWEEP.patterns.join(', ')}, G = ${SWEEP.group.join(', ')}, all estimators, both policies)`,
    ],
  };
}

export interface BenchOptions {
  /** Timed repeats per row (median). */
  repeats: number;
  /** Each timed repeat runs enough steps to take about this long. */
  minSeconds: number;
  /** Measure the adapter's peaks and print the roofline (adds a few seconds). */
  roofline: boolean;
}

export const defaultOptions = (fallback: boolean): BenchOptions => ({ repeats: fallback ? 3 : 5, minSeconds: fallback ? 0.25 : 0.2, roofline: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const now = () => performance.now() / 1000;

/** The WGSL engine on one case: seconds per RL step (median of repeats) and how it was timed. */
async function measureGpu(gpu: Gpu, config: Config, opts: BenchOptions): Promise<{ secPerStep: number; steps: number; timing: Timing }> {
  const engine = await Engine.create(gpu, config);
  const { device } = gpu;
  let timer: PassTimer | undefined;
  try {
    // Warm-up: one step (first dispatches), then up to a batch sized by it, whose wall time sizes
    // the repeats (a whole batch at once can take minutes where dispatches are slow).
    const timeRun = async (steps: number) => {
      const t0 = now();
      await engine.run(steps);
      await device.queue.onSubmittedWorkDone();
      return now() - t0;
    };
    const { stepsPerBatch, fusedSteps } = engine.plan;
    const first = await timeRun(1);
    const warm = Math.max(1, Math.min(stepsPerBatch, Math.floor(opts.minSeconds / Math.max(first, 1e-9))));
    const estimate = (await timeRun(warm)) / warm;
    // Whole fused dispatches, as a long run makes them.
    const steps = fusedSteps * Math.max(1, Math.ceil(opts.minSeconds / Math.max(estimate, 1e-9) / fusedSteps));
    const batches = Math.ceil(steps / stepsPerBatch);
    if (gpu.hasTimestamps && batches <= 2048) {
      timer = new PassTimer(device, batches);
      engine.passTimestamps = timer.next;
    }
    const walls: number[] = [];
    const gpuTimes: (number | undefined)[] = [];
    for (let r = 0; r < opts.repeats; r++) {
      walls.push(await timeRun(steps));
      gpuTimes.push(await timer?.elapsedNs());
    }
    // Any bad timestamp pair (a clock that went backwards) sends the whole row to queue time.
    const ns = gpuTimes.every((t) => t !== undefined && t > 0) ? (gpuTimes as number[]) : undefined;
    return { secPerStep: median(ns ? ns.map((t) => t / 1e9) : walls) / steps, steps, timing: ns ? 'timestamp-query' : 'queue' };
  } finally {
    timer?.destroy();
    engine.destroy();
  }
}

/** The fast CPU engine on one case (at most CPU_MAX_ROLLOUTS_PER_STEP rollouts a step): rollouts/s. */
function measureCpu(c: BenchCase, opts: BenchOptions): { rolloutsPerSec: number; tasks: number } {
  const perTask = rolloutsPerStep({ ...c, tasks: 1 });
  const tasks = Math.min(c.tasks, Math.max(1, Math.floor(CPU_MAX_ROLLOUTS_PER_STEP / perTask)));
  const cpu = new FastCpuEngine(caseConfig({ ...c, tasks }));
  let t0 = now();
  cpu.run(1); // warm-up: the JIT compiles the loop
  const steps = Math.max(1, Math.ceil(opts.minSeconds / Math.max(now() - t0, 1e-9)));
  const times: number[] = [];
  for (let r = 0; r < opts.repeats; r++) {
    t0 = now();
    cpu.run(steps);
    times.push(now() - t0);
  }
  return { rolloutsPerSec: (tasks * perTask * steps) / median(times), tasks };
}

/** Measures one row: the WGSL engine, then the fast CPU engine on the same config. */
export async function benchCase(gpu: Gpu, c: BenchCase, opts: BenchOptions): Promise<BenchRow> {
  const config = caseConfig(c);
  const g = await measureGpu(gpu, config, opts);
  const cpu = measureCpu(c, opts);
  const rolloutsPerSec = rolloutsPerStep(c) / g.secPerStep;
  return {
    ...c,
    rolloutsPerSec,
    stepsPerSec: 1 / g.secPerStep,
    cpuRolloutsPerSec: cpu.rolloutsPerSec,
    speedup: rolloutsPerSec / cpu.rolloutsPerSec,
    timing: g.timing,
    steps: g.steps,
    cpuTasks: cpu.tasks,
  };
}

/** Runs the planned rows (skipping those beyond the adapter's buffer limits, with a note) and the roofline. */
export async function runBench(
  gpu: Gpu,
  plan: { cases: BenchCase[]; notes: string[] },
  opts: BenchOptions,
  onRow?: (row: BenchRow) => void,
): Promise<BenchReport> {
  const report: BenchReport = {
    adapter: { ...gpu.adapter, line: adapterLine(gpu.adapter) },
    timing: gpu.hasTimestamps ? 'timestamp-query' : 'queue',
    date: new Date().toISOString(),
    notes: [...plan.notes],
    rows: [],
  };
  for (const c of plan.cases) {
    const config = caseConfig(c);
    try {
      checkLimits(config, planFor(gpu, config), gpu.device.limits);
    } catch (e) {
      report.notes.push(`skipped ${describeCase(c)}: ${(e as Error).message}`);
      continue;
    }
    const row = await benchCase(gpu, c, opts);
    report.rows.push(row);
    onRow?.(row);
  }
  const mains = report.rows.filter((r) => r.estimator === 'grpo' && r.policy === 'tabular');
  if (opts.roofline && mains.length > 0) {
    const peaks = await measurePeaks(gpu, { minSeconds: opts.minSeconds / 2, repeats: opts.repeats, copyBytes: gpu.adapter.isFallback ? 32 << 20 : 256 << 20 });
    const rows = mains.map((r) => {
      const config = caseConfig(r);
      const plan = planFor(gpu, config);
      const counts = stepCounts({ K: r.patterns, A: config.answers, G: r.group, M: plan.metrics, F: plan.fusedSteps, W: plan.taskRows ? 1 : WORKGROUP });
      const floor = floorOf(counts, peaks);
      return { tasks: r.tasks, patterns: r.patterns, group: r.group, ...counts, floorRolloutsPerSec: floor.rolloutsPerSec, bound: floor.bound, fraction: r.rolloutsPerSec / floor.rolloutsPerSec };
    });
    report.roofline = { peaks, rows };
  }
  return report;
}

export const describeCase = (c: BenchCase) =>
  `N=${c.tasks} K=${c.patterns} ${c.estimator === 'expected' ? 'expected' : `G=${c.group} ${c.estimator}`} ${c.policy}`;

const sci = (x: number) => (x >= 1e4 ? x.toExponential(2) : x.toPrecision(3));

/** The report as text: the adapter line first, then one row per case, then the roofline. */
export function formatReport(r: BenchReport): string {
  const gpuWord = r.adapter.isFallback ? 'WGSL on CPU fallback' : 'WGSL (GPU)';
  const lines = [
    `adapter: ${r.adapter.line}`,
    `${r.adapter.isFallback ? 'CPU FALLBACK ADAPTER (SwiftShader): these are not GPU figures. ' : ''}timing: ${r.timing === 'timestamp-query' ? 'GPU timestamp queries (compute passes)' : 'queue completion (onSubmittedWorkDone, wall clock)'}; ` +
      `median of repeats after a warm-up; CPU = fast float32 CPU engine, single-threaded; rollouts = N*G*steps (expected estimator: N*steps)`,
    ...r.notes.map((n) => `note: ${n}`),
  ];
  const header = ['tasks', 'K', 'G', 'estimator', 'policy', `${gpuWord} rollouts/s`, 'steps/s', 'CPU rollouts/s', 'speedup', 'timing'];
  const body = r.rows.map((x) => [
    String(x.tasks),
    String(x.patterns),
    x.estimator === 'expected' ? '-' : String(x.group),
    x.estimator,
    x.policy,
    sci(x.rolloutsPerSec),
    sci(x.stepsPerSec),
    sci(x.cpuRolloutsPerSec) + (x.cpuTasks < x.tasks ? `*` : ''),
    `${x.speedup.toFixed(2)}x`,
    x.timing,
  ]);
  lines.push(...table([header, ...body], [3, 4, 9]));
  if (r.rows.some((x) => x.cpuTasks < x.tasks)) lines.push(`* CPU measured on the first ${CPU_MAX_ROLLOUTS_PER_STEP} rollouts of a step (fewer tasks; its cost per task does not depend on N)`);
  if (r.roofline) {
    const { peaks: p, rows } = r.roofline;
    lines.push(
      '',
      'roofline of the main kernel (tabular GRPO step, rlvr, frozen answers); operations and bytes per rollout, counted from the WGSL',
      `measured peaks: ${(p.intOpsPerSec / 1e9).toFixed(1)} G int ops/s, ${(p.floatOpsPerSec / 1e9).toFixed(1)} G float ops/s, ${(p.bytesPerSec / 1e9).toFixed(1)} GB/s copy`,
      ...table([
        ['tasks', 'K', 'G', 'int ops', 'float ops', 'bytes', 'floor rollouts/s', 'bound', 'achieved'],
        ...rows.map((x) => [
          String(x.tasks),
          String(x.patterns),
          String(x.group),
          x.intOps.toFixed(0),
          x.floatOps.toFixed(0),
          x.bytes.toFixed(2),
          sci(x.floorRolloutsPerSec),
          x.bound,
          `${(100 * x.fraction).toFixed(1)}%`,
        ]),
      ], [7]),
    );
  }
  return lines.join('\n');
}

/** Aligned columns: text columns (`text` lists them) to the left, numbers to the right. */
function table(rows: string[][], text: number[]): string[] {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((cell, j) => (text.includes(j) ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  ').trimEnd());
}
