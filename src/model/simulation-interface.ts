// What every simulator offers, whichever computes it: the WGSL engine (behind its device-loss-proof
// Runner) or the float64 reference. The command line, the dashboard and the tests drive only this.
import type { ModelReport } from './report';

/** Bins of the per-task histograms (best-pattern mass, accuracy) over [0, 1]. */
export const HIST_BINS = 40;

/** Task counts over HIST_BINS bins on [0, 1]: each task's best-pattern mass and accuracy. */
export interface Histograms {
  bestMass: Float32Array;
  accuracy: Float32Array;
  /** Token trees only (docs/model.md §9): where in a response the policy moved. */
  positions?: PositionProfiles;
}

/** Per position of a response, averaged over tasks: the expected rank change and KL to pi_ref (docs/model.md §9), and which positions are forks. */
export interface PositionProfiles {
  rankChange: Float64Array;
  kl: Float64Array;
  forks: readonly boolean[];
}

/**
 * Called once per batch with `rows` metric rows (row-major, in the metric layout's order) for steps
 * firstStep.. . Where the run was opened with a log rule (cadence.ts; the WebGPU backend's
 * `engine.logged`), a step it does not log carries only the event metrics (metrics.ts
 * EVENT_METRICS, the leading columns) and the rest of its row is unspecified: loggedSegments picks
 * the rows to keep.
 */
export type BatchCallback = (firstStep: number, metrics: Float32Array | Float64Array, rows: number) => void;

/** What a simulation runs on, for people and for files. */
export interface AdapterDescription {
  /** One line, as printed next to every figure. */
  line: string;
  /** The `adapter` object of exported JSON and checkpoints. */
  json: Record<string, unknown>;
}

/** Per-task events of a run (0: never), as a sweep's summary reads them (docs/model.md §8). */
export interface TaskEvents {
  /** Each task's first step at which its own best-pattern mass reached 0.9. */
  best90: ArrayLike<number>;
  /** T0 of each regime-2 task (Theorem 5.4, docs/model.md §6.7), in task order; the other tasks have none. */
  t0: ArrayLike<number>;
}

/** A run of one config. `S` is its full state: what snapshot() returns. */
export interface Simulation<S = unknown> {
  /** Steps whose metrics have been delivered. */
  readonly step: number;
  readonly report: ModelReport;
  readonly adapter: AdapterDescription;
  /** Runs until `steps` more steps have been delivered, or stop() is called. */
  run(steps: number, onBatch?: BatchCallback): Promise<void>;
  /** Asks a running run() to return after the batch in flight. */
  stop(): void;
  histograms(): Promise<Histograms>;
  /** The full state after `step` steps (large: only on request). */
  snapshot(): Promise<S>;
  /** The per-task events, where the simulation tracks them. */
  taskEvents?(): Promise<TaskEvents | undefined>;
  /** Frees what the run holds; the simulation is not used afterwards. */
  close(): void;
}
