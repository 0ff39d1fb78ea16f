// The fast CPU engine, the benchmark's side-by-side figure: the RL step of MODEL.md §3 (rlvr,
// frozen answers, SGD; tabular or shared policy; every estimator) as one tight single-threaded
// loop over typed arrays, with the per-step metrics of §5. It draws the same Threefry numbers as the
// kernels, so it does the same work per rollout as the GPU, and keeps the logits in float32 like
// the GPU; unlike src/reference it is written for speed and need not match it bit for bit.
import type { Config } from '../model/config';
import { CONVERGED_MASS, EPS_GRPO, IMPROVED_MARGIN } from '../model/constants';
import { METRIC, metricLayout, type MetricLayout } from '../model/metrics';
import { rotl, STREAM_ROLLOUT, THREEFRY, threefryKeys } from '../model/rng';
import { buildTasks, type TaskTables } from '../model/tasks';

const { ROTATIONS, ROUNDS } = THREEFRY;
const U24 = 2 ** -24;

/** Why the fast CPU engine cannot run `c`, or undefined when it can. */
export function fastCpuUnsupported(c: Config): string | undefined {
  if (c.reward !== 'rlvr') return `reward "${c.reward}" (it covers rlvr)`;
  if (c.answerMode !== 'frozen') return 'trainable answers';
  if (c.optimizer !== 'sgd') return `optimizer "${c.optimizer}" (it covers sgd)`;
  if (c.klCoef !== 0 || c.entropyCoef !== 0) return 'klCoef / entropyCoef';
  if (c.estimator === 'grpo' && c.scale === 'batch') return 'scale "batch"';
  if (c.sft && c.sft.steps > 0) return 'sft';
  return undefined;
}

export class FastCpuEngine {
  /** RL steps done so far. */
  step = 0;
  /** Rollouts done so far: G sampled (pattern, answer, reward) per task and step; one exact gradient per task and step in expected mode. */
  rollouts = 0;
  readonly layout: MetricLayout;
  private readonly theta: Float32Array;
  private readonly lref: Float64Array;
  private readonly startAcc: Float64Array; // each task's accuracy before step 1, for improvedFrac
  private readonly rose: Uint8Array; // each task's rise at step 1, for roseFirst and roseThenFell
  private readonly keys: Uint32Array; // Threefry's key injections, 4 words per injection: the key is fixed by the seed
  private readonly u = new Float64Array(3);
  // Per-task scratch, allocated once.
  private readonly lp: Float64Array;
  private readonly pi: Float64Array;
  private readonly grad: Float64Array;
  private readonly shared: Float64Array;
  private readonly kg: Int32Array;
  private readonly rg: Float64Array;
  private readonly counts: Int32Array;

  constructor(
    readonly config: Config,
    readonly tasks: TaskTables = buildTasks(config),
  ) {
    const why = fastCpuUnsupported(config);
    if (why) throw new Error(`the fast CPU engine does not cover ${why}`);
    const { tasks: N, patterns: K, group: G, answers: A } = config;
    this.layout = metricLayout(config);
    const init = Float32Array.from(config.init, Math.log);
    this.theta = new Float32Array(config.policy === 'shared' ? K : N * K);
    for (let r = 0; r < this.theta.length; r += K) this.theta.set(init, r);
    this.lref = new Float64Array(K);
    logSoftmax(init, 0, K, this.lref);
    this.keys = threefryKeys([config.seed, STREAM_ROLLOUT, 0, 0]);
    this.lp = new Float64Array(K);
    this.pi = new Float64Array(K);
    this.grad = new Float64Array(K);
    this.shared = new Float64Array(K);
    this.kg = new Int32Array(G);
    this.rg = new Float64Array(G);
    this.counts = new Int32Array(A);
    // Taken from policyMetrics itself, so that a task whose policy never moves compares equal.
    this.startAcc = new Float64Array(N);
    this.rose = new Uint8Array(N);
    const row = new Float64Array(this.layout.names.length);
    for (let i = 0; i < N; i++) {
      logSoftmax(this.theta, config.policy === 'shared' ? 0 : i * K, K, this.lp);
      row.fill(0);
      this.policyMetrics(i, row);
      this.startAcc[i] = row[METRIC.accuracy];
    }
  }

  /** Threefry4x32-20 of counter (g, i, t, 0): the pattern, answer and verifier uniforms into this.u. */
  uniforms(t: number, i: number, g: number): Float64Array {
    const keys = this.keys;
    // int32 arithmetic throughout (| 0): the low 32 bits are those of the uint32 sums.
    let x0 = (g + keys[0]) | 0;
    let x1 = (i + keys[1]) | 0;
    let x2 = (t + keys[2]) | 0;
    let x3 = keys[3] | 0;
    for (let r = 0; r < ROUNDS; r += 2) {
      const even = ROTATIONS[r % 8];
      x0 = (x0 + x1) | 0;
      x1 = rotl(x1, even[0]) ^ x0;
      x2 = (x2 + x3) | 0;
      x3 = rotl(x3, even[1]) ^ x2;
      const odd = ROTATIONS[(r + 1) % 8];
      x0 = (x0 + x3) | 0;
      x3 = rotl(x3, odd[0]) ^ x0;
      x2 = (x2 + x1) | 0;
      x1 = rotl(x1, odd[1]) ^ x2;
      if (r % 4 === 2) {
        const at = 4 * ((r + 2) / 4);
        x0 = (x0 + keys[at]) | 0;
        x1 = (x1 + keys[at + 1]) | 0;
        x2 = (x2 + keys[at + 2]) | 0;
        x3 = (x3 + keys[at + 3]) | 0;
      }
    }
    this.u[0] = (x0 >>> 8) * U24;
    this.u[1] = (x1 >>> 8) * U24;
    this.u[2] = (x2 >>> 8) * U24;
    return this.u;
  }

  /** Runs `steps` RL steps; returns their metric rows (row-major, layout.names.length per row). */
  run(steps: number): Float64Array {
    const M = this.layout.names.length;
    const rows = new Float64Array(steps * M);
    for (let s = 0; s < steps; s++) this.stepOnce(rows.subarray(s * M, (s + 1) * M));
    return rows;
  }

  private stepOnce(out: Float64Array) {
    const c = this.config;
    const { tasks: N, patterns: K } = c;
    const t = ++this.step;
    const shared = c.policy === 'shared';
    const { theta, lp, pi, grad } = this;
    if (shared) {
      this.shared.fill(0);
      logSoftmax(theta, 0, K, lp);
      for (let k = 0; k < K; k++) pi[k] = Math.exp(lp[k]);
    }
    for (let i = 0; i < N; i++) {
      if (!shared) {
        logSoftmax(theta, i * K, K, lp);
        for (let k = 0; k < K; k++) pi[k] = Math.exp(lp[k]);
      }
      if (c.estimator === 'expected') this.expectedGradient(i, out);
      else this.sampledGradient(i, t, out);
      if (shared) {
        for (let k = 0; k < K; k++) this.shared[k] += grad[k];
        continue;
      }
      for (let k = 0; k < K; k++) theta[i * K + k] += c.lr * grad[k];
      logSoftmax(theta, i * K, K, lp);
      this.policyMetrics(i, out);
    }
    if (shared) {
      for (let k = 0; k < K; k++) theta[k] += (c.lr * this.shared[k]) / N;
      logSoftmax(theta, 0, K, lp);
      for (let i = 0; i < N; i++) this.policyMetrics(i, out);
    }
    for (let m = 0; m < out.length; m++) out[m] /= N;
  }

  private rate(i: number, k: number): number {
    return this.tasks.rates[this.tasks.perTask ? i * this.config.patterns + k : k];
  }

  /** The group of task i at step t (MODEL.md §3, as shaders/step.wgsl computes it) into this.grad; adds its rollout statistics. */
  private sampledGradient(i: number, t: number, out: Float64Array) {
    const { patterns: K, answers: A, group: G, tpr, fpr, estimator, scale } = this.config;
    const { pi, kg, rg, counts, grad } = this;
    const w = this.tasks.wrongWeights;
    counts.fill(0);
    let sum = 0;
    for (let g = 0; g < G; g++) {
      const u = this.uniforms(t, i, g);
      let k = 0;
      let last = 0;
      for (let acc = 0; k < K; k++) {
        if (pi[k] > 0) last = k;
        acc += pi[k];
        if (u[0] < acc) break;
      }
      if (k === K) k = last;
      const s = this.rate(i, k);
      let a = 0;
      last = 0;
      for (let acc = 0; a < A; a++) {
        const p = a === 0 ? s : (1 - s) * w[k * (A - 1) + a - 1];
        if (p > 0) last = a;
        acc += p;
        if (u[1] < acc) break;
      }
      if (a === A) a = last;
      kg[g] = k;
      counts[a]++;
      rg[g] = u[2] < (a === 0 ? tpr : fpr) ? 1 : 0;
      sum += rg[g];
    }
    this.rollouts += G;
    let majority = 0;
    for (let a = 1; a < A; a++) if (counts[a] > counts[majority]) majority = a;
    let allEqual = true;
    for (let g = 1; g < G; g++) allEqual &&= rg[g] === rg[0];
    // Advantages as (G R_g - S) times a per-group factor, as the kernel computes them; the pi_k
    // term of the gradient vanishes because the advantages sum to zero.
    let ss = 0;
    for (let g = 0; g < G; g++) {
      rg[g] = allEqual ? 0 : G * rg[g] - sum;
      ss += rg[g] * rg[g];
    }
    const factor = advantageFactor(estimator, scale, G, ss);
    grad.fill(0);
    for (let g = 0; g < G; g++) grad[kg[g]] += (rg[g] * factor) / G;
    out[METRIC.reward] += sum / G;
    out[METRIC.zeroStdFrac] += allEqual ? 1 : 0;
    out[METRIC.majorityCorrect] += majority === 0 ? 1 : 0;
  }

  /** The exact expected gradient pi_k (r_k - J) of task i into this.grad; adds its statistics. */
  private expectedGradient(i: number, out: Float64Array) {
    const { patterns: K, answers: A, tpr, fpr } = this.config;
    const { pi, grad } = this;
    const w = this.tasks.wrongWeights;
    // The majority reward's G -> infinity limit: the mode of the marginal answer distribution.
    let majority = 0;
    let best = -1;
    for (let a = 0; a < A; a++) {
      let q = 0;
      for (let k = 0; k < K; k++) {
        const s = this.rate(i, k);
        q += pi[k] * (a === 0 ? s : (1 - s) * w[k * (A - 1) + a - 1]);
      }
      if (q > best) {
        best = q;
        majority = a;
      }
    }
    let J = 0;
    for (let k = 0; k < K; k++) {
      const s = this.rate(i, k);
      grad[k] = tpr * s + fpr * (1 - s);
      J += pi[k] * grad[k];
    }
    for (let k = 0; k < K; k++) grad[k] = pi[k] * (grad[k] - J);
    this.rollouts++;
    out[METRIC.reward] += J;
    out[METRIC.majorityCorrect] += majority === 0 ? 1 : 0;
  }

  /** Adds the policy metrics of task i under log-probabilities this.lp to out. */
  private policyMetrics(i: number, out: Float64Array) {
    const { patterns: K, passK } = this.config;
    const { lp, lref } = this;
    const L = this.layout;
    let acc = 0;
    let h = 0;
    let kl = 0;
    let best = 0;
    let bestRate = -1;
    let worst = 0;
    let worstRate = 2;
    for (let k = 0; k < K; k++) {
      const p = Math.exp(lp[k]);
      const s = this.rate(i, k);
      acc += p * s;
      h -= p * lp[k];
      kl += p * (lp[k] - lref[k]);
      if (s > bestRate) {
        bestRate = s;
        best = k;
      }
      if (s < worstRate) {
        worstRate = s;
        worst = k;
      }
      if (L.mass >= 0) out[L.mass + k] += p;
    }
    const bestMass = Math.exp(lp[best]);
    out[METRIC.accuracy] += acc;
    out[METRIC.entropy] += h;
    out[METRIC.bestMass] += bestMass;
    out[METRIC.converged] += bestMass > CONVERGED_MASS ? 1 : 0;
    out[METRIC.klToRef] += kl;
    const worstMass = Math.exp(lp[worst]);
    out[METRIC.worstMass] += worstMass;
    out[METRIC.convergedWorst] += worstMass > CONVERGED_MASS ? 1 : 0;
    out[METRIC.improvedFrac] += acc > this.startAcc[i] + IMPROVED_MARGIN ? 1 : 0;
    if (this.step === 1) this.rose[i] = acc > this.startAcc[i] + IMPROVED_MARGIN ? 1 : 0;
    out[METRIC.roseFirst] += this.rose[i];
    out[METRIC.roseThenFell] += this.rose[i] && acc < this.startAcc[i] - IMPROVED_MARGIN ? 1 : 0;
    for (let j = 0; j < passK.length; j++) out[L.passAt + j] += 1 - (1 - acc) ** passK[j];
  }
}

/** The per-group factor of the advantages G R_g - S (shaders/step.wgsl's advantageFactor); ss is their sum of squares. */
function advantageFactor(estimator: Config['estimator'], scale: Config['scale'], G: number, ss: number): number {
  switch (estimator) {
    case 'reinforce':
      return 1 / G;
    case 'rloo':
      return 1 / (G - 1);
    case 'grpo':
      switch (scale) {
        case 'group':
          return 1 / (G * (Math.sqrt(ss / (G * G * (G - 1))) + EPS_GRPO));
        case 'none':
          return 1 / G;
        case 'batch':
          throw new Error('the fast CPU engine does not cover scale "batch"');
      }
    case 'expected':
      throw new Error('the expected gradient has no sampled advantages');
  }
}

/** log softmax of x[off .. off+K) into out, with the row maximum subtracted first. */
function logSoftmax(x: ArrayLike<number>, off: number, K: number, out: Float64Array) {
  let mx = x[off];
  for (let k = 1; k < K; k++) mx = Math.max(mx, x[off + k]);
  let z = 0;
  for (let k = 0; k < K; k++) z += Math.exp(x[off + k] - mx);
  const lz = mx + Math.log(z);
  for (let k = 0; k < K; k++) out[k] = x[off + k] - lz;
}
