// A sweep's checkpoint (Node): what a shard has done, kept beside its output so that rerunning the
// same command goes on from there, and the finished files are those of an uninterrupted sweep.
// Two files: the checkpoint itself (sealed: a torn or altered one is refused, never read), holding
// the pack in flight as a run's checkpoint (src/engine/checkpoint.ts) and its cohorts' summary
// trackers; and an append-only journal of the logged metric rows and of each ended cohort's
// state, of which the checkpoint names the valid length. So each save writes the rows since the
// last and the pack's snapshot, never the whole sweep again.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { parseCheckpoint, sealText, serializeCheckpoint, unsealText, type Checkpoint } from '../engine/checkpoint';
import type { Snapshot } from '../engine/engine';
import { ConfigError } from '../model/config';
import type { CheckpointEvery } from '../model/run-control';
import type { PackCheckpoints } from './executor';
import { temporaryPath } from './files';
import type { Grid } from './grid';
import { canonical } from './manifest';
import type { CohortState, CohortWriter, RestoredCohorts } from './record';
import type { Shard } from './shards';
import { loadValue, saveValue } from './summary';
import type { Cell } from './table';

const KIND = 'patternflow-sweep-checkpoint/1';

/** What a checkpoint must match to be resumed: the sweep, the shard, the table format and the version. */
export interface SweepIdentity {
  patternflow: string;
  specHash: string;
  shard: Shard | null;
  format: string;
}

interface Body extends SweepIdentity {
  /** Bytes of the journal that belong to this checkpoint; what follows was written after it. */
  journalBytes: number;
  adapter: Record<string, unknown> | null;
  /** The pack in flight: its cohorts (grid indices, in its order), their states, and the run checkpoint of its engine. */
  pack: { cohorts: number[]; states: CohortState[]; checkpoint: string } | null;
}


/** What a checkpoint gives back to go on with. */
export interface Resumed {
  restored: RestoredCohorts;
  pack?: { cohorts: readonly number[]; snapshot: Snapshot };
  /** Steps its pack in flight had done. */
  step: number;
  journalBytes: number;
}

const syncWrite = (path: string, text: string) => {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

export class SweepCheckpoint implements PackCheckpoints {
  readonly journalPath: string;
  readonly everySteps?: number;
  readonly everyMs?: number;
  resume?: PackCheckpoints['resume'];
  private journal?: number;
  private writer?: CohortWriter;
  /** The pack in flight as last saved; the file is left as it is while one is. */
  private pack?: Body['pack'];
  private lastSave = performance.now();
  private stepsSinceSave = 0;

  constructor(
    readonly path: string,
    private readonly id: SweepIdentity,
    every: CheckpointEvery,
    private readonly steps: number,
  ) {
    this.journalPath = `${path}.rows`;
    this.everySteps = every.steps;
    this.everyMs = every.ms;
  }

  /** Refuses, naming the file, a checkpoint that is not one whole, or of another sweep, shard, format or version. */
  private refuse(reason: string): never {
    throw new ConfigError(this.path, `${reason}; nothing was changed (delete it and ${this.journalPath} to start this sweep again)`);
  }

  /** The checkpoint's state, or undefined where there is none; changes nothing (a refusal is a ConfigError naming the file). */
  async load(grid: Grid): Promise<Resumed | undefined> {
    if (!existsSync(this.path)) return undefined;
    const body = await this.read();
    const size = existsSync(this.journalPath) ? statSync(this.journalPath).size : 0;
    if (size < body.journalBytes) this.refuse(`names ${body.journalBytes} bytes of its journal ${this.journalPath}, which holds ${size}`);
    const resumed = this.restore(grid, body);
    this.pack = body.pack;
    return resumed;
  }

  /** Opens the journal, cut back to the loaded checkpoint's length, and gives `writer` what the checkpoint held. */
  async begin(writer: CohortWriter, resumed?: Resumed): Promise<void> {
    const fd = openSync(this.journalPath, 'a');
    // What follows the checkpoint's length was written after it: dropped, and written again.
    ftruncateSync(fd, resumed?.journalBytes ?? 0);
    this.journal = fd;
    this.writer = writer;
    writer.journal = {
      rows: (rows) => this.append(rows.map((r) => JSON.stringify(saveValue(r)))),
      ended: (cohort, state) => this.append([JSON.stringify({ ended: cohort, state })]),
    };
    if (resumed) {
      await writer.restore(resumed.restored);
      this.resume = resumed.pack;
    }
  }

  private async read(): Promise<Body> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      this.refuse(`cannot be read: ${(e as Error).message}`);
    }
    let body: Body;
    try {
      body = JSON.parse(await unsealText(KIND, text)) as Body;
    } catch (e) {
      this.refuse(`is not a whole sweep checkpoint: ${(e as Error).message}`);
    }
    const { id } = this;
    if (body.patternflow !== id.patternflow) this.refuse(`was written by patternflow ${body.patternflow}, this is ${id.patternflow}`);
    if (body.specHash !== id.specHash) this.refuse('belongs to a sweep of another spec');
    if (JSON.stringify(body.shard) !== JSON.stringify(id.shard)) this.refuse(`belongs to ${body.shard ? `shard ${body.shard.index}/${body.shard.count}` : 'the unsharded sweep'}`);
    if (body.format !== id.format) this.refuse(`belongs to a sweep written as ${body.format}, not ${id.format}`);
    return body;
  }

  private restore(grid: Grid, body: Body): Resumed {
    const journal = body.journalBytes ? readFileSync(this.journalPath).subarray(0, body.journalBytes).toString('utf8') : '';
    const rows = new Map<number, Cell[][]>();
    const ended = new Map<number, CohortState>();
    try {
      for (const line of journal.split('\n')) {
        if (line === '') continue;
        const entry: unknown = JSON.parse(line);
        if (Array.isArray(entry)) {
          const row = loadValue(entry) as Cell[];
          const cohort = row[0] as number;
          if (!rows.has(cohort)) rows.set(cohort, []);
          rows.get(cohort)!.push(row);
        } else {
          const e = entry as { ended: number; state: CohortState };
          ended.set(e.ended, e.state);
        }
      }
    } catch (e) {
      this.refuse(`has a journal ${this.journalPath} that cannot be read back: ${(e as Error).message}`);
    }
    const inFlight = new Map<number, CohortState>();
    let pack: Resumed['pack'];
    let step = 0;
    if (body.pack) {
      let c: ReturnType<typeof parseCheckpoint>;
      try {
        c = parseCheckpoint(body.pack.checkpoint);
      } catch (e) {
        this.refuse((e as Error).message);
      }
      const configs = c.cohorts ?? [c.config];
      if (configs.length !== body.pack.cohorts.length || body.pack.cohorts.some((i, j) => i >= grid.count || canonical(grid.cohort(i).config) !== canonical(configs[j])))
        this.refuse("holds a pack whose configs are not this sweep's cohorts'");
      body.pack.cohorts.forEach((i, j) => inFlight.set(i, body.pack!.states[j]));
      pack = { cohorts: body.pack.cohorts, snapshot: c.snapshot };
      step = c.snapshot.step;
    }
    return { restored: { ended, inFlight, rows, adapter: body.adapter ?? undefined }, pack, step, journalBytes: body.journalBytes };
  }

  private append(lines: string[]) {
    if (this.journal === undefined) throw new Error('sweep checkpoint: the journal is not open');
    writeSync(this.journal, lines.map((l) => `${l}\n`).join(''));
  }

  /** Writes the checkpoint: the journal up to now, and the pack in flight as last saved. */
  private async write(): Promise<void> {
    if (this.journal === undefined || !this.writer) return;
    fsyncSync(this.journal);
    const body: Body = { ...this.id, journalBytes: fstatSync(this.journal).size, adapter: this.writer.adapter ?? null, pack: this.pack ?? null };
    const tmp = temporaryPath(this.path);
    try {
      syncWrite(tmp, await sealText(KIND, JSON.stringify(body)));
      renameSync(tmp, this.path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    this.lastSave = performance.now();
    this.stepsSinceSave = 0;
  }

  /** PackCheckpoints: the pack in flight at its snapshot (every row up to it observed). */
  async saved(cohorts: readonly number[], c: Checkpoint): Promise<void> {
    if (!this.writer) return;
    // The last step's snapshot is of no use: the pack's cohorts end next.
    if (c.snapshot.step === this.steps) return;
    const states = this.writer.inFlightState(cohorts).map(([, s]) => s);
    this.pack = { cohorts: [...cohorts], states, checkpoint: serializeCheckpoint(c, this.writer.adapter ?? {}) };
    await this.write();
  }

  /** PackCheckpoints: a pack ended; saved when a checkpoint is due. */
  async packEnded(): Promise<void> {
    this.pack = undefined;
    this.stepsSinceSave += this.steps;
    if (this.stepsSinceSave >= (this.everySteps ?? Infinity) || performance.now() - this.lastSave >= (this.everyMs ?? Infinity)) await this.write();
  }

  /** Where the sweep stops (a signal, an error): the ended cohorts saved, unless a pack in flight was (the Runner saves it as it stops). */
  async stopped(): Promise<void> {
    if (!this.pack) await this.write();
    this.close();
  }

  close(): void {
    if (this.journal !== undefined) closeSync(this.journal);
    this.journal = undefined;
  }

  /** The sweep is written: its checkpoint is of no more use. */
  remove(): void {
    this.close();
    rmSync(this.path, { force: true });
    rmSync(this.journalPath, { force: true });
  }
}
