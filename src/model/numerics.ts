// A run whose metrics turn NaN or infinite stops at that step and says where and why, instead
// of drawing a broken curve.
import type { Config } from './config';

export class NumericError extends Error {
  constructor(
    readonly metric: string,
    readonly step: number,
    readonly value: number,
    cause: string,
  ) {
    super(`${metric} became ${value} at step ${step}: ${cause}`);
    this.name = 'NumericError';
  }
}

function likelyCause(c: Config): string {
  if (c.optimizer === 'sgd' && c.lr > 10)
    return `likely cause: learning rate too large (lr ${c.lr} with SGD overflows the float32 logits; use a smaller lr, or Adam, whose steps are bounded by lr)`;
  if (c.lr > 1e3) return `likely cause: learning rate too large (lr ${c.lr} overflows the float32 logits)`;
  return 'the float32 logits overflowed; lower lr, klCoef or entropyCoef';
}

/** Throws NumericError at the first non-finite value of `rows` metric rows (row-major) starting at firstStep. */
export function checkFinite(c: Config, names: readonly string[], firstStep: number, values: ArrayLike<number>, rows: number): void {
  const width = names.length;
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < width; j++) {
      const v = values[r * width + j];
      if (!Number.isFinite(v)) throw new NumericError(names[j], firstStep + r, v, likelyCause(c));
    }
}
