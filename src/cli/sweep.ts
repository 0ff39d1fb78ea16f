// `patternflow sweep`: a grid of run configs (a spec file or a preset), every cohort run on one
// device, written as a summary and a metrics table (Parquet or CSV) and a manifest; or one shard
// of it, picked by --shard or by a Slurm job array's / Kubernetes Indexed Job's environment.
import { Command, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../model/config';
import { referenceBackend, sharedDevice, type Backend } from '../simulation/backend';
import { PackedExecutor, StoppedError } from '../sweep/executor';
import { KERNEL_FIELDS } from '../engine/header';
import { buildGrid, formatBytes, type Grid } from '../sweep/grid';
import type { CheckpointEvery } from '../sweep/checkpoint';
import { PRESET_NAMES, PRESETS } from '../sweep/presets';
import { outputPaths, parseShard, shardCohorts, shardFromEnv, type Shard } from '../sweep/shards';
import { parseSpec } from '../sweep/spec';
import { formatDuration, progressText, type SweepProgress } from '../sweep/progress';
import { runSweep } from '../sweep/sweep';
import { FORMATS, type Format } from '../sweep/table';

interface SweepFlags {
  spec?: string;
  preset?: string;
  out?: string;
  format: Format;
  plan?: boolean;
  shard?: string;
  shards?: string;
  skipExisting?: boolean;
  backend: 'webgpu' | 'reference';
  quiet?: boolean;
  checkpointEvery: string;
}

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** --checkpointEvery: N steps of the pack in flight, or a wall time (90s, 5m, 1h). */
export function parseCheckpointEvery(text: string): CheckpointEvery {
  const m = /^\s*(\d+)\s*(s|m|h)?\s*$/.exec(text);
  if (!m || Number(m[1]) < 1) throw new ConfigError('--checkpointEvery', `must be a number of steps >= 1 or a time such as 90s, 5m or 1h, got ${JSON.stringify(text)}`);
  return m[2] ? { ms: Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] } : { steps: Number(m[1]) };
}
const REDRAW_MS = 1000;
const count = (n: number) => n.toLocaleString('en-US');
const cohorts = (n: number) => `${count(n)} cohort${n === 1 ? '' : 's'}`;

function readSpec(flags: SweepFlags): unknown {
  if (flags.spec && flags.preset) throw new ConfigError('--preset', 'give either --spec or --preset, not both');
  if (flags.preset) return PRESETS[flags.preset].spec;
  if (!flags.spec) throw new ConfigError('--spec', `give a sweep spec (--spec FILE) or a preset (--preset ${PRESET_NAMES.join('|')})`);
  let text: string;
  try {
    text = readFileSync(flags.spec, 'utf8');
  } catch (e) {
    throw new ConfigError('--spec', `cannot read ${flags.spec}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError('--spec', `${flags.spec} is not JSON: ${(e as Error).message}`);
  }
}

function resolveShard(flags: SweepFlags): Shard | undefined {
  let shards: number | undefined;
  if (flags.shards !== undefined) {
    shards = Number(flags.shards);
    if (!Number.isInteger(shards) || shards < 1) throw new ConfigError('--shards', `must be an integer >= 1, got ${flags.shards}`);
  }
  if (flags.shard !== undefined) return parseShard(flags.shard);
  const fromEnv = shardFromEnv(process.env, shards);
  if (!fromEnv && shards !== undefined) throw new ConfigError('--shards', 'needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), or give --shard I/N');
  return fromEnv;
}

/** The grid as --plan prints it: cohorts, runs, memory, and the shard's part. */
export function planText(grid: Grid, shard?: Shard): string {
  const { spec } = grid;
  const dims = [...spec.axes.map((a) => `${a.values.length} ${a.name}`), `${spec.seeds} seed${spec.seeds > 1 ? 's' : ''}`].join(' x ');
  const rule = 'log' in spec.log ? 'log-spaced' : spec.log.every === 1 ? 'every step' : `every ${spec.log.every} steps and the last`;
  const rows = grid.count * grid.schedule.count;
  const lines = [
    `sweep: ${cohorts(grid.count)} (${dims}), ${count(grid.steps)} steps each, ${count(grid.schedule.count)} metric rows per cohort (${rule})`,
    `runs: ${grid.runs.length} (cohorts that share ${KERNEL_FIELDS.join(', ')} share one compiled kernel)`,
    ...grid.runs.slice(0, 20).map((r, j) => `  run ${j + 1}: ${cohorts(r.cohorts.length)}; ${KERNEL_FIELDS.map((f) => `${f} ${String(r.kernel[f])}`).join(', ')}`),
    ...(grid.runs.length > 20 ? [`  ... ${grid.runs.length - 20} more runs`] : []),
    `memory: GPU buffers up to ${formatBytes(grid.gpuBytes.max)} per cohort (cohorts run one at a time; ${formatBytes(grid.gpuBytes.sum)} for all together); ` +
      `metrics ${count(rows)} rows x ${grid.metricNames.length + 2} columns (about ${formatBytes(rows * (grid.metricNames.length + 2) * 8)} before compression)`,
  ];
  if (shard) {
    const mine = shardCohorts(grid.count, shard);
    lines.push(`shard ${shard.index}/${shard.count}: ${cohorts(mine.length)} (${mine.slice(0, 4).join(', ')}${mine.length > 4 ? ', ...' : ''})`);
  }
  return `${lines.join('\n')}\n`;
}

/** The progress line on stderr: cohorts done, steps/s and ETA, at most once a second; `before`: steps a checkpoint had done, not counted in the rate. */
function progressLine(quiet: boolean) {
  const start = performance.now();
  let last = 0;
  const line = (p: SweepProgress, force = false) => {
    const now = performance.now();
    if (quiet || (!force && now - last < REDRAW_MS)) return;
    last = now;
    const text = progressText(p, (p.stepsDone - line.before) / Math.max((now - start) / 1000, 1e-9));
    process.stderr.write(process.stderr.isTTY ? `\r${text}` : `${text}\n`);
  };
  line.before = 0;
  return line;
}

async function sweep(flags: SweepFlags) {
  const grid = buildGrid(parseSpec(readSpec(flags)));
  const shard = resolveShard(flags);
  if (flags.plan) {
    process.stdout.write(planText(grid, shard));
    return;
  }
  if (!flags.out) throw new ConfigError('--out', 'is needed: the directory to write the sweep into');
  const checkpointEvery = parseCheckpointEvery(flags.checkpointEvery);
  const checkpointPath = outputPaths(flags.out, flags.format, shard).checkpoint;
  const quiet = flags.quiet === true;
  if (flags.preset && !quiet) process.stderr.write(`patternflow sweep: preset ${flags.preset}: ${PRESETS[flags.preset].shows}\n`);

  let close = () => {};
  let backend: Backend = referenceBackend();
  if (flags.backend === 'webgpu') {
    const { openNodeGpu } = await import('../node/gpu');
    const gpu = await openNodeGpu();
    backend = sharedDevice(gpu, openNodeGpu);
    close = () => gpu.device.destroy();
  }
  // Packs each run's cohorts on the webgpu backend; one by one on the reference backend, and for runs that cannot be packed.
  const executor = new PackedExecutor(backend);
  let signal: keyof typeof SIGNAL_EXIT | undefined;
  const onSignal = (s: keyof typeof SIGNAL_EXIT) => {
    signal = s;
    executor.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = progressLine(quiet);
  const started = performance.now();
  let last: SweepProgress | undefined;
  try {
    const outcome = await runSweep(grid, {
      out: flags.out,
      format: flags.format,
      shard,
      skipExisting: flags.skipExisting,
      executor,
      onProgress: (p) => progress((last = p)),
      checkpointEvery,
      onResume: ({ cohortsDone, packStep, stepsDone, path }) => {
        progress.before = stepsDone;
        if (!quiet) process.stderr.write(`patternflow sweep: going on from ${path}: ${cohorts(cohortsDone)} done${packStep ? `, the pack in flight at step ${count(packStep)}` : ''}\n`);
      },
    });
    if (last) progress(last, true);
    if (process.stderr.isTTY && !quiet && last) process.stderr.write('\n');
    const files = [outcome.paths.summary, outcome.paths.metrics, outcome.paths.manifest].join(', ');
    const what = outcome.skipped ? `already complete, skipped: ${files}` : `${cohorts(outcome.cohorts)} in ${formatDuration((performance.now() - started) / 1000)}: ${files}`;
    if (!quiet) process.stderr.write(`patternflow sweep: ${what}\n`);
  } catch (e) {
    const resume = existsSync(checkpointPath) ? `rerun the same command to go on from its checkpoint ${checkpointPath}` : 'nothing written (rerun to start again)';
    if (!(e instanceof StoppedError && signal)) {
      if (e instanceof ConfigError || !existsSync(checkpointPath)) throw e;
      throw new Error(`${(e as Error).message}; ${resume}`);
    }
    process.stderr.write(`\npatternflow sweep: stopped by ${signal}; ${resume}\n`);
    process.exitCode = SIGNAL_EXIT[signal];
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    close();
  }
}

export function sweepCommand(): Command {
  return new Command('sweep')
    .description('run a grid of configs (a sweep spec or a preset) and write its summary and metrics tables')
    .option('--spec <file>', 'sweep spec: JSON { "base": {config}, "axes": {name: values}, "seeds": n, "logEvery": n }')
    .addOption(new Option('--preset <name>', 'a sweep that reproduces the paper').choices(PRESET_NAMES))
    .option('--out <dir>', 'directory for summary, metrics and manifest (or the shard files)')
    .addOption(new Option('--format <format>', 'table format').choices(FORMATS).default('parquet'))
    .option('--plan', 'print the grid (cohorts, runs, memory) and exit')
    .option('--shard <I/N>', 'run shard I of N (cohorts I, I+N, ...); default: from a Slurm job array or JOB_COMPLETION_INDEX')
    .option('--shards <n>', 'shard count of a Kubernetes Indexed Job (its completions), with JOB_COMPLETION_INDEX')
    .option('--skip-existing', 'leave complete files of the same spec as they are (retries, requeues)')
    .option('--checkpointEvery <every>', 'save a checkpoint beside the outputs every N steps of the pack in flight, or every 90s / 5m / 1h of work (and on SIGINT/SIGTERM); a rerun goes on from it', '5m')
    .addOption(new Option('--backend <name>', 'webgpu (the WGSL engine through Dawn) or reference (the float64 reference, on the CPU)').choices(['webgpu', 'reference']).default('webgpu'))
    .option('--quiet', 'no progress line')
    .action(sweep);
}
