// The peer plumbing of `patternflow bench --peer torch`, without torch: stub scripts (run by
// Node in place of Python) answer in the script's JSON, and a Python that lacks torch gives one
// line and a bench without the peer column.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TREE_ROWS } from '../src/bench/cases';
import { formatReport } from '../src/bench/format';
import type { Peer } from '../src/bench/measure';
import { openTorchPeer, TORCH_COMMAND } from '../src/bench/peer';
import { parseConfig } from '../src/model/config';
import { makeParams, simulate } from '../src/reference/reference';
import { runBench } from '../src/bench/report';
import { testGpu } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'patternflow-peer-'));
const log = join(dir, 'args.log');

/** Stands in for bench/peers/torch_step.py: logs its arguments, answers 1000 rollouts/s per task, fails at N = 65, answers for another tree at N = 66. */
const stub = join(dir, 'torch_step.mjs');
writeFileSync(
  stub,
  `import { appendFileSync } from 'node:fs';
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(log)}, args.join(' ') + '\\n');
const arg = (name) => args[args.indexOf('--' + name) + 1];
const info = { peer: 'torch', torch: '9.9.9', device: 'CPU (Stub CPU)', threads: Number(arg('threads')), timing: 'wall' };
if (args.includes('--info')) process.stdout.write(JSON.stringify(info));
else if (arg('tasks') === '65') {
  process.stderr.write('Traceback (most recent call last):\\nRuntimeError: out of memory\\n');
  process.exit(1);
} else {
  const c = { tasks: Number(arg('tasks')), patterns: Number(arg('patterns')), group: Number(arg('group')), estimator: arg('estimator') };
  const policy = args.includes('--policy') ? arg('policy') : 'tabular';
  // At N = 66 it answers for a longer tree than it was asked.
  const tree = policy === 'tokens' ? { length: Number(arg('length')) + (c.tasks === 66 ? 1 : 0), forks: Number(arg('forks')), branching: Number(arg('branching')), vocab: Number(arg('vocab')), fillerDecay: Number(arg('filler-decay')) } : {};
  process.stdout.write(JSON.stringify({ ...info, ...c, policy, ...tree, rolloutsPerSec: 1000 * c.tasks }));
}
`,
);
/** A Python without torch: the traceback of a failed import. */
const noTorch = join(dir, 'no_torch.mjs');
writeFileSync(noTorch, `process.stderr.write("Traceback (most recent call last):\\nModuleNotFoundError: No module named 'torch'\\n"); process.exit(1);\n`);

const opts = { repeats: 1, minSeconds: 0.01, roofline: false };
const tabular = { tasks: 64, patterns: 4, group: 8, estimator: 'grpo', policy: 'tabular' } as const;
const tokens = { ...TREE_ROWS[1], tasks: 64 };

describe('torch peer', () => {
  it('runs the script on each tabular and token tree row with the machine threads and reads its JSON', async () => {
    const peer = (await openTorchPeer({ pythons: [process.execPath], script: stub, threads: 3 })) as Peer;
    expect(peer.info).toEqual({ name: 'torch', program: expect.stringMatching(/torch_step\.mjs$/), version: 'torch 9.9.9', device: 'CPU (Stub CPU)', threads: 3, timing: 'wall' });
    const gpu = await testGpu();
    const cases = [tabular, { ...tabular, estimator: 'expected', group: 1 } as const, { ...tabular, policy: 'shared' } as const, { ...tabular, tasks: 65 }, tokens, { ...tokens, tasks: 66 }];
    const report = await runBench(gpu, { cases, notes: [] }, opts, { peer });
    const [grpo, expected, shared, failed, tree, otherTree] = report.rows;
    expect(tree.peerRolloutsPerSec).toBe(64_000);
    expect(otherTree.peerRolloutsPerSec).toBeUndefined();
    expect(grpo.peerRolloutsPerSec).toBe(64_000);
    expect(grpo.peerSpeedup).toBeCloseTo(grpo.rolloutsPerSec / 64_000, 9);
    expect(expected.peerRolloutsPerSec).toBe(64_000);
    expect(shared.peerRolloutsPerSec).toBeUndefined();
    expect(failed.peerRolloutsPerSec).toBeUndefined();
    expect(report.peer).toEqual(peer.info);
    expect(report.notes).toEqual([
      'torch peer: no figure for the shared policy (it covers the tabular and tokens ones)',
      'torch peer failed on N=65 K=4 G=8 grpo tabular: RuntimeError: out of memory',
      'torch peer failed on N=66 K=16 G=8 grpo tokens: it answered for N=66 K=16 G=8 grpo tokens (tree 41/2/4/4/0.3), not N=66 K=16 G=8 grpo tokens',
    ]);
    const rowArgs = readFileSync(log, 'utf8').trim().split('\n').filter((l) => !l.includes('--info'));
    expect(rowArgs[0]).toBe('--tasks 64 --patterns 4 --group 8 --estimator grpo --repeats 1 --threads 3 --json -');
    expect(rowArgs.some((l) => l.includes('--estimator expected'))).toBe(true);
    expect(rowArgs).toContain('--tasks 64 --patterns 16 --group 8 --estimator grpo --repeats 1 --threads 3 --policy tokens --length 40 --forks 2 --branching 4 --vocab 4 --filler-decay 0.3 --json -');
    expect(rowArgs.some((l) => l.includes('shared'))).toBe(false);

    const text = formatReport(report).split('\n');
    expect(text).toContain(`torch = ${peer.info.program} (the same step vectorised, its own random draws): torch 9.9.9 on CPU (Stub CPU), 3 threads, wall timing`);
    const header = text.find((l) => l.startsWith('tasks'))!;
    expect(header).toMatch(/^tasks +K +G +estimator +policy +logEvery +WGSL (on CPU adapter|\(GPU\)) rollouts\/s +steps\/s +torch rollouts\/s +WGSL\/torch +timing$/);
    // Cells split on blanks: an empty peer cell leaves two fewer.
    const [grpoCells, , sharedCells] = text.filter((l) => /^\s*6[45] /.test(l)).map((l) => l.trim().split(/\s+/));
    expect(grpoCells.slice(8, 10)).toEqual(['6.40e+4', `${grpo.peerSpeedup!.toFixed(2)}x`]);
    expect(sharedCells).toHaveLength(grpoCells.length - 2);
    expect(text).toContain(`token tree (policy tokens, L = 40, 2 forks of 4, fillers of 4), N=64 grpo: ${(tree.rolloutsPerSec * 40).toExponential(2)} tokens/s (rollouts/s x L), torch 2.56e+6`);
  });

  it('says in one line why there is no peer, and how to get torch', async () => {
    const why = await openTorchPeer({ pythons: [join(dir, 'no-such-python'), process.execPath], script: noTorch, threads: 2 });
    expect(typeof why).toBe('string');
    expect(why).not.toContain('\n');
    expect(why).toMatch(/no-such-python: not found/);
    expect(why).toMatch(/No module named 'torch'/);
    expect(why).toMatch(/apt-get install python3-torch/);
  });

  it('lets the command line bench go on without the peer column', async () => {
    const args = ['bin/patternflow.js', 'bench', '--tasks', '64', '--repeats', '1', '--no-roofline', '--peer', 'torch', '--python', join(dir, 'no-such-python')];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args);
    expect(stderr.split('\n').filter((l) => /torch/.test(l))).toEqual([expect.stringMatching(/^patternflow bench: no torch peer column: .*apt-get install python3-torch/)]);
    expect(stdout).toMatch(/^adapter: /);
    expect(stdout).toMatch(/\n\s*64 +4 +8 +grpo/);
    expect(stdout).not.toMatch(/torch/);
  });
});

// The real script, where a Python with torch is found (Debian's python3-torch): the stub above
// tests the plumbing, these the twin's numbers.
async function torchPython(): Promise<string | undefined> {
  for (const python of TORCH_COMMAND.pythons) {
    try {
      await promisify(execFile)(python, ['-c', 'import torch']);
      return python;
    } catch {
      // the next one
    }
  }
  return undefined;
}
const python = await torchPython();

describe.skipIf(!python)('torch twin of the token tree', () => {
  it('measures both token tree rows end to end', async () => {
    const peer = (await openTorchPeer({ ...TORCH_COMMAND, pythons: [python!], threads: 1 })) as Peer;
    const cases = TREE_ROWS.map((c) => ({ ...c, tasks: 64 }));
    const report = await runBench(await testGpu(), { cases, notes: [] }, opts, { peer });
    expect(report.notes).toEqual([]);
    for (const row of report.rows) {
      expect(row.policy).toBe('tokens');
      expect(row.peerRolloutsPerSec).toBeGreaterThan(0);
      expect(row.peerSpeedup).toBeCloseTo(row.rolloutsPerSec / row.peerRolloutsPerSec!, 9);
    }
  });

  // The default success rates decrease in k: the mass flows to token 0 of each fork, which has rank 0 already (no rank changes); the
  // rates reversed, and one out of order, make the forks reorder.
  const rising = Array.from({ length: 16 }, (_, k) => 0.2 + (0.6 * k) / 15);
  rising[5] = 0.9;
  it.each([
    ['the default success rates', undefined],
    ['success rates that reorder the forks', rising],
  ])('agrees with the float64 reference in expected mode, which draws nothing: %s', async (_name, successRates) => {
    const rates = successRates ? ['--success-rates', successRates.join(',')] : [];
    const args = ['--policy', 'tokens', '--estimator', 'expected', '--tasks', '4', '--lr', '2', '--steps', '20', '--repeats', '1', '--threads', '1', ...rates, '--json', '-'];
    const { stdout } = await promisify(execFile)(python!, [TORCH_COMMAND.script, ...args]);
    const twin = JSON.parse(stdout) as { stepsRun: number; patterns: number; lastMetrics: Record<string, number> };
    expect(twin.patterns).toBe(16);
    const P = makeParams(parseConfig({ policy: 'tokens', tasks: 4, estimator: 'expected', lr: 2, ...(successRates ? { successRates } : {}) }));
    const last = simulate(P, twin.stepsRun).metrics.at(-1)!;
    const ref = (name: string) => last[P.layout.names.indexOf(name)];
    expect(Math.abs(ref('accuracy') - ref('reward'))).toBeGreaterThan(1e-3); // the last step moved the policy (reward is the one before it)
    if (successRates) expect(ref('forkRankChange')).toBeGreaterThan(0.1);
    for (const name of ['accuracy', 'bestMass', 'reward', 'entropy', 'klToRef', 'majorityCorrect', 'rankChangeRatio', 'forkRankChange', 'fillerRankChange', 'criticalShare'])
      expect(Math.abs(twin.lastMetrics[name] - ref(name)), name).toBeLessThan(1e-5);
  });

  // Sampled, the twin draws with torch's generator and the reference with Threefry: the means over 4,096 tasks agree to their
  // sampling spread, about 0.002 here (the twin's seeds 1-3); a twin that keeps the -pi(v|n) S term off every node reads
  // klToRef 0.42 and criticalShare 0.655 against the reference's 0.40 and 0.68.
  it('draws from the float64 reference distribution in sampled mode (GRPO on a small tree, 4,096 tasks)', async () => {
    const tree = { length: 6, forks: 2, branching: 2, vocab: 2, fillerDecay: 0.8 };
    const flags = ['--length', '6', '--forks', '2', '--branching', '2', '--vocab', '2', '--filler-decay', '0.8'];
    const args = ['--policy', 'tokens', ...flags, '--tasks', '4096', '--lr', '1', '--steps', '1', '--repeats', '1', '--threads', '1', '--json', '-'];
    const { stdout } = await promisify(execFile)(python!, [TORCH_COMMAND.script, ...args]);
    const twin = JSON.parse(stdout) as { stepsRun: number; lastMetrics: Record<string, number> };
    const P = makeParams(parseConfig({ policy: 'tokens', tasks: 4096, estimator: 'grpo', lr: 1, ...tree }));
    const last = simulate(P, twin.stepsRun).metrics.at(-1)!;
    const ref = (name: string) => last[P.layout.names.indexOf(name)];
    expect(ref('fillerRankChange')).toBeGreaterThan(0.1); // the fillers moved, by sampling alone
    for (const name of ['accuracy', 'klToRef', 'rankChangeRatio', 'forkRankChange', 'fillerRankChange', 'criticalShare'])
      expect(Math.abs(twin.lastMetrics[name] - ref(name)), name).toBeLessThan(0.01);
  });
});
