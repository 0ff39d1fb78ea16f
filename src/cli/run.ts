// `patternflow run`: a simulation from the command line, on the GPU (Dawn) or the float64
// reference, writing the metric rows of every step or of the steps --logEvery / --logSteps pick,
// with checkpoints every M steps and on Ctrl-C, and resumption that appends to the same CSV.
import { Command, Option } from 'commander';
import { createWriteStream, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { ConfigError, configToJSON, FIELD_SPECS, FIELDS, parseConfig, type Config, type ConfigInput } from '../model/config';
import { csvHeader, csvRows, formatValue, logToJson } from '../model/export';
import { allowedText, defaultText, parseField, SYNTAX_USAGE } from '../model/fields';
import { METRIC, MetricsLog, metricLayout } from '../model/metrics';
import { loggedSegments, LogSchedule, logRuleFrom, ruleText, type LogRule } from '../model/cadence';
import { parseCheckpointEvery, type BackendName } from '../model/run-control';
import { reportLine } from '../model/report';
import { parseCheckpoint, serializeCheckpoint, type Checkpoint } from '../engine/checkpoint';
import { resumedElsewhere } from '../engine/adapter';
import { referenceBackend } from '../simulation/backend';
import { openSimulation } from '../simulation/open';
import { THROUGHPUT_BATCH_MS } from '../engine/batch-sizer';
import { adapterOption } from './doctor';
import { asFlag, controlOption } from './run-control';
import { StopSignals } from './signals';
import { prepareFile, reason, writeOrRescue } from './outputs';
import { Progress } from './progress';

interface RunOptions {
  config?: string;
  out?: string;
  backend: BackendName;
  quiet?: boolean;
  checkpoint?: string;
  checkpointEvery: string;
  resume?: string;
  logEvery?: string;
  logSteps?: string;
  [field: string]: unknown;
}


/** The text of the file that flag `flag` names, or a ConfigError naming the flag. */
function readFlagFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(flag, `cannot read ${path}: ${(e as Error).message}`);
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  const text = readFlagFile('--config', path);
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError('--config', `${path} is not a JSON object: ${(e as Error).message}`);
  }
}

const givenFields = (opts: RunOptions) => FIELDS.filter((f) => typeof opts[f] === 'string');

/** The run config: the --config file, then every field flag given on top of it. */
export function resolveConfig(opts: RunOptions): Config {
  const input: Record<string, unknown> = opts.config ? readConfigFile(opts.config) : {};
  for (const field of givenFields(opts)) input[field] = parseField(field, opts[field] as string);
  return parseConfig(input as ConfigInput);
}

/** The rule of --logEvery / --logSteps. */
const logRule = (opts: RunOptions): LogRule => asFlag(() => logRuleFrom({ logEvery: opts.logEvery, logSteps: opts.logSteps }));

function loadResume(opts: RunOptions): ReturnType<typeof parseCheckpoint> {
  const path = opts.resume!;
  if (opts.config || givenFields(opts).length || opts.logEvery || opts.logSteps)
    throw new ConfigError('--resume', 'takes the config and the log rule from the checkpoint; drop --config, --logEvery, --logSteps and the field flags');
  if (!opts.out?.toLowerCase().endsWith('.csv')) throw new ConfigError('--resume', 'needs --out with the CSV the interrupted run was writing');
  const text = readFlagFile('--resume', path);
  try {
    return parseCheckpoint(text);
  } catch (e) {
    throw new ConfigError('--resume', `${path}: ${(e as Error).message}`);
  }
}

/** Cuts the CSV back to its header and the logged rows of steps 1..step, the state the checkpoint describes. */
function truncateCsv(path: string, step: number, header: string, schedule: LogSchedule) {
  if (!existsSync(path)) throw new ConfigError('--out', `${path} does not exist: resume appends to the CSV of the interrupted run`);
  const lines = readFileSync(path, 'utf8').split('\n');
  if (`${lines[0]}\n` !== header) throw new ConfigError('--out', `${path} has other columns than this checkpoint's run`);
  const steps = Array.from({ length: step }, (_, j) => j + 1).filter((t) => schedule.has(t));
  const rows = lines.slice(1, steps.length + 1);
  if (rows.length < steps.length || rows.some((r, j) => !r.startsWith(`${steps[j]},`)))
    throw new ConfigError('--out', `${path} holds fewer than the ${steps.length} rows (${ruleText(schedule.rule)}) of the ${step} steps the checkpoint has done`);
  writeFileSync(path, header + rows.map((r) => `${r}\n`).join(''));
}

const flush = (s: WriteStream) => new Promise<void>((resolve, reject) => s.write('', (e) => (e ? reject(e) : resolve())));

/** Writes to a temporary file, then renames: a crash never leaves half a checkpoint. */
function writeAtomic(path: string, text: string) {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

async function run(opts: RunOptions) {
  const out = opts.out;
  const csvOut = out?.toLowerCase().endsWith('.csv') === true;
  if (out && !/\.(csv|json)$/i.test(out)) throw new ConfigError('--out', `must end in .csv or .json, got ${out}`);
  const every = asFlag(() => parseCheckpointEvery(opts.checkpointEvery));
  const resumed = opts.resume ? loadResume(opts) : undefined;
  const config = resumed?.config ?? resolveConfig(opts);
  const rule = resumed?.log ?? logRule(opts);
  const schedule = new LogSchedule(config.steps, rule);
  const start = resumed?.snapshot.step ?? 0;
  const names = metricLayout(config).names;
  const header = csvHeader(names);
  // Only a CSV can be resumed, so only a CSV run checkpoints unless --checkpoint asks.
  const checkpointPath = opts.checkpoint ?? (opts.resume || (csvOut ? `${out}.ckpt` : undefined));
  const backend = opts.backend === 'reference' ? referenceBackend() : (await import('../node/gpu')).nodeWebGpu;
  if (backend.kind === 'reference' && (opts.resume || opts.checkpoint)) throw new ConfigError('--backend', 'checkpoints need the webgpu backend');
  // Every path is checked (its folder made) before the simulation starts: a finished run is never lost to a typo.
  if (out) prepareFile('--out', out);
  if (checkpointPath) prepareFile(opts.checkpoint ? '--checkpoint' : '--out', checkpointPath);

  let csv: WriteStream | undefined;
  let writeError: unknown;
  let stopRun = () => {};
  if (csvOut) {
    if (resumed) truncateCsv(out, start, header, schedule);
    let fd: number;
    try {
      fd = openSync(out, resumed ? 'a' : 'w');
    } catch (e) {
      throw new ConfigError('--out', `cannot write ${out}: ${reason(e)}`);
    }
    csv = createWriteStream('', { fd });
    // A full disk mid-run stops the run with its checkpoint kept, rather than an unhandled 'error' event.
    csv.on('error', (e) => {
      writeError ??= e;
      stopRun();
    });
    if (!resumed) csv.write(header);
  }
  const log = out?.toLowerCase().endsWith('.json') ? new MetricsLog(names) : undefined;

  const writeCheckpoint = (path: string) => async (c: Checkpoint) => {
    if (writeError) return; // the last checkpoint written is the one the CSV holds the rows of
    try {
      if (csv) await flush(csv); // the CSV always holds at least the checkpoint's rows
    } catch (e) {
      writeError ??= e;
      return stopRun();
    }
    try {
      writeAtomic(path, serializeCheckpoint({ ...c, log: rule }, sim.adapter.json));
    } catch (e) {
      // A checkpoint is insurance: losing it must not cost the run it insures.
      if (!checkpointFailed) process.stderr.write(`\npatternflow: warning: cannot write the checkpoint ${path} (${reason(e)}); the run goes on without one\n`);
      checkpointFailed = true;
    }
  };
  let checkpointFailed = false;
  const sim = await openSimulation(config, backend, {
    engine: { batchMs: THROUGHPUT_BATCH_MS, logged: (t) => schedule.has(t) },
    checkpointEvery: every.steps ?? Infinity,
    checkpointEveryMs: every.ms,
    resume: resumed?.snapshot,
    onCheckpoint: checkpointPath ? writeCheckpoint(checkpointPath) : undefined,
    onRecover: ({ step, reason }) => process.stderr.write(`\npatternflow: device lost (${reason}); resumed from the checkpoint at step ${step}\n`),
  });
  stopRun = () => sim.stop();
  const elsewhere = resumed && resumedElsewhere(resumed.adapter, sim.adapter);
  if (elsewhere) process.stderr.write(`patternflow: ${elsewhere}\n`);
  if (!opts.quiet) {
    process.stderr.write(`patternflow: ${config.tasks} tasks, steps ${start + 1}..${config.steps} on ${sim.adapter.line}\n`);
    process.stderr.write(`patternflow: ${reportLine(sim.report, config)}\n`);
  }

  const signals = new StopSignals(() => sim.stop());
  const progress = new Progress(config.steps, start, opts.quiet === true);
  let last: Float32Array | Float64Array | undefined; // the last step's row, for the summary of a run without --out
  try {
    await sim.run(config.steps - start, (first, rows, n) => {
      for (const s of loggedSegments(schedule, first, rows, n, names.length)) {
        if (!writeError) csv?.write(csvRows(s.first, s.values, s.rows, names.length));
        log?.append(s.first, s.values, s.rows);
      }
      if (!out && first + n - 1 === config.steps) last = rows.slice((n - 1) * names.length, n * names.length);
      // Accuracy, an event metric: computed on every step.
      progress.update(first + n - 1, rows[(n - 1) * names.length + METRIC.accuracy]);
    });
    progress.done();
  } finally {
    if (csv && !writeError) await new Promise<void>((resolve) => csv.end(resolve));
  }
  sim.close();
  if (writeError) {
    const resume = checkpointPath && existsSync(checkpointPath) ? `; the checkpoint ${checkpointPath} holds the run: make room, then patternflow run --resume ${checkpointPath} --out ${out}` : '';
    throw new Error(`writing ${out} failed at step ${sim.step} (${reason(writeError)})${resume}`);
  }
  if (log && out) {
    const { written, failure } = writeOrRescue(out, logToJson(log, { config: configToJSON(config), adapter: sim.adapter.json, model: sim.report }));
    if (failure) {
      process.stderr.write(`patternflow: cannot write ${out} (${failure}); the run's metrics are in ${written}\n`);
      process.exitCode = 1;
    }
  }
  if (!out && last) summarise(config.steps, names, last);
  if (signals.signal) {
    const resume = checkpointPath && csvOut ? `; resume with: patternflow run --resume ${checkpointPath} --out ${out}` : '';
    process.stderr.write(`patternflow: stopped by ${signals.signal} after step ${sim.step}${resume}\n`);
    process.exitCode = signals.exitCode;
  } else if (checkpointPath) rmSync(checkpointPath, { force: true }); // the run is complete: nothing to resume
  signals.release();
}

/** Without --out: the last step's metrics on stdout (one line), and a word that nothing was saved. */
function summarise(step: number, names: readonly string[], row: ArrayLike<number>) {
  const shown = names.flatMap((name, j) => (/^(patternMass|successRate)\d+$/.test(name) ? [] : [`${name} ${formatValue(row[j])}`]));
  process.stdout.write(`step ${step}: ${shown.join(', ')}\n`);
  process.stderr.write('patternflow: nothing was saved (no --out); give --out FILE.csv or FILE.json to keep every step\n');
}

export function runCommand(): Command {
  const cmd = new Command('run')
    .description('run a simulation and write its per-step metrics')
    .option('--config <file>', 'run config (JSON object, fields as in docs/model.md §7)')
    .option('--out <file>', 'write metrics to FILE.csv or FILE.json (its folder is created); without it, only the last step is printed')
    .addOption(controlOption('backend', 'webgpu'))
    .addOption(adapterOption())
    .option('--checkpoint <file>', 'checkpoint file, rewritten every --checkpointEvery steps and on Ctrl-C, removed when the run completes (default: the CSV --out path + .ckpt)')
    .addOption(controlOption('checkpointEvery', '1000'))
    .option('--resume <file>', 'continue the run of this checkpoint, appending to the --out CSV')
    .addOption(controlOption('logEvery'))
    .addOption(controlOption('logSteps'))
    .option('--quiet', 'no progress line');
  // Defaults and ranges come from the field table, and are not commander defaults: a flag given overrides --config, a flag not given must not.
  for (const field of FIELDS)
    cmd.addOption(new Option(`--${field} ${SYNTAX_USAGE[FIELD_SPECS[field].syntax]}`, `${FIELD_SPECS[field].help} (default: ${defaultText(field)}; allowed: ${allowedText(field)})`));
  return cmd.action(run);
}
