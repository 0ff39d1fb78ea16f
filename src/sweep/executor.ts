// How a sweep's cohorts are run. The sweep hands an executor one run at a time (cohorts that
// share the kernel-shaping fields) and receives, per cohort, its start, EVERY step's metric rows
// and its end; what is written and summarised is not the executor's business. The executor here
// opens each cohort as its own simulation, one after the other on one device, so a cohort's
// metrics are those of `patternflow run` with its config by construction. PackedExecutor packs a
// run's cohorts into one GPU run instead (src/engine/engine.ts): each cohort's random streams are
// keyed by its own seed and task indices and its metrics are summed over its own rows in its own
// run's order, so its metrics are bit-identical to its own run's on the same adapter.
import { adapterDescription } from '../engine/adapter';
import { checkLimits, fitsLimits } from '../engine/plan';
import { Engine, packable, planFor } from '../engine/engine';
import { ConfigError, type Config } from '../model/config';
import { modelReport } from '../model/report';
import { buildTasks } from '../model/tasks';
import type { AdapterDescription, BatchCallback } from '../model/simulation';
import type { ModelReport } from '../model/report';
import { backendFor, type Backend } from '../simulation/backend';
import { openSimulation } from '../simulation/open';
import { THROUGHPUT_BATCH_MS } from '../engine/batch-sizer';
import type { Cohort, Grid, Run } from './grid';

/** What a cohort's simulation says before its first step. */
export interface CohortStart {
  report: ModelReport;
  adapter: AdapterDescription;
}

/** Receives each cohort's start, every step's rows (in step order) and end; cohorts of a run may interleave. */
export interface CohortObserver {
  start(cohort: Cohort, info: CohortStart): void;
  rows(cohort: Cohort, ...batch: Parameters<BatchCallback>): void;
  /** `taskEvents`, where the executor has them: each task's first step at best-pattern mass 0.9 (0: never). */
  end(cohort: Cohort, taskEvents?: ArrayLike<number>): Promise<void>;
}

export interface Executor {
  /** Refuses, before anything runs, a cohort of the grid that the device cannot hold. */
  check(grid: Grid, cohorts: readonly number[]): Promise<void>;
  /** Runs the given cohorts of `run` to their last step; rejects if stop() was called first. */
  runCohorts(grid: Grid, run: Run, cohorts: readonly number[], observer: CohortObserver): Promise<void>;
  /** Asks runCohorts to end after the batch in flight. */
  stop(): void;
}

export class StoppedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'StoppedError';
  }
}

/** Each cohort its own simulation, in sequence, on the backend's device (shared: compiled modules are reused). */
export class SequentialExecutor implements Executor {
  private stopped = false;
  private running?: { stop(): void };

  constructor(private readonly backend: Backend) {}

  async check(grid: Grid, cohorts: readonly number[]): Promise<void> {
    if (this.backend.kind !== 'webgpu') return; // the reference checks its own cap when it opens
    const gpu = await this.backend.device();
    for (const i of cohorts) {
      const { config } = grid.cohort(i);
      if (config.policy === 'tokens') continue; // opens on the float64 reference (simulation/backend.ts backendFor)
      try {
        checkLimits(config, planFor(gpu, config), gpu.device.limits);
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(e.field, `${e.message.slice(e.field.length + 2)} (cohort ${i})`);
        throw e;
      }
    }
  }

  async runCohorts(grid: Grid, _run: Run, cohorts: readonly number[], observer: CohortObserver): Promise<void> {
    for (const i of cohorts) {
      if (this.stopped) throw new StoppedError();
      const cohort = grid.cohort(i);
      const sim = await openSimulation(cohort.config, backendFor(cohort.config, this.backend), { engine: { batchMs: THROUGHPUT_BATCH_MS, events: true, logged: (t) => grid.schedule.has(t) } });
      this.running = sim;
      try {
        observer.start(cohort, { report: sim.report, adapter: sim.adapter });
        await sim.run(cohort.config.steps, (...batch) => observer.rows(cohort, ...batch));
        if (sim.step < cohort.config.steps) throw new StoppedError();
        await observer.end(cohort, await sim.taskEvents?.());
      } finally {
        this.running = undefined;
        sim.close();
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.running?.stop();
  }
}

/** The most cohorts, and tasks, of one packed GPU run: bounds its metrics readback (steps x cohorts x metrics). */
const PACK_COHORTS = 1024;
const PACK_TASKS = 1 << 20;

/** The engine options of a pack (its plan depends on them). */
const PACK_OPTIONS = { events: true, batchMs: THROUGHPUT_BATCH_MS };

/**
 * A run's cohorts packed into GPU runs of up to PACK_COHORTS cohorts (PACK_TASKS tasks) each, and
 * no more than the device's buffer limits hold (each cohort alone was checked before), on the
 * webgpu backend; runs that cannot be packed (the reference backend, the shared policy,
 * GRPO's batch scale: engine.ts packable) go to the SequentialExecutor.
 */
export class PackedExecutor implements Executor {
  private stopped = false;
  private running?: { stop(): void };
  private readonly sequential: SequentialExecutor;

  constructor(private readonly backend: Backend) {
    this.sequential = new SequentialExecutor(backend);
  }

  check(grid: Grid, cohorts: readonly number[]): Promise<void> {
    return this.sequential.check(grid, cohorts);
  }

  async runCohorts(grid: Grid, run: Run, cohorts: readonly number[], observer: CohortObserver): Promise<void> {
    if (this.backend.kind !== 'webgpu' || cohorts.length === 0 || !packable(grid.cohort(cohorts[0]).config)) return this.sequential.runCohorts(grid, run, cohorts, observer);
    const gpu = await this.backend.device();
    const fits = (configs: Config[]) => {
      const plan = planFor(gpu, configs[0], PACK_OPTIONS, configs.map((c) => c.tasks));
      return fitsLimits({ ...configs[0], tasks: plan.threads }, plan, gpu.device.limits);
    };
    let pack: Cohort[] = [];
    let tasks = 0;
    for (const i of cohorts) {
      const cohort = grid.cohort(i);
      const full = pack.length === PACK_COHORTS || tasks + cohort.config.tasks > PACK_TASKS;
      if (pack.length && (full || !fits([...pack, cohort].map((c) => c.config)))) {
        await this.runPack(grid, pack, observer);
        [pack, tasks] = [[], 0];
      }
      pack.push(cohort);
      tasks += cohort.config.tasks;
    }
    await this.runPack(grid, pack, observer);
  }

  private async runPack(grid: Grid, pack: Cohort[], observer: CohortObserver): Promise<void> {
    if (this.stopped || this.backend.kind !== 'webgpu') throw new StoppedError();
    const gpu = await this.backend.device();
    const configs: Config[] = pack.map((c) => c.config);
    const engine = await Engine.create(gpu, configs, { ...PACK_OPTIONS, logged: (t) => grid.schedule.has(t) });
    this.running = engine;
    try {
      const adapter = adapterDescription(gpu.adapter);
      pack.forEach((cohort, j) => observer.start(cohort, { report: modelReport(cohort.config, j === 0 ? engine.tasks : buildTasks(cohort.config)), adapter }));
      const M = engine.plan.metrics;
      const C = pack.length;
      const steps = configs[0].steps;
      await engine.run(steps, (first, values, n) =>
        pack.forEach((cohort, j) => {
          const rows = new Float32Array(n * M);
          for (let r = 0; r < n; r++) rows.set(values.subarray((r * C + j) * M, (r * C + j + 1) * M), r * M);
          observer.rows(cohort, first, rows, n);
        }),
      );
      if (engine.step < steps) throw new StoppedError();
      const events = await engine.taskEvents();
      for (const [j, cohort] of pack.entries()) await observer.end(cohort, events[j]);
    } finally {
      this.running = undefined;
      engine.destroy();
    }
  }

  stop(): void {
    this.stopped = true;
    this.sequential.stop();
    this.running?.stop();
  }
}
