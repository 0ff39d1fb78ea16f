// The numbers that do not shape the kernels, kept out of the generated header so that runs
// differing only in them share one compiled module. Two kinds, each listed once below (the WGSL
// structs and their writers are generated from these lists):
// - Knobs, a uniform of the run: its sizes and the buffer offsets that depend on them;
// - Cohort, one record per cohort in the tables buffer: the cohort's place among the run's
//   threads, its seed, learning rates, verifier noise, regulariser weights and SFT. A plain run is
//   a run of one cohort. Records are read as f32 words (u32 fields bitcast), so that the per-cohort
//   numbers take no storage binding of their own (bindings.ts: eight at most).
// K-vectors (the initial logits, the SFT target) are per-cohort regions of tables (plan.tables).
import type { Config } from '../model/config';
import type { Plan } from './plan';

type Field<T> = [name: string, type: 'u32' | 'f32', value: T];
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
  ['cohortOff', 'u32', (p) => p.cohortRecords],
  ['taskCohortOff', 'u32', (p) => p.taskCohorts],
  ['eventsOff', 'u32', (p) => p.recordLen],
];

/** A cohort's record: `start` and `tasks` place it among the run's threads (plan.cohorts). */
type CohortField = Field<(c: Config, start: number, index: number) => number>;

const COHORT_FIELDS: CohortField[] = [
  ['index', 'u32', (_, __, index) => index],
  ['start', 'u32', (_, start) => start],
  ['tasks', 'u32', (c) => c.tasks],
  ['seed', 'u32', (c) => c.seed],
  ['sftSteps', 'u32', (c) => c.sft?.steps ?? 0],
  ['lr', 'f32', (c) => c.lr],
  ['tpr', 'f32', (c) => c.tpr],
  ['fpr', 'f32', (c) => c.fpr],
  ['klCoef', 'f32', (c) => c.klCoef],
  ['entCoef', 'f32', (c) => c.entropyCoef],
  ['sftLr', 'f32', (c) => c.sft?.lr ?? 0],
];

/** Floats of one cohort's record in tables. */
export const COHORT_WORDS = COHORT_FIELDS.length;

export const KNOBS_BYTES = Math.ceil((SCALARS.length * 4) / 16) * 16; // a uniform's size is a multiple of 16

export function knobsStruct(): string {
  const struct = (name: string, fields: Field<unknown>[]) => `struct ${name} {\n${fields.map(([n, type]) => `  ${n}: ${type},\n`).join('')}}`;
  const read = COHORT_FIELDS.map(([, type], j) => (type === 'u32' ? `bitcast<u32>(tables[o + ${j}u])` : `tables[o + ${j}u]`));
  return [
    struct('Knobs', SCALARS),
    struct('Cohort', COHORT_FIELDS),
    `fn cohortRecord(c: u32) -> Cohort {\n  let o = knobs.cohortOff + c * ${COHORT_WORDS}u;\n  return Cohort(${read.join(', ')});\n}`,
  ].join('\n');
}

export function knobsData(plan: Plan): ArrayBuffer {
  const data = new ArrayBuffer(KNOBS_BYTES);
  const u = new Uint32Array(data);
  SCALARS.forEach(([, , value], j) => (u[j] = value(plan) >>> 0));
  return data;
}

/** Writes cohort `index`'s record, starting at thread `start`, into `words` (tables' bits) at `at`. */
export function writeCohortRecord(words: Uint32Array, at: number, c: Config, start: number, index: number): void {
  const f = new Float32Array(words.buffer, words.byteOffset, words.length);
  COHORT_FIELDS.forEach(([, type, value], j) => (type === 'u32' ? (words[at + j] = value(c, start, index) >>> 0) : (f[at + j] = value(c, start, index))));
}
