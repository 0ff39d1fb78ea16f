// Seed replicates of one grid point: their mean and a 95% interval for it (Student's t, since
// sweeps run a handful of seeds).

/** t_{0.975, df} for df = 1 .. 30; beyond, the normal quantile is within 2%. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export interface Interval {
  /** Values that were not missing. */
  n: number;
  mean: number;
  /** The 95% interval of the mean; equal to the mean for a single value. */
  lo: number;
  hi: number;
}

/** Mean and 95% interval of `values`; null when there are none. */
export function interval(values: readonly number[]): Interval | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, lo: mean, hi: mean };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const half = (T975[n - 2] ?? 1.96) * Math.sqrt(variance / n);
  return { n, mean, lo: mean - half, hi: mean + half };
}
