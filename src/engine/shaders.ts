// The kernels of shaders/, concatenated after the generated header into one module: every
// pipeline is an entry point of it. Node loads `?raw` through bin/wgsl-hooks.js, Vite natively.
import philox from '../../shaders/philox.wgsl?raw';
import bindings from '../../shaders/bindings.wgsl?raw';
import model from '../../shaders/model.wgsl?raw';
import step from '../../shaders/step.wgsl?raw';
import init from '../../shaders/init.wgsl?raw';
import batch from '../../shaders/batch.wgsl?raw';

export const ENTRY_POINTS = ['initState', 'sft', 'batchStats', 'batchReduce', 'step', 'sharedUpdate', 'sharedMetrics', 'finalize'] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

export function moduleSource(header: string): string {
  return [header, philox, bindings, model, step, init, batch].join('\n');
}
