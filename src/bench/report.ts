// The benchmark's report: every planned row measured (rows beyond the adapter's buffer limits
// skipped with a note), then the roofline of the main kernel's rows against the adapter's peaks
// measured in the same run. Browser-safe: no Node imports.
import { adapterLine, type AdapterReport, type Gpu } from '../engine/adapter';
import { planFor } from '../engine/engine';
import { checkLimits, WORKGROUP } from '../engine/plan';
import { caseConfig, describeCase, type SweepPlan } from './cases';
import { benchCase, type BenchOptions, type BenchRow, type Timing } from './measure';
import { floorOf, measurePeaks, stepCounts, type Floor, type Peaks, type StepCounts } from './roofline';

export interface RooflineRow extends StepCounts {
  tasks: number;
  patterns: number;
  group: number;
  floorRolloutsPerSec: number;
  bound: Floor['bound'];
  /** Achieved rollouts/s over the floor. */
  fraction: number;
}

export interface BenchReport {
  adapter: AdapterReport & { line: string };
  timing: Timing;
  date: string;
  /** What was left out of the full sweep and why; empty when nothing was. */
  notes: string[];
  rows: BenchRow[];
  roofline?: { peaks: Peaks; rows: RooflineRow[] };
}

/** Runs the planned rows and the roofline; `onRow` sees each row as it is measured. */
export async function runBench(gpu: Gpu, sweep: SweepPlan, opts: BenchOptions, onRow?: (row: BenchRow) => void): Promise<BenchReport> {
  const report: BenchReport = {
    adapter: { ...gpu.adapter, line: adapterLine(gpu.adapter) },
    timing: gpu.hasTimestamps ? 'timestamp-query' : 'queue',
    date: new Date().toISOString(),
    notes: [...sweep.notes],
    rows: [],
  };
  for (const c of sweep.cases) {
    const config = caseConfig(c);
    try {
      checkLimits(config, planFor(gpu, config), gpu.device.limits);
    } catch (e) {
      report.notes.push(`skipped ${describeCase(c)}: ${(e as Error).message}`);
      continue;
    }
    const row = await benchCase(gpu, c, opts);
    report.rows.push(row);
    onRow?.(row);
  }
  const mains = report.rows.filter((r) => r.estimator === 'grpo' && r.policy === 'tabular');
  if (opts.roofline && mains.length > 0) report.roofline = await roofline(gpu, mains, opts);
  return report;
}

/** The adapter's peaks, and for each main-kernel row its floor and the fraction of it achieved. */
async function roofline(gpu: Gpu, mains: BenchRow[], opts: BenchOptions): Promise<{ peaks: Peaks; rows: RooflineRow[] }> {
  const peaks = await measurePeaks(gpu, { minSeconds: opts.minSeconds / 2, repeats: opts.repeats, copyBytes: gpu.adapter.isFallback ? 32 << 20 : 256 << 20 });
  const rows = mains.map((r) => {
    const config = caseConfig(r);
    const plan = planFor(gpu, config);
    const counts = stepCounts({ K: r.patterns, A: config.answers, G: r.group, M: plan.metrics, F: plan.fusedSteps, W: plan.taskRows ? 1 : WORKGROUP });
    const floor = floorOf(counts, peaks);
    return { tasks: r.tasks, patterns: r.patterns, group: r.group, ...counts, floorRolloutsPerSec: floor.rolloutsPerSec, bound: floor.bound, fraction: r.rolloutsPerSec / floor.rolloutsPerSec };
  });
  return { peaks, rows };
}
