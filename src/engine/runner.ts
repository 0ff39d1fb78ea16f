// A run that survives the loss of its device: it snapshots the engine every `checkpointEvery`
// steps, and when the device is lost (driver reset, tab backgrounded, device.destroy()) it opens
// a new one, restores the last checkpoint and goes on. Steps already delivered are recomputed
// silently; the engine is deterministic, so the resumed metrics equal an uninterrupted run's.
// A run may be a pack of cohorts (a sweep's): the same, for each cohort.
import type { Config } from '../model/config';
import { modelReport, type ModelReport } from '../model/report';
import type { AdapterDescription, BatchCallback, Histograms, Simulation, TaskEvents } from '../model/simulation-interface';
import { adapterDescription, type Gpu } from './adapter';
import type { Checkpoint } from './checkpoint';
import { Engine, type EngineOptions, type Snapshot } from './engine';
import type { Plan } from './plan';

export interface RunnerOptions {
  /** Opens a device; called again after a loss. */
  open: () => Promise<Gpu>;
  /** close() destroys the device too: it was opened for this run alone (Node's command line). */
  ownsDevice?: boolean;
  /** The run's config, or a pack's cohorts (Engine.create): rows are then [step][cohort][metric]. */
  config: Config | readonly Config[];
  /** Steps between checkpoints (each reads the full per-task state back); Infinity: none by steps. */
  checkpointEvery?: number;
  /** Also a checkpoint once this much wall time has passed since the last (or the start). */
  checkpointEveryMs?: number;
  /**
   * Called with each checkpoint, every `checkpointEvery` steps and where a stop() ends a run
   * (so that it can be resumed from there), after every metric row up to its step has been delivered.
   */
  onCheckpoint?: (c: Checkpoint) => void | Promise<void>;
  /** Called when a lost device has been replaced and the run resumes from `step`. */
  onRecover?: (info: { step: number; reason: string }) => void;
  engine?: EngineOptions;
  /** Start from this snapshot instead of the initial state. */
  resume?: Snapshot;
  /** Give up after this many losses in one run. */
  maxRecoveries?: number;
}

const DEFAULT_CHECKPOINT_EVERY = 1000;
const LOSS_GRACE_MS = 2000;

export class Runner implements Simulation<Snapshot> {
  private engine!: Engine;
  private gpu!: Gpu;
  private cachedReport?: ModelReport;
  private lost: GPUDeviceLostInfo | undefined;
  private uncaptured: GPUError | undefined;
  private last: Snapshot | undefined;
  private delivered = 0;
  private stopRequested = false;
  private closed = false;
  /** The task events were lost: restored from a snapshot without them. */
  private eventsLost = false;
  private lastCheckpointAt = performance.now();
  private timestamps?: () => GPUComputePassTimestampWrites;
  readonly cohorts: readonly Config[];

  private constructor(private readonly opts: RunnerOptions) {
    this.cohorts = Array.isArray(opts.config) ? opts.config : [opts.config as Config]; // not `'length' in`: the token tree's config has a length
  }

  static async create(opts: RunnerOptions): Promise<Runner> {
    const r = new Runner(opts);
    await r.connect();
    if (opts.resume) {
      r.restore(opts.resume);
      r.last = opts.resume;
      r.delivered = opts.resume.step;
    }
    return r;
  }

  private restore(s: Snapshot) {
    this.engine.restore(s);
    this.eventsLost = this.engine.plan.eventsLen > 0 && !s.events;
  }

  /** The engine's plan (the benchmark reads its batch sizes). */
  get plan(): Plan {
    return this.engine.plan;
  }

  /** The benchmark's pass timestamps (Engine.passTimestamps), kept across a device loss. */
  set passTimestamps(f: (() => GPUComputePassTimestampWrites) | undefined) {
    this.timestamps = f;
    this.engine.passTimestamps = f;
  }

  /** Computed once, from the task tables of the first engine (those after a loss build the same); a pack's first cohort's. */
  get report(): ModelReport {
    return (this.cachedReport ??= modelReport(this.engine.config, this.engine.tasks));
  }

  get adapter(): AdapterDescription {
    return adapterDescription(this.gpu.adapter);
  }

  /** Steps whose metrics have been delivered. */
  get step(): number {
    return this.delivered;
  }

  histograms(): Promise<Histograms> {
    return this.engine.histograms();
  }

  snapshot(): Promise<Snapshot> {
    return this.engine.snapshot();
  }

  /**
   * The per-task events (first step at best-pattern mass 0.9, T0), where the engine was opened with
   * `events: true`. Restored from a snapshot that did not hold them (a checkpoint of an older
   * version), there are none rather than a record missing the steps before it.
   */
  async taskEvents(): Promise<TaskEvents | undefined> {
    return (await this.cohortTaskEvents())?.[0];
  }

  /** taskEvents of each cohort of a pack, in its order. */
  async cohortTaskEvents(): Promise<TaskEvents[] | undefined> {
    if (this.eventsLost || this.engine.plan.eventsLen === 0) return undefined;
    return this.engine.taskEvents();
  }

  /** Listens on a device that others may share: removed when this run is done with it. */
  private readonly onUncaptured = (e: Event) => (this.uncaptured ??= (e as GPUUncapturedErrorEvent).error);

  private async connect() {
    this.lost = undefined;
    this.uncaptured = undefined;
    this.gpu?.device.removeEventListener('uncapturederror', this.onUncaptured);
    this.gpu = await this.opts.open();
    const device = this.gpu.device;
    device.lost.then((info) => {
      if (this.gpu.device === device) this.lost = info;
    });
    device.addEventListener('uncapturederror', this.onUncaptured);
    this.engine = await Engine.create(this.gpu, this.cohorts, { ...this.opts.engine });
    this.engine.passTimestamps = this.timestamps;
  }

  private async recover(error: unknown, recoveries: number): Promise<void> {
    // A lost device shows up as a rejected readback first; give `lost` a moment to resolve.
    const deadline = Date.now() + LOSS_GRACE_MS;
    while (!this.lost && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!this.lost || this.closed) throw error;
    if (recoveries >= (this.opts.maxRecoveries ?? 3)) throw new Error(`device lost ${recoveries + 1} times; last: ${this.lost.message || this.lost.reason}`);
    const reason = this.lost.message || String(this.lost.reason);
    await this.connect();
    if (this.last) this.restore(this.last);
    this.opts.onRecover?.({ step: this.engine.step, reason });
  }

  /** Runs until `steps` more steps have been delivered (or stop() is called). */
  async run(steps: number, onBatch?: BatchCallback): Promise<void> {
    this.stopRequested = false;
    const target = this.delivered + steps;
    const every = this.opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    const everyMs = this.opts.checkpointEveryMs ?? Infinity;
    const due = () => performance.now() - this.lastCheckpointAt >= everyMs;
    let recoveries = 0;
    while (this.delivered < target && !this.stopRequested) {
      const engine = this.engine;
      const segmentEnd = Math.min(target, Number.isFinite(every) ? (Math.floor(engine.step / every) + 1) * every : target);
      try {
        await engine.run(segmentEnd - engine.step, (first, values, n) => {
          // An error seen since the last batch ends the segment now, not at its checkpoint; so does a checkpoint due by time.
          if (this.uncaptured || this.lost || due()) engine.stop();
          // After a recovery the steps up to `delivered` are recomputed: skip them.
          const skip = Math.max(0, this.delivered - first + 1);
          if (skip >= n) return;
          const width = values.length / n;
          onBatch?.(first + skip, values.subarray(skip * width), n - skip);
          this.delivered = first + n - 1;
        });
        if (this.uncaptured) throw new Error(`WebGPU error: ${this.uncaptured.message}`);
        if (this.lost) throw new Error('device lost');
        if ((engine.step % every === 0 || due()) && engine.step > (this.last?.step ?? 0)) await this.checkpoint();
      } catch (e) {
        await this.recover(e, recoveries++);
      }
    }
    if (this.stopRequested && this.opts.onCheckpoint) await this.checkpoint();
  }

  /** Snapshots the engine now and reports it to onCheckpoint. */
  private async checkpoint(): Promise<void> {
    this.last = await this.engine.snapshot();
    this.lastCheckpointAt = performance.now();
    const [config, ...rest] = this.cohorts;
    await this.opts.onCheckpoint?.({ config, ...(rest.length ? { cohorts: this.cohorts } : {}), snapshot: this.last });
  }

  stop(): void {
    this.stopRequested = true;
    this.engine.stop();
  }

  /** Frees the run's buffers, and its device where it owns it (otherwise the device stays open for whoever shares it). */
  close(): void {
    this.closed = true;
    this.gpu.device.removeEventListener('uncapturederror', this.onUncaptured);
    this.engine.destroy();
    if (this.opts.ownsDevice) this.gpu.device.destroy();
  }
}
