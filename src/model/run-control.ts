// The run-control fields: how a simulation is run and recorded, not what it simulates (those are
// the config's fields, fields.ts). Each is stated once here, with its help and its allowed range;
// the command line's flags (run, sweep, bench), the sweep spec, the dashboard's link and its
// input all parse through these, so one bad value reads the same everywhere.
import { ConfigError, MAX_STEPS } from './config';

/** Metric rows kept with the log-spaced rule (`logSteps` "log", cadence.ts): about this many. */
export const LOG_POINTS = 200;

export const BACKENDS = ['webgpu', 'reference'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** When to save a checkpoint: every so many steps or so much wall time (the first to come). */
export interface CheckpointEvery {
  steps?: number;
  ms?: number;
}

export interface ControlField {
  /** What the command line's usage shows after the flag. */
  syntax: string;
  help: string;
  /** The allowed values, as every error and --help says them. */
  allowed: string;
  /** A field of named values: the flag accepts only these. */
  choices?: readonly string[];
}

export const RUN_CONTROL = {
  logEvery: {
    syntax: '<n>',
    help: 'write the metrics of every n-th step and of the last (default 1: every step); the others compute only accuracy and bestMass',
    allowed: `an integer in 1..${MAX_STEPS}`,
  },
  logSteps: { syntax: '<rule>', help: `write about ${LOG_POINTS} log-spaced steps' metrics and the last`, allowed: '"log"', choices: ['log'] },
  checkpointEvery: {
    syntax: '<every>',
    help: 'save a checkpoint every N steps, or every 90s / 5m / 1h of work (the first to come), and on SIGINT/SIGTERM',
    allowed: 'a number of steps >= 1, or a time such as 90s, 5m or 1h',
  },
  backend: {
    syntax: '<name>',
    help: 'webgpu (the WGSL engine through Dawn) or reference (the float64 reference, on the CPU)',
    allowed: BACKENDS.join(' or '),
    choices: BACKENDS,
  },
} as const satisfies Record<string, ControlField>;

export type ControlName = keyof typeof RUN_CONTROL;

const refuse = (name: ControlName, got: unknown): never => {
  throw new ConfigError(name, `must be ${RUN_CONTROL[name].allowed}, got ${JSON.stringify(got)?.slice(0, 40)}`);
};

/** logEvery n: an integer in 1..MAX_STEPS. */
export function parseLogEvery(value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_STEPS) return refuse('logEvery', value);
  return n;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** checkpointEvery: steps (`2000`) or wall time (`90s`, `5m`, `1h`). */
export function parseCheckpointEvery(text: string): CheckpointEvery {
  const m = /^\s*(\d+)\s*(s|m|h)?\s*$/.exec(text);
  if (!m || Number(m[1]) < 1) return refuse('checkpointEvery', text);
  return m[2] ? { ms: Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] } : { steps: Number(m[1]) };
}
