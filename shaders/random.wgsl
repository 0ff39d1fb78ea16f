// The rollouts' random numbers: Threefry4x32-20 (its generated function, src/engine/threefry.ts),
// keyed by (seed, stream) and counted by (rollout, task, step), bit-identical to src/model/rng.ts.

// Top 24 bits: exactly representable in f32 and f64, so CPU and GPU compare the same number.
fn uniform01(x: u32) -> f32 {
  return f32(x >> 8u) * (1.0 / 16777216.0);
}

// The uniforms of rollout g of task i at RL step t: (pattern, answer, verifier, unused).
fn rolloutUniforms(t: u32, i: u32, g: u32) -> vec4f {
  let r = threefry(vec4u(g, localTask(i), t, 0u), vec4u(co.seed, STREAM_ROLLOUT, 0u, 0u));
  return vec4f(uniform01(r.x), uniform01(r.y), uniform01(r.z), uniform01(r.w));
}

// The uniforms of positions 4b..4b+3 of rollout g's response (policy "tokens"): block 1 + b of
// the rollout's counter, whose block 0 rolloutUniforms draws (src/model/rng.ts tokenUniforms).
fn tokenUniforms(t: u32, i: u32, g: u32, b: u32) -> vec4f {
  let r = threefry(vec4u(g, localTask(i), t, 1u + b), vec4u(co.seed, STREAM_ROLLOUT, 0u, 0u));
  return vec4f(uniform01(r.x), uniform01(r.y), uniform01(r.z), uniform01(r.w));
}
