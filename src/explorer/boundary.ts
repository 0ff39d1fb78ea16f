// The theory's boundaries, drawn over a view where its axes have one: the regime boundary of
// docs/model.md §5b (between grid points whose tasks fall mostly in different regimes, read off
// the summary's regime columns, so it is as fine as the grid) and the noisy verifier's TPR = FPR
// (a pattern's expected reward tpr·s + fpr·(1 − s) rises with its success rate exactly when TPR > FPR).
import { cellGrid, type Selection } from './cells';
import type { SweepResults } from './results';
import { axisScale } from './scale';

export interface Boundary {
  label: string;
  dash: number[];
  /** Segments [x0, y0, x1, y1] in the axes' scale units (axisScale); y spans [0, 1] without a y axis. */
  segments: [number, number, number, number][];
}

const REGIMES = ['regimeOne', 'regimeTwo', 'regimeOther'] as const;

/** Which regime most of each cell's tasks are in (-1 where nothing has finished). */
function dominantRegimes(results: SweepResults, sel: Selection): number[][] | undefined {
  if (!REGIMES.every((r) => results.summaryNames.includes(r))) return undefined;
  const grids = REGIMES.map((column) => cellGrid(results, { ...sel, column }).cells);
  return grids[0].map((row, j) =>
    row.map((_, i) => {
      const counts = grids.map((g) => g[j][i].stats?.mean ?? -1);
      const best = Math.max(...counts);
      return best < 0 ? -1 : counts.indexOf(best);
    }),
  );
}

function regimeBoundary(results: SweepResults, sel: Selection): Boundary | undefined {
  const regimes = dominantRegimes(results, sel);
  if (!regimes) return undefined;
  const x = axisScale(results.axes.find((a) => a.name === sel.x)!);
  const yAxis = results.axes.find((a) => a.name === sel.y);
  const y = yAxis ? axisScale(yAxis) : { edges: [0, 1] };
  const segments: Boundary['segments'] = [];
  const differ = (a: number, b: number) => a >= 0 && b >= 0 && a !== b;
  regimes.forEach((row, j) =>
    row.forEach((r, i) => {
      if (i + 1 < row.length && differ(r, row[i + 1])) segments.push([x.edges[i + 1], y.edges[j], x.edges[i + 1], y.edges[j + 1]]);
      if (j + 1 < regimes.length && differ(r, regimes[j + 1][i])) segments.push([x.edges[i], y.edges[j + 1], x.edges[i + 1], y.edges[j + 1]]);
    }),
  );
  return segments.length ? { label: 'regime boundary (§5b)', dash: [], segments } : undefined;
}

function verifierBoundary(results: SweepResults, sel: Selection): Boundary | undefined {
  const axis = (name?: string) => results.axes.find((a) => a.name === name && a.numeric);
  const [xa, ya] = [axis(sel.x), axis(sel.y)];
  if (!xa) return undefined;
  const x = axisScale(xa);
  const y = ya ? axisScale(ya) : { edges: [0, 1], at: () => NaN };
  const [x0, x1, y0, y1] = [x.edges[0], x.edges.at(-1)!, y.edges[0], y.edges.at(-1)!];
  const inside = (v: number, lo: number, hi: number) => v >= Math.min(lo, hi) && v <= Math.max(lo, hi);
  let segments: Boundary['segments'] = [];
  if (xa.name === 'tprMinusFpr' && inside(x.at(0), x0, x1)) segments = [[x.at(0), y0, x.at(0), y1]];
  else if (ya?.name === 'tprMinusFpr' && inside(y.at(0), y0, y1)) segments = [[x0, y.at(0), x1, y.at(0)]];
  else if (ya && ((xa.name === 'tpr' && ya.name === 'fpr') || (xa.name === 'fpr' && ya.name === 'tpr'))) {
    // The diagonal over the span both axes cover.
    const lo = Math.max(xa.values[0] as number, ya.values[0] as number);
    const hi = Math.min(xa.values.at(-1) as number, ya.values.at(-1) as number);
    if (lo < hi) segments = [[x.at(lo), y.at(lo), x.at(hi), y.at(hi)]];
  }
  return segments.length ? { label: 'TPR = FPR', dash: [6, 4], segments } : undefined;
}

/** The boundaries that exist for this view. */
export function boundaries(results: SweepResults, sel: Selection): Boundary[] {
  return [regimeBoundary(results, sel), verifierBoundary(results, sel)].filter((b): b is Boundary => b !== undefined);
}
