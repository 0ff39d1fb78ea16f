// The token tree of docs/model.md §9 in float64: the pattern distribution a task's tree induces,
// a response drawn token by token, the sampled and the exact expected gradients of the node
// logits, and where a response's distribution moved from pi_ref (rank changes and KL per
// position). `theta` is one task's row of node logits, laid out by src/model/tree.ts.
import { logSoftmax, sampleIndex, softmax } from '../model/policy';
import { GRAD_CANCEL, RANK_TIE } from '../model/constants';
import { nodeOffset, type TreeLayout } from '../model/tree';

const node = (T: TreeLayout, theta: Float64Array, l: number, prefix: number) => {
  const o = nodeOffset(T, l, prefix);
  return theta.subarray(o, o + T.width[l]);
};

/** P(reach) of every fork prefix: reach[d][p] for d = 0..c forks made, p < b^d; reach[c] is pi(k). */
export function prefixReach(T: TreeLayout, theta: Float64Array): Float64Array[] {
  const reach = [Float64Array.of(1)];
  for (let j = 0; j < T.c; j++) {
    const prev = reach[j];
    const next = new Float64Array(prev.length * T.b);
    for (let p = 0; p < prev.length; p++) {
      const pi = softmax(node(T, theta, T.forkPos[j], p));
      for (let v = 0; v < T.b; v++) next[p * T.b + v] = prev[p] * pi[v];
    }
    reach.push(next);
  }
  return reach;
}

/** log pi(k) = sum_j log pi(k_j | fork node j under prefix k_<j), for the K patterns. */
export function patternLogProbs(T: TreeLayout, theta: Float64Array): Float64Array {
  let lp = Float64Array.of(0);
  for (let j = 0; j < T.c; j++) {
    const next = new Float64Array(lp.length * T.b);
    for (let p = 0; p < lp.length; p++) {
      const ls = logSoftmax(node(T, theta, T.forkPos[j], p));
      for (let v = 0; v < T.b; v++) next[p * T.b + v] = lp[p] + ls[v];
    }
    lp = next;
  }
  return lp;
}

/**
 * dJ/dtheta_{n,v} = P(reach n) pi(v|n) (Q(n,v) - V(n)) with J = sum_k pi(k) R_k, by one backward
 * pass over the forks; filler nodes have Q(n,v) = V(n), so their entries stay exactly 0.
 */
export function expectedTreeGrad(T: TreeLayout, theta: Float64Array, R: ArrayLike<number>): Float64Array {
  const grad = new Float64Array(T.logits);
  const reach = prefixReach(T, theta);
  let value = Float64Array.from(R); // V of the nodes below the last fork: the pattern's reward
  for (let j = T.c - 1; j >= 0; j--) {
    const l = T.forkPos[j];
    const up = new Float64Array(T.b ** j);
    for (let p = 0; p < up.length; p++) {
      const pi = softmax(node(T, theta, l, p));
      const q = value.subarray(p * T.b, (p + 1) * T.b);
      const v = q.reduce((acc, qv, c) => acc + pi[c] * qv, 0);
      up[p] = v;
      const o = nodeOffset(T, l, p);
      for (let c = 0; c < T.b; c++) grad[o + c] = reach[j][p] * pi[c] * (q[c] - v);
    }
    value = up;
  }
  return grad;
}

/** One response: each position's node (its offset in the row) and token, and the pattern its forks chose. */
export interface Response {
  nodes: number[];
  tokens: number[];
  pattern: number;
}

/** The response drawn token by token with uniforms u[l] (inverse CDF, as the kernels draw). */
export function sampleResponse(T: TreeLayout, theta: Float64Array, u: ArrayLike<number>): Response {
  const nodes: number[] = [];
  const tokens: number[] = [];
  let prefix = 0;
  for (let l = 0; l < T.L; l++) {
    const y = sampleIndex(softmax(node(T, theta, l, prefix)), u[l]);
    nodes.push(nodeOffset(T, l, prefix));
    tokens.push(y);
    if (T.isFork[l]) prefix = prefix * T.b + y;
  }
  return { nodes, tokens, pattern: prefix };
}

/**
 * (1/G) sum_g Adv_g (1[y_g at n = v] - pi(v|n)) over the responses through each node n, as
 * (1/G) (C_v - pi(v|n) S): C_v the advantages of those that emit v, S of all through n, which is
 * exactly 0 at a node every response passes (the advantages sum to zero), and C_v - pi(v|n) S
 * exactly 0 within GRAD_CANCEL of its terms, as in the kernels.
 */
export function sampledTreeGrad(T: TreeLayout, theta: Float64Array, responses: readonly Response[], adv: readonly number[]): Float64Array {
  const G = responses.length;
  const grad = new Float64Array(T.logits);
  const through = new Map<number, { sum: number; count: number; width: number }>();
  responses.forEach((r, g) => {
    for (let l = 0; l < T.L; l++) {
      const o = r.nodes[l];
      const node = through.get(o) ?? { sum: 0, count: 0, width: T.width[l] };
      through.set(o, { sum: node.sum + adv[g], count: node.count + 1, width: node.width });
      grad[o + r.tokens[l]] += adv[g];
    }
  });
  for (const [o, { sum, count, width }] of through) {
    const S = count === G ? 0 : sum;
    const pi = softmax(theta.subarray(o, o + width));
    for (let v = 0; v < width; v++) {
      const [c, d] = [grad[o + v], pi[v] * S];
      grad[o + v] = Math.abs(c - d) <= GRAD_CANCEL * (Math.abs(c) + Math.abs(d)) ? 0 : (c - d) / G;
    }
  }
  return grad;
}

/** Rank of each token of a node with logits x: 0 the most likely; logits within RANK_TIE are tied, and ties go to the smaller index. */
export function ranks(x: ArrayLike<number>): Int32Array {
  const r = new Int32Array(x.length);
  for (let v = 0; v < x.length; v++) for (let u = 0; u < x.length; u++) if (x[u] > x[v] + RANK_TIE || (Math.abs(x[u] - x[v]) <= RANK_TIE && u < v)) r[v]++;
  return r;
}

/** Per position l, summed over its nodes n with weight P(reach n): the mass of tokens whose rank moved, and KL(pi(.|n) || pi_ref(.|n)). */
export interface PositionProfile {
  rankChange: Float64Array;
  kl: Float64Array;
}

export function positionProfile(T: TreeLayout, theta: Float64Array, ref: Float64Array): PositionProfile {
  const reach = prefixReach(T, theta);
  const rankChange = new Float64Array(T.L);
  const kl = new Float64Array(T.L);
  for (let l = 0; l < T.L; l++) {
    const w = reach[T.depth[l]];
    for (let p = 0; p < w.length; p++) {
      if (w[p] === 0) continue;
      const lp = logSoftmax(node(T, theta, l, p));
      const lr = logSoftmax(node(T, ref, l, p));
      const pi = lp.map(Math.exp);
      const rank = ranks(node(T, theta, l, p));
      const rankRef = ranks(node(T, ref, l, p));
      let moved = 0;
      let d = 0;
      for (let v = 0; v < pi.length; v++) {
        if (rank[v] !== rankRef[v]) moved += pi[v];
        d += pi[v] * (lp[v] - lr[v]);
      }
      rankChange[l] += w[p] * moved;
      kl[l] += w[p] * d;
    }
  }
  return { rankChange, kl };
}

/** The four tree metrics of docs/model.md §9 from a task's position profile. */
export function treeMetrics(T: TreeLayout, { rankChange, kl }: PositionProfile) {
  let fork = 0;
  let filler = 0;
  let forkKl = 0;
  let totalKl = 0;
  for (let l = 0; l < T.L; l++) {
    if (T.isFork[l]) {
      fork += rankChange[l];
      forkKl += kl[l];
    } else filler += rankChange[l];
    totalKl += kl[l];
  }
  return {
    rankChangeRatio: (fork + filler) / T.L,
    forkRankChange: fork / T.c,
    fillerRankChange: T.L > T.c ? filler / (T.L - T.c) : 0,
    criticalShare: totalKl === 0 ? 0 : forkKl / totalKl,
  };
}
