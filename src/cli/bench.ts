// `patternflow bench`: the throughput benchmark (src/bench/) from the command line; a table on
// stdout, rows streamed as they are measured, and the report as JSON with --json.
import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { ConfigError, ESTIMATORS, FIELD_SPECS } from '../model/config';
import { parseField } from '../model/fields';
import { parseLogEvery, RUN_CONTROL } from '../model/run-control';
import { describeCase, FILTER_POLICIES, planSweep, type SweepFilter } from '../bench/cases';
import { formatReport } from '../bench/format';
import { defaultOptions, type Peer } from '../bench/measure';
import { openTorchPeer, TORCH_COMMAND } from '../bench/peer';
import { runBench } from '../bench/report';
import { adapterOption } from './doctor';
import { asFlag } from './run-control';

interface BenchFlags {
  tasks?: string;
  patterns?: string;
  group?: string;
  estimator?: string;
  policy?: string;
  repeats?: string;
  logEvery?: string;
  json?: string;
  roofline: boolean;
  peer?: 'torch';
  python?: string;
}

const ints = (flag: string, text: string | undefined, lo: number, hi: number): number[] | undefined =>
  text?.split(',').map((t) => {
    const n = Number(t);
    if (!Number.isInteger(n) || n < lo || n > hi) throw new ConfigError(`--${flag}`, `must be integers in ${lo}..${hi}, comma-separated; got ${text}`);
    return n;
  });

/** A comma-separated list of a config field's values, each checked by the field's own schema (the range run and sweep allow). */
const fieldList = (field: 'tasks' | 'patterns' | 'group', text: string | undefined): number[] | undefined =>
  text?.split(',').map((t) => {
    const parsed = FIELD_SPECS[field].type.safeParse(parseField(field, t));
    if (!parsed.success) throw new ConfigError(`--${field}`, `${parsed.error.issues[0].message}, comma-separated; got ${text}`);
    return parsed.data as number;
  });

function names<T extends string>(flag: string, text: string | undefined, allowed: readonly T[]): T[] | undefined {
  return text?.split(',').map((t) => {
    if (!allowed.includes(t as T)) throw new ConfigError(`--${flag}`, `must be among ${allowed.join(', ')}, comma-separated; got ${text}`);
    return t as T;
  });
}

/** The torch peer; without torch the bench still runs, and one line says why it has no peer column. */
async function openPeer(python: string | undefined): Promise<Peer | undefined> {
  const opened = await openTorchPeer(python ? { ...TORCH_COMMAND, pythons: [python] } : TORCH_COMMAND);
  if (typeof opened === 'object') return opened;
  process.stderr.write(`patternflow bench: ${opened}\n`);
  return undefined;
}

async function bench(flags: BenchFlags) {
  const filter: SweepFilter = {
    tasks: fieldList('tasks', flags.tasks),
    patterns: fieldList('patterns', flags.patterns),
    group: fieldList('group', flags.group),
    estimator: names('estimator', flags.estimator, ESTIMATORS),
    policy: names('policy', flags.policy, FILTER_POLICIES),
    logEvery: flags.logEvery?.split(',').map((t) => asFlag(() => parseLogEvery(t))),
  };
  const [repeats] = ints('repeats', flags.repeats, 1, 100) ?? [];
  const peer = flags.peer ? await openPeer(flags.python) : undefined;
  const { openNodeGpu } = await import('../node/gpu');
  const gpu = await openNodeGpu();
  const opts = { ...defaultOptions(gpu.adapter.isFallback), roofline: flags.roofline, ...(repeats ? { repeats } : {}) };
  const plan = planSweep(gpu.adapter.isFallback, filter);
  process.stderr.write(`patternflow bench: ${plan.cases.length} rows${peer ? `; the torch peer on ${peer.info.device}, ${peer.info.threads} threads` : ''}\n`);
  const report = await runBench(gpu, plan, opts, {
    peer,
    onRow: (row) =>
      process.stderr.write(`  ${describeCase(row)}: ${row.rolloutsPerSec.toExponential(2)} rollouts/s${row.peerRolloutsPerSec ? `, torch ${row.peerRolloutsPerSec.toExponential(2)}` : ''}\n`),
  });
  process.stdout.write(`${formatReport(report)}\n`);
  if (flags.json) writeFileSync(flags.json, `${JSON.stringify(report, null, 2)}\n`);
  gpu.device.destroy();
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('throughput: rollouts/s of the WGSL engine over a sweep (with --peer torch, the PyTorch twin on the same rows), and the roofline of the main kernel')
    .option('--tasks <n,...>', 'task counts N (default: 1e3..1e7; fewer on a fallback adapter)')
    .option('--patterns <k,...>', 'patterns K (default with other flags: 4; full sweep: 4,16)')
    .option('--group <g,...>', 'group sizes G (default with other flags: 8; full sweep: 8,64)')
    .option('--estimator <name,...>', `among ${ESTIMATORS.join(', ')} (default with other flags: grpo)`)
    .option('--policy <name,...>', 'tabular, shared, tokens (default with other flags: tabular; tokens: the token tree\'s rows, N 4096 and G 8 unless --tasks, --group say otherwise, expected and grpo unless --estimator does)')
    .option('--logEvery <n,...>', `${RUN_CONTROL.logEvery.help}; one row each (allowed: ${RUN_CONTROL.logEvery.allowed})`)
    .option('--repeats <n>', 'timed repeats per row, the median is reported (default 5; 3 on a fallback adapter)')
    .addOption(new Option('--peer <name>', 'also measure a peer on each row it covers: torch runs bench/peers/torch_step.py (tabular and token tree rows; needs python3 with PyTorch)').choices(['torch']))
    .option('--python <path>', 'the Python that runs the torch peer (default: python3, then /usr/bin/python3)')
    .option('--json <file>', 'write the report as JSON')
    .option('--no-roofline', 'skip the peak measurement and roofline')
    .addOption(adapterOption())
    .action(bench);
}
