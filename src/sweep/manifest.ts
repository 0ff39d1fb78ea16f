// The manifest of a sweep's outputs (manifest.json, and one per shard): the spec, the resolved
// grid, the runs, the adapter, the version and the seed scheme. It is written last, so a file set
// with a manifest is complete; shards of one sweep carry the same spec hash and version, which
// merge checks.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../model/config';
import type { Grid } from './grid';
import type { Shard } from './shards';
import type { SpecInput } from './spec';
import type { Format } from './table';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const SEED_SCHEME =
  'seed = base.seed + replicate (replicates 0 .. seeds - 1); each cohort draws the random numbers of its rollouts from Threefry4x32-20 keyed by its own ' +
  'seed and counted by its own task index (0-based within the cohort), rollout and step, so its metrics do not depend on the other cohorts or on sharding';
const COHORT_ORDER = "cohort = position in the product of the axes' values, the first axis outermost, seed replicates innermost";

export interface Manifest {
  patternflow: string;
  spec: SpecInput;
  specHash: string;
  format: Format;
  /** The shard these files hold, or null for a whole sweep (run whole or merged). */
  shard: Shard | null;
  /** Cohorts in these files. */
  cohorts: number;
  grid: {
    count: number;
    order: string;
    axes: { name: string; values: unknown[][] }[];
    seeds: number;
    steps: number;
    /** Metric rows written per cohort, and which. */
    loggedSteps: { count: number; rule: string };
  };
  runs: { kernel: Record<string, unknown>; cohorts: number }[];
  seedScheme: string;
  /** What the cohorts ran on (the first shard's, when merged). */
  adapter: Record<string, unknown>;
  /**
   * Where cohorts ran on different adapters (merged shards, or a shard that went on from a
   * checkpoint written on another adapter): each adapter a shard ran on (shard 0 when unsharded).
   */
  adapters?: { shard: number; adapter: Record<string, unknown> }[];
  columns: { summary: string[]; metrics: string[] };
}

/** JSON with object keys sorted: equal specs give equal text, whatever order their keys were written in. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export const specHash = (spec: SpecInput): string => createHash('sha256').update(canonical(spec)).digest('hex');

export function buildManifest(
  grid: Grid,
  files: { format: Format; shard: Shard | null; cohorts: number; adapter: Record<string, unknown>; columns: Manifest['columns'] },
): Manifest {
  const { spec } = grid;
  return {
    patternflow: VERSION,
    spec: spec.written,
    specHash: specHash(spec.written),
    format: files.format,
    shard: files.shard,
    cohorts: files.cohorts,
    grid: {
      count: grid.count,
      order: COHORT_ORDER,
      axes: spec.axes.map((a) => ({ name: a.name, values: a.values })),
      seeds: spec.seeds,
      steps: grid.steps,
      loggedSteps: { count: grid.schedule.count, rule: 'log' in spec.log ? 'about 200 log-spaced steps and the last' : `every ${spec.log.every} steps and the last` },
    },
    runs: grid.runs.map((r) => ({ kernel: r.kernel, cohorts: r.cohorts.length })),
    seedScheme: SEED_SCHEME,
    adapter: files.adapter,
    columns: files.columns,
  };
}

export function readManifest(path: string): Manifest {
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    if (typeof m !== 'object' || m === null || typeof m.specHash !== 'string' || typeof m.spec !== 'object') throw new Error('not a patternflow sweep manifest');
    return m;
  } catch (e) {
    throw new ConfigError(path, `cannot read the manifest: ${(e as Error).message}`);
  }
}
