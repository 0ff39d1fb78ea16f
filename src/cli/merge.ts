// `patternflow merge`: the shards of one sweep (every shard-IIIII-of-NNNNN file in a directory)
// into the summary, metrics and manifest an unsharded sweep writes.
import { Command } from 'commander';
import { ConfigError } from '../model/config';
import { mergeShards } from '../sweep/merge';
import { checkFolder } from './outputs';

async function merge(dir: string, flags: { out?: string; quiet?: boolean }) {
  if (!flags.out) throw new ConfigError('--out', 'is needed: the directory to write the merged sweep into');
  checkFolder('--out', flags.out);
  const outcome = await mergeShards(dir, flags.out);
  for (const w of outcome.warnings) process.stderr.write(`patternflow merge: warning: ${w}\n`);
  if (!flags.quiet) {
    const { summary, metrics, manifest } = outcome.paths;
    process.stderr.write(`patternflow merge: ${outcome.shards} shards, ${outcome.cohorts} cohorts: ${summary}, ${metrics}, ${manifest}\n`);
  }
}

export function mergeCommand(): Command {
  return new Command('merge')
    .description("merge a sharded sweep's files into those of the unsharded sweep")
    .argument('<dir>', 'directory holding the shard files')
    .option('--out <dir>', 'directory for the merged summary, metrics and manifest')
    .option('--quiet', 'no closing line')
    .action(merge);
}
