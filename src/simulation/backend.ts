// Where a simulation runs: the WGSL engine on a WebGPU device (how to get one is the backend's
// business: Dawn in Node, navigator.gpu in a browser), or the float64 reference on the CPU.
import type { Gpu } from '../engine/adapter';

export interface WebGpuBackend {
  readonly kind: 'webgpu';
  /** A device for a new simulation, and again for one whose device was lost. */
  device(): Promise<Gpu>;
  /** Whether each simulation's device is its own, destroyed by its close(), or shared and left open. */
  readonly ownsDevice: boolean;
}

/** The float64 reference: exact, slow, and without checkpoints (its state is float64, theirs float32). */
export interface ReferenceBackend {
  readonly kind: 'reference';
  /** Rollouts per step (tasks x group; a token tree's count each of their `length` tokens) it accepts. */
  readonly maxRollouts: number;
}

export type Backend = WebGpuBackend | ReferenceBackend;

export const referenceBackend = (maxRollouts = Infinity): ReferenceBackend => ({ kind: 'reference', maxRollouts });

/**
 * One device shared by every simulation (the dashboard's). When it is lost, each simulation asks
 * for a device again, and they all share the one new device `reopen` opens for the first of them.
 */
export function sharedDevice(first: Gpu, reopen: () => Promise<Gpu>): WebGpuBackend {
  let shared = first;
  let lost = false;
  let reopening: Promise<Gpu> | undefined;
  const watch = (g: Gpu) => g.device.lost.then(() => (lost ||= shared === g));
  watch(first);
  return {
    kind: 'webgpu',
    ownsDevice: false,
    async device() {
      if (!lost) return shared;
      reopening ??= reopen().then((g) => {
        shared = g;
        lost = false;
        reopening = undefined;
        watch(g);
        return g;
      });
      return reopening;
    },
  };
}
