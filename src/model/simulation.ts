// What every simulator delivers, whichever computes it: the WGSL engine or the float64 reference.

/** Bins of the per-task histograms (best-pattern mass, accuracy) over [0, 1]. */
export const HIST_BINS = 40;

/** Task counts over HIST_BINS bins on [0, 1]: each task's best-pattern mass and accuracy. */
export interface Histograms {
  bestMass: Float32Array;
  accuracy: Float32Array;
}

/** Called once per batch with `rows` metric rows (row-major, in the metric layout's order) for steps firstStep.. */
export type BatchCallback = (firstStep: number, metrics: Float32Array | Float64Array, rows: number) => void;
