// The uniform of the run's numbers that do not shape the kernels: N, the seed, learning rates,
// verifier noise, regulariser weights, the initial logits, SFT, and the buffer offsets that
// depend on N. Kept out of the generated header so that runs differing only in them share one
// compiled module. The fields below are the one statement of their order: struct Knobs is
// generated from them, and knobsData writes them. Written once per run.
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

/** K-vectors (K <= 32) as array<vec4f, 8>, four values to a vec4: a uniform array's stride is 16 bytes. */
const VECTORS: [name: string, value: (c: Config) => number[]][] = [
  ['initLogits', (c) => c.init.map(Math.log)],
  ['sftTarget', (c) => c.sft?.target ?? []],
];
const VEC4S = 8;
const VECTOR_BYTES = VEC4S * 16;
const VECTORS_OFFSET = Math.ceil((SCALARS.length * 4) / 16) * 16; // bytes: vec4 alignment
export const KNOBS_BYTES = VECTORS_OFFSET + VECTORS.length * VECTOR_BYTES;

export function knobsStruct(): string {
  const fields = [...SCALARS.map(([name, type]) => `${name}: ${type}`), ...VECTORS.map(([name]) => `${name}: array<vec4f, ${VEC4S}>`)];
  return `struct Knobs {\n${fields.map((f) => `  ${f},\n`).join('')}}`;
}

export function knobsData(c: Config, plan: Plan): ArrayBuffer {
  const data = new ArrayBuffer(KNOBS_BYTES);
  const u = new Uint32Array(data);
  const f = new Float32Array(data);
  SCALARS.forEach(([, type, value], j) => (type === 'u32' ? (u[j] = value(c, plan) >>> 0) : (f[j] = value(c, plan))));
  VECTORS.forEach(([, value], j) => f.set(value(c), (VECTORS_OFFSET + j * VECTOR_BYTES) / 4));
  return data;
}
