// The grid of a sweep (docs/model.md §8): every combination of axis values (the first axis
// outermost), times `seeds` replicates (innermost), is a cohort with its own run config; cohorts
// that share the fields which shape the kernels form one run. Every cohort's config is parsed up
// front, so a bad value is refused before anything runs, naming its axis.
import { KERNEL_FIELDS, type KernelField } from '../engine/header';
import { bufferFloats, makePlan } from '../engine/plan';
import { ConfigError, parseConfig, type Config } from '../model/config';
import { metricLayout } from '../model/metrics';
import { applyValues, axisSetting, type AxisPart } from './axes';
import { LogSchedule } from '../model/cadence';
import type { Spec } from './spec';


/** The most cohorts one sweep takes: beyond it, the grid is refused with its size and memory. */
export const MAX_COHORTS = 1_000_000;

export interface Cohort {
  index: number;
  /** One value per axis part (Grid.parts), in spec order. */
  values: unknown[];
  seed: number;
  config: Config;
}

/** Cohorts that share the kernel-shaping fields: one compiled module serves them all. */
export interface Run {
  kernel: Pick<Config, KernelField>;
  /** Cohort indices, ascending. */
  cohorts: number[];
}

export interface Grid {
  spec: Spec;
  count: number;
  /** The axis columns: every part of every axis, in spec order. */
  parts: AxisPart[];
  /** RL steps of every cohort (steps cannot be an axis). */
  steps: number;
  schedule: LogSchedule;
  runs: Run[];
  /** The metric columns: every cohort's metrics, each name once (patternMass0.. up to the largest K). */
  metricNames: string[];
  /** GPU memory of one cohort's buffers: the largest, and all cohorts' together (what packing them in one run would hold). */
  gpuBytes: { max: number; sum: number };
  cohort(index: number): Cohort;
}

/** Bytes of the GPU buffers of one run of `config` (the engine's buffers, float32; the readback twice). */
export function gpuBytes(config: Config): number {
  const { staging, ...storage } = bufferFloats(makePlan(config));
  return (Object.values(storage).reduce((sum, [, n]) => sum + n, 0) + 2 * staging[1]) * 4;
}

/** Bytes of a cohort's written metric rows (cohort, step, metrics; 8 bytes each, before compression). */
const metricsBytes = (rows: number, metrics: number) => rows * (metrics + 2) * 8;

export const formatBytes = (bytes: number): string => {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let u = 0;
  while (bytes >= 1000 && u < units.length - 1) (bytes /= 1000), u++;
  return `${u === 0 ? bytes : bytes.toPrecision(3)} ${units[u]}`;
};

const shown = (v: unknown): string => {
  const text = typeof v === 'number' ? String(+v.toPrecision(6)) : typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
};

/** Column names of several metric layouts, each once: families (patternMass, passAt, ...) in order of first appearance. */
export function unionNames(layouts: readonly string[][]): string[] {
  const families = new Map<string, string[]>();
  for (const names of layouts)
    for (const name of names) {
      const family = name.replace(/\d+$/, '');
      const members = families.get(family) ?? families.set(family, []).get(family)!;
      if (!members.includes(name)) members.push(name);
    }
  return [...families.values()].flat();
}

export function buildGrid(spec: Spec): Grid {
  const { axes, seeds } = spec;
  const sizes = axes.map((a) => a.values.length);
  const count = sizes.reduce((a, b) => a * b, 1) * seeds;
  const parts = axes.flatMap((a) => a.parts);
  const baseSeed = (spec.base.seed ?? 1) as number;

  const describe = (index: number, values: unknown[]) =>
    parts.length ? `cohort ${index}: ${parts.map((p, j) => `${p.name}=${shown(values[j])}`).join(', ')}` : `cohort ${index}`;

  /** Says which axis (or base field) a config error comes from. */
  const attribute = (e: ConfigError, index: number, values: unknown[]): ConfigError => {
    const top = e.field.split(/[.[]/)[0];
    const detail = e.message.slice(e.field.length + 2);
    const where = describe(index, values);
    if (e.field.startsWith('axes.')) return new ConfigError(e.field, `${detail} (${where})`);
    if (top === 'seed') return new ConfigError('seeds', `base.seed + replicate gives seed ${baseSeed + (index % seeds)}: ${detail}`);
    const axis = axisSetting(axes, top);
    if (axis) return new ConfigError(`axes.${axis.name}`, `${axis.name === e.field ? detail : e.message} (${where})`);
    if (top in spec.base) return new ConfigError(`base.${e.field}`, parts.length ? `${detail} (${where})` : detail);
    return new ConfigError(where, e.message);
  };

  const cohort = (index: number): Cohort => {
    let rest = Math.floor(index / seeds);
    const tuple: unknown[][] = [];
    for (let a = axes.length - 1; a >= 0; a--) {
      tuple[a] = axes[a].values[rest % sizes[a]];
      rest = Math.floor(rest / sizes[a]);
    }
    const values = tuple.flat();
    const seed = baseSeed + (index % seeds);
    try {
      const config = parseConfig({ ...applyValues({ ...spec.base }, axes, tuple), seed });
      return { index, values, seed, config };
    } catch (e) {
      throw e instanceof ConfigError ? attribute(e, index, values) : e;
    }
  };

  const first = cohort(0);
  const steps = first.config.steps;
  const schedule = new LogSchedule(steps, spec.log);
  if (count > MAX_COHORTS) {
    const dims = [...axes.map((a) => `${a.values.length} ${a.name}`), `${seeds} seed${seeds > 1 ? 's' : ''}`].join(' x ');
    const metrics = count * metricsBytes(schedule.count, metricLayout(first.config).names.length);
    throw new ConfigError(
      'axes',
      `the grid has ${count.toLocaleString('en-US')} cohorts (${dims}), more than the ${MAX_COHORTS.toLocaleString('en-US')} a sweep takes: ` +
        `it would need about ${formatBytes(metrics)} of metric rows and ${formatBytes(count * gpuBytes(first.config))} of GPU memory in one run; ` +
        'use fewer values, or split it into several sweeps',
    );
  }

  const runs = new Map<string, Run>();
  const layouts = new Map<string, string[]>();
  const memory = { max: 0, sum: 0 };
  for (let i = 0; i < count; i++) {
    const { config } = i === 0 ? first : cohort(i);
    const kernel = Object.fromEntries(KERNEL_FIELDS.map((f) => [f, config[f]])) as Run['kernel'];
    const key = JSON.stringify(kernel);
    if (!runs.has(key)) {
      runs.set(key, { kernel, cohorts: [] });
      layouts.set(key, metricLayout(config).names);
    }
    runs.get(key)!.cohorts.push(i);
    const bytes = gpuBytes(config);
    memory.max = Math.max(memory.max, bytes);
    memory.sum += bytes;
  }
  return { spec, count, parts, steps, schedule, runs: [...runs.values()], metricNames: unionNames([...layouts.values()]), gpuBytes: memory, cohort };
}
