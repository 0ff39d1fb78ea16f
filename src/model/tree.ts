// The token tree of `policy: "tokens"` (docs/model.md §9): where the forks are, which node a
// position and a fork prefix select, where each node's logits sit in a task's row, and the
// initial logits. The float64 reference and the engine both read their layout from here.
import type { Config } from './config';

/** The tree fields of a config with `policy: "tokens"` (parseConfig fills them). */
export type TreeConfig = Pick<Config, 'init'> & { length: number; forks: number; branching: number; vocab: number; fillerDecay: number };

export interface TreeLayout {
  /** L, c, b, V and K = b^c. */
  L: number;
  c: number;
  b: number;
  V: number;
  K: number;
  /** The c fork positions, floor((j + 1/2) L / c), ascending. */
  forkPos: number[];
  /** Per position (L): whether it is a fork. */
  isFork: boolean[];
  /** Per position: c(l), the forks before it; its nodes are keyed by those forks' choices (b^c(l) prefixes). */
  depth: number[];
  /** Per position: logits of one node (b at a fork, V at a filler). */
  width: number[];
  /** Per position: offset of its first node's logits in a task's row. */
  offset: number[];
  /** Logits per task: sum over positions of b^c(l) * width(l). */
  logits: number;
}

/** The layout of the tree with L positions, c forks of b choices and V filler alternatives. */
export function treeLayout(L: number, c: number, b: number, V: number): TreeLayout {
  // (2j + 1) L / (2c) in integers: the fork positions are exact for any L and c.
  const forkPos = Array.from({ length: c }, (_, j) => Math.floor(((2 * j + 1) * L) / (2 * c)));
  const isFork = Array.from({ length: L }, (_, l) => forkPos.includes(l));
  const depth: number[] = [];
  const width: number[] = [];
  const offset: number[] = [];
  let forks = 0;
  let at = 0;
  for (let l = 0; l < L; l++) {
    depth.push(forks);
    width.push(isFork[l] ? b : V);
    offset.push(at);
    at += b ** forks * width[l];
    if (isFork[l]) forks++;
  }
  return { L, c, b, V, K: b ** c, forkPos, isFork, depth, width, offset, logits: at };
}

export const layoutOf = (t: TreeConfig): TreeLayout => treeLayout(t.length, t.forks, t.branching, t.vocab);

/** Offset of the logits of the node at position l under fork prefix p (the choices so far as a base-b number). */
export const nodeOffset = (T: TreeLayout, l: number, prefix: number) => T.offset[l] + prefix * T.width[l];

/** Pattern k's choice at fork j: its base-b digit j, the first fork the most significant. */
export const forkDigit = (T: TreeLayout, k: number, j: number) => Math.floor(k / T.b ** (T.c - 1 - j)) % T.b;

/**
 * A task's initial logits (pi_ref). A fork node under prefix p gets log of the init mass of the
 * patterns extending p + v: its softmax is the conditional probability, so the tree's pattern
 * distribution is init, and with one fork the root's logits are log(init), the tabular policy's.
 * Filler nodes get v log(fillerDecay): pi(v) ∝ fillerDecay^v.
 */
export function initialTreeLogits(T: TreeLayout, t: TreeConfig): Float64Array {
  const theta = new Float64Array(T.logits);
  for (let l = 0; l < T.L; l++) {
    const nodes = T.b ** T.depth[l];
    for (let p = 0; p < nodes; p++) {
      const o = nodeOffset(T, l, p);
      if (!T.isFork[l]) {
        for (let v = 0; v < T.V; v++) theta[o + v] = v * Math.log(t.fillerDecay);
        continue;
      }
      // Patterns extending p + v are a contiguous block of b^(c - depth - 1) indices.
      const block = T.b ** (T.c - T.depth[l] - 1);
      for (let v = 0; v < T.b; v++) {
        let mass = 0;
        for (let k = (p * T.b + v) * block; k < (p * T.b + v + 1) * block; k++) mass += t.init[k];
        theta[o + v] = Math.log(mass);
      }
    }
  }
  return theta;
}

/** The tree fields of c; throws unless c is a parsed config with `policy: "tokens"`. */
export function treeConfig(c: Config): TreeConfig {
  const { length, forks, branching, vocab, fillerDecay } = c;
  if (c.policy !== 'tokens' || length === undefined || forks === undefined || branching === undefined || vocab === undefined || fillerDecay === undefined)
    throw new Error('treeConfig: the config has no token tree (policy "tokens", parsed by parseConfig)');
  return { init: c.init, length, forks, branching, vocab, fillerDecay };
}

/** The layout of a token tree's kernel-shaping fields (src/engine/header.ts), undefined unless policy is "tokens". */
export function shapeTree(c: Pick<Config, 'policy' | 'length' | 'forks' | 'branching' | 'vocab'>): TreeLayout | undefined {
  if (c.policy !== 'tokens') return undefined;
  const { length, forks, branching, vocab } = c;
  if (length === undefined || forks === undefined || branching === undefined || vocab === undefined) throw new Error('shapeTree: the config has no token tree (parsed by parseConfig)');
  return treeLayout(length, forks, branching, vocab);
}

const layouts = new WeakMap<Config, TreeLayout>();

/** The tree layout of a config with `policy: "tokens"` (undefined for other policies), computed once per config object. */
export function configTree(c: Config): TreeLayout | undefined {
  const cached = layouts.get(c);
  if (cached) return cached;
  const T = shapeTree(c);
  if (T) layouts.set(c, T);
  return T;
}
