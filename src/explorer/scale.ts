// Where an axis's values sit on a view: log-spaced numbers on a log axis, other numbers on a
// linear one, choices evenly spaced. Each value owns the span between the midpoints to its
// neighbours (in the axis's own scale), so a heatmap's cells tile the plot with no gaps.

/** Whether sorted positive numbers are evenly spaced in log (a logspace, or a list like 0.25, 0.5, 1). */
export function isLogSpaced(sorted: readonly number[]): boolean {
  if (sorted.length < 3 || sorted[0] <= 0) return false;
  const ratio = sorted[1] / sorted[0];
  return ratio > 1 && sorted.every((v, i) => i === 0 || Math.abs(v / sorted[i - 1] / ratio - 1) < 1e-6);
}

export type AxisValue = number | string;

export interface ViewAxis {
  /** The summary column it is read from: one axis part (the first numeric one of a zipped axis). */
  name: string;
  /** The other parts of a zipped axis, which move with it ("patterns,successBeta"). */
  zipped: string[];
  /** Distinct values: numbers ascending, choices in the order they first appear. */
  values: AxisValue[];
  numeric: boolean;
  log: boolean;
}

export interface AxisScale {
  /** Position of value j's centre and of the edges around it, in scale units (log10 on a log axis, the index for choices). */
  centers: number[];
  /** values.length + 1 edges: before the first value, between each pair, after the last. */
  edges: number[];
  /** A number's position in scale units (NaN on a choice axis, or off a log axis). */
  at(v: number): number;
}

export function axisScale(axis: ViewAxis): AxisScale {
  if (!axis.numeric) {
    const centers = axis.values.map((_, j) => j + 0.5);
    return { centers, edges: axis.values.map((_, j) => j).concat(axis.values.length), at: () => NaN };
  }
  const at = (v: number) => (axis.log ? (v > 0 ? Math.log10(v) : NaN) : v);
  const centers = (axis.values as number[]).map(at);
  const n = centers.length;
  // A single value gets a unit span; otherwise the outer cells reach as far out as their inner half.
  const half = (j: number, k: number) => (n === 1 ? 0.5 : Math.abs(centers[k] - centers[j]) / 2);
  const edges = [centers[0] - half(0, 1)];
  for (let j = 0; j + 1 < n; j++) edges.push((centers[j] + centers[j + 1]) / 2);
  edges.push(centers[n - 1] + half(n - 2, n - 1));
  return { centers, edges, at };
}

/** An axis's title on a view: its name, its scale, the parts zipped with it. */
export const axisTitle = (a: ViewAxis): string => `${a.name}${a.log ? ' (log scale)' : ''}${a.zipped.length ? `, zipped with ${a.zipped.join(', ')}` : ''}`;

/** A number as axis labels and readouts show it: three significant digits, exponents for the very large or small. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(1).replace('e+', 'e');
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return String(+v.toPrecision(3));
}

/** An axis value as a label; long JSON values (a zipped successBeta) are cut short. */
export function formatValue(v: AxisValue, max = 16): string {
  const text = typeof v === 'number' ? formatNumber(v) : v;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
