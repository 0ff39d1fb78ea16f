// The axes of a sweep (docs/model.md §8): which names can be axes, how their values are written
// (a list, a linspace or a logspace), and the derived axes that set config fields the config
// cannot state directly. Values are checked by the run config's own schema when each cohort's
// config is parsed (grid.ts), so a bad value fails with the field's own message.
import { ConfigError, defaultSuccessRates, FIELD_SPECS, FIELDS, type Field } from '../model/config';

/** Config fields that cannot be axes, and what to write instead. */
const FIXED_FIELDS: Partial<Record<Field, string>> = {
  seed: 'replicate seeds with "seeds": n instead (seeds base.seed + 0 .. n-1)',
  steps: 'every cohort of a sweep runs the same steps (set base.steps)',
};

/** A config as JSON, before parsing: the base with axis values laid over it. */
export type ConfigObject = Record<string, unknown>;

interface DerivedAxis {
  /** Inclusive or exclusive bounds of the values, and the message that states them. */
  check: (x: number) => boolean;
  range: string;
  /** Config fields it sets: no other axis may set them too. */
  sets: Field[];
  help: string;
}

/** The derived axes; each cohort's derived values are applied by `applyDerived`, after the field axes. */
export const DERIVED_AXES = {
  initBest: {
    check: (x) => x > 0 && x < 1,
    range: 'a number in (0, 1)',
    sets: ['init'],
    help: 'initial mass on the best pattern (highest success rate), the rest spread evenly over the others',
  },
  gamma: {
    check: (x) => x > 1 && Number.isFinite(x),
    range: 'a finite number > 1',
    sets: ['init'],
    help: "Theorem 5.4's gamma = sum_{r != r'} pi_r / pi_r*: the second-best pattern r' keeps its base mass, r* gets (1 - pi_r') / gamma, the others the rest in proportion to their base masses (needs successRates with a unique second-best pattern)",
  },
  tprMinusFpr: {
    check: (x) => x >= -1 && x <= 1,
    range: 'a number in [-1, 1]',
    sets: ['tpr', 'fpr'],
    help: "noisy verifier: tpr - fpr (tpr + fpr stays the base's unless tprPlusFpr is an axis too)",
  },
  tprPlusFpr: {
    check: (x) => x >= 0 && x <= 2,
    range: 'a number in [0, 2]',
    sets: ['tpr', 'fpr'],
    help: "noisy verifier: tpr + fpr (tpr - fpr stays the base's unless tprMinusFpr is an axis too)",
  },
} satisfies Record<string, DerivedAxis>;

export type DerivedName = keyof typeof DERIVED_AXES;
const DERIVED = Object.keys(DERIVED_AXES) as DerivedName[];
const isDerived = (name: string): name is DerivedName => (DERIVED as string[]).includes(name);

/** Every name an axis can have: the config fields that may vary, then the derived axes. */
export const AXIS_NAMES: readonly string[] = [...FIELDS.filter((f) => !FIXED_FIELDS[f]), ...DERIVED];

/** What one axis column holds: numbers (DOUBLE in Parquet), choices (text), or lists and objects (JSON text). */
export type AxisKind = 'number' | 'text' | 'json';

/** One name an axis sets per cohort: a config field or a derived axis. */
export interface AxisPart {
  name: string;
  kind: AxisKind;
}

/** An axis: one name, or several names zipped together ("patterns,successBeta"), and its values. */
export interface Axis {
  /** As written in the spec: the names joined by commas. */
  name: string;
  parts: AxisPart[];
  /** One tuple per value, one entry per part. */
  values: unknown[][];
}

/**
 * `count` numbers from `from` to `to`, evenly spaced (linearly, or in log), rounded to 12
 * significant digits so that a linspace from -0.6 gives 0.2, not 0.19999999999999996.
 */
export function spaced(kind: 'linspace' | 'logspace', from: number, to: number, count: number): number[] {
  if (count === 1) return [from];
  const [a, b] = kind === 'linspace' ? [from, to] : [Math.log(from), Math.log(to)];
  return Array.from({ length: count }, (_, j) => {
    const x = a + ((b - a) * j) / (count - 1);
    return +(kind === 'linspace' ? x : Math.exp(x)).toPrecision(12);
  });
}

const RANGE_FORMS = ['linspace', 'logspace'] as const;
const FORMS = 'a list of values, { "linspace": [from, to, count] } or { "logspace": [from, to, count] }';

/** The values of axis `name` as written (a list or a range), checked for form but not yet against the config. */
function axisValues(name: string, written: unknown, numeric: boolean): unknown[] {
  const where = `axes.${name}`;
  if (Array.isArray(written)) {
    if (written.length === 0) throw new ConfigError(where, 'has no values: every axis needs at least one (an empty grid runs nothing)');
    return written;
  }
  const keys = typeof written === 'object' && written !== null ? Object.keys(written) : [];
  const form = RANGE_FORMS.find((f) => keys.length === 1 && keys[0] === f);
  if (!form) throw new ConfigError(where, `must be ${FORMS}`);
  if (!numeric) throw new ConfigError(where, `${form} needs a numeric axis; give a list of values`);
  const range = (written as Record<string, unknown>)[form];
  const ok = Array.isArray(range) && range.length === 3 && range.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!ok) throw new ConfigError(where, `${form} must be [from, to, count]: two finite numbers and an integer count >= 1`);
  const [from, to, count] = range as number[];
  if (!Number.isInteger(count) || count < 0) throw new ConfigError(where, `${form} count must be an integer >= 1, got ${count}`);
  if (count === 0) throw new ConfigError(where, `${form} count is 0: every axis needs at least one value (an empty grid runs nothing)`);
  if (form === 'logspace' && !(from > 0 && to > 0)) throw new ConfigError(where, `logspace needs from and to > 0, got ${from} and ${to}`);
  return spaced(form, from, to, count);
}

const kindOf = (values: unknown[]): AxisKind =>
  values.every((v) => typeof v === 'number') ? 'number' : values.every((v) => typeof v === 'string') ? 'text' : 'json';

/** Checks the spec's axes (names, forms, derived ranges, two axes setting one field) and expands their values. */
export function parseAxes(written: Record<string, unknown>): Axis[] {
  const setBy = new Map<string, string>();
  const axes = Object.entries(written).map(([name, values]): Axis => {
    const names = name.split(',').map((n) => n.trim());
    for (const n of names) {
      const fixed = FIXED_FIELDS[n as Field];
      if (fixed) throw new ConfigError(`axes.${n}`, `cannot be an axis: ${fixed}`);
      if (!AXIS_NAMES.includes(n)) {
        const shown = n.length > 60 ? `${n.slice(0, 60)}...` : n;
        throw new ConfigError(`axes.${shown}`, `unknown axis (allowed: ${AXIS_NAMES.join(', ')}; several joined by commas are zipped)`);
      }
      for (const field of isDerived(n) ? DERIVED_AXES[n].sets : [n]) {
        const other = setBy.get(field);
        // The two verifier coordinates together set tpr and fpr: that is their purpose.
        const verifier = (a: string) => a === 'tprMinusFpr' || a === 'tprPlusFpr';
        const pair = other !== undefined && other !== n && verifier(n) && verifier(other);
        if (other !== undefined && !pair)
          throw new ConfigError(`axes.${n}`, `sets ${field}, which ${other === n ? 'another axis' : `axis ${other}`} sets too: keep one of them`);
        setBy.set(field, n);
      }
    }
    const numeric = names.length === 1 && (isDerived(names[0]) || ['number', 'numberOrList'].includes(FIELD_SPECS[names[0] as Field].syntax));
    const list = axisValues(name, values, numeric);
    const tuples =
      names.length === 1
        ? list.map((v) => [v])
        : list.map((v, j) => {
            if (!Array.isArray(v) || v.length !== names.length)
              throw new ConfigError(`axes.${name}[${j}]`, `must be a list of ${names.length} values, one each for ${names.join(', ')}`);
            return v;
          });
    names.forEach((n, p) => {
      if (!isDerived(n)) return;
      const { check, range } = DERIVED_AXES[n];
      tuples.forEach((t, j) => {
        if (typeof t[p] !== 'number' || !check(t[p])) throw new ConfigError(`axes.${n}`, `must be ${range}, got ${JSON.stringify(t[p])} (value ${j})`);
      });
    });
    return { name, parts: names.map((n, p) => ({ name: n, kind: kindOf(tuples.map((t) => t[p])) })), values: tuples };
  });
  return axes;
}

/** Which axis sets config field `field` (directly or as a derived axis), if any. */
export function axisSetting(axes: readonly Axis[], field: string): Axis | undefined {
  return axes.find((a) => a.parts.some((p) => (isDerived(p.name) ? (DERIVED_AXES[p.name].sets as string[]).includes(field) : p.name === field)));
}

const round12 = (x: number) => Math.round(x * 1e12) / 1e12;
const fieldDefault = (field: Field): unknown => FIELD_SPECS[field].type.parse(undefined);

/**
 * The initial policy of gamma (docs/model.md §6.7): with r* the best pattern (the first on ties)
 * and r' the unique best of the others, r' keeps its base mass p', r* gets (1 - p') / gamma, so
 * that sum_{r != r'} pi_r / pi_r* = (1 - p') / pi_r* = gamma, and the other patterns share the
 * rest in proportion to their base masses.
 */
function initForGamma(input: ConfigObject, gamma: number): number[] {
  if (input.successBeta !== undefined || input.successTilt !== undefined)
    throw new ConfigError('axes.gamma', "needs successRates (shared by all tasks) with a unique second-best pattern, the rival r' of Theorem 5.4");
  const given = input.successRates as number[] | undefined;
  const rates = given ?? defaultSuccessRates((input.patterns ?? fieldDefault('patterns')) as number);
  const K = rates.length;
  const base = (input.init as number[] | undefined) ?? Array<number>(K).fill(1 / K);
  if (base.length !== K) throw new ConfigError('axes.gamma', `needs init with ${K} entries (one per success rate), got ${base.length}`);
  const best = rates.indexOf(Math.max(...rates));
  const others = rates.map((s, k) => (k === best ? -Infinity : s));
  const second = others.indexOf(Math.max(...others));
  if (others.filter((s) => s === others[second]).length > 1)
    throw new ConfigError('axes.gamma', `needs a unique second-best pattern, but success rate ${others[second]} is shared by several patterns`);
  const keep = base[second];
  const top = (1 - keep) / gamma;
  const restBase = base.reduce((a, p, k) => (k === best || k === second ? a : a + p), 0);
  if (restBase <= 0) throw new ConfigError('axes.gamma', 'needs a third pattern with base mass > 0 to take the mass that gamma moves off r*');
  return base.map((p, k) => round12(k === second ? keep : k === best ? top : ((1 - keep - top) * p) / restBase));
}

/**
 * Lays one cohort's values over `input` (a copy of the base): the field axes first, then the
 * derived ones, which read the fields they depend on (K and the success rates for initBest).
 */
export function applyValues(input: ConfigObject, axes: readonly Axis[], tuple: readonly unknown[][]): ConfigObject {
  const derived: Partial<Record<DerivedName, number>> = {};
  axes.forEach((axis, a) =>
    axis.parts.forEach((part, p) => {
      if (isDerived(part.name)) derived[part.name] = tuple[a][p] as number;
      else input[part.name] = tuple[a][p];
    }),
  );
  if (derived.initBest !== undefined) {
    if (input.successBeta !== undefined || input.successTilt !== undefined)
      throw new ConfigError('axes.initBest', 'needs successRates: with successBeta or successTilt each task has its own best pattern');
    const given = input.successRates as number[] | undefined;
    const K = (input.patterns ?? given?.length ?? fieldDefault('patterns')) as number;
    const rates = given ?? defaultSuccessRates(K);
    const best = rates.indexOf(Math.max(...rates));
    const rest = round12((1 - derived.initBest) / (K - 1));
    input.init = Array.from({ length: K }, (_, k) => (k === best ? derived.initBest : rest));
  }
  if (derived.gamma !== undefined) input.init = initForGamma(input, derived.gamma);
  if (derived.tprMinusFpr !== undefined || derived.tprPlusFpr !== undefined) {
    const tpr = (input.tpr ?? fieldDefault('tpr')) as number;
    const fpr = (input.fpr ?? fieldDefault('fpr')) as number;
    const minus = derived.tprMinusFpr ?? tpr - fpr;
    const plus = derived.tprPlusFpr ?? tpr + fpr;
    // Rounded so that e.g. (1.4 + 0.6) / 2 is 1, not 1.0000000000000002 (outside [0, 1]).
    input.tpr = round12((plus + minus) / 2);
    input.fpr = round12((plus - minus) / 2);
  }
  return input;
}
