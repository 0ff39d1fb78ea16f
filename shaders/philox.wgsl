// Philox4x32-10 (Salmon et al., SC'11), bit-identical to src/model/rng.ts, whose constants
// (PHILOX_*) the header carries.
// WGSL has no 32x32->64 multiply, so the high word is built from 16-bit limbs.

fn mulhi32(a: u32, b: u32) -> u32 {
  let aLo = a & 0xffffu;
  let aHi = a >> 16u;
  let bLo = b & 0xffffu;
  let bHi = b >> 16u;
  let ll = aLo * bLo;
  let lh = aLo * bHi;
  let hl = aHi * bLo;
  let hh = aHi * bHi;
  let cross = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return hh + (lh >> 16u) + (hl >> 16u) + (cross >> 16u);
}

fn philox(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var round = 0u; round < PHILOX_ROUNDS; round++) {
    let hi0 = mulhi32(PHILOX_M0, c.x);
    let lo0 = PHILOX_M0 * c.x;
    let hi1 = mulhi32(PHILOX_M1, c.z);
    let lo1 = PHILOX_M1 * c.z;
    c = vec4u(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k += vec2u(PHILOX_W0, PHILOX_W1);
  }
  return c;
}

// Top 24 bits: exactly representable in f32 and f64, so CPU and GPU compare the same number.
fn uniform01(x: u32) -> f32 {
  return f32(x >> 8u) * (1.0 / 16777216.0);
}

// The uniforms of rollout g of task i at RL step t: (pattern, answer, verifier, unused).
fn rolloutUniforms(t: u32, i: u32, g: u32) -> vec4f {
  let r = philox(vec4u(g, localTask(i), t, 0u), vec2u(co.seed, STREAM_ROLLOUT));
  return vec4f(uniform01(r.x), uniform01(r.y), uniform01(r.z), uniform01(r.w));
}
