// The `patternflow` command: subcommands composed here, errors turned into one line and an exit code.
import { Command } from 'commander';
import { ConfigError } from '../model/config';
import { VERSION } from '../sweep/manifest';
import { benchCommand } from './bench';
import { doctorCommand } from './doctor';
import { mergeCommand } from './merge';
import { runCommand } from './run';
import { sweepCommand } from './sweep';

export function program(): Command {
  // exitOverride, copied to the subcommands, lets main() turn commander's errors into exit code 2.
  const cli = new Command('patternflow')
    .description('Simulate how RL reshapes reasoning-pattern selection (Chen, Li, Zou; ICLR 2026).')
    .version(VERSION, '-V, --version', "patternflow's version (package.json)")
    .exitOverride();
  for (const cmd of [runCommand(), sweepCommand(), mergeCommand(), benchCommand(), doctorCommand()]) cli.addCommand(cmd.copyInheritedSettings(cli));
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return Number(process.exitCode ?? 0); // a run stopped by a signal sets its own code
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    // Commander has printed its own one-line message (or the help text).
    if (err.code?.startsWith('commander.')) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`patternflow: ${err.message.split('\n')[0]}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
}
