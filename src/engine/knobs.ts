// The numbers that do not shape the kernels, kept out of the generated header so that runs
// differing only in them share one compiled module. Two kinds, each listed once (the WGSL structs
// and their writers are generated from the lists):
// - Knobs (below), a uniform of the run: its sizes and the buffer offsets that depend on them;
// - Cohort (cohort-record.ts), one record per cohort in the tables buffer.
// K-vectors (the initial logits, the SFT target) are per-cohort regions of tables (plan.tables).
import { cohortStruct, wgslStruct, type Field } from './cohort-record';
import type { Plan } from './plan';
type Scalar = Field<(plan: Plan) => number>;

const SCALARS: Scalar[] = [
  ['nTasks', 'u32', (p) => p.threads],
  ['numWg', 'u32', (p) => p.numWorkgroups],
  ['cohorts', 'u32', (p) => p.cohorts.length],
  // Regions placed after N-sized ones (those before them are header constants).
  ['thetaVOff', 'u32', (p) => p.opt.thetaV],
  ['phiMOff', 'u32', (p) => p.opt.phiM],
  ['phiVOff', 'u32', (p) => p.opt.phiV],
  ['gradSumOff', 'u32', (p) => p.scratch.gradSum],
  ['batchPOff', 'u32', (p) => p.scratch.batchPartials],
  ['metricsOff', 'u32', (p) => p.scratch.metrics],
  ['histOff', 'u32', (p) => p.scratch.hist],
  ['startAccOff', 'u32', (p) => p.scratch.startAccuracy],
  ['roseOff', 'u32', (p) => p.scratch.rose],
  ['rivalOff', 'u32', (p) => p.scratch.rival],
  ['cohortOff', 'u32', (p) => p.cohortRecords],
  ['taskCohortOff', 'u32', (p) => p.taskCohorts],
  ['eventsOff', 'u32', (p) => p.recordLen],
  // A token tree's pattern rows (theta) and its gradient, backward-pass values and per-position sums (scratch).
  ['patternOff', 'u32', (p) => p.patternRows.off],
  ['treeGradOff', 'u32', (p) => p.scratch.treeGrad],
  ['treeValueOff', 'u32', (p) => p.scratch.treeValue],
  ['positionsOff', 'u32', (p) => p.scratch.positions],
];

export const KNOBS_BYTES = Math.ceil((SCALARS.length * 4) / 16) * 16; // a uniform's size is a multiple of 16

/** struct Knobs, and the cohort record's struct and reader (cohort-record.ts) that it locates. */
export function knobsStruct(): string {
  return [wgslStruct('Knobs', SCALARS), cohortStruct()].join('\n');
}

export function knobsData(plan: Plan): ArrayBuffer {
  const data = new ArrayBuffer(KNOBS_BYTES);
  const u = new Uint32Array(data);
  SCALARS.forEach(([, , value], j) => (u[j] = value(plan) >>> 0));
  return data;
}
