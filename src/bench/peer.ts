// The PyTorch peer of `patternflow bench --peer torch`: bench/peers/torch_step.py, the same RL
// step vectorised in PyTorch, run in a child process on each tabular and token tree row's config, with as many
// CPU threads as the machine has cores (on CUDA where the script finds it). Only the script's
// JSON is read, never its prose. Node only: the benchmark page cannot run Python, so it has no
// peer column.
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { TREE_DEFAULTS } from '../model/config';
import { describeCase, type BenchCase } from './cases';
import type { BenchOptions, Peer } from './measure';

const exec = promisify(execFile);
/** The repository's root, which the program's name in the report is relative to. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface TorchCommand {
  /** Pythons to try in order: the first that imports torch runs every row. */
  pythons: string[];
  script: string;
  /** torch.set_num_threads on the CPU. */
  threads: number;
}

export const TORCH_COMMAND: TorchCommand = {
  // Debian's own Python after the PATH's: apt-get install python3-torch puts torch there, and a
  // pyenv or virtualenv python3 earlier on the PATH would hide it.
  pythons: ['python3', '/usr/bin/python3'],
  script: join(ROOT, 'bench/peers/torch_step.py'),
  threads: cpus().length,
};

const INFO = z.object({ torch: z.string(), device: z.string(), threads: z.number().int(), timing: z.string() });
const RESULT = z.object({
  tasks: z.number().int(),
  patterns: z.number().int(),
  group: z.number().int(),
  estimator: z.string(),
  policy: z.string(),
  rolloutsPerSec: z.number().positive(),
  // The tree's fields, in a tokens row's answer.
  length: z.number().int().optional(),
  forks: z.number().int().optional(),
  branching: z.number().int().optional(),
  vocab: z.number().int().optional(),
  fillerDecay: z.number().optional(),
});

/** The script's flags of a token tree row: the tree of TREE_DEFAULTS, which TREE_ROWS run. */
const TREE_ARGS = { policy: 'tokens', length: TREE_DEFAULTS.length, forks: TREE_DEFAULTS.forks, branching: TREE_DEFAULTS.branching, vocab: TREE_DEFAULTS.vocab, 'filler-decay': TREE_DEFAULTS.fillerDecay };
const treeOf = (r: { length?: number; forks?: number; branching?: number; vocab?: number; fillerDecay?: number }) => `${r.length}/${r.forks}/${r.branching}/${r.vocab}/${r.fillerDecay}`;

/** `value` as `schema` says, or an error in one line. */
function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`unexpected JSON from the script: ${z.prettifyError(r.error).replace(/\s*\n\s*/g, '; ')}`);
  return r.data;
}

/** The script's JSON on stdout; a failure's message is the last line of its stderr (a traceback's names the error). */
async function runJson(python: string, args: string[]): Promise<unknown> {
  try {
    const { stdout } = await exec(python, args, { maxBuffer: 1 << 20 });
    return JSON.parse(stdout);
  } catch (e) {
    const err = e as Error & { code?: unknown; stderr?: string };
    if (err.code === 'ENOENT') throw new Error('not found');
    const last = err.stderr?.trim().split('\n').pop();
    throw new Error(last || err.message.split('\n')[0]);
  }
}

/** The torch peer, or one line saying why there is none and how to get it. */
export async function openTorchPeer(cmd: TorchCommand = TORCH_COMMAND): Promise<Peer | string> {
  const failures: string[] = [];
  for (const python of cmd.pythons) {
    try {
      const info = parse(INFO, await runJson(python, [cmd.script, '--info', '--threads', String(cmd.threads)]));
      return torchPeer(python, cmd, info);
    } catch (e) {
      failures.push(`${python}: ${(e as Error).message}`);
    }
  }
  return `no torch peer column: no Python tried runs it with torch (${failures.join('; ')}); install PyTorch with apt-get install python3-torch or pip install torch, or name a Python that has it with --python`;
}

function torchPeer(python: string, cmd: TorchCommand, info: z.infer<typeof INFO>): Peer {
  return {
    info: { name: 'torch', program: relative(ROOT, cmd.script), version: `torch ${info.torch}`, device: info.device, threads: info.threads, timing: info.timing },
    unsupported: (c) => (c.policy === 'shared' ? `the ${c.policy} policy (it covers the tabular and tokens ones)` : undefined),
    async rolloutsPerSec(c: BenchCase, opts: BenchOptions) {
      const args = { tasks: c.tasks, patterns: c.patterns, group: c.group, estimator: c.estimator, repeats: opts.repeats, threads: cmd.threads, ...(c.answers ? { answers: c.answers } : {}), ...(c.logEvery ? { 'log-every': c.logEvery } : {}), ...(c.policy === 'tokens' ? TREE_ARGS : {}) };
      const r = parse(RESULT, await runJson(python, [cmd.script, ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]), '--json', '-']));
      const tree = c.policy === 'tokens' && treeOf(r) !== treeOf(TREE_DEFAULTS);
      if (r.tasks !== c.tasks || r.patterns !== c.patterns || r.group !== c.group || r.estimator !== c.estimator || r.policy !== c.policy || tree)
        throw new Error(`it answered for N=${r.tasks} K=${r.patterns} G=${r.group} ${r.estimator} ${r.policy}${r.policy === 'tokens' ? ` (tree ${treeOf(r)})` : ''}, not ${describeCase(c)}`);
      return r.rolloutsPerSec;
    },
  };
}
