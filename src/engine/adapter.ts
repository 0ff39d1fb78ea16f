// Adapter and device: small capability helpers (webgpu-samples style). The caller passes the
// GPU object, `navigator.gpu` in a browser or Dawn's `create()` in Node.
import type { AdapterDescription } from '../model/simulation-interface';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters such as SwiftShader: their figures are never GPU figures. */
  isFallback: boolean;
}

export interface Gpu {
  device: GPUDevice;
  adapter: AdapterReport;
  hasTimestamps: boolean;
  /** The subgroup size, where the device has the `subgroups` feature and every subgroup has that one size. */
  subgroupSize?: number;
}

/** What an adapter says of itself; `isFallbackAdapter` where the implementation has it (Dawn, recent Chrome). */
export type AdapterInfo = Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'> & { isFallbackAdapter?: boolean };

export function describeAdapter(adapter: GPUAdapter): AdapterReport {
  const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return describeInfo(adapter.info as AdapterInfo, legacy);
}

export function describeInfo(info: AdapterInfo, legacyFallback?: boolean): AdapterReport {
  const report = { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description };
  return { ...report, isFallback: info.isFallbackAdapter ?? legacyFallback ?? cpuDriver(report) !== undefined };
}

/** The CPU Vulkan driver an adapter runs on, when it is one of the two patternflow knows. */
export function cpuDriver(a: Pick<AdapterReport, 'vendor' | 'architecture' | 'device' | 'description'>): 'lavapipe' | 'SwiftShader' | undefined {
  const text = `${a.vendor} ${a.architecture} ${a.device} ${a.description}`;
  if (/llvmpipe|lavapipe/i.test(text)) return 'lavapipe';
  if (/swiftshader/i.test(text)) return 'SwiftShader';
  return undefined;
}

/** One line naming the adapter (vendor, architecture, driver), printed next to every throughput figure. */
export function adapterLine(a: AdapterReport): string {
  const name = [a.vendor, a.architecture, a.description].filter(Boolean).join(' / ');
  if (!a.isFallback) return name;
  const driver = cpuDriver(a);
  return `${name} (${driver ? `${driver}, a ` : ''}CPU adapter, not a GPU figure)`;
}

/** Whether two adapters' JSON (as files record them) name the same adapter and driver. */
export function sameAdapter(a: object, b: object): boolean {
  const fields = ['vendor', 'architecture', 'device', 'description'] as const;
  return fields.every((k) => (a as Partial<AdapterReport>)[k] === (b as Partial<AdapterReport>)[k]);
}

/**
 * For a run that goes on from a checkpoint written on `saved` (its adapter's JSON): a warning when
 * this adapter is another one, whose float32 arithmetic may differ in the last place, so the rows
 * from here agree with an uninterrupted run's to rounding, not bit for bit. Undefined on the same
 * adapter, or for a checkpoint that names none.
 */
export function resumedElsewhere(saved: unknown, now: AdapterDescription): string | undefined {
  if (typeof saved !== 'object' || saved === null || Object.keys(saved).length === 0 || sameAdapter(saved, now.json)) return undefined;
  const was = adapterLine({ vendor: '', architecture: '', device: '', description: '', isFallback: false, ...(saved as Partial<AdapterReport>) });
  return `warning: the checkpoint was written on ${was}; going on on ${now.line}: the rows from here agree with an uninterrupted run's to float32 rounding, not bit for bit`;
}

/** The adapter as a simulation describes it: the line above, and every field for exported files. */
export function adapterDescription(a: AdapterReport): AdapterDescription {
  return { line: adapterLine(a), json: { ...a } };
}

/** Opens a device with the adapter's own buffer limits (the defaults cap buffers at 128-256 MiB). */
export async function openGpu(gpu: GPU): Promise<Gpu> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter found: enable WebGPU (Chrome: --enable-unsafe-webgpu) or install a Vulkan driver');
  const hasTimestamps = adapter.features.has('timestamp-query');
  const sizes = adapter.info as { subgroupMinSize?: number; subgroupMaxSize?: number };
  const subgroupSize = adapter.features.has('subgroups') && sizes.subgroupMinSize === sizes.subgroupMaxSize ? sizes.subgroupMinSize : undefined;
  const features: GPUFeatureName[] = [...(hasTimestamps ? ['timestamp-query' as const] : []), ...(subgroupSize ? ['subgroups' as const] : [])];
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    },
  });
  return { device, adapter: describeAdapter(adapter), hasTimestamps, ...(subgroupSize ? { subgroupSize } : {}) };
}
