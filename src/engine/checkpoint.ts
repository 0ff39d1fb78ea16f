// A checkpoint is a config (a packed run's: each cohort's) plus a full engine snapshot (the RNG is
// counter-based, so the step number is its whole state). Serialised as JSON with base64 float32
// arrays: portable between the command line and the browser, and resumable bit-exactly on the
// same adapter. A file that holds one may be sealed (sealText): a torn or altered file is then
// refused instead of read.
import { EVERY_STEP, logRuleFrom, type LogRule } from '../model/cadence';
import { parseConfig, type Config } from '../model/config';
import type { Snapshot } from './engine';

const FORMAT = 'patternflow-checkpoint';
const VERSION = 1;

export interface Checkpoint {
  /** The run's config; a packed run's first cohort's. */
  config: Config;
  /** A packed run's cohorts (config is the first), in the engine's order; absent for a run of one. */
  cohorts?: readonly Config[];
  snapshot: Snapshot;
  /** Which steps the interrupted run wrote rows for (a resumed run writes the same); every step when absent. */
  log?: LogRule;
}

function toBase64(a: Float32Array | Uint32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function bytesFromBase64(s: string, field: string): ArrayBuffer {
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new Error(`checkpoint field ${field} is not base64`);
  }
  if (bin.length % 4 !== 0) throw new Error(`checkpoint field ${field} is not an array of 32-bit values`);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

export function serializeCheckpoint(c: Checkpoint, adapter: unknown): string {
  const s = c.snapshot;
  return JSON.stringify({
    format: FORMAT,
    version: VERSION,
    config: c.config,
    ...(c.cohorts ? { cohorts: c.cohorts } : {}),
    log: c.log ?? EVERY_STEP,
    adapter,
    step: s.step,
    theta: toBase64(s.theta),
    opt: toBase64(s.opt),
    phi: toBase64(s.phi),
    refLogits: toBase64(s.refLogits),
    ...(s.events ? { events: toBase64(s.events) } : {}),
    rose: toBase64(s.rose),
  });
}

/** A checkpoint's log rule; one written before rules existed logged every step. */
function parseLogRule(x: unknown): LogRule {
  if (x === undefined) return EVERY_STEP;
  const r = (typeof x === 'object' && x !== null ? x : {}) as { every?: unknown; log?: unknown };
  if (r.log === true) return logRuleFrom({ logSteps: 'log' });
  if (typeof r.every === 'number') return logRuleFrom({ logEvery: r.every });
  throw new Error('checkpoint field log must be { "every": n >= 1 } or { "log": true }');
}

export function parseCheckpoint(text: string): Checkpoint & { adapter: unknown } {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`not a patternflow checkpoint: ${(e as Error).message}`);
  }
  if (j.format !== FORMAT || j.version !== VERSION) throw new Error(`not a patternflow checkpoint (format ${FORMAT} version ${VERSION})`);
  const config = parseConfig(j.config);
  const log = parseLogRule(j.log);
  if (!Number.isInteger(j.step) || (j.step as number) < 0 || (j.step as number) > config.steps) throw new Error(`checkpoint step must be an integer in 0..${config.steps}`);
  if (j.cohorts !== undefined && !Array.isArray(j.cohorts)) throw new Error('checkpoint field cohorts must be an array of configs');
  const cohorts = Array.isArray(j.cohorts) ? (j.cohorts as unknown[]).map((c) => parseConfig(c)) : undefined;
  const arr = (field: string) => new Float32Array(bytesFromBase64(String(j[field] ?? ''), field));
  const snapshot: Snapshot = { step: j.step as number, theta: arr('theta'), opt: arr('opt'), phi: arr('phi'), refLogits: arr('refLogits'), rose: arr('rose') };
  if (j.events !== undefined) snapshot.events = new Uint32Array(bytesFromBase64(String(j.events), 'events'));
  return { config, ...(cohorts ? { cohorts } : {}), log, adapter: j.adapter, snapshot };
}

/** The first line of a sealed file: what it is, and the SHA-256 and length of the text after it. */
const SEAL = /^(\S+) sha256=([0-9a-f]{64}) bytes=(\d+)\n/;

const sha256 = async (text: string) =>
  Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))), (b) => b.toString(16).padStart(2, '0')).join('');

/** `body` behind a line naming `kind` with its hash and length, so that a torn or altered copy is told from a whole one. */
export async function sealText(kind: string, body: string): Promise<string> {
  return `${kind} sha256=${await sha256(body)} bytes=${new TextEncoder().encode(body).length}\n${body}`;
}

/** The body of a sealed text of `kind`, or an error saying why it is not one whole. */
export async function unsealText(kind: string, text: string): Promise<string> {
  const m = SEAL.exec(text);
  if (!m || m[1] !== kind) throw new Error(`not a ${kind} file`);
  const body = text.slice(m[0].length);
  if (new TextEncoder().encode(body).length !== Number(m[3])) throw new Error(`torn: it holds ${new TextEncoder().encode(body).length} of its ${m[3]} bytes`);
  if ((await sha256(body)) !== m[2]) throw new Error('corrupt: its checksum does not match its contents');
  return body;
}
