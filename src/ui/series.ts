// Turning metric columns into what a chart draws: EMA smoothing (on the full-resolution data) and
// min/max decimation to at most two points per pixel column, so a 10^6-step run draws ~2 x width
// points while keeping every spike.

/**
 * Debiased exponential moving average (TensorBoard's smoothing) of `values`, extending `out` from
 * index `from` onward; `out` must hold the EMA of values[0..from). Returns the filled length.
 */
export function extendEma(values: ArrayLike<number>, alpha: number, out: Float64Array, from: number): number {
  // The undebiased running value is recovered from out[from-1] and the debias factor 1 - alpha^from.
  let last = from > 0 ? out[from - 1] * (1 - alpha ** from) : 0;
  for (let i = from; i < values.length; i++) {
    last = alpha * last + (1 - alpha) * values[i];
    out[i] = last / (1 - alpha ** (i + 1));
  }
  return values.length;
}

export interface Decimated {
  x: number[];
  ys: (number | null)[][];
}

/**
 * Min/max decimation over pixel columns of an ascending x (linear or log pixel mapping over
 * [x[0], x[n-1]]). Each column with more than two points keeps, per series, its minimum and its
 * maximum in the order they occur, at the column's first and last x. A series shorter than x
 * (a shorter run in an overlay) gives nulls past its end.
 */
export function decimate(x: ArrayLike<number>, ys: readonly ArrayLike<number>[], width: number, logX: boolean): Decimated {
  const n = x.length;
  const out: Decimated = { x: [], ys: ys.map(() => []) };
  if (n === 0) return out;
  const cols = Math.max(1, Math.floor(width));
  const f = logX ? Math.log : (v: number) => v;
  const x0 = f(x[0]);
  const span = f(x[n - 1]) - x0 || 1;
  const column = (i: number) => Math.min(cols - 1, Math.floor(((f(x[i]) - x0) / span) * cols));
  for (let i0 = 0; i0 < n; ) {
    const c = column(i0);
    let i1 = i0 + 1;
    while (i1 < n && column(i1) === c) i1++;
    if (i1 - i0 <= 2) {
      for (let i = i0; i < i1; i++) {
        out.x.push(x[i]);
        ys.forEach((y, s) => out.ys[s].push(i < y.length ? y[i] : null));
      }
    } else {
      out.x.push(x[i0], x[i1 - 1]);
      ys.forEach((y, s) => {
        const end = Math.min(i1, y.length);
        let lo = -1;
        let hi = -1;
        for (let i = i0; i < end; i++) {
          const v = y[i];
          if (Number.isNaN(v)) continue;
          if (lo < 0 || v < y[lo]) lo = i;
          if (hi < 0 || v > y[hi]) hi = i;
        }
        if (lo < 0) out.ys[s].push(null, null);
        else if (lo <= hi) out.ys[s].push(y[lo], y[hi]);
        else out.ys[s].push(y[hi], y[lo]);
      });
    }
    i0 = i1;
  }
  return out;
}
