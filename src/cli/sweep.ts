// `patternflow sweep`: a grid of run configs (a spec file or a preset), every cohort run on one
// device, written as a summary and a metrics table (Parquet or CSV) and a manifest; or one shard
// of it, picked by --shard or by a Slurm job array's / Kubernetes Indexed Job's environment.
import { Command, Option } from 'commander';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../model/config';
import { DERIVED_AXES } from '../sweep/axes';
import { referenceBackend, sharedDevice, type Backend } from '../simulation/backend';
import { packCount, PackedExecutor, StoppedError } from '../sweep/executor';
import { packable } from '../engine/engine';
import { KERNEL_FIELDS } from '../engine/header';
import { buildGrid, formatBytes, type Grid } from '../sweep/grid';
import { parseCheckpointEvery, type BackendName } from '../model/run-control';
import { PRESET_NAMES, PRESETS } from '../sweep/presets';
import { readManifest, specHash } from '../sweep/manifest';
import { outputPaths, parseShard, SHARD_MANIFEST, shardCohorts, shardFromEnv, type Shard } from '../sweep/shards';
import { parseSpec } from '../sweep/spec';
import { formatDuration, progressText, RateMeter, type SweepProgress } from '../sweep/progress';
import { runSweep } from '../sweep/sweep';
import { FORMATS, type Format } from '../sweep/table';
import { adapterOption } from './doctor';
import { asFlag, controlOption } from './run-control';
import { StopSignals } from './signals';
import { checkFolder } from './outputs';

interface SweepFlags {
  spec?: string;
  preset?: string;
  out?: string;
  format: Format;
  plan?: boolean;
  shard?: string;
  shards?: string;
  skipExisting?: boolean;
  overwrite?: boolean;
  backend: BackendName;
  quiet?: boolean;
  checkpointEvery: string;
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

/** How a run's cohorts go to the device: packed into how many GPU runs, or one at a time and why. */
function packing(grid: Grid, run: Grid['runs'][number], backend: SweepFlags['backend']): string {
  const n = run.cohorts.length;
  const config = grid.cohort(run.cohorts[0]).config;
  if (backend === 'reference') return 'one at a time (the float64 reference)';
  if (!packable(config) && n > 1) return `one at a time (${config.policy === 'shared' ? 'the shared policy' : "GRPO's batch scale"} does not pack)`;
  const packs = packCount(config, run.cohorts.map((i) => grid.cohort(i).config.tasks));
  return packs === 1 ? (n === 1 ? 'one GPU run' : 'packed into one GPU run') : `packed into ${count(packs)} GPU runs`;
}

/** The grid as --plan prints it: cohorts, runs and how they are packed, memory, and the shard's part. */
export function planText(grid: Grid, shard?: Shard, backend: SweepFlags['backend'] = 'webgpu'): string {
  const { spec } = grid;
  const dims = [...spec.axes.map((a) => `${a.values.length} ${a.name}`), `${spec.seeds} seed${spec.seeds > 1 ? 's' : ''}`].join(' x ');
  const rule = 'log' in spec.log ? 'log-spaced' : spec.log.every === 1 ? 'every step' : `every ${spec.log.every} steps and the last`;
  const rows = grid.count * grid.schedule.count;
  const lines = [
    `sweep: ${cohorts(grid.count)} (${dims}), ${count(grid.steps)} steps each, ${count(grid.schedule.count)} metric rows per cohort (${rule})`,
    `runs: ${grid.runs.length} (cohorts that share ${KERNEL_FIELDS.join(', ')} share one compiled kernel)`,
    ...grid.runs.slice(0, 20).map((r, j) => `  run ${j + 1}: ${cohorts(r.cohorts.length)}, ${packing(grid, r, backend)}; ${KERNEL_FIELDS.map((f) => `${f} ${String(r.kernel[f])}`).join(', ')}`),
    ...(grid.runs.length > 20 ? [`  ... ${grid.runs.length - 20} more runs`] : []),
    `memory: GPU buffers up to ${formatBytes(grid.gpuBytes.max)} per cohort (${formatBytes(grid.gpuBytes.sum)} for all together, as a run packed whole would need); ` +
      `metrics ${count(rows)} rows x ${grid.metricNames.length + 2} columns (about ${formatBytes(rows * (grid.metricNames.length + 2) * 8)} before compression)`,
  ];
  if (shard) {
    const mine = shardCohorts(grid.count, shard);
    lines.push(`shard ${shard.index}/${shard.count}: ${cohorts(mine.length)} (${mine.slice(0, 4).join(', ')}${mine.length > 4 ? ', ...' : ''})`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Refuses an output folder that holds another sweep's results (a manifest of another spec), so
 * that no sweep is overwritten by mistake; the same spec's files are a rerun (or, with
 * --skip-existing, a retry) and go ahead.
 */
function refuseOtherSweep(out: string, hash: string): void {
  if (!existsSync(out)) return;
  const manifests = readdirSync(out).filter((f) => f === 'manifest.json' || SHARD_MANIFEST.test(f));
  for (const name of manifests) {
    const other = readManifest(join(out, name)).specHash;
    if (other !== hash)
      throw new ConfigError('--out', `${out} holds another sweep's results (${name}: spec sha256 ${other.slice(0, 12)}, this spec's is ${hash.slice(0, 12)}); choose another folder, or give --overwrite`);
  }
}

/** The progress line on stderr: cohorts done, steps/s and ETA, at most once a second. */
function progressLine(quiet: boolean) {
  const meter = new RateMeter();
  let last = -Infinity; // the first report is drawn at once, however soon after start-up it comes
  return (p: SweepProgress, force = false) => {
    const now = performance.now();
    const rate = meter.rate(p.stepsDone, now);
    if (quiet || (!force && now - last < REDRAW_MS)) return;
    last = now;
    const line = progressText(p, rate);
    process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
  };
}

async function sweep(flags: SweepFlags) {
  const grid = buildGrid(parseSpec(readSpec(flags)));
  const shard = resolveShard(flags);
  if (shard) shardCohorts(grid.count, shard); // an empty shard is refused before a device opens (and its driver speaks)
  if (flags.plan) {
    process.stdout.write(planText(grid, shard, flags.backend));
    return;
  }
  if (!flags.out) throw new ConfigError('--out', 'is needed: the directory to write the sweep into');
  if (!flags.overwrite) refuseOtherSweep(flags.out, specHash(grid.spec.written));
  checkFolder('--out', flags.out);
  const checkpointEvery = asFlag(() => parseCheckpointEvery(flags.checkpointEvery));
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
  const signals = new StopSignals(() => executor.stop());
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
      // The rate is measured from the first progress on (RateMeter), so a checkpoint's steps do not count in it.
      onResume: ({ cohortsDone, packStep, path }) =>
        quiet || process.stderr.write(`patternflow sweep: going on from ${path}: ${cohorts(cohortsDone)} done${packStep ? `, the pack in flight at step ${count(packStep)}` : ''}\n`),
      onWarning: (text) => process.stderr.write(`patternflow sweep: ${text}\n`),
    });
    if (last) progress(last, true);
    if (process.stderr.isTTY && !quiet && last) process.stderr.write('\n');
    const files = [outcome.paths.summary, outcome.paths.metrics, outcome.paths.manifest].join(', ');
    const what = outcome.skipped ? `already complete, skipped: ${files}` : `${cohorts(outcome.cohorts)} in ${formatDuration((performance.now() - started) / 1000)}: ${files}`;
    if (!quiet) process.stderr.write(`patternflow sweep: ${what}\n`);
  } catch (e) {
    const resume = existsSync(checkpointPath) ? `rerun the same command to go on from its checkpoint ${checkpointPath}` : 'nothing written (rerun to start again)';
    if (!(e instanceof StoppedError && signals.signal)) {
      if (e instanceof ConfigError || !existsSync(checkpointPath)) throw e;
      throw new Error(`${(e as Error).message}; ${resume}`);
    }
    process.stderr.write(`\npatternflow sweep: stopped by ${signals.signal}; ${resume}\n`);
    process.exitCode = signals.exitCode;
  } finally {
    signals.release();
    close();
  }
}

export function sweepCommand(): Command {
  return new Command('sweep')
    .description('run a grid of configs (a sweep spec or a preset) and write its summary and metrics tables')
    .option(
      '--spec <file>',
      `sweep spec: JSON { "base": {config}, "axes": {name: values}, "seeds": n, "logEvery": n }; an axis is a config field or a derived axis (${Object.keys(DERIVED_AXES).join(', ')}; docs/model.md §8)`,
    )
    .addOption(new Option('--preset <name>', 'a sweep that reproduces the paper').choices(PRESET_NAMES))
    .option('--out <dir>', 'directory for summary, metrics and manifest (or the shard files)')
    .addOption(new Option('--format <format>', 'table format').choices(FORMATS).default('parquet'))
    .option('--plan', 'print the grid (cohorts, runs, memory) and exit')
    .option('--shard <I/N>', 'run shard I of N (cohorts I, I+N, ...); default: from a Slurm job array or JOB_COMPLETION_INDEX')
    .option('--shards <n>', 'shard count of a Kubernetes Indexed Job (its completions), with JOB_COMPLETION_INDEX')
    .option('--skip-existing', 'leave complete files of the same spec as they are (retries, requeues)')
    .option('--overwrite', "write over another sweep's results in --out (refused without it)")
    .addOption(controlOption('checkpointEvery', '5m'))
    .addOption(controlOption('backend', 'webgpu'))
    .addOption(adapterOption())
    .option('--quiet', 'no progress line')
    .action(sweep);
}
