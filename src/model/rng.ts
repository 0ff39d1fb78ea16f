// Counter-based RNGs (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a draw
// is a pure function of (key, counter), so results do not depend on dispatch order and the CPU
// reproduces every GPU draw.
// - Threefry4x32-20 draws the rollouts, on the GPU (its WGSL is generated from this file's table:
//   src/engine/threefry.ts) and in the CPU twins. It needs only additions, rotations and xors,
//   which WGSL has; Philox needs 32x32 -> 64-bit products, which WGSL lacks (bench/RESULTS.md).
// - Philox4x32-10 draws the per-task success rates (successBeta, successTilt), once per run on the CPU.

/** Philox4x32's round multipliers and key increments (Weyl constants). */
export const PHILOX = { M0: 0xd2511f53, M1: 0xcd9e8d57, W0: 0x9e3779b9, W1: 0xbb67ae85, ROUNDS: 10 } as const;
const { M0, M1, W0, W1 } = PHILOX;

/** Streams keep independent uses of one seed apart (key word 1). */
export const STREAM_ROLLOUT = 0x524c0001; // pattern, answer and verifier draws of RL steps
export const STREAM_TASKS = 0x54410002; // per-task success-rate draws (successBeta, successTilt)

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

/**
 * Threefry4x32's rotation distances (round r uses ROTATIONS[r % 8]: the first for the pair it
 * mixes first), the key schedule's parity constant, and the round count: Random123's default.
 */
export const THREEFRY = {
  ROTATIONS: [
    [10, 26],
    [11, 21],
    [13, 27],
    [23, 5],
    [6, 20],
    [17, 11],
    [25, 10],
    [18, 20],
  ],
  PARITY: 0x1bd11bda,
  ROUNDS: 20,
} as const;

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;

/**
 * Threefry4x32's key injections for key k: ROUNDS / 4 + 1 of four words, the first added to the
 * counter before round 0 and injection s after round 4s - 1 (the key schedule's words, the
 * parity word among them, in rotation, the last word plus s).
 */
function threefryKeys(k: readonly [number, number, number, number]): Uint32Array {
  const ks = [...k.map((x) => x >>> 0), (THREEFRY.PARITY ^ k[0] ^ k[1] ^ k[2] ^ k[3]) >>> 0];
  const keys = new Uint32Array(4 * (THREEFRY.ROUNDS / 4 + 1));
  for (let s = 0; s <= THREEFRY.ROUNDS / 4; s++) for (let j = 0; j < 4; j++) keys[4 * s + j] = ks[(s + j) % 5] + (j === 3 ? s : 0);
  return keys;
}

/** Threefry4x32-20 of counter c and key k; returns four uint32. */
export function threefry(c: readonly [number, number, number, number], k: readonly [number, number, number, number]): [number, number, number, number] {
  const keys = threefryKeys(k);
  const x = c.map((v, j) => (v + keys[j]) >>> 0);
  for (let r = 0; r < THREEFRY.ROUNDS; r++) {
    const [ra, rb] = THREEFRY.ROTATIONS[r % 8];
    // Even rounds mix (x0, x1) and (x2, x3), odd rounds (x0, x3) and (x2, x1).
    const [a, b] = r % 2 === 0 ? [1, 3] : [3, 1];
    x[0] = (x[0] + x[a]) >>> 0;
    x[a] = (rotl(x[a], ra) ^ x[0]) >>> 0;
    x[2] = (x[2] + x[b]) >>> 0;
    x[b] = (rotl(x[b], rb) ^ x[2]) >>> 0;
    if (r % 4 === 3) for (let j = 0; j < 4; j++) x[j] = (x[j] + keys[r + 1 + j]) >>> 0;
  }
  return x as [number, number, number, number];
}

/** Uniform in [0, 1) from the top 24 bits: exactly representable in float32, so CPU and GPU agree. */
export function uniform01(x: number): number {
  return (x >>> 8) * 2 ** -24;
}

/** The four uniforms of rollout g of task i at RL step t: [pattern, answer, verifier, unused]. */
export function rolloutUniforms(seed: number, step: number, task: number, g: number): number[] {
  return threefry([g, task, step, 0], [seed, STREAM_ROLLOUT, 0, 0]).map(uniform01);
}

/**
 * The token draws of rollout g of task i at RL step t under `policy: "tokens"` (docs/model.md §9),
 * one per position: position l reads word l % 4 of the rollout stream's block at counter word 3 =
 * 1 + floor(l / 4) (block 0 is rolloutUniforms', whose answer and verifier draws the tree keeps).
 */
export function tokenUniforms(seed: number, step: number, task: number, g: number, length: number): Float64Array {
  const u = new Float64Array(length);
  for (let b = 0; 4 * b < length; b++) {
    const x = threefry([g, task, step, 1 + b], [seed, STREAM_ROLLOUT, 0, 0]);
    for (let j = 0; j < 4 && 4 * b + j < length; j++) u[4 * b + j] = uniform01(x[j]);
  }
  return u;
}
