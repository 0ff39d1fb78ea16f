// The roofline of the tabular step kernel: operations and bytes per rollout of the sampled step
// and per task-step of the expected one (counted by hand from shaders/step.wgsl, model.wgsl,
// metrics.wgsl and the generated Threefry of src/engine/threefry.ts), the adapter's peaks measured
// with three small WGSL kernels in the same run, and the floor they imply.
import type { Gpu } from '../engine/adapter';
import { EVENT_METRICS } from '../model/metrics';
import { THREEFRY } from '../model/rng';
import { UNIFORM_WEIGHTS } from '../engine/plan';
import type { TreeLayout } from '../model/tree';
import { PassTimer } from './timer';

/** Per-rollout work of the tabular step kernel (rlvr, frozen answers, SGD, GRPO with group std). */
export interface StepCounts {
  intOps: number;
  floatOps: number; // transcendentals (exp, log, sqrt) counted as one op each
  bytes: number; // DRAM traffic; the small read-only tables stay in cache
}

/**
 * The kernel's shape: K patterns, A answers, M metrics, F steps fused per dispatch, W tasks per row
 * of metric partials (the workgroup size, or with task rows plan.rowLanes: a subgroup's 8 on
 * lavapipe, 1 on SwiftShader), and L, full metrics every L steps
 * (the others compute and sum the event metrics alone: src/model/cadence.ts).
 */
export interface KernelShape {
  K: number;
  A: number;
  M: number;
  F: number;
  W: number;
  L: number;
}

/**
 * Threefry4x32-20 per block (shaders/random.wgsl), counting the work that differs between SIMD
 * lanes; work on values every lane shares is done once for all (a GPU's scalar unit, LLVM's
 * folding of splats on lavapipe). Of the counter (g, task, t, block) only the task word differs
 * (g and the block are loop counters every lane shares, t the step), and the key is the run's.
 * So: the first key addition, 1 op (the task word); each round 2 additions, 2 rotations (shift,
 * shift, or) and 2 xors, less round 0's second half (words z and w, 5 ops) and round 1's rotation
 * of the still-shared word w (3 ops); 5 later key injections of 4 additions (the key words and the
 * injection number are one shared vector); the parity word is the key's. A GPU with a funnel
 * shift rotates in one instruction: 6 ops a round instead of 10.
 */
export const THREEFRY_OPS = 1 + THREEFRY.ROUNDS * (2 + 2 * 3 + 2) - (5 + 3) + (THREEFRY.ROUNDS / 4) * 4;

/** Bytes of a task's partial metrics row per step: the event metrics every step, the others on the logged ones. */
const rowBytes = ({ M, W, L }: KernelShape) => (8 * (EVENT_METRICS.length + (M - EVENT_METRICS.length) / L)) / W;

/**
 * Per rollout, with G rollouts per group; each term is one piece of the WGSL, see README
 * "Performance". Loops with an early exit (the inverse-CDF draws) are counted in full: SIMD lanes
 * of a subgroup run until the last one exits.
 */
export function stepCounts(p: KernelShape & { G: number }): StepCounts {
  const { K, A, G, M, F, L } = p;
  const uniforms = 3 * 2; // 3 used words: shift, convert (the float multiply is counted below)
  const drawPatternInt = 3 * K; // per pattern: select of the last index, loop increment and test
  // Per answer: with at most UNIFORM_WEIGHTS (pattern, wrong answer) weights (shaders/model.wgsl)
  // the unrolled draw's K compares and selects of the weights, then p > 0, the drawn test and
  // select; else a == 0, table index (mul, 2 adds), select, loop.
  const drawAnswerInt = K * (A - 1) <= UNIFORM_WEIGHTS ? 2 * K * (A - 1) + 5 * A : 7 * A;
  const groupInt = 4 + 1 + 3 * 2 + 3 + (4 * A) / G; // stores and counts[a]++, reward test, 3 loops over g, majority over A
  const rolloutInt = THREEFRY_OPS + uniforms + drawPatternInt + drawAnswerInt + groupInt;
  const rolloutFloat = 3 + 3 * K + 6 * A + 3 + 2 + 5 + 1; // uniforms, draws, reward, sum, centring and G R - S, per-pattern sums
  // Per task and step, shared by its G rollouts: the log-softmax after the update (carried to the
  // next step), pi = exp, std and factor, gradient and update, accuracy and the best pattern's
  // mass, and their reduction; on logged steps only, the rest of the policy metrics with pass@k
  // (pi_ref's log-softmax among them) and the reduction of the other M - 2 metrics.
  const chunks = Math.ceil(M / 16);
  const everyStep = 3 * K + 1 + 2 * (K + 1) + K + 10 + 4 * K + 3 * K + 2;
  const logged = 3 * K + 1 + 6 * K + 2 * K + 3 + 40 + 16 * chunks;
  const taskFloat = everyStep + logged / L;
  const taskInt = 6 * K + 24 + (72 * chunks) / L;
  // theta read and written once per dispatch of F fused steps; metric partials written, then read by finalize.
  const taskBytes = (8 * K) / F + rowBytes(p);
  return { intOps: rolloutInt + taskInt / G, floatOps: rolloutFloat + taskFloat / G, bytes: taskBytes / G };
}

/**
 * Per task and step of the expected estimator (frozen answers, rlvr, SGD), the unit its
 * rollouts/s counts: the log-softmax after the update (carried to the next step), pi = exp, the
 * pattern rewards, J and the gradient flow, the update, accuracy and the best pattern's mass; on
 * logged steps only, the marginal answer distribution for majorityCorrect (A K answer
 * probabilities), pi_ref's log-softmax and the rest of the policy metrics; then the task's partial
 * row, written and summed by finalize. Nothing is drawn.
 */
export function expectedCounts(p: KernelShape & { passK: number }): StepCounts {
  const { K, A, M, F, L, passK } = p;
  const everyStep = 3 * K + 1 + K + 3 * K + 4 * K + 4 * K + 3 * K + 1 + EVENT_METRICS.length;
  const logged = 3 * K + 1 + 5 * A * K + 6 * K + 1 + 12 + 6 * passK + (M - EVENT_METRICS.length);
  const intOps = 16 * K + 30 + 2 * EVENT_METRICS.length + (3 * A * K + 2 * (M - EVENT_METRICS.length)) / L;
  return { intOps, floatOps: everyStep + logged / L, bytes: (8 * K) / F + rowBytes(p) };
}

/**
 * The token tree's kernel (shaders/tree-step.wgsl, tree-rows.wgsl; rlvr, frozen answers, SGD), per
 * rollout of the sampled step (a response of L tokens) or per task-step of the expected one, for a
 * tree of `T` (src/model/tree.ts): each position's node costs a log normaliser (a max, w exps and
 * a log) and, per draw, an inverse CDF of w exps; a response is drawn twice (for its reward, then
 * again for its gradient), its uniforms are a Threefry block per 4 positions; per task and step,
 * every node's centred-reward sum over the group and every logit's step, the pattern row (K) and
 * metrics, and on logged steps the four tree metrics (per node: two normalisers, w^2 rank
 * comparisons twice, a KL of w terms, its prefix's mass). Bytes: the node logits and their
 * gradient, read and written once a step (the rest stays in cache).
 */
export function treeCounts(p: { T: TreeLayout; A: number; G: number; M: number; W: number; L: number; expected: boolean }): StepCounts {
  const { T, A, G, M, L } = p;
  const w = (l: number) => (T.isFork[l] ? T.b : T.V);
  const nodes = (l: number) => T.b ** T.depth[l];
  let drawFloat = 0;
  let drawInt = 0;
  let nodeFloat = 0;
  let nodeInt = 0;
  let metricFloat = 0;
  let metricInt = 0;
  for (let l = 0; l < T.L; l++) {
    const x = w(l);
    drawFloat += 4 * x + 2; // normaliser (max, exp, add, log), inverse CDF (exp, add, compare), uniform
    drawInt += 8 * x + 12 + THREEFRY_OPS / 4;
    nodeFloat += nodes(l) * (3 * x + 1 + 6 * x + 2 * G); // normaliser, per logit (exp, mul, sub, mul, SGD), S over the group
    nodeInt += nodes(l) * (6 * x + 10 + 4 * G);
    metricFloat += nodes(l) * (2 * (3 * x + 1) + 14 * x + T.K / nodes(l)); // two normalisers, shift and KL terms, prefix mass
    metricInt += nodes(l) * (8 * x * x + 8 * x + 12);
  }
  const patterns = 12 * T.K; // pattern row (fork by fork), policy metrics over K
  const rows = (8 * (EVENT_METRICS.length + (M - EVENT_METRICS.length) / L)) / p.W;
  const taskBytes = 4 * 2 * T.logits + 4 * 2 * T.logits + 8 * T.K + rows; // logits and gradient, pattern row
  if (p.expected) {
    // No draws; the backward pass over the forks: per fork node its normaliser and 4 passes over b.
    const forkFloat = T.forkPos.reduce((acc, l) => acc + nodes(l) * (3 * T.b + 1 + 8 * T.b + T.K / nodes(l)), 0);
    const everyStep = forkFloat + 2 * T.logits + patterns + 6 * A * T.K;
    return { intOps: 4 * T.logits + 10 * T.K + metricInt / L, floatOps: everyStep + metricFloat / L, bytes: taskBytes };
  }
  const perTask = nodeFloat + patterns + metricFloat / L;
  return {
    intOps: 2 * drawInt + 20 + 7 * A + (nodeInt + 4 * T.logits + 10 * T.K + metricInt / L) / G,
    floatOps: 2 * drawFloat + 6 * A + 12 + perTask / G,
    bytes: taskBytes / G,
  };
}

export interface Peaks {
  intOpsPerSec: number;
  floatOpsPerSec: number;
  bytesPerSec: number;
}

export interface Floor {
  rolloutsPerSec: number;
  bound: 'integer' | 'float' | 'memory';
}

/** The roofline floor: no faster than the slowest of the three resources allows (they may overlap). */
export function floorOf(c: StepCounts, p: Peaks): Floor {
  const times = { integer: c.intOps / p.intOpsPerSec, float: c.floatOps / p.floatOpsPerSec, memory: c.bytes / p.bytesPerSec };
  const bound = (Object.keys(times) as Floor['bound'][]).reduce((a, b) => (times[b] > times[a] ? b : a));
  return { rolloutsPerSec: 1 / times[bound], bound };
}

const WG = 256;
const ITERS = 1024;
// Four independent vec4 chains per thread keep the ALUs busy; the inputs come from a buffer so
// the compiler cannot fold the chains, and a store that never happens keeps them alive. The integer
// chains are Threefry's own mix (add, rotate, xor; stepCounts counts a rotation as 3 ops, shift,
// shift, or), so that an adapter that rotates in one instruction (a GPU's funnel shift, AVX-512's
// vprold) is as fast in the peak as in the kernel: a multiply-add peak let a Threefry-bound kernel
// run at 120-175% of its "floor" on an AVX-512 CPU.
const PEAK_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> io: array<vec4u>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4u>;

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.y * nwg.x + wid.x) * ${WG}u + lid; }

fn arx(a: ptr<function, vec4u>, b: ptr<function, vec4u>) {
  *a += *b;
  *b = ((*b << vec4u(13u)) | (*b >> vec4u(19u))) ^ *a;
}

@compute @workgroup_size(${WG})
fn intPeak(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  var a0 = vec4u(i, i + 1u, i + 2u, i + 3u);
  var a1 = a0 ^ vec4u(0x55u); var a2 = a0 ^ vec4u(0xaau); var a3 = a0 ^ vec4u(0xffu);
  var b0 = a0 ^ io[0]; var b1 = a1 ^ io[0]; var b2 = a2 ^ io[0]; var b3 = a3 ^ io[0];
  for (var j = 0u; j < ${ITERS}u; j++) { arx(&a0, &b0); arx(&a1, &b1); arx(&a2, &b2); arx(&a3, &b3); }
  let r = a0 ^ a1 ^ a2 ^ a3 ^ b0 ^ b1 ^ b2 ^ b3;
  if (r.x == 0x12345678u && r.y == 0x9abcdefu) { io[1] = r; }
}

@compute @workgroup_size(${WG})
fn floatPeak(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  let m = bitcast<f32>(io[0].z);
  let c = bitcast<f32>(io[0].w);
  var a0 = vec4f(f32(i), f32(i) + 1.0, f32(i) + 2.0, f32(i) + 3.0) * 1e-6;
  var a1 = a0 + 0.25; var a2 = a0 + 0.5; var a3 = a0 + 0.75;
  for (var j = 0u; j < ${ITERS}u; j++) { a0 = fma(a0, vec4f(m), vec4f(c)); a1 = fma(a1, vec4f(m), vec4f(c)); a2 = fma(a2, vec4f(m), vec4f(c)); a3 = fma(a3, vec4f(m), vec4f(c)); }
  let r = a0 + a1 + a2 + a3;
  if (r.x == -1.0) { io[1] = bitcast<vec4u>(r); }
}

@compute @workgroup_size(${WG})
fn copy(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i < arrayLength(&dst)) { dst[i] = io[i]; }
}
`;
const INT_OPS_PER_THREAD = ITERS * 4 * 4 * 5; // iterations x chains x lanes x (add, shift, shift, or, xor)
const FLOAT_OPS_PER_THREAD = ITERS * 4 * 4 * 2; // iterations x chains x lanes x (multiply, add)
const MAX_PER_DIM = 65535;

const grid = (workgroups: number): [number, number] => {
  const y = Math.ceil(workgroups / MAX_PER_DIM);
  return [Math.ceil(workgroups / y), y];
};

/**
 * Measures the adapter's integer throughput (add-rotate-xor chains, 5 ops each), its float
 * throughput (fma chains, 2 ops each) and its copy bandwidth (bytes read + written), each the
 * fastest of `repeats` timed dispatches sized to take at least `minSeconds` (a peak is the best
 * the adapter does; slower repeats are interference).
 */
export async function measurePeaks(gpu: Gpu, opts: { minSeconds: number; repeats: number; copyBytes: number }): Promise<Peaks> {
  const { device } = gpu;
  const module = device.createShaderModule({ code: PEAK_WGSL });
  const copyBytes = Math.min(opts.copyBytes, device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize) & ~(16 * WG - 1);
  const io = device.createBuffer({ size: copyBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const dst = device.createBuffer({ size: copyBytes, usage: GPUBufferUsage.STORAGE });
  const floats = new Uint32Array(new Float32Array([0.999, 1e-3]).buffer); // a -> 0.999 a + 0.001 stays near 1
  device.queue.writeBuffer(io, 0, new Uint32Array([0x2c9277b5, 0x6b, floats[0], floats[1]]));
  const timer = gpu.hasTimestamps ? new PassTimer(device, 1) : undefined;

  const time = async (pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, workgroups: number): Promise<number> => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass(timer && { timestampWrites: timer.next() });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(...grid(workgroups));
    pass.end();
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    const wall = (performance.now() - t0) / 1000;
    const ns = await timer?.elapsedNs();
    return ns ? ns / 1e9 : wall;
  };

  const rate = async (entryPoint: string, work: (workgroups: number) => number, fixedWorkgroups?: number) => {
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint } });
    const entries = [{ binding: 0, resource: { buffer: io } }, ...(entryPoint === 'copy' ? [{ binding: 1, resource: { buffer: dst } }] : [])];
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    // Doubles the dispatch until it takes minSeconds; the probes are the warm-up.
    let workgroups = fixedWorkgroups ?? 16;
    while ((await time(pipeline, bindGroup, workgroups)) < opts.minSeconds && !fixedWorkgroups && workgroups < MAX_PER_DIM * 64) workgroups *= 2;
    let best = Infinity;
    for (let r = 0; r < opts.repeats; r++) best = Math.min(best, await time(pipeline, bindGroup, workgroups));
    return work(workgroups) / best;
  };

  try {
    const intOpsPerSec = await rate('intPeak', (w) => w * WG * INT_OPS_PER_THREAD);
    const floatOpsPerSec = await rate('floatPeak', (w) => w * WG * FLOAT_OPS_PER_THREAD);
    const bytesPerSec = await rate('copy', () => 2 * copyBytes, copyBytes / 16 / WG);
    return { intOpsPerSec, floatOpsPerSec, bytesPerSec };
  } finally {
    timer?.destroy();
    io.destroy();
    dst.destroy();
  }
}
