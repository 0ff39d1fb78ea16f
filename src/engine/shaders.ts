// The kernels of shaders/, concatenated after the run's generated header and the generated
// declarations and generator of shaders/generated/ into one module: every pipeline is an entry
// point of it. The plan's kernel shape picks the files of the step kernels (plan.ts). Node loads
// `?raw` through bin/wgsl-hooks.js, Vite natively.
import declarations from '../../shaders/generated/declarations.wgsl?raw';
import threefry from '../../shaders/generated/threefry.wgsl?raw';
import random from '../../shaders/random.wgsl?raw';
import bindings from '../../shaders/bindings.wgsl?raw';
import model from '../../shaders/model.wgsl?raw';
import gradient from '../../shaders/gradient.wgsl?raw';
import metrics from '../../shaders/metrics.wgsl?raw';
import rows from '../../shaders/rows.wgsl?raw';
import vectors from '../../shaders/vectors.wgsl?raw';
import step from '../../shaders/step.wgsl?raw';
import stream from '../../shaders/stream.wgsl?raw';
import streamStep from '../../shaders/stream-step.wgsl?raw';
import init from '../../shaders/init.wgsl?raw';
import treeRows from '../../shaders/tree-rows.wgsl?raw';
import treeStep from '../../shaders/tree-step.wgsl?raw';
import batch from '../../shaders/batch.wgsl?raw';
import histogram from '../../shaders/histogram.wgsl?raw';
import type { Config } from '../model/config';
import type { KernelShape } from './plan';

export type EntryPoint =
  | 'initState'
  | 'sft'
  | 'startAccuracy'
  | 'batchStats'
  | 'batchReduce'
  | 'step'
  | 'sharedUpdate'
  | 'sharedMetrics'
  | 'finalize'
  | 'histogram'
  | 'histogramReduce'
  | 'treePositions'
  | 'treePositionsReduce';

/** The kernels a config dispatches. */
export function entryPointsFor(c: Config): EntryPoint[] {
  const entries: EntryPoint[] = ['initState', 'startAccuracy', 'step', 'finalize'];
  if (c.sft && c.sft.steps > 0) entries.push('sft');
  if (c.estimator === 'grpo' && c.scale === 'batch') entries.push('batchStats', 'batchReduce');
  if (c.policy === 'shared') entries.push('sharedUpdate', 'sharedMetrics');
  return entries;
}

const COMMON = [threefry, random, bindings, model, gradient, metrics, rows, treeRows, init, batch, histogram];

/**
 * Each shape's per-vector functions and step kernels: only these reach the compiler, so no K-array
 * does at large K. A token tree's pattern rows are read as the storage shape reads its rows.
 */
const SHAPES: Record<KernelShape, string[]> = { registers: [vectors, step], storage: [stream, streamStep], tree: [stream, treeStep] };

export function moduleSource(header: string, shape: KernelShape): string {
  return [header, declarations, ...COMMON, ...SHAPES[shape]].join('\n');
}
