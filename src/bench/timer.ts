// GPU time of compute passes from timestamp queries ('timestamp-query' feature): each pass
// writes a start and an end timestamp into a query set; the durations are resolved and summed
// after the work. Excludes the host's encoding and submission gaps, unlike queue timing.
const MAX_QUERIES = 4096; // WebGPU's limit on one query set

export class PassTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolve: GPUBuffer;
  private readonly readback: GPUBuffer;
  private used = 0;

  /** Room for `passes` timed passes (at most 2048) between two calls of elapsedNs. */
  constructor(
    private readonly device: GPUDevice,
    readonly passes: number,
  ) {
    if (2 * passes > MAX_QUERIES) throw new Error(`PassTimer: ${passes} passes, at most ${MAX_QUERIES / 2}`);
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * passes });
    this.resolve = device.createBuffer({ size: 16 * passes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.readback = device.createBuffer({ size: 16 * passes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** The timestampWrites of the next pass. */
  next = (): GPUComputePassTimestampWrites => {
    if (this.used === this.passes) throw new Error(`PassTimer: more than ${this.passes} passes`);
    const j = this.used++;
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * j, endOfPassWriteIndex: 2 * j + 1 };
  };

  /**
   * Sum of the durations of the passes timed since the last call, in ns; undefined when a pair
   * is not increasing (an adapter may reset or quantise its clock), so the caller can fall back.
   */
  async elapsedNs(): Promise<number | undefined> {
    const n = this.used;
    this.used = 0;
    if (n === 0) return 0;
    const enc = this.device.createCommandEncoder();
    enc.resolveQuerySet(this.querySet, 0, 2 * n, this.resolve, 0);
    enc.copyBufferToBuffer(this.resolve, 0, this.readback, 0, 16 * n);
    this.device.queue.submit([enc.finish()]);
    await this.readback.mapAsync(GPUMapMode.READ, 0, 16 * n);
    const t = new BigUint64Array(this.readback.getMappedRange(0, 16 * n).slice(0));
    this.readback.unmap();
    let sum = 0;
    for (let j = 0; j < n; j++) {
      if (t[2 * j + 1] <= t[2 * j]) return undefined;
      sum += Number(t[2 * j + 1] - t[2 * j]);
    }
    return sum;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolve.destroy();
    this.readback.destroy();
  }
}
