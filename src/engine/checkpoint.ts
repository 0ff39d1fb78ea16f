// A checkpoint is a config plus a full engine snapshot (the RNG is counter-based, so the step
// number is its whole state). Serialised as JSON with base64 float32 arrays: portable between
// the command line and the browser, and resumable bit-exactly on the same adapter.
import { EVERY_STEP, logRuleFrom, type LogRule } from '../model/cadence';
import { parseConfig, type Config } from '../model/config';
import type { Snapshot } from './engine';

const FORMAT = 'patternflow-checkpoint';
const VERSION = 1;

export interface Checkpoint {
  config: Config;
  snapshot: Snapshot;
  /** Which steps the interrupted run wrote rows for (a resumed run writes the same); every step when absent. */
  log?: LogRule;
}

function toBase64(a: Float32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(s: string, field: string): Float32Array {
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new Error(`checkpoint field ${field} is not base64`);
  }
  if (bin.length % 4 !== 0) throw new Error(`checkpoint field ${field} is not a float32 array`);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

export function serializeCheckpoint(c: Checkpoint, adapter: unknown): string {
  const s = c.snapshot;
  return JSON.stringify({
    format: FORMAT,
    version: VERSION,
    config: c.config,
    log: c.log ?? EVERY_STEP,
    adapter,
    step: s.step,
    theta: toBase64(s.theta),
    opt: toBase64(s.opt),
    phi: toBase64(s.phi),
    refLogits: toBase64(s.refLogits),
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
  const arr = (field: string) => fromBase64(String(j[field] ?? ''), field);
  return {
    config,
    log,
    adapter: j.adapter,
    snapshot: { step: j.step as number, theta: arr('theta'), opt: arr('opt'), phi: arr('phi'), refLogits: arr('refLogits'), rose: arr('rose') },
  };
}
