// A cohort's record: the numbers of one cohort of a run that do not shape the kernels (its place
// among the run's threads, its seed, learning rates, verifier noise, regulariser weights and SFT),
// one record per cohort in the tables buffer; a plain run is a run of one cohort. Records are read
// as f32 words (u32 fields bitcast), so that the per-cohort numbers take no storage binding of
// their own (bindings.ts: eight at most). Listed once below: the WGSL struct, its reader and the
// host's writer are generated from the list.
import type { Config } from '../model/config';

/** A field of a generated WGSL struct: its name, type and how the host computes its value. */
export type Field<T> = [name: string, type: 'u32' | 'f32', value: T];

export const wgslStruct = (name: string, fields: Field<unknown>[]) => `struct ${name} {\n${fields.map(([n, type]) => `  ${n}: ${type},\n`).join('')}}`;

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

/** struct Cohort and cohortRecord(c), which reads cohort c's record from tables at knobs.cohortOff. */
export function cohortStruct(): string {
  const read = COHORT_FIELDS.map(([, type], j) => (type === 'u32' ? `bitcast<u32>(tables[o + ${j}u])` : `tables[o + ${j}u]`));
  return [
    wgslStruct('Cohort', COHORT_FIELDS),
    `fn cohortRecord(c: u32) -> Cohort {\n  let o = knobs.cohortOff + c * ${COHORT_WORDS}u;\n  return Cohort(${read.join(', ')});\n}`,
  ].join('\n');
}

/** Writes cohort `index`'s record, starting at thread `start`, into `words` (tables' bits) at `at`. */
export function writeCohortRecord(words: Uint32Array, at: number, c: Config, start: number, index: number): void {
  const f = new Float32Array(words.buffer, words.byteOffset, words.length);
  COHORT_FIELDS.forEach(([, type, value], j) => (type === 'u32' ? (words[at + j] = value(c, start, index) >>> 0) : (f[at + j] = value(c, start, index))));
}
