// A sweep spec (docs/model.md §8): a base run config, axes, seed replicates, and which metric
// rows to keep. One JSON object, from a file or a preset:
//   { "base": { ...run config }, "axes": { "lr": [0.25, 0.5, 1], "initBest": { "logspace": [0.005, 0.5, 16] } },
//     "seeds": 1, "logEvery": 10 }
import { z } from 'zod';
import { ConfigError } from '../model/config';
import { logRuleFrom, type LogRule } from '../model/cadence';
import { parseAxes, type Axis, type ConfigObject } from './axes';

const MAX_SEEDS = 1_000_000;

const intIn = (lo: number, hi: number) => {
  const error = `must be an integer in ${lo}..${hi}`;
  return z.number({ error }).int({ error }).min(lo, { error }).max(hi, { error });
};

const SPEC_SCHEMA = z
  .object({
    base: z.record(z.string(), z.unknown(), { error: 'must be a run config: a JSON object of config fields' }).optional(),
    axes: z.record(z.string(), z.unknown(), { error: 'must be an object { "axis": values, ... }' }).optional(),
    seeds: intIn(1, MAX_SEEDS).optional(),
    // Checked by logRuleFrom (src/model/cadence.ts), as the command line's and the page's are.
    logEvery: z.unknown().optional(),
    logSteps: z.unknown().optional(),
  })
  .strict();

export type SpecInput = z.input<typeof SPEC_SCHEMA>;
const SPEC_FIELDS = Object.keys(SPEC_SCHEMA.shape);

export interface Spec {
  /** The spec as given, with the defaults written out: what the manifest records and shards compare. */
  written: SpecInput;
  base: ConfigObject;
  axes: Axis[];
  seeds: number;
  log: LogRule;
}

/** Validates a spec's form and axes; each cohort's config is checked when the grid is built (grid.ts). */
export function parseSpec(input: unknown): Spec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ConfigError('spec', 'must be a JSON object { "base", "axes", "seeds", "logEvery" }');
  const result = SPEC_SCHEMA.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0].length > 60 ? `${issue.keys[0].slice(0, 60)}...` : issue.keys[0];
      throw new ConfigError(key, `unknown field of a sweep spec (allowed: ${SPEC_FIELDS.join(', ')})`);
    }
    throw new ConfigError(issue.path.map(String).join('.') || 'spec', issue.message);
  }
  const s = result.data;
  const seeds = s.seeds ?? 1;
  const log = logRuleFrom(s);
  const written: SpecInput = { base: s.base ?? {}, axes: s.axes ?? {}, seeds, ...('log' in log ? { logSteps: 'log' } : { logEvery: log.every }) };
  return { written, base: s.base ?? {}, axes: parseAxes(s.axes ?? {}), seeds, log };
}
