// How many RL steps the next submitted batch holds: enough for about `targetMs` of device work,
// measured on the batches already done, so that a fast GPU stays busy between submits while
// metrics still stream every few tens of ms and a stop waits for at most two batches (the one
// being read back and the one queued behind it). Pure: the clock is injected.

export interface BatchSizerOptions {
  /** The most steps one batch holds (the metric staging buffer's capacity). */
  max: number;
  /** The device time one batch aims at. */
  targetMs: number;
  /** Milliseconds on a monotonic clock (performance.now in the engine, a fake one in tests). */
  now: () => number;
}

/** The dashboard's target: two batches in flight stay well inside the 100 ms a pause must answer in. */
export const INTERACTIVE_BATCH_MS = 30;
/**
 * Runs that nobody pauses (the command line, sweeps, the benchmark): a batch is also the most
 * steps fused in one dispatch, and where one step alone takes longer than the interactive target
 * (SwiftShader: 20 ms at 10^4 tasks, G = 8; 150 to 350 ms at 65,536) fusing several is worth 20
 * to 40% there. About the batches of 2^21 rollouts the engine submitted before it sized them by time.
 */
export const THROUGHPUT_BATCH_MS = 1000;
/** A batch is at most this many times the last one measured: the first batches are small, since nothing is known of the device yet. */
const GROWTH = 2;

export class BatchSizer {
  private readonly inFlight: { steps: number; submittedAt: number }[] = [];
  private lastDoneAt = -Infinity;
  /** Steps and duration of the last batch that completed. */
  private last?: { steps: number; ms: number };

  constructor(private readonly opts: BatchSizerOptions) {}

  /** Steps of the next batch: the target over the last batch's time per step, at most GROWTH times its size and `max`. */
  next(): number {
    const { max, targetMs } = this.opts;
    if (!this.last) return 1;
    const fit = this.last.ms > 0 ? Math.floor((targetMs * this.last.steps) / this.last.ms) : Infinity;
    return Math.max(1, Math.min(max, GROWTH * this.last.steps, fit));
  }

  /** A batch of `steps` steps was submitted now. */
  submitted(steps: number): void {
    this.inFlight.push({ steps, submittedAt: this.opts.now() });
  }

  /**
   * The oldest batch in flight has completed now. Its device time runs from when the device could
   * start it (its submit, or the previous batch's end if that was later: batches queue) to now.
   */
  completed(): void {
    const batch = this.inFlight.shift();
    if (!batch) throw new Error('BatchSizer: completed() without a batch in flight');
    const t = this.opts.now();
    this.last = { steps: batch.steps, ms: t - Math.max(batch.submittedAt, this.lastDoneAt) };
    this.lastDoneAt = t;
  }
}
