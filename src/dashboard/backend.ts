// The two simulators behind one interface: the WebGPU engine (one device shared by every run)
// and, where WebGPU is missing, the float64 CPU reference for small configs.
import { ConfigError, type Config } from '../model/config';
import { adapterLine, openGpu, type Gpu } from '../engine/adapter';
import type { BatchCallback, Histograms } from '../model/simulation';
import { Runner } from '../engine/runner';
import { ReferenceSimulator } from '../reference/simulator';

/** What the dashboard drives: the GPU engine's Runner or the CPU ReferenceSimulator. */
export interface Simulation {
  readonly step: number;
  readonly assumptionFailures: number;
  run(steps: number, onBatch: BatchCallback): Promise<void>;
  stop(): void;
  histograms(): Promise<Histograms>;
  close(): void;
}

export interface Backend {
  kind: 'webgpu' | 'cpu';
  /** The adapter in one line, as next to every figure. */
  label: string;
  /** A software adapter (SwiftShader) or the CPU engine: speeds are not GPU speeds. */
  isFallback: boolean;
  /** The `adapter` of exported JSON (same as the command line writes). */
  adapter: Record<string, unknown>;
  create(config: Config): Promise<Simulation>;
}

/** Development builds only: lets the e2e suite destroy the current run's device mid-run. */
declare global {
  interface Window {
    __patternflowLoseDevice?: () => void;
  }
}

export function gpuBackend(gpu: Gpu): Backend {
  // One device serves every run. When it is lost, each run's Runner asks for a device again and
  // they all share the one new device opened for the first of them.
  let shared = gpu;
  let lost = false;
  let reopening: Promise<Gpu> | undefined;
  const watch = (g: Gpu) => g.device.lost.then(() => (lost ||= shared === g));
  watch(gpu);
  const open = async (): Promise<Gpu> => {
    if (!lost) return shared;
    reopening ??= openGpu(navigator.gpu).then((g) => {
      shared = g;
      lost = false;
      reopening = undefined;
      watch(g);
      return g;
    });
    return reopening;
  };
  return {
    kind: 'webgpu',
    label: adapterLine(gpu.adapter),
    isFallback: gpu.adapter.isFallback,
    adapter: { ...gpu.adapter },
    async create(config) {
      const runner = await Runner.create({
        open,
        config,
        onRecover: ({ step, reason }) => console.warn(`patternflow: the GPU device was lost (${reason}); resumed from the checkpoint at step ${step}`),
      });
      if (import.meta.env.DEV) window.__patternflowLoseDevice = () => runner.current.device.destroy();
      return runner;
    },
  };
}

/** Rollouts per step the CPU engine accepts (it samples a few hundred thousand per second). */
export const CPU_MAX_ROLLOUTS = 1 << 16;

export function cpuBackend(): Backend {
  return {
    kind: 'cpu',
    label: 'CPU engine (float64 reference, JavaScript)',
    isFallback: true,
    adapter: { backend: 'cpu (float64 reference)' },
    async create(config) {
      const rollouts = config.tasks * (config.estimator === 'expected' ? 1 : config.group);
      if (rollouts > CPU_MAX_ROLLOUTS)
        throw new ConfigError('tasks', `the CPU engine takes at most ${CPU_MAX_ROLLOUTS} rollouts per step (tasks x group), got ${rollouts}: lower tasks or group`);
      return new ReferenceSimulator(config);
    },
  };
}
