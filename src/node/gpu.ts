// WebGPU in Node through Dawn (npm `webgpu`). The Dawn instance is kept for the process's
// lifetime: letting it be collected while devices live crashes the process.
import { create, globals } from 'webgpu';
import { openGpu, type Gpu } from '../engine/adapter';
import type { WebGpuBackend } from '../simulation/backend';
import { adapterProblem } from './adapter-choice';
import { throttleDawnPolling } from './dawn-polling';

let instance: GPU | undefined;

export function nodeGpuInstance(): GPU {
  if (!instance) {
    Object.assign(globalThis, globals);
    throttleDawnPolling();
    instance = create([]);
  }
  return instance;
}

/** A device on the adapter adapter-choice.ts chose, or one line saying why that adapter is not available. */
export async function openNodeGpu(): Promise<Gpu> {
  const before = adapterProblem();
  if (before) throw new Error(before);
  const gpu = await openGpu(nodeGpuInstance());
  const after = adapterProblem(gpu.adapter);
  if (after) {
    gpu.device.destroy();
    throw new Error(after);
  }
  return gpu;
}

/** The command line's backend: a device of its own for each simulation, destroyed when it closes. */
export const nodeWebGpu: WebGpuBackend = { kind: 'webgpu', device: openNodeGpu, ownsDevice: true };
