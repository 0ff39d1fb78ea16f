// The heatmap's colour scale: viridis (perceptually uniform, readable in grey and by most colour-
// blind readers), linear or log over the values shown, with "nice" ticks for its legend.

/** Viridis at 9 evenly spaced stops; colours between are interpolated. */
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The colour at t in [0, 1]. */
export function viridis(t: number): string {
  const u = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const j = Math.min(STOPS.length - 2, Math.floor(u));
  const f = u - j;
  const [a, b] = [STOPS[j], STOPS[j + 1]];
  return `rgb(${a.map((c, k) => Math.round(c + (b[k] - c) * f)).join(',')})`;
}

export interface ColourScale {
  lo: number;
  hi: number;
  log: boolean;
  /** Where a value falls, 0 at lo and 1 at hi. */
  t(v: number): number;
  /** Values worth a tick on the legend. */
  ticks: number[];
}

/** A log scale when every value is positive and they span at least this factor. */
const LOG_SPAN = 30;

/** A scale over `values` (the finite ones); `log` forces the choice, undefined chooses by their span. */
export function colourScale(values: readonly number[], log?: boolean): ColourScale {
  const finite = values.filter(Number.isFinite);
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (!finite.length) [lo, hi] = [0, 1];
  const canLog = lo > 0;
  const useLog = canLog && (log ?? hi / lo >= LOG_SPAN);
  if (hi === lo) [lo, hi] = useLog ? [lo / 2, hi * 2] : [lo - 0.5, hi + 0.5];
  const f = useLog ? Math.log : (v: number) => v;
  const [a, b] = [f(lo), f(hi)];
  return { lo, hi, log: useLog, t: (v) => (f(v) - a) / (b - a), ticks: useLog ? logTicks(lo, hi) : linearTicks(lo, hi) };
}

/** About five round values in [lo, hi] (steps of 1, 2 or 5 times a power of ten). */
export function linearTicks(lo: number, hi: number, target = 5): number[] {
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

/** Powers of ten in [lo, hi], with 2 and 5 between them when there are few. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const decades = Math.log10(hi / lo);
  const mults = decades < 2 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of mults) {
      const v = +(m * 10 ** e).toPrecision(12);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  return ticks.length >= 2 ? ticks : [lo, hi];
}
