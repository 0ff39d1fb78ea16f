// `patternflow run`: a simulation from the command line, on the GPU (Dawn) or the CPU reference.
import { Command, Option } from 'commander';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError, configToJSON, parseConfig, type Config, type ConfigInput } from '../model/config';
import { csvHeader, csvRows, logToJson } from '../model/export';
import { MetricsLog, metricLayout } from '../model/metrics';
import { buildTasks } from '../model/tasks';
import { adapterLine, type AdapterReport } from '../engine/adapter';
import { Engine } from '../engine/engine';
import { ReferenceSimulator } from '../reference/simulator';
import { benchCommand } from './bench';
import { FIELDS, FLAG_HELP, fieldKind, flagValue } from './flags';
import { Progress } from './progress';

interface RunOptions {
  config?: string;
  out?: string;
  backend: 'webgpu' | 'cpu';
  quiet?: boolean;
  [field: string]: unknown;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('--config', `cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError('--config', `${path} is not a JSON object: ${(e as Error).message}`);
  }
}

/** The run config: the --config file, then every field flag given on top of it. */
export function resolveConfig(opts: RunOptions): Config {
  const input: Record<string, unknown> = opts.config ? readConfigFile(opts.config) : {};
  for (const field of FIELDS) {
    const text = opts[field];
    if (typeof text === 'string') input[field] = flagValue(field, text);
  }
  return parseConfig(input as ConfigInput);
}

async function simulator(config: Config, backend: 'webgpu' | 'cpu'): Promise<{ sim: Engine | ReferenceSimulator; adapter: AdapterReport | { backend: string } }> {
  if (backend === 'cpu') return { sim: new ReferenceSimulator(config), adapter: { backend: 'cpu (float64 reference)' } };
  const { openNodeGpu } = await import('../node/gpu');
  const gpu = await openNodeGpu();
  return { sim: await Engine.create(gpu, config), adapter: gpu.adapter };
}

async function run(opts: RunOptions) {
  const config = resolveConfig(opts);
  const out = opts.out;
  if (out && !/\.(csv|json)$/i.test(out)) throw new ConfigError('--out', `must end in .csv or .json, got ${out}`);
  const names = metricLayout(config).names;
  const { sim, adapter } = await simulator(config, opts.backend);
  if (!opts.quiet) process.stderr.write(`patternflow: ${config.tasks} tasks, ${config.steps} steps on ${'vendor' in adapter ? adapterLine(adapter) : adapter.backend}\n`);

  const csv = out?.toLowerCase().endsWith('.csv') ? createWriteStream(out) : undefined;
  csv?.write(csvHeader(names));
  const log = out?.toLowerCase().endsWith('.json') ? new MetricsLog(names) : undefined;
  const progress = new Progress(config.steps, opts.quiet === true);
  const stop = () => sim.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await sim.run(config.steps, (first, rows, n) => {
    csv?.write(csvRows(first, rows, n, names.length));
    log?.append(first, rows, n);
    progress.update(first + n - 1, rows[(n - 1) * names.length]);
  });
  progress.done();
  if (csv) await new Promise<void>((resolve, reject) => csv.end((e?: Error | null) => (e ? reject(e) : resolve())));
  if (log && out) {
    const assumptionFailures = sim instanceof Engine ? sim.tasks.assumptionFailures : buildTasks(config).assumptionFailures;
    writeFileSync(out, logToJson(log, { config: configToJSON(config), adapter: { ...adapter }, model: { assumptionFailures } }));
  }
  if (sim instanceof Engine) sim.device.destroy();
}

export function program(): Command {
  // exitOverride before the subcommands exist, so they inherit it and main() sets the exit code.
  const cli = new Command('patternflow').description('Simulate how RL reshapes reasoning-pattern selection (Chen, Li, Zou; ICLR 2026).').exitOverride();
  const runCmd = cli
    .command('run')
    .description('run a simulation and write its per-step metrics')
    .option('--config <file>', 'run config (JSON object, fields as in MODEL.md §7)')
    .option('--out <file>', 'write metrics to FILE.csv or FILE.json')
    .addOption(new Option('--backend <name>', 'webgpu (Dawn) or cpu (float64 reference)').choices(['webgpu', 'cpu']).default('webgpu'))
    .option('--quiet', 'no progress line');
  for (const field of FIELDS) runCmd.addOption(new Option(`--${field} ${FLAG_HELP[fieldKind(field)]}`, `config field ${field}`));
  runCmd.action(run);
  cli.addCommand(benchCommand());
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    // Commander has printed its own one-line message (or the help text).
    if (err.code?.startsWith('commander.')) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`patternflow: ${err.message.split('\n')[0]}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
}
