// What the dashboard's runs open on: WebGPU from the browser, one device shared by every run, or,
// where WebGPU is missing, the float64 reference for small configs. Named for the page's header.
import { adapterDescription, openGpu } from '../engine/adapter';
import type { AdapterDescription } from '../model/simulation-interface';
import { REFERENCE_ADAPTER } from '../reference/simulator';
import { referenceBackend, sharedDevice, type Backend } from '../simulation/backend';

export interface Platform {
  backend: Backend;
  /** Named at the top of the page and written into exported JSON. */
  adapter: AdapterDescription;
  /** Said under the name where speeds are not GPU speeds. */
  warning?: string;
}

/** Development builds only: lets the e2e suite destroy the runs' device mid-run. */
declare global {
  interface Window {
    __patternflowLoseDevice?: () => void;
  }
}

/**
 * The page's WebGPU platform, or why it has none (then the page offers the float64 reference).
 * `missing` is the page's own sentence on what it can still do without WebGPU.
 */
export async function openBrowserPlatform(missing: string): Promise<{ platform: Platform } | { reason: string }> {
  if (!navigator.gpu)
    return {
      reason: window.isSecureContext
        ? `This browser does not expose WebGPU (navigator.gpu is missing): ${missing}`
        : 'WebGPU needs a secure context (https or localhost), and this page was opened over plain http from another host.',
    };
  try {
    return { platform: await browserWebGpu() };
  } catch (e) {
    return { reason: `WebGPU is exposed but no adapter could be opened: ${(e as Error).message}` };
  }
}

/** WebGPU through navigator.gpu. Throws when no adapter or device can be had. */
export async function browserWebGpu(): Promise<Platform> {
  const gpu = await openGpu(navigator.gpu);
  // A lost device is replaced for the runs, which resume from their checkpoints.
  const backend = sharedDevice(gpu, () => openGpu(navigator.gpu));
  if (import.meta.env.DEV) window.__patternflowLoseDevice = () => void backend.device().then((g) => g.device.destroy());
  return {
    backend,
    adapter: adapterDescription(gpu.adapter),
    warning: gpu.adapter.isFallback
      ? 'This adapter is a CPU adapter (such as SwiftShader or lavapipe), not a GPU: the simulation is correct but slow, and steps/s are CPU figures.'
      : undefined,
  };
}

/** Rollouts per step the float64 reference takes here (it samples a few hundred thousand per second). */
export const REFERENCE_MAX_ROLLOUTS = 1 << 16;

export const browserReference = (): Platform => ({
  backend: referenceBackend(REFERENCE_MAX_ROLLOUTS),
  adapter: REFERENCE_ADAPTER,
  warning: 'Running on the float64 reference (CPU): only small configs, and no GPU speeds.',
});
