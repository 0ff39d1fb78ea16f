// The uniform of the run's numbers that do not shape the kernels (struct Knobs in
// shaders/bindings.wgsl): N, the seed, learning rates, verifier noise, regulariser weights, the
// initial logits, SFT, and the buffer offsets that depend on N. Written once per run.
import type { Config } from '../model/config';
import type { Plan } from './plan';

const SCALARS = 17; // u32/f32 fields before the two vec4 arrays
const ARRAY_OFFSET = 80; // bytes: 17 scalars padded to the vec4 alignment of initLogits
const VEC4S = 8;
export const KNOBS_BYTES = ARRAY_OFFSET + 2 * VEC4S * 16;

export function knobsData(c: Config, plan: Plan): ArrayBuffer {
  const data = new ArrayBuffer(KNOBS_BYTES);
  const u = new Uint32Array(data);
  const f = new Float32Array(data);
  const scalars: ['u' | 'f', number][] = [
    ['u', c.tasks],
    ['u', plan.numWorkgroups],
    ['u', c.seed],
    ['u', c.sft?.steps ?? 0],
    ['f', c.lr],
    ['f', c.tpr],
    ['f', c.fpr],
    ['f', c.klCoef],
    ['f', c.entropyCoef],
    ['f', c.sft?.lr ?? 0],
    ['u', plan.opt.thetaV],
    ['u', plan.opt.phiM],
    ['u', plan.opt.phiV],
    ['u', plan.scratch.gradSum],
    ['u', plan.scratch.batchPartials],
    ['u', plan.scratch.metrics],
    ['u', plan.scratch.hist],
  ];
  if (scalars.length !== SCALARS) throw new Error('knobs layout out of sync with struct Knobs');
  scalars.forEach(([type, v], j) => (type === 'u' ? (u[j] = v >>> 0) : (f[j] = v)));
  f.set(c.init.map(Math.log), ARRAY_OFFSET / 4);
  f.set(c.sft?.target ?? [], ARRAY_OFFSET / 4 + VEC4S * 4);
  return data;
}
