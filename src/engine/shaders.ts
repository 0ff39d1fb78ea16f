// The kernels of shaders/, concatenated after the generated header and bind group declarations
// into one module: every pipeline is an entry point of it. Node loads `?raw` through bin/wgsl-hooks.js, Vite natively.
import philox from '../../shaders/philox.wgsl?raw';
import bindings from '../../shaders/bindings.wgsl?raw';
import model from '../../shaders/model.wgsl?raw';
import step from '../../shaders/step.wgsl?raw';
import init from '../../shaders/init.wgsl?raw';
import batch from '../../shaders/batch.wgsl?raw';
import histogram from '../../shaders/histogram.wgsl?raw';
import type { Config } from '../model/config';
import { wgslBindings } from './bindings';

export type EntryPoint = 'initState' | 'sft' | 'startAccuracy' | 'batchStats' | 'batchReduce' | 'step' | 'sharedUpdate' | 'sharedMetrics' | 'finalize' | 'histogram' | 'histogramReduce';

/** The kernels a config dispatches. */
export function entryPointsFor(c: Config): EntryPoint[] {
  const entries: EntryPoint[] = ['initState', 'startAccuracy', 'step', 'finalize'];
  if (c.sft && c.sft.steps > 0) entries.push('sft');
  if (c.estimator === 'grpo' && c.scale === 'batch') entries.push('batchStats', 'batchReduce');
  if (c.policy === 'shared') entries.push('sharedUpdate', 'sharedMetrics');
  return entries;
}

export function moduleSource(header: string): string {
  return [header, wgslBindings(), philox, bindings, model, step, init, batch, histogram].join('\n');
}
