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

Prints rollouts/s (N*G*steps per second; N*steps for the expected estimator) as the median of
--repeats timed runs after a warm-up, in the same terms as `patternflow bench --tasks N
--patterns K --group G --estimator E`. Runs on CUDA when available (timed with CUDA events),
else on the CPU with --threads threads (default: torch's choice). `patternflow bench --peer
torch` runs it on each tabular row with `--json -` (the result as JSON on stdout, nothing else)
and `--info` first (the torch version and device as JSON, nothing timed).

    python3 bench/peers/torch_step.py --tasks 65536 --patterns 4 --group 8
    python3 bench/peers/torch_step.py --tasks 1000000 --group 64 --compile --json torch.json
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


def default_rates(k):
    return [0.8 - 0.6 * j / (k - 1) for j in range(k)]


class TorchStep:
    def __init__(self, a, device):
        self.a = a
        self.dev = device
        n, k, na = a.tasks, a.patterns, a.answers
        self.s = torch.tensor(default_rates(k), device=device)  # s[k], shared by all tasks
        j = torch.arange(na - 1, device=device, dtype=torch.float32)
        w = a.wrong_decay ** j
        w = w / w.sum()  # geometric spread of the wrong mass over answers 1..A-1
        # Answer CDF per pattern: s, then s + (1 - s) * cumsum(w).
        self.cdf = torch.cat([self.s[:, None], self.s[:, None] + (1 - self.s[:, None]) * torch.cumsum(w, 0)[None, :]], 1)
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
            mean = rew.mean(1, keepdim=True)
            if a.estimator == "grpo":
                adv = (rew - mean) / (rew.std(1, keepdim=True) + 1e-6)
            elif a.estimator == "rloo":
                adv = rew - (rew.sum(1, keepdim=True) - rew) / (g - 1)
            else:
                adv = rew - mean
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
        acc = pi @ self.s
        best_mass = pi[:, self.best]
        if not full:
            return torch.stack([acc.mean(), best_mass.mean()])
        metrics = torch.cat(
            [
                torch.stack(
                    [
                        acc.mean(),
                        best_mass.mean(),
                        reward,
                        -(pi * lp).sum(1).mean(),
                        (best_mass > 0.99).float().mean(),
                        zero_std,
                        (pi * (lp - self.lref)).sum(1).mean(),
                        majority_correct,
                    ]
                ),
                pi.mean(0),
                (1 - (1 - acc[:, None]) ** self.passk).mean(0),
            ]
        )
        return metrics

    def run(self, steps):
        # Metrics stay on the device, as patternflow's do, and are read once at the end.
        return [self.step() for _ in range(steps)]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    p.add_argument("--tasks", type=int, default=65536)
    p.add_argument("--patterns", type=int, default=4)
    p.add_argument("--group", type=int, default=8)
    p.add_argument("--answers", type=int, default=8)
    p.add_argument("--estimator", choices=["grpo", "reinforce", "rloo", "expected"], default="grpo")
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--tpr", type=float, default=1.0)
    p.add_argument("--fpr", type=float, default=0.0)
    p.add_argument("--wrong-decay", type=float, default=0.5)
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
    sim = TorchStep(a, dev)
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
        "policy": "tabular",
        "compile": a.compile,
        "steps": steps,
        "rolloutsPerSec": rate,
        "stepsPerSec": steps / statistics.median(times),
        "logEvery": a.log_every,
        "lastMetrics": dict(zip(["accuracy", "bestMass", "reward", "entropy", "converged", "zeroStdFrac", "klToRef", "majorityCorrect"], last)),
    }
    if a.json == "-":
        json.dump(result, sys.stdout)
        return
    print(
        f"torch {torch.__version__} on {info['device']}: N={a.tasks} K={a.patterns} G={a.group} {a.estimator} tabular"
        f"{' (compiled)' if a.compile else ''}: {rate:.3e} rollouts/s, {result['stepsPerSec']:.3g} steps/s"
        f" ({result['timing']}, median of {a.repeats} x {steps} steps); accuracy after {6 + a.repeats * steps} steps {last[0]:.4f}"
    )
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
