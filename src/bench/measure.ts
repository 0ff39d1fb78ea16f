// Timing one benchmark case: the WGSL engine's seconds per RL step (median of repeats after a
// warm-up, by GPU timestamps where the adapter has them); and the interface of a peer (another
// implementation of the step, which the command line hands in). Browser-safe: no Node imports.
import type { Gpu } from '../engine/adapter';
import { THROUGHPUT_BATCH_MS } from '../engine/batch-sizer';
import { LogSchedule } from '../model/cadence';
import { openCohorts } from '../simulation/open';
import { caseConfig, rolloutsPerStep, type BenchCase } from './cases';
import { PassTimer } from './timer';

export type Timing = 'timestamp-query' | 'queue';

export interface BenchOptions {
  /** Timed repeats per row (median). */
  repeats: number;
  /** Each timed repeat runs enough steps to take about this long. */
  minSeconds: number;
  /** Measure the adapter's peaks and print the roofline (adds a few seconds). */
  roofline: boolean;
}

export const defaultOptions = (fallback: boolean): BenchOptions => ({ repeats: fallback ? 3 : 5, minSeconds: fallback ? 0.25 : 0.2, roofline: true });

export interface BenchRow extends BenchCase {
  /** The WGSL engine's. */
  rolloutsPerSec: number;
  stepsPerSec: number;
  timing: Timing;
  /** RL steps in each timed repeat of the WGSL engine. */
  steps: number;
  /** The peer's, where one ran and covers the row's config. */
  peerRolloutsPerSec?: number;
  /** WGSL engine over the peer. */
  peerSpeedup?: number;
}

/** What a peer ran on, kept next to its figures. */
export interface PeerInfo {
  /** Its name in the table and on the command line, e.g. torch. */
  name: string;
  /** Its program, e.g. bench/peers/torch_step.py. */
  program: string;
  /** What runs it, e.g. torch 2.4.1. */
  version: string;
  /** The device it ran on, e.g. an NVIDIA H100, or the CPU's model. */
  device: string;
  threads: number;
  timing: string;
}

/** Another implementation of the same RL step, measured on each row it covers. */
export interface Peer {
  info: PeerInfo;
  /** Why it cannot run case c, or undefined when it can. */
  unsupported(c: BenchCase): string | undefined;
  /** Its rollouts/s on case c: the median of opts.repeats timed repeats after a warm-up. */
  rolloutsPerSec(c: BenchCase, opts: BenchOptions): Promise<number>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const now = () => performance.now() / 1000;

/** The WGSL engine on one case: seconds per RL step (median of repeats) and how it was timed. */
async function measureGpu(gpu: Gpu, c: BenchCase, opts: BenchOptions): Promise<{ secPerStep: number; steps: number; timing: Timing }> {
  const config = caseConfig(c);
  const schedule = new LogSchedule(config.steps, { every: c.logEvery ?? 1 });
  // Opened as every simulation is (src/simulation/open.ts), without checkpoints: their readbacks are not what is timed.
  const engine = await openCohorts([config], { kind: 'webgpu', device: async () => gpu, ownsDevice: false }, {
    engine: { batchMs: THROUGHPUT_BATCH_MS, logged: (t) => schedule.has(t) },
    checkpointEvery: Infinity,
  });
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
    // Whole fused dispatches, as a long run makes them, where a dispatch is short; where one step
    // alone takes about minSeconds (K = 1,000 on SwiftShader) that many steps and no more.
    const wanted = Math.max(1, Math.ceil(opts.minSeconds / Math.max(estimate, 1e-9)));
    const steps = wanted >= fusedSteps ? fusedSteps * Math.ceil(wanted / fusedSteps) : wanted;
    // The engine sizes its batches by time; a batch holds at least one step.
    if (gpu.hasTimestamps && steps <= 2048) {
      timer = new PassTimer(device, steps);
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
    engine.close();
  }
}

/** Measures one row: the WGSL engine's rollouts/s and steps/s on the case's config. */
export async function benchCase(gpu: Gpu, c: BenchCase, opts: BenchOptions): Promise<BenchRow> {
  const g = await measureGpu(gpu, c, opts);
  return { ...c, rolloutsPerSec: rolloutsPerStep(c) / g.secPerStep, stepsPerSec: 1 / g.secPerStep, timing: g.timing, steps: g.steps };
}
