// WebGPU in Node through Dawn (npm `webgpu`). The Dawn instance is kept for the process's
// lifetime: letting it be collected while devices live crashes the process.
import { create, globals } from 'webgpu';
import { openGpu, type Gpu } from '../engine/adapter';
import type { WebGpuBackend } from '../simulation/backend';

let instance: GPU | undefined;

export function nodeGpuInstance(): GPU {
  if (!instance) {
    Object.assign(globalThis, globals);
    instance = create([]);
  }
  return instance;
}

export function openNodeGpu(): Promise<Gpu> {
  return openGpu(nodeGpuInstance());
}

/** The command line's backend: a device of its own for each simulation, destroyed when it closes. */
export const nodeWebGpu: WebGpuBackend = { kind: 'webgpu', device: openNodeGpu, ownsDevice: true };
