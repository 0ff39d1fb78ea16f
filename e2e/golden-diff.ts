// Compares a run's CSV with its stored golden CSV and says, readably, what moved: which metric,
// at which step, by how much.
import { parseCsv } from '../src/model/export';

export interface GoldenDiff {
  ok: boolean;
  report: string;
}

export function diffCsv(golden: string, actual: string, tolerance: number, maxLines = 12): GoldenDiff {
  const g = parseCsv(golden);
  const a = parseCsv(actual);
  const lines: string[] = [];
  const gCols = Object.keys(g);
  const aCols = Object.keys(a);
  if (gCols.join() !== aCols.join()) lines.push(`columns changed: golden [${gCols.join(', ')}], now [${aCols.join(', ')}]`);
  if (g.step.length !== a.step.length) lines.push(`rows changed: golden ${g.step.length} steps, now ${a.step.length}`);
  let moved = 0;
  for (const name of gCols.filter((c) => c !== 'step' && c in a)) {
    const n = Math.min(g[name].length, a[name].length);
    for (let t = 0; t < n; t++) {
      const d = a[name][t] - g[name][t];
      if (Math.abs(d) <= tolerance && !(Number.isNaN(d) && !(Number.isNaN(g[name][t]) && Number.isNaN(a[name][t])))) continue;
      if (moved++ < maxLines) lines.push(`${name} at step ${g.step[t]}: golden ${g[name][t]}, now ${a[name][t]} (${d >= 0 ? '+' : ''}${d.toPrecision(3)})`);
    }
  }
  if (moved > maxLines) lines.push(`... and ${moved - maxLines} more values beyond ${tolerance}`);
  return { ok: lines.length === 0, report: lines.join('\n') };
}
