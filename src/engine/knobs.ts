// The uniform of the run's numbers that do not shape the kernels: N, the seed, learning rates,
// verifier noise, regulariser weights, SFT, and the buffer offsets that depend on N. Kept out of
// the generated header so that runs differing only in them share one compiled module. The
// fields below are the one statement of their order: struct Knobs is generated from them, and
// knobsData writes them. Written once per run. K-vectors (the initial logits, the SFT target)
// are in the tables buffer instead (plan.tables): a uniform cannot hold 16,384 of them.
import type { Config } from '../model/config';
import type { Plan } from './plan';

type Scalar = [name: string, type: 'u32' | 'f32', value: (c: Config, plan: Plan) => number];

const SCALARS: Scalar[] = [
  ['nTasks', 'u32', (c) => c.tasks],
  ['numWg', 'u32', (_, p) => p.numWorkgroups],
  ['seed', 'u32', (c) => c.seed],
  ['sftSteps', 'u32', (c) => c.sft?.steps ?? 0],
  ['lr', 'f32', (c) => c.lr],
  ['tpr', 'f32', (c) => c.tpr],
  ['fpr', 'f32', (c) => c.fpr],
  ['klCoef', 'f32', (c) => c.klCoef],
  ['entCoef', 'f32', (c) => c.entropyCoef],
  ['sftLr', 'f32', (c) => c.sft?.lr ?? 0],
  // Regions of opt and scratch placed after N-sized ones (those before them are header constants).
  ['thetaVOff', 'u32', (_, p) => p.opt.thetaV],
  ['phiMOff', 'u32', (_, p) => p.opt.phiM],
  ['phiVOff', 'u32', (_, p) => p.opt.phiV],
  ['gradSumOff', 'u32', (_, p) => p.scratch.gradSum],
  ['batchPOff', 'u32', (_, p) => p.scratch.batchPartials],
  ['metricsOff', 'u32', (_, p) => p.scratch.metrics],
  ['histOff', 'u32', (_, p) => p.scratch.hist],
  ['startAccOff', 'u32', (_, p) => p.scratch.startAccuracy],
];

export const KNOBS_BYTES = Math.ceil((SCALARS.length * 4) / 16) * 16; // a uniform's size is a multiple of 16

export function knobsStruct(): string {
  return `struct Knobs {\n${SCALARS.map(([name, type]) => `  ${name}: ${type},\n`).join('')}}`;
}

export function knobsData(c: Config, plan: Plan): ArrayBuffer {
  const data = new ArrayBuffer(KNOBS_BYTES);
  const u = new Uint32Array(data);
  const f = new Float32Array(data);
  SCALARS.forEach(([, type, value], j) => (type === 'u32' ? (u[j] = value(c, plan) >>> 0) : (f[j] = value(c, plan))));
  return data;
}
