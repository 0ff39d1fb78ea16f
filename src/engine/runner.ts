// A run that survives the loss of its device: it snapshots the engine every `checkpointEvery`
// steps, and when the device is lost (driver reset, tab backgrounded, device.destroy()) it opens
// a new one, restores the last checkpoint and goes on. Steps already delivered are recomputed
// silently; the engine is deterministic, so the resumed metrics equal an uninterrupted run's.
import type { Config } from '../model/config';
import { modelReport, type ModelReport } from '../model/report';
import type { AdapterDescription, BatchCallback, Histograms, Simulation, TaskEvents } from '../model/simulation';
import { adapterDescription, type Gpu } from './adapter';
import type { Checkpoint } from './checkpoint';
import { Engine, type EngineOptions, type Snapshot } from './engine';

export interface RunnerOptions {
  /** Opens a device; called again after a loss. */
  open: () => Promise<Gpu>;
  /** close() destroys the device too: it was opened for this run alone (Node's command line). */
  ownsDevice?: boolean;
  config: Config;
  /** Steps between checkpoints (each reads the full per-task state back). */
  checkpointEvery?: number;
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
  private recovered = false;

  private constructor(private readonly opts: RunnerOptions) {}

  static async create(opts: RunnerOptions): Promise<Runner> {
    const r = new Runner(opts);
    await r.connect();
    if (opts.resume) {
      r.engine.restore(opts.resume);
      r.last = opts.resume;
      r.delivered = opts.resume.step;
    }
    return r;
  }

  /** Computed once, from the task tables of the first engine (those after a loss build the same). */
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
   * `events: true`. A snapshot does not hold them, so after a device loss there are none rather
   * than a record missing the steps before the checkpoint.
   */
  async taskEvents(): Promise<TaskEvents | undefined> {
    if (this.recovered || this.engine.plan.eventsLen === 0) return undefined;
    return (await this.engine.taskEvents())[0];
  }

  private async connect() {
    this.lost = undefined;
    this.uncaptured = undefined;
    this.gpu = await this.opts.open();
    const device = this.gpu.device;
    device.lost.then((info) => {
      if (this.gpu.device === device) this.lost = info;
    });
    device.addEventListener('uncapturederror', (e) => (this.uncaptured ??= (e as GPUUncapturedErrorEvent).error));
    this.engine = await Engine.create(this.gpu, this.opts.config, { ...this.opts.engine });
  }

  private async recover(error: unknown, recoveries: number): Promise<void> {
    // A lost device shows up as a rejected readback first; give `lost` a moment to resolve.
    const deadline = Date.now() + LOSS_GRACE_MS;
    while (!this.lost && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!this.lost || this.closed) throw error;
    if (recoveries >= (this.opts.maxRecoveries ?? 3)) throw new Error(`device lost ${recoveries + 1} times; last: ${this.lost.message || this.lost.reason}`);
    const reason = this.lost.message || String(this.lost.reason);
    await this.connect();
    this.recovered = true;
    if (this.last) this.engine.restore(this.last);
    this.opts.onRecover?.({ step: this.engine.step, reason });
  }

  /** Runs until `steps` more steps have been delivered (or stop() is called). */
  async run(steps: number, onBatch?: BatchCallback): Promise<void> {
    this.stopRequested = false;
    const target = this.delivered + steps;
    const every = this.opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    let recoveries = 0;
    while (this.delivered < target && !this.stopRequested) {
      const engine = this.engine;
      const segmentEnd = Math.min(target, (Math.floor(engine.step / every) + 1) * every);
      try {
        await engine.run(segmentEnd - engine.step, (first, values, n) => {
          // An error seen since the last batch ends the segment now, not at its checkpoint.
          if (this.uncaptured || this.lost) engine.stop();
          // After a recovery the steps up to `delivered` are recomputed: skip them.
          const skip = Math.max(0, this.delivered - first + 1);
          if (skip >= n) return;
          const width = values.length / n;
          onBatch?.(first + skip, values.subarray(skip * width), n - skip);
          this.delivered = first + n - 1;
        });
        if (this.uncaptured) throw new Error(`WebGPU error: ${this.uncaptured.message}`);
        if (this.lost) throw new Error('device lost');
        if (engine.step % every === 0 && engine.step > (this.last?.step ?? 0)) await this.checkpoint();
      } catch (e) {
        await this.recover(e, recoveries++);
      }
    }
    if (this.stopRequested && this.opts.onCheckpoint) await this.checkpoint();
  }

  /** Snapshots the engine now and reports it to onCheckpoint. */
  private async checkpoint(): Promise<void> {
    this.last = await this.engine.snapshot();
    await this.opts.onCheckpoint?.({ config: this.opts.config, snapshot: this.last });
  }

  stop(): void {
    this.stopRequested = true;
    this.engine.stop();
  }

  /** Frees the run's buffers, and its device where it owns it (otherwise the device stays open for whoever shares it). */
  close(): void {
    this.closed = true;
    this.engine.destroy();
    if (this.opts.ownsDevice) this.gpu.device.destroy();
  }
}
