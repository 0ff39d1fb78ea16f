// How a sweep's cohorts are run. The sweep hands an executor one run at a time (cohorts that
// share the kernel-shaping fields) and receives, per cohort, its start, EVERY step's metric rows
// and its end; what is written and summarised is not the executor's business. SequentialExecutor
// opens each cohort as its own simulation, one after the other on one device, so a cohort's
// metrics are those of `patternflow run` with its config by construction. PackedExecutor packs a
// run's cohorts into one GPU run instead (src/engine/engine.ts): each cohort's random streams are
// keyed by its own seed and task indices and its metrics are summed over its own rows in its own
// run's order, so its metrics are bit-identical to its own run's on the same adapter.
import { checkLimits, fitsLimits } from '../engine/plan';
import type { Checkpoint } from '../engine/checkpoint';
import { packable, planFor, type Snapshot } from '../engine/engine';
import { Runner } from '../engine/runner';
import { ConfigError, type Config } from '../model/config';
import { modelReport } from '../model/report';
import { buildTasks } from '../model/tasks';
import type { AdapterDescription, BatchCallback, TaskEvents } from '../model/simulation-interface';
import type { ModelReport } from '../model/report';
import type { Backend } from '../simulation/backend';
import { openCohorts, openSimulation } from '../simulation/open';
import { THROUGHPUT_BATCH_MS } from '../engine/batch-sizer';
import type { Cohort, Grid, Run } from './grid';

/** What a cohort's simulation says before its first step. */
export interface CohortStart {
  report: ModelReport;
  adapter: AdapterDescription;
  /** Where it goes on from a checkpoint's snapshot: the step of that snapshot, whose rows were observed before. */
  resumedAt?: number;
}

/** Receives each cohort's start, every step's rows (in step order) and end; cohorts of a run may interleave. */
export interface CohortObserver {
  start(cohort: Cohort, info: CohortStart): void;
  rows(cohort: Cohort, ...batch: Parameters<BatchCallback>): void;
  /** `taskEvents`, where the executor has them. */
  end(cohort: Cohort, taskEvents?: TaskEvents): Promise<void>;
}

export interface Executor {
  /** Refuses, before anything runs, a cohort of the grid that the device cannot hold. */
  check(grid: Grid, cohorts: readonly number[]): Promise<void>;
  /** Runs the given cohorts of `run` to their last step; rejects if stop() was called first. */
  runCohorts(grid: Grid, run: Run, cohorts: readonly number[], observer: CohortObserver): Promise<void>;
  /** Asks runCohorts to end after the batch in flight. */
  stop(): void;
  /** Keep the state of each pack in flight there, and go on with its `resume` first (an executor without it resumes at ended cohorts only). */
  useCheckpoints?(checkpoints: PackCheckpoints): void;
}

export class StoppedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'StoppedError';
  }
}

/** The most cohorts, and tasks, of one packed GPU run: bounds its metrics readback (steps x cohorts x metrics). */
const PACK_COHORTS = 1024;
const PACK_TASKS = 1 << 20;

/** Whether a pack of `cohorts` cohorts holding `tasks` tasks is full before a cohort of `next` tasks. */
const packFull = (cohorts: number, tasks: number, next: number) => cohorts === PACK_COHORTS || tasks + next > PACK_TASKS;

/**
 * How many GPU runs PackedExecutor makes of cohorts with these task counts on the webgpu backend,
 * by its caps alone (1 per cohort for a run that cannot be packed); a device whose buffer limits
 * hold fewer cohorts splits them further.
 */
export function packCount(config: Config, tasks: readonly number[]): number {
  if (!packable(config)) return tasks.length;
  let packs = 0;
  let [cohorts, sum] = [0, 0];
  for (const t of tasks) {
    if (cohorts === 0 || packFull(cohorts, sum, t)) [packs, cohorts, sum] = [packs + 1, 0, 0];
    [cohorts, sum] = [cohorts + 1, sum + t];
  }
  return packs;
}

/** The engine options of a pack (its plan depends on them). */
const PACK_OPTIONS = { events: true, batchMs: THROUGHPUT_BATCH_MS };

/** How a sweep keeps the state of its pack in flight (src/sweep/checkpoint.ts writes it to disk). */
export interface PackCheckpoints {
  /** Steps, or wall milliseconds, between snapshots of the pack in flight (the Runner's checkpointEvery and checkpointEveryMs). */
  everySteps?: number;
  everyMs?: number;
  /** A snapshot of the pack of `cohorts` (grid indices, in its order), taken after every row up to its step was observed. */
  saved(cohorts: readonly number[], checkpoint: Checkpoint): Promise<void>;
  /** Every cohort of a pack has ended (been observed to its end). */
  packEnded(): Promise<void>;
  /** The pack to go on with first, from its snapshot. */
  resume?: { cohorts: readonly number[]; snapshot: Snapshot };
}

/**
 * A run's cohorts packed into GPU runs of up to PACK_COHORTS cohorts (PACK_TASKS tasks) each, and
 * no more than the device's buffer limits hold (each cohort alone was checked before), on the
 * webgpu backend; runs that cannot be packed (the reference backend, the shared policy,
 * GRPO's batch scale: engine.ts packable) go one cohort at a time. Every pack is opened through
 * openSimulation / openCohorts, so it is checkpointed and survives a lost device as a run does.
 */
export class PackedExecutor implements Executor {
  private stopped = false;
  private running?: { stop(): void };

  constructor(
    private readonly backend: Backend,
    /** false: every cohort its own simulation (SequentialExecutor). */
    private readonly packs = true,
  ) {}

  private checkpoints?: PackCheckpoints;

  useCheckpoints(checkpoints: PackCheckpoints): void {
    this.checkpoints = checkpoints;
  }

  async check(grid: Grid, cohorts: readonly number[]): Promise<void> {
    if (this.backend.kind !== 'webgpu') return; // the reference checks its own cap when it opens
    const gpu = await this.backend.device();
    for (const i of cohorts) {
      const { config } = grid.cohort(i);
      try {
        checkLimits(config, planFor(gpu, config), gpu.device.limits);
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(e.field, `${e.message.slice(e.field.length + 2)} (cohort ${i})`);
        throw e;
      }
    }
  }

  async runCohorts(grid: Grid, _run: Run, cohorts: readonly number[], observer: CohortObserver): Promise<void> {
    let rest = cohorts;
    const resume = this.checkpoints?.resume;
    if (resume && resume.cohorts.every((i) => cohorts.includes(i))) {
      this.checkpoints!.resume = undefined;
      await this.runPack(grid, resume.cohorts.map((i) => grid.cohort(i)), observer, resume.snapshot);
      rest = cohorts.filter((i) => !resume.cohorts.includes(i));
    }
    if (rest.length === 0) return;
    const { backend } = this;
    const one = !this.packs || backend.kind !== 'webgpu' || !packable(grid.cohort(rest[0]).config);
    const gpu = backend.kind === 'webgpu' ? await backend.device() : undefined;
    const fits = (configs: Config[]) => {
      if (one || !gpu) return configs.length === 1;
      const plan = planFor(gpu, configs[0], PACK_OPTIONS, configs.map((c) => c.tasks));
      return fitsLimits(plan, gpu.device.limits);
    };
    let pack: Cohort[] = [];
    let tasks = 0;
    for (const i of rest) {
      const cohort = grid.cohort(i);
      const full = packFull(pack.length, tasks, cohort.config.tasks);
      if (pack.length && (full || !fits([...pack, cohort].map((c) => c.config)))) {
        await this.runPack(grid, pack, observer);
        [pack, tasks] = [[], 0];
      }
      pack.push(cohort);
      tasks += cohort.config.tasks;
    }
    await this.runPack(grid, pack, observer);
  }

  private async runPack(grid: Grid, pack: Cohort[], observer: CohortObserver, resume?: Snapshot): Promise<void> {
    if (this.stopped) throw new StoppedError();
    const configs: Config[] = pack.map((c) => c.config);
    const cp = this.checkpoints;
    const opts = {
      engine: { ...PACK_OPTIONS, logged: (t: number) => grid.schedule.has(t) },
      resume,
      ...(cp && { checkpointEvery: cp.everySteps ?? Infinity, checkpointEveryMs: cp.everyMs, onCheckpoint: (c: Checkpoint) => cp.saved(pack.map((p) => p.index), c) }),
    };
    const { backend } = this;
    const sim = backend.kind === 'webgpu' ? await openCohorts(configs, backend, opts) : await openSimulation(configs[0], backend, opts);
    this.running = sim;
    try {
      if (this.stopped) throw new StoppedError();
      const adapter = sim.adapter;
      pack.forEach((cohort, j) =>
        observer.start(cohort, { report: j === 0 ? sim.report : modelReport(cohort.config, buildTasks(cohort.config)), adapter, resumedAt: resume?.step }),
      );
      const C = pack.length;
      const steps = configs[0].steps;
      await sim.run(steps - sim.step, (first, values, n) =>
        pack.forEach((cohort, j) => {
          const M = values.length / (n * C);
          const rows = C === 1 ? values : new Float32Array(n * M);
          if (C > 1) for (let r = 0; r < n; r++) rows.set(values.subarray((r * C + j) * M, (r * C + j + 1) * M), r * M);
          observer.rows(cohort, first, rows, n);
        }),
      );
      if (sim.step < steps) throw new StoppedError();
      const events = sim instanceof Runner ? await sim.cohortTaskEvents() : [await sim.taskEvents?.()];
      for (const [j, cohort] of pack.entries()) await observer.end(cohort, events?.[j]);
      await cp?.packEnded();
    } finally {
      this.running = undefined;
      sim.close();
    }
  }

  stop(): void {
    this.stopped = true;
    this.running?.stop();
  }
}

/** Each cohort its own simulation, in sequence, on the backend's device (shared: compiled modules are reused). */
export class SequentialExecutor extends PackedExecutor {
  constructor(backend: Backend) {
    super(backend, false);
  }
}
