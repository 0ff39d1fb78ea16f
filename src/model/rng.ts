// Counter-based RNG: Philox4x32-10 (Salmon et al., SC'11), bit-identical to shaders/philox.wgsl.
// A draw is a pure function of (key, counter), so results do not depend on dispatch order and
// the CPU reference reproduces every GPU draw.

/** Philox4x32's round multipliers and key increments (Weyl constants). */
export const PHILOX = { M0: 0xd2511f53, M1: 0xcd9e8d57, W0: 0x9e3779b9, W1: 0xbb67ae85, ROUNDS: 10 } as const;
const { M0, M1, W0, W1 } = PHILOX;

/** Streams keep independent uses of one seed apart (key word 1). */
export const STREAM_ROLLOUT = 0x524c0001; // pattern, answer and verifier draws of RL steps
export const STREAM_TASKS = 0x54410002; // per-task success-rate draws (successBeta)

/** High 32 bits of the 64-bit product a*b, with 16-bit limbs as in the WGSL twin. */
export function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff, aHi = a >>> 16, bLo = b & 0xffff, bHi = b >>> 16;
  const ll = aLo * bLo, lh = aLo * bHi, hl = aHi * bLo, hh = aHi * bHi;
  const cross = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + Math.floor(cross / 65536)) >>> 0;
}

/** Philox4x32-10 of counter c and key k; returns four uint32. */
export function philox(c: readonly [number, number, number, number], k: readonly [number, number]): [number, number, number, number] {
  let [c0, c1, c2, c3] = c.map((x) => x >>> 0);
  let [k0, k1] = k.map((x) => x >>> 0);
  for (let round = 0; round < PHILOX.ROUNDS; round++) {
    const hi0 = mulhi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** Uniform in [0, 1) from the top 24 bits: exactly representable in float32, so CPU and GPU agree. */
export function uniform01(x: number): number {
  return (x >>> 8) * 2 ** -24;
}

/** The four uniforms of rollout g of task i at RL step t: [pattern, answer, verifier, unused]. */
export function rolloutUniforms(seed: number, step: number, task: number, g: number): number[] {
  return philox([g, task, step, 0], [seed, STREAM_ROLLOUT]).map(uniform01);
}
