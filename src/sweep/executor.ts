// How a sweep's cohorts are run. The sweep hands an executor one run at a time (cohorts that
// share the kernel-shaping fields) and receives, per cohort, its start, EVERY step's metric rows
// and its end; what is written and summarised is not the executor's business. The executor here
// opens each cohort as its own simulation, one after the other on one device, so a cohort's
// metrics are those of `patternflow run` with its config by construction. An executor that packs
// a run's cohorts into one GPU run can replace it without touching the rest.
import { checkLimits } from '../engine/plan';
import { planFor } from '../engine/engine';
import { ConfigError } from '../model/config';
import type { AdapterDescription, BatchCallback } from '../model/simulation';
import type { ModelReport } from '../model/report';
import type { Backend } from '../simulation/backend';
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
  end(cohort: Cohort): Promise<void>;
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
      const sim = await openSimulation(cohort.config, this.backend, { engine: { batchMs: THROUGHPUT_BATCH_MS } });
      this.running = sim;
      try {
        observer.start(cohort, { report: sim.report, adapter: sim.adapter });
        await sim.run(cohort.config.steps, (...batch) => observer.rows(cohort, ...batch));
        if (sim.step < cohort.config.steps) throw new StoppedError();
        await observer.end(cohort);
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
