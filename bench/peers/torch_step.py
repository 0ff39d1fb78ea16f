#!/usr/bin/env python3
"""The peer of `patternflow bench`: the same RL step, vectorised in PyTorch.

One step of docs/model.md section 3 for every task at once, as tensors: tabular softmax policy
over K patterns, a group of G rollouts per task (pattern, then answer), RLVR reward with frozen
answer distributions (success rate s_k for answer 0, the wrong mass spread geometrically), GRPO
advantages (group std, divisor G - 1; or reinforce, rloo, expected), an SGD step, and the
per-step metrics of section 5 reduced on the device (accuracy, bestMass, reward, entropy,
converged, zeroStdFrac, klToRef, majorityCorrect, pattern masses, pass@k); with --log-every n,
only every n-th step's, and accuracy and bestMass on the others, as patternflow's --logEvery.
Random numbers come from torch's generator, not Threefry: same distribution, different draws.

With --policy tokens, the token tree of docs/model.md section 9 (--length --forks --branching
--vocab --filler-decay; K = branching^forks): node logits per stretch of positions, G responses
drawn token by token (each position's node keyed by the fork choices before it), the pattern =
the fork choices, the answer and reward as above, the node gradient (1/G)(C_v - pi(v|n) S) by
scatter-add; expected mode's exact gradient P(reach n) pi(v|n)(Q(n,v) - V(n)) by one backward
pass over the forks; the metrics above on the tree's pattern distribution, then rankChangeRatio,
forkRankChange, fillerRankChange and criticalShare.

Prints rollouts/s (N*G*steps per second; N*steps for the expected estimator) as the median of
--repeats timed runs after a warm-up, in the same terms as `patternflow bench --tasks N
--patterns K --group G --estimator E`. Runs on CUDA when available (timed with CUDA events),
else on the CPU with --threads threads (default: torch's choice). `patternflow bench --peer
torch` runs it on each tabular and token tree row with `--json -` (the result as JSON on stdout, nothing else)
and `--info` first (the torch version and device as JSON, nothing timed).

    python3 bench/peers/torch_step.py --tasks 65536 --patterns 4 --group 8
    python3 bench/peers/torch_step.py --tasks 1000000 --group 64 --compile --json torch.json
    python3 bench/peers/torch_step.py --policy tokens --tasks 4096 --estimator expected
"""
import argparse
import json
import platform
import statistics
import sys
import time

import torch


def cpu_name():
    """The CPU's model name, for the device field (torch names only CUDA devices)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# Ranks of a node's logits within this are tied (RANK_TIE of src/model/constants.ts).
RANK_TIE = 1e-5


def default_rates(k):
    return [0.8 - 0.6 * j / (k - 1) for j in range(k)]


def answer_model(a, k, device):
    """The success rates s[k] (shared by all tasks; --success-rates, or evenly spaced from 0.8 to 0.2) and each pattern's answer CDF: s, then
    s + (1 - s) * cumsum(w), w the geometric spread of the wrong mass over answers 1..A-1."""
    s = torch.tensor(a.success_rates or default_rates(k), device=device)
    w = a.wrong_decay ** torch.arange(a.answers - 1, device=device, dtype=torch.float32)
    w = w / w.sum()
    return s, torch.cat([s[:, None], s[:, None] + (1 - s[:, None]) * torch.cumsum(w, 0)[None, :]], 1)


def advantages(rew, estimator):
    """Advantages of a group's rewards (N, G), as section 3.3: GRPO's group std has divisor G - 1."""
    mean = rew.mean(1, keepdim=True)
    if estimator == "grpo":
        return (rew - mean) / (rew.std(1, keepdim=True) + 1e-6)
    if estimator == "rloo":
        return rew - (rew.sum(1, keepdim=True) - rew) / (rew.shape[1] - 1)
    return rew - mean


def event_metrics(pi, s, best):
    """accuracy and bestMass of the pattern distribution pi (N, K), averaged over tasks: a step that writes no row."""
    return torch.stack([(pi @ s).mean(), pi[:, best].mean()])


def pattern_metrics(pi, lp, lref, s, best, passk, reward, zero_std, majority_correct):
    """A logged step's row of section 5 on the pattern distribution pi (N, K) with log pi = lp:
    accuracy, bestMass, reward, entropy, converged, zeroStdFrac, klToRef, majorityCorrect, the
    pattern masses and pass@k, averaged over tasks."""
    acc = pi @ s
    best_mass = pi[:, best]
    head = [acc.mean(), best_mass.mean(), reward, -(pi * lp).sum(1).mean(), (best_mass > 0.99).float().mean(), zero_std, (pi * (lp - lref)).sum(1).mean(), majority_correct]
    return torch.cat([torch.stack(head), pi.mean(0), (1 - (1 - acc[:, None]) ** passk).mean(0)])


class TorchStep:
    def __init__(self, a, device):
        self.a = a
        self.dev = device
        n, k = a.tasks, a.patterns
        self.s, self.cdf = answer_model(a, k, device)
        self.theta = torch.full((n, k), -torch.log(torch.tensor(float(k))).item(), device=device)
        self.lref = torch.log_softmax(self.theta[0], 0)
        self.best = int(torch.argmax(self.s))
        self.passk = torch.tensor([1.0, 8.0, 64.0], device=device)
        self.t = 0

    def step(self):
        a = self.a
        self.t += 1
        # As patternflow's --logEvery: a step that writes no row reduces the event metrics alone.
        full = self.t % a.log_every == 0
        n, k, g, na = a.tasks, a.patterns, a.group, a.answers
        lp = torch.log_softmax(self.theta, 1)
        pi = lp.exp()
        if a.estimator == "expected":
            r = a.tpr * self.s + a.fpr * (1 - self.s)
            j = pi @ r
            grad = pi * (r[None, :] - j[:, None])
            reward = j.mean()
            zero_std = torch.zeros((), device=self.dev)
            if full:
                marginal = pi @ torch.diff(self.cdf, dim=1, prepend=torch.zeros(k, 1, device=self.dev))
                majority_correct = (torch.argmax(marginal, 1) == 0).float().mean()
        else:
            u = torch.rand(n, g, 3, device=self.dev)
            # Inverse-CDF draws, as the kernels do: the first index whose cumulative mass exceeds u.
            kg = torch.searchsorted(torch.cumsum(pi, 1), u[..., 0].contiguous(), right=True).clamp_(max=k - 1)
            ag = (u[..., 1:2] >= self.cdf[kg]).sum(-1).clamp_(max=na - 1)
            correct = ag == 0
            rew = (u[..., 2] < a.fpr + (a.tpr - a.fpr) * correct.float()).float()  # noisy verifier
            adv = advantages(rew, a.estimator)
            onehot = torch.nn.functional.one_hot(kg, k).float()
            grad = (adv[..., None] * (onehot - pi[:, None, :])).mean(1)
            if full:
                reward = rew.mean()
                zero_std = (rew == rew[:, :1]).all(1).float().mean()
                counts = torch.nn.functional.one_hot(ag, na).sum(1)
                majority_correct = (torch.argmax(counts, 1) == 0).float().mean()  # ties: the first index
        self.theta += a.lr * grad
        lp = torch.log_softmax(self.theta, 1)
        pi = lp.exp()
        if not full:
            return event_metrics(pi, self.s, self.best)
        return pattern_metrics(pi, lp, self.lref, self.s, self.best, self.passk, reward, zero_std, majority_correct)

    def run(self, steps):
        # Metrics stay on the device, as patternflow's do, and are read once at the end.
        return [self.step() for _ in range(steps)]


class TreeStep:
    """The token tree of docs/model.md section 9, vectorised over tasks and rollouts.

    Node logits as one tensor (N, F, W, P) per stretch of positions at the same depth: fork j is
    (N, 1, b, b^j), and the F_d fillers between fork d - 1 and fork d are (N, F_d, V, b^d); W is
    the token axis and P the fork prefix that keys a node. The token axis is not the last one:
    torch's CPU softmax over a last axis of 4 is about 5 times slower than over an inner one.
    The reward model and the pattern-level metrics are the tabular twin's, on the tree's pi(k).
    """

    def __init__(self, a, device):
        self.a = a
        self.dev = device
        n, L, c, b, v = a.tasks, a.length, a.forks, a.branching, a.vocab
        self.K = b**c
        fork_pos = [(2 * j + 1) * L // (2 * c) for j in range(c)]
        fillers = [0] * (c + 1)  # F_d: filler positions after d forks
        for l in range(L):
            if l not in fork_pos:
                fillers[sum(p < l for p in fork_pos)] += 1
        self.s, self.cdf = answer_model(a, self.K, device)
        self.best = int(torch.argmax(self.s))
        # Uniform init: each choice of a fork carries the same share of the patterns below it;
        # fillers start at pi(v) ∝ fillerDecay^v. Stretches: the c forks, then the fillers by depth.
        decay = torch.arange(v, device=device, dtype=torch.float32) * float(torch.log(torch.tensor(a.filler_decay)))
        self.nodes = [torch.zeros(n, 1, b, b**j, device=device) for j in range(c)]
        self.nodes += [decay[None, None, :, None].expand(n, f, v, b**d).clone() for d, f in enumerate(fillers) if f > 0]
        self.depth = list(range(c)) + [d for d, f in enumerate(fillers) if f > 0]
        self.ref = [(torch.log_softmax(t, 2), ranks(t)) for t in self.nodes]
        self.lref = torch.full((self.K,), -float(torch.log(torch.tensor(float(self.K)))), device=device)
        self.passk = torch.tensor([1.0, 8.0, 64.0], device=device)
        self.t = 0

    def reach(self):
        """P(reach) of every fork prefix, (N, b^d) for d = 0..c; the last is pi(k)."""
        r = [torch.ones(self.a.tasks, 1, device=self.dev)]
        for f in self.nodes[: self.a.forks]:
            r.append(extend(r[-1], torch.softmax(f[:, 0], 1), torch.mul))
        return r

    def step(self):
        a = self.a
        self.t += 1
        full = self.t % a.log_every == 0
        n, g, b, c, na = a.tasks, a.group, a.branching, a.forks, a.answers
        if a.estimator == "expected":
            pis = [torch.softmax(f[:, 0], 1) for f in self.nodes[:c]]
            reach = [torch.ones(n, 1, device=self.dev)]
            for pi in pis:
                reach.append(extend(reach[-1], pi, torch.mul))
            r = a.tpr * self.s + a.fpr * (1 - self.s)
            value = r.expand(n, self.K)
            # The backward pass: fillers have Q(n, v) = V(n), so only the forks get a gradient.
            for j in reversed(range(c)):
                q = value.reshape(n, b**j, b).transpose(1, 2)  # (N, b, P): Q(n, v)
                vn = (pis[j] * q).sum(1)
                self.nodes[j][:, 0] += a.lr * reach[j][:, None, :] * pis[j] * (q - vn[:, None, :])
                value = vn
            if full:
                pi_k = reach[-1]
                reward = (pi_k @ r).mean()
                zero_std = torch.zeros((), device=self.dev)
                marginal = pi_k @ torch.diff(self.cdf, dim=1, prepend=torch.zeros(self.K, 1, device=self.dev))
                majority_correct = (torch.argmax(marginal, 1) == 0).float().mean()
        else:
            # Draw the forks first: a filler's node is keyed by the forks before it, and the draws
            # of one response are independent given those, so the order changes no distribution.
            prefix = [torch.zeros(n, g, dtype=torch.long, device=self.dev)]
            tokens = []
            for j in range(c):
                tokens.append(draw(self.nodes[j], prefix[j]))
                prefix.append(prefix[j] * b + tokens[j][:, 0])
            tokens += [draw(t, prefix[d]) for t, d in zip(self.nodes[c:], self.depth[c:])]
            kg = prefix[c]
            u = torch.rand(n, g, 2, device=self.dev)
            ag = (u[..., 0:1] >= self.cdf[kg]).sum(-1).clamp_(max=na - 1)
            correct = ag == 0
            rew = (u[..., 1] < a.fpr + (a.tpr - a.fpr) * correct.float()).float()
            adv = advantages(rew, a.estimator)
            for t, d, y in zip(self.nodes, self.depth, tokens):
                t += a.lr * node_grad(t, prefix[d], y, adv)
            if full:
                reward = rew.mean()
                zero_std = (rew == rew[:, :1]).all(1).float().mean()
                counts = torch.nn.functional.one_hot(ag, na).sum(1)
                majority_correct = (torch.argmax(counts, 1) == 0).float().mean()
        reach = self.reach()
        pi = reach[-1]
        if not full:
            return event_metrics(pi, self.s, self.best)
        lp = torch.zeros(n, 1, device=self.dev)
        for f in self.nodes[:c]:
            lp = extend(lp, torch.log_softmax(f[:, 0], 1), torch.add)
        patterns = pattern_metrics(pi, lp, self.lref, self.s, self.best, self.passk, reward, zero_std, majority_correct)
        return torch.cat([patterns, self.tree_metrics(reach)])

    def tree_metrics(self, reach):
        """rankChangeRatio, forkRankChange, fillerRankChange, criticalShare: per node the mass of
        tokens whose rank moved and KL(pi || pi_ref), weighted by P(reach n), per task, then averaged."""
        a = self.a
        c = a.forks
        moved, kl = [], []
        for t, (lref, rank_ref), d in zip(self.nodes, self.ref, self.depth):
            lp = torch.log_softmax(t, 2)
            pi = lp.exp()
            moved.append((reach[d] * (pi * (ranks(t) != rank_ref)).sum((1, 2))).sum(1))
            kl.append((reach[d] * (pi * (lp - lref)).sum((1, 2))).sum(1))
        fork, filler = sum(moved[:c]), sum(moved[c:])
        fork_kl, total_kl = sum(kl[:c]), sum(kl)
        share = torch.where(total_kl == 0, torch.zeros_like(total_kl), fork_kl / torch.where(total_kl == 0, 1.0, total_kl))
        return torch.stack(
            [
                ((fork + filler) / a.length).mean(),
                (fork / c).mean(),
                (filler / (a.length - c)).mean() if a.length > c else torch.zeros((), device=self.dev),
                share.mean(),
            ]
        )

    def run(self, steps):
        return [self.step() for _ in range(steps)]


def extend(r, pi, op):
    """Per-prefix values r (N, P) extended by one fork's (N, b, P) to (N, P b), prefix p + v at p b + v."""
    return op(r[:, None, :], pi).transpose(1, 2).flatten(1)


def draw(t, prefix):
    """Tokens (N, F, G) of G responses at the nodes t (N, F, W, P) their prefixes (N, G) select:
    inverse CDF, as the kernels draw, the first index whose cumulative mass exceeds u."""
    n, f, w, _ = t.shape
    node = torch.gather(t, 3, prefix[:, None, None, :].expand(n, f, w, prefix.shape[1]))
    cdf = torch.cumsum(torch.softmax(node, 2), 2)
    u = torch.rand(n, f, 1, prefix.shape[1], device=t.device)
    return (u >= cdf).sum(2).clamp_(max=w - 1)


def ranks(x):
    """Rank of each token of a node (axis 2 of (N, F, W, P)): 0 the most likely; logits within
    RANK_TIE are tied, and a tie goes to the smaller index, as the reference ranks."""
    w = x.shape[2]
    # u outranks v when x_u - x_v > RANK_TIE, or, for u < v, when x_u - x_v > -RANK_TIE (a tie; the
    # reference counts -RANK_TIE exactly as one too, which float rounding makes moot).
    idx = torch.arange(w, device=x.device)
    floor = torch.where(idx[None, :] < idx[:, None], -RANK_TIE, RANK_TIE)[:, :, None]  # [v, u]
    return ((x[:, :, None] - x[:, :, :, None]) > floor).sum(3, dtype=torch.int8)  # [.., v, u, p]: x_u - x_v


def node_grad(t, prefix, y, adv):
    """(1/G) (C_v - pi(v|n) S) at the nodes t (N, F, W, P) from G responses with prefixes (N, G)
    emitting y (N, F, G): C_v the advantages of those that emit v, S of all through n, and S = 0
    at a node every response passes (the advantages sum to zero), as the kernels do."""
    n, f, w, p = t.shape
    g = adv.shape[1]
    cv = torch.zeros(n, f, w * p, device=t.device).scatter_add_(2, y * p + prefix[:, None, :], adv[:, None, :].expand(n, f, g)).view(n, f, w, p)
    sums = torch.zeros(n, p, device=t.device).scatter_add_(1, prefix, adv)
    through = torch.zeros(n, p, device=t.device).scatter_add_(1, prefix, torch.ones_like(adv))
    sums = torch.where(through == g, torch.zeros_like(sums), sums)
    return (cv - torch.softmax(t, 2) * sums[:, None, None, :]) / g


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    p.add_argument("--tasks", type=int, default=65536)
    p.add_argument("--patterns", type=int, help="K (default: 4; with --policy tokens, branching^forks, and it must be that)")
    p.add_argument("--group", type=int, default=8)
    p.add_argument("--answers", type=int, default=8)
    p.add_argument("--estimator", choices=["grpo", "reinforce", "rloo", "expected"], default="grpo")
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--tpr", type=float, default=1.0)
    p.add_argument("--fpr", type=float, default=0.0)
    p.add_argument("--wrong-decay", type=float, default=0.5)
    p.add_argument("--success-rates", type=lambda t: [float(x) for x in t.split(",")], help="K comma-separated success rates in [0, 1] (default: evenly spaced from 0.8 to 0.2)")
    p.add_argument("--policy", choices=["tabular", "tokens"], default="tabular", help="tokens: the token tree of docs/model.md section 9")
    # The tree's defaults are TREE_DEFAULTS of src/model/config.ts.
    p.add_argument("--length", type=int, default=40, help="tokens: L, positions of a response")
    p.add_argument("--forks", type=int, default=2, help="tokens: c, fork positions")
    p.add_argument("--branching", type=int, default=4, help="tokens: b, choices at a fork")
    p.add_argument("--vocab", type=int, default=4, help="tokens: V, alternatives at a filler")
    p.add_argument("--filler-decay", type=float, default=0.3, help="tokens: fillers start at pi(v) proportional to this^v")
    p.add_argument("--steps", type=int, default=0, help="steps per timed repeat (default: about 0.5 s of work)")
    p.add_argument("--log-every", type=int, default=1, help="full metrics every n steps, the event metrics (accuracy, bestMass) on the others")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, help="CPU threads for torch (default: torch's choice)")
    p.add_argument("--compile", action="store_true", help="torch.compile the step (PyTorch 2)")
    p.add_argument("--json", help="write the result as JSON to this file, or to stdout (alone) with -")
    p.add_argument("--info", action="store_true", help="print the torch version and device as JSON and exit")
    a = p.parse_args()
    tokens = a.policy == "tokens"
    if tokens:
        if not 1 <= a.forks <= a.length:
            p.error(f"--forks must be in 1..--length ({a.length}); got {a.forks}")
        if a.patterns is not None and a.patterns != a.branching**a.forks:
            p.error(f"--patterns must be branching^forks = {a.branching**a.forks} with --policy tokens; got {a.patterns}")
        a.patterns = a.branching**a.forks
    elif a.patterns is None:
        a.patterns = 4
    if a.success_rates and (len(a.success_rates) != a.patterns or not all(0 <= x <= 1 for x in a.success_rates)):
        p.error(f"--success-rates must be {a.patterns} numbers in [0, 1]; got {len(a.success_rates)}")
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    info = {
        "peer": "torch",
        "torch": torch.__version__,
        "device": torch.cuda.get_device_name(dev) if cuda else f"CPU ({cpu_name()})",
        "threads": torch.get_num_threads(),
        "timing": "cuda-events" if cuda else "wall",
    }
    if a.info:
        json.dump(info, sys.stdout)
        return
    sim = (TreeStep if tokens else TorchStep)(a, dev)
    if a.compile:
        sim.step = torch.compile(sim.step)

    def timed(steps):
        if cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            out = sim.run(steps)
            end.record()
            torch.cuda.synchronize()
            return start.elapsed_time(end) / 1e3, out
        t0 = time.perf_counter()
        out = sim.run(steps)
        return time.perf_counter() - t0, out

    t, _ = timed(3)  # warm-up (and compilation)
    t, _ = timed(3)
    steps = a.steps or max(1, round(0.5 / max(t / 3, 1e-9)))
    times = []
    for _ in range(a.repeats):
        t, out = timed(steps)
        times.append(t)
    per_step = a.tasks * (1 if a.estimator == "expected" else a.group)
    rate = per_step * steps / statistics.median(times)
    last = out[-1].tolist()
    result = {
        **info,
        "tasks": a.tasks,
        "patterns": a.patterns,
        "group": a.group,
        "estimator": a.estimator,
        "policy": a.policy,
        **({"length": a.length, "forks": a.forks, "branching": a.branching, "vocab": a.vocab, "fillerDecay": a.filler_decay, "tokensPerSec": rate * a.length} if tokens else {}),
        "compile": a.compile,
        "steps": steps,
        "rolloutsPerSec": rate,
        "stepsPerSec": steps / statistics.median(times),
        "logEvery": a.log_every,
        "stepsRun": 6 + a.repeats * steps,  # the warm-up's 6, then the timed ones: lastMetrics are this step's
        "lastMetrics": {
            **dict(zip(["accuracy", "bestMass", "reward", "entropy", "converged", "zeroStdFrac", "klToRef", "majorityCorrect"], last)),
            # The tree's four metrics close a full row (after the pattern masses and pass@k).
            **(dict(zip(["rankChangeRatio", "forkRankChange", "fillerRankChange", "criticalShare"], last[-4:])) if tokens and len(last) > 2 else {}),
        },
    }
    if a.json == "-":
        json.dump(result, sys.stdout)
        return
    print(
        f"torch {torch.__version__} on {info['device']}: N={a.tasks} K={a.patterns} G={a.group} {a.estimator} {a.policy}"
        f"{' (compiled)' if a.compile else ''}: {rate:.3e} rollouts/s, {result['stepsPerSec']:.3g} steps/s"
        f" ({result['timing']}, median of {a.repeats} x {steps} steps); accuracy after {result['stepsRun']} steps {last[0]:.4f}"
    )
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
