// struct Params: what changes from one dispatch to the next, one copy per dispatch at a dynamic
// offset of the params buffer. Stated once here; the WGSL struct and its writer come from it.
import { MAX_STEPS_PER_BATCH } from './plan';

/** A dispatch: its first RL step, the steps fused into it, its first metrics row, and which of its steps write a row. */
export interface DispatchParams {
  /** RL step t (1-based) of the dispatch's first step. */
  step: number;
  /** Steps fused into the dispatch (tabular policy); 1 otherwise. */
  nSteps: number;
  /** Metrics row of the first step, within the current batch. */
  slot: number;
  /** Whether step `step + s` writes a full metrics row; the others sum the event metrics alone. */
  logged: (s: number) => boolean;
}

/** Bits of `logged`, one per fused step: a batch fuses at most MAX_STEPS_PER_BATCH, in vec4u words (a uniform array's stride is 16 bytes). */
const LOGGED_VEC4 = Math.ceil(MAX_STEPS_PER_BATCH / 128);

/** Bytes of one dispatch's params: the binding's size. */
export const PARAMS_BYTES = 16 + LOGGED_VEC4 * 16;
/** Distance between two dispatches' params (minUniformBufferOffsetAlignment). */
export const PARAMS_STRIDE = 256;

export function paramsStruct(): string {
  return [
    'struct Params {',
    '  step: u32,',
    '  nSteps: u32,',
    '  slot: u32,',
    '  pad: u32,',
    `  logged: array<vec4u, ${LOGGED_VEC4}>,`,
    '}',
    '// Whether fused step s of this dispatch writes a full metrics row (src/engine/params.ts).',
    'fn isLogged(s: u32) -> bool {',
    '  return ((params.logged[s / 128u][(s / 32u) % 4u] >> (s % 32u)) & 1u) == 1u;',
    '}',
  ].join('\n');
}

/** The params of `dispatches`, one every PARAMS_STRIDE bytes. */
export function paramsData(dispatches: readonly DispatchParams[]): Uint32Array {
  const words = PARAMS_STRIDE / 4;
  const data = new Uint32Array(Math.max(1, dispatches.length) * words);
  dispatches.forEach((d, j) => {
    if (d.nSteps > MAX_STEPS_PER_BATCH) throw new Error(`a dispatch fuses at most ${MAX_STEPS_PER_BATCH} steps, got ${d.nSteps}`);
    const at = j * words;
    data.set([d.step, d.nSteps, d.slot, 0], at);
    for (let s = 0; s < d.nSteps; s++) if (d.logged(s)) data[at + 4 + (s >> 5)] |= 1 << (s & 31);
  });
  return data;
}
