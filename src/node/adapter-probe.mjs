// Run by src/node/adapter-choice.ts in a child process, with one candidate driver's environment:
// prints the adapter Dawn gives there as JSON (null when none). A child, because a refused or
// broken driver may fail or crash Dawn, and the loader's paths are fixed when a process starts.
import { create } from 'webgpu';

const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const info = adapter?.info;
process.stdout.write(
  JSON.stringify(info ? { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter: info.isFallbackAdapter } : null),
);
process.exit(0); // Dawn's instance would otherwise keep the process alive
