// Sharding a sweep over the tasks of a job array: shard I of N runs cohorts I, I+N, I+2N, ...
// and writes its files under names that say which shard they are. The shard comes from
// --shard I/N, or else from a Slurm job array or a Kubernetes Indexed Job's environment.
import { join } from 'node:path';
import { ConfigError } from '../model/config';
import type { Format } from './table';

export interface Shard {
  index: number;
  count: number;
}

const pad = (n: number) => String(n).padStart(5, '0');
const MAX_SHARDS = 99_999;

/** `shard-00001-of-00004`: the stem of shard 1 of 4's files. */
export const shardStem = (s: Shard) => `shard-${pad(s.index)}-of-${pad(s.count)}`;
export const SHARD_MANIFEST = /^shard-(\d{5})-of-(\d{5})\.manifest\.json$/;

/** The files a sweep (or one shard of it) writes into `dir`; its checkpoint (src/sweep/checkpoint.ts) is there until it is complete. */
export function outputPaths(dir: string, format: Format, shard?: Shard): { summary: string; metrics: string; manifest: string; checkpoint: string } {
  if (!shard) return { summary: join(dir, `summary.${format}`), metrics: join(dir, `metrics.${format}`), manifest: join(dir, 'manifest.json'), checkpoint: join(dir, 'sweep.ckpt') };
  const stem = join(dir, shardStem(shard));
  return { summary: `${stem}.${format}`, metrics: `${stem}.metrics.${format}`, manifest: `${stem}.manifest.json`, checkpoint: `${stem}.ckpt` };
}

const int = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text.trim()) ? Number(text) : NaN);

/** `I/N` (0-based I) as a shard, or a ConfigError naming `flag`. */
export function parseShard(text: string, flag = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ConfigError(flag, `must be I/N (shard I of N, I from 0), got ${JSON.stringify(text)}`);
  return checkShard({ index: Number(m[1]), count: Number(m[2]) }, flag);
}

function checkShard(s: Shard, flag: string): Shard {
  if (s.count < 1 || s.count > MAX_SHARDS) throw new ConfigError(flag, `the shard count must be in 1..${MAX_SHARDS}, got ${s.count}`);
  if (s.index >= s.count) throw new ConfigError(flag, `shard index ${s.index} is out of range for ${s.count} shards (0..${s.count - 1})`);
  return s;
}

/**
 * The shard of this process when no --shard is given: a Slurm job array's task
 * (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT), or a Kubernetes Indexed
 * Job's completion index (JOB_COMPLETION_INDEX) of `shards`, which the job's completions set.
 */
export function shardFromEnv(env: NodeJS.ProcessEnv, shards?: number): Shard | undefined {
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = int(env.SLURM_ARRAY_TASK_ID);
    const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : int(env.SLURM_ARRAY_TASK_MIN);
    const count = int(env.SLURM_ARRAY_TASK_COUNT);
    if ([id, min, count].some(Number.isNaN))
      throw new ConfigError('SLURM_ARRAY_TASK_ID', 'a Slurm job array needs integer SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT');
    return checkShard({ index: id - min, count }, 'SLURM_ARRAY_TASK_ID');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const index = int(env.JOB_COMPLETION_INDEX);
    if (Number.isNaN(index)) throw new ConfigError('JOB_COMPLETION_INDEX', `must be an integer, got ${JSON.stringify(env.JOB_COMPLETION_INDEX)}`);
    if (shards === undefined) throw new ConfigError('--shards', "is needed with JOB_COMPLETION_INDEX (a Kubernetes Indexed Job): give the job's completions");
    return checkShard({ index, count: shards }, 'JOB_COMPLETION_INDEX');
  }
  return undefined;
}

/** The cohorts of `shard` among `count` (all of them without a shard); refuses shards that would hold none. */
export function shardCohorts(count: number, shard?: Shard): number[] {
  if (!shard) return Array.from({ length: count }, (_, i) => i);
  if (shard.count > count) throw new ConfigError('shards', `${shard.count} shards for ${count} cohorts would leave shards ${count}.. empty: use at most ${count} shards`);
  return Array.from({ length: Math.ceil((count - shard.index) / shard.count) }, (_, j) => shard.index + j * shard.count);
}
