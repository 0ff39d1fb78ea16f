// The benchmark's report: every planned row measured (rows beyond the adapter's buffer limits
// skipped with a note), the peer's figure beside each row it covers, then the roofline of the
// main kernel's rows against the adapter's peaks measured in the same run. Browser-safe: no Node
// imports (the command line hands in the peer).
import { adapterLine, type AdapterReport, type Gpu } from '../engine/adapter';
import { planFor } from '../engine/engine';
import { checkLimits, WORKGROUP } from '../engine/plan';
import { caseConfig, describeCase, type SweepPlan } from './cases';
import { benchCase, type BenchOptions, type BenchRow, type Peer, type PeerInfo, type Timing } from './measure';
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
  /** The peer measured beside the rows, when one ran. */
  peer?: PeerInfo;
  roofline?: { peaks: Peaks; rows: RooflineRow[] };
}

/** Runs the planned rows (each with the peer's figure, when given one) and the roofline; `onRow` sees each row as it is measured. */
export async function runBench(
  gpu: Gpu,
  sweep: SweepPlan,
  opts: BenchOptions,
  { onRow, peer }: { onRow?: (row: BenchRow) => void; peer?: Peer } = {},
): Promise<BenchReport> {
  const report: BenchReport = {
    adapter: { ...gpu.adapter, line: adapterLine(gpu.adapter) },
    timing: gpu.hasTimestamps ? 'timestamp-query' : 'queue',
    date: new Date().toISOString(),
    notes: [...sweep.notes],
    rows: [],
    ...(peer ? { peer: peer.info } : {}),
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
    if (peer) await addPeer(row, peer, opts, report.notes);
    report.rows.push(row);
    onRow?.(row);
  }
  const mains = report.rows.filter((r) => r.estimator === 'grpo' && r.policy === 'tabular');
  if (opts.roofline && mains.length > 0) report.roofline = await roofline(gpu, mains, opts);
  return report;
}

/** The peer's figure on the row's config; where there is none, a note says why (once per reason). */
async function addPeer(row: BenchRow, peer: Peer, opts: BenchOptions, notes: string[]) {
  const { name } = peer.info;
  const why = peer.unsupported(row);
  if (why) {
    const note = `${name} peer: no figure for ${why}`;
    if (!notes.includes(note)) notes.push(note);
    return;
  }
  try {
    row.peerRolloutsPerSec = await peer.rolloutsPerSec(row, opts);
    row.peerSpeedup = row.rolloutsPerSec / row.peerRolloutsPerSec;
  } catch (e) {
    // One failed row (say, out of memory at the largest N) leaves its cell empty, not the sweep unfinished.
    notes.push(`${name} peer failed on ${describeCase(row)}: ${(e as Error).message}`);
  }
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
