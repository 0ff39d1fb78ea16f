// The benchmark's report: every planned row measured (rows beyond the adapter's buffer limits
// skipped with a note), the peer's figure beside each row it covers, then the roofline of the
// main kernel's rows against the adapter's peaks measured in the same run. Browser-safe: no Node
// imports (the command line hands in the peer).
import { adapterLine, type AdapterReport, type Gpu } from '../engine/adapter';
import { planFor } from '../engine/engine';
import { checkLimits, WORKGROUP } from '../engine/plan';
import type { Estimator } from '../model/config';
import { caseConfig, describeCase, type SweepPlan } from './cases';
import { benchCase, type BenchOptions, type BenchRow, type Peer, type PeerInfo, type Timing } from './measure';
import { configTree } from '../model/tree';
import { expectedCounts, floorOf, measurePeaks, stepCounts, treeCounts, type Floor, type Peaks, type StepCounts } from './roofline';

export interface RooflineRow extends StepCounts {
  tasks: number;
  patterns: number;
  policy: BenchRow['policy'];
  group: number;
  estimator: Estimator;
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
  // The counts are the register shape's (K <= 32) and the token tree's; the storage shape's kernels are not counted yet.
  const counted = report.rows.filter((r) => (r.policy === 'tabular' || r.policy === 'tokens') && planFor(gpu, caseConfig(r)).shape !== 'storage');
  if (opts.roofline && counted.length > 0) report.roofline = await roofline(gpu, counted, opts);
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

/**
 * The adapter's peaks, and for each tabular row its floor and the fraction of it achieved. The
 * sampled estimators share GRPO's counts (reinforce and rloo do a few float ops less per group);
 * the token tree's rows have its kernel's counts (treeCounts); the shared policy's extra kernels and
 * the storage shape (K > 32) are not counted, so their rows have none.
 */
async function roofline(gpu: Gpu, rows: BenchRow[], opts: BenchOptions): Promise<{ peaks: Peaks; rows: RooflineRow[] }> {
  const peaks = await measurePeaks(gpu, { minSeconds: opts.minSeconds / 2, repeats: opts.repeats, copyBytes: gpu.adapter.isFallback ? 32 << 20 : 256 << 20 });
  const counted = rows.map((r) => {
    const config = caseConfig(r);
    const plan = planFor(gpu, config);
    const shape = { K: r.patterns, A: config.answers, M: plan.metrics, F: plan.fusedSteps, W: plan.taskRows ? plan.rowLanes : WORKGROUP, L: r.logEvery ?? 1 };
    const tree = configTree(config);
    const counts = tree
      ? treeCounts({ T: tree, A: config.answers, G: r.group, M: plan.metrics, W: shape.W, L: shape.L, expected: r.estimator === 'expected' })
      : r.estimator === 'expected'
        ? expectedCounts({ ...shape, passK: config.passK.length })
        : stepCounts({ ...shape, G: r.group });
    const floor = floorOf(counts, peaks);
    return {
      tasks: r.tasks,
      patterns: r.patterns,
      policy: r.policy,
      group: r.group,
      estimator: r.estimator,
      ...counts,
      floorRolloutsPerSec: floor.rolloutsPerSec,
      bound: floor.bound,
      fraction: r.rolloutsPerSec / floor.rolloutsPerSec,
    };
  });
  return { peaks, rows: counted };
}
