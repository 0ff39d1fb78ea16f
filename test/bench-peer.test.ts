// The peer plumbing of `patternflow bench --peer torch`, without torch: stub scripts (run by
// Node in place of Python) answer in the script's JSON, and a Python that lacks torch gives one
// line and a bench without the peer column.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatReport } from '../src/bench/format';
import type { Peer } from '../src/bench/measure';
import { openTorchPeer } from '../src/bench/peer';
import { runBench } from '../src/bench/report';
import { testGpu } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'patternflow-peer-'));
const log = join(dir, 'args.log');

/** Stands in for bench/peers/torch_step.py: logs its arguments, answers 1000 rollouts/s per task, fails at N = 65. */
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
  process.stdout.write(JSON.stringify({ ...info, ...c, policy: 'tabular', rolloutsPerSec: 1000 * c.tasks }));
}
`,
);
/** A Python without torch: the traceback of a failed import. */
const noTorch = join(dir, 'no_torch.mjs');
writeFileSync(noTorch, `process.stderr.write("Traceback (most recent call last):\\nModuleNotFoundError: No module named 'torch'\\n"); process.exit(1);\n`);

const opts = { repeats: 1, minSeconds: 0.01, roofline: false };
const tabular = { tasks: 64, patterns: 4, group: 8, estimator: 'grpo', policy: 'tabular' } as const;

describe('torch peer', () => {
  it('runs the script on each tabular row with the machine threads and reads its JSON', async () => {
    const peer = (await openTorchPeer({ pythons: [process.execPath], script: stub, threads: 3 })) as Peer;
    expect(peer.info).toEqual({ name: 'torch', program: expect.stringMatching(/torch_step\.mjs$/), version: 'torch 9.9.9', device: 'CPU (Stub CPU)', threads: 3, timing: 'wall' });
    const gpu = await testGpu();
    const cases = [tabular, { ...tabular, estimator: 'expected', group: 1 } as const, { ...tabular, policy: 'shared' } as const, { ...tabular, tasks: 65 }];
    const report = await runBench(gpu, { cases, notes: [] }, opts, { peer });
    const [grpo, expected, shared, failed] = report.rows;
    expect(grpo.peerRolloutsPerSec).toBe(64_000);
    expect(grpo.peerSpeedup).toBeCloseTo(grpo.rolloutsPerSec / 64_000, 9);
    expect(expected.peerRolloutsPerSec).toBe(64_000);
    expect(shared.peerRolloutsPerSec).toBeUndefined();
    expect(failed.peerRolloutsPerSec).toBeUndefined();
    expect(report.peer).toEqual(peer.info);
    expect(report.notes).toEqual(['torch peer: no figure for the shared policy (it covers the tabular one)', 'torch peer failed on N=65 K=4 G=8 grpo tabular: RuntimeError: out of memory']);
    const rowArgs = readFileSync(log, 'utf8').trim().split('\n').filter((l) => !l.includes('--info'));
    expect(rowArgs[0]).toBe('--tasks 64 --patterns 4 --group 8 --estimator grpo --repeats 1 --threads 3 --json -');
    expect(rowArgs.some((l) => l.includes('--estimator expected'))).toBe(true);
    expect(rowArgs.some((l) => l.includes('shared'))).toBe(false);

    const text = formatReport(report).split('\n');
    expect(text).toContain(`torch = ${peer.info.program} (the same step vectorised, its own random draws): torch 9.9.9 on CPU (Stub CPU), 3 threads, wall timing`);
    const header = text.find((l) => l.startsWith('tasks'))!;
    expect(header).toMatch(/^tasks +K +G +estimator +policy +logEvery +WGSL (on CPU adapter|\(GPU\)) rollouts\/s +steps\/s +torch rollouts\/s +WGSL\/torch +timing$/);
    // Cells split on blanks: an empty peer cell leaves two fewer.
    const [grpoCells, , sharedCells] = text.filter((l) => /^\s*6[45] /.test(l)).map((l) => l.trim().split(/\s+/));
    expect(grpoCells.slice(8, 10)).toEqual(['6.40e+4', `${grpo.peerSpeedup!.toFixed(2)}x`]);
    expect(sharedCells).toHaveLength(grpoCells.length - 2);
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
