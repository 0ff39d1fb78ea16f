// Owns the sweep running on the page: start, pause, resume, stop. Cohorts run through the same
// executor and CohortWriter as on the command line; their rows land in a SweepResults and
// nothing else happens in the simulation's callbacks (views redraw on animation frames). Every
// start bumps a generation: rows and outcomes of an older run are dropped, never shown.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Backend } from '../simulation/backend';
import { SequentialExecutor, StoppedError, type Executor } from '../sweep/executor';
import type { Grid } from '../sweep/grid';
import { etaSeconds, type SweepProgress } from '../sweep/progress';
import { CohortWriter, executeCohorts, type RestoredCohorts, type RowSink } from '../sweep/record';
import type { Cell } from '../sweep/table';
import { SweepResults } from './results';
import { forgetSweep, sweepJournal } from './saved-sweep';

export type SweepPhase = 'idle' | 'checking' | 'running' | 'pausing' | 'paused' | 'stopped' | 'done' | 'error';

/** steps/s is measured over this window. */
const RATE_WINDOW_MS = 3000;

/** Where the tab notes the sweep it is running (its address and how far it got), so that a reload can say what it lost. */
const RUNNING_KEY = 'patternflow-sweep-running';

/** A sweep this tab was running when the page was reloaded or closed. */
export interface InterruptedSweep {
  /** The page's address hash then (the spec). */
  hash: string;
  cohortsDone: number;
  cohorts: number;
}

export class SweepController implements ReactiveController {
  phase: SweepPhase = 'idle';
  error = '';
  results?: SweepResults;
  progress?: SweepProgress;
  stepsPerSecond = 0;
  private generation = 0;
  private grid?: Grid;
  private writer?: CohortWriter;
  private executor?: Executor;
  private loop: Promise<void> = Promise.resolve();
  private samples: { t: number; steps: number }[] = [];
  /** What a stopped executor's StoppedError means: a pause or a stop. */
  private halting: 'pause' | 'stop' = 'stop';
  /**
   * The sweep that was running in this tab when it was reloaded, if one was. Its ended cohorts are
   * kept in IndexedDB (saved-sweep.ts), so it can go on from them; the cohort in flight starts again.
   */
  readonly interrupted?: InterruptedSweep;
  /** The address hash (the spec) of the sweep running: the key its ended cohorts are kept under. */
  private hash = '';

  constructor(
    host: ReactiveControllerHost,
    readonly backend: Backend,
    /** Called (at most once per frame) when rows or the phase changed. */
    private readonly changed: () => void,
  ) {
    host.addController(this);
    try {
      const noted = sessionStorage.getItem(RUNNING_KEY);
      if (noted) this.interrupted = JSON.parse(noted) as InterruptedSweep;
    } catch {
      // No session storage (a sandboxed frame): nothing to say.
    }
  }

  /** Notes the sweep in flight for a reload to find, or forgets it once it has ended. */
  private notedDone = -1;

  private note() {
    const p = this.progress;
    this.notedDone = p?.cohortsDone ?? -1;
    const running = ['checking', 'running', 'pausing', 'paused'].includes(this.phase);
    try {
      if (running && p) sessionStorage.setItem(RUNNING_KEY, JSON.stringify({ hash: this.hash, cohortsDone: p.cohortsDone, cohorts: p.cohorts } satisfies InterruptedSweep));
      else sessionStorage.removeItem(RUNNING_KEY);
    } catch {
      // As above.
    }
  }

  hostDisconnected(): void {
    this.generation++;
    this.executor?.stop();
  }

  get etaSeconds(): number {
    return this.progress && this.stepsPerSecond > 0 ? etaSeconds(this.progress, this.stepsPerSecond) : NaN;
  }

  /**
   * Runs every cohort of `grid`; `results` is the new, empty table as soon as this returns. With
   * `restored` (the ended cohorts kept for this address, saved-sweep.ts) it goes on from them.
   */
  start(grid: Grid, restored?: RestoredCohorts): void {
    const generation = ++this.generation;
    const hash = (this.hash = location.hash);
    if (!restored) void forgetSweep(hash);
    this.executor?.stop();
    const results = SweepResults.live(grid);
    const current = () => generation === this.generation;
    const sink = (add: (rows: readonly Cell[][]) => void): RowSink => ({
      async write(rows) {
        if (current()) add(rows);
      },
    });
    const order = Array.from({ length: grid.count }, (_, i) => i);
    this.grid = grid;
    this.results = results;
    this.writer = new CohortWriter(
      grid,
      order,
      sink((rows) => results.addSummary(rows)),
      sink((rows) => results.addMetrics(rows)),
      (p) => {
        if (!current()) return;
        this.progress = p;
        if (p.cohortsDone !== this.notedDone) this.note();
        this.measureRate(p.stepsDone);
        this.changed();
      },
    );
    const writer = this.writer;
    writer.journal = sweepJournal(hash, () => writer.adapter);
    this.progress = this.writer.progress;
    this.stepsPerSecond = 0;
    this.error = '';
    // The previous run must have let go of the device before this one takes it.
    const previous = this.loop;
    this.loop = previous.then(async () => {
      if (restored && current()) await writer.restore(restored);
      if (current()) await this.drive(generation, true);
    });
  }

  pause(): void {
    if (this.phase !== 'running') return;
    this.halting = 'pause';
    this.executor?.stop();
    this.setPhase('pausing');
  }

  /** Goes on from the first unfinished cohort (one stopped halfway starts again: same seed, same rows). */
  resume(): void {
    if (this.phase !== 'paused') return;
    const generation = this.generation;
    this.loop = this.loop.then(() => (generation === this.generation ? this.drive(generation, false) : undefined));
  }

  stop(): void {
    if (this.phase === 'paused') return this.setPhase('stopped');
    if (this.phase !== 'running' && this.phase !== 'checking') return;
    this.halting = 'stop';
    this.executor?.stop();
  }

  private async drive(generation: number, check: boolean): Promise<void> {
    const grid = this.grid!;
    const writer = this.writer!;
    const executor = (this.executor = new SequentialExecutor(this.backend));
    const current = () => generation === this.generation;
    this.samples = [];
    try {
      if (check) {
        this.setPhase('checking');
        await executor.check(grid, writer.unfinished);
        if (!current()) return;
      }
      this.setPhase('running');
      await executeCohorts(grid, writer.unfinished, executor, writer);
      if (current()) this.setPhase('done');
    } catch (e) {
      if (!current()) return;
      if (e instanceof StoppedError) this.setPhase(this.halting === 'pause' ? 'paused' : 'stopped');
      else {
        this.error = e instanceof Error ? e.message : String(e);
        this.setPhase('error');
      }
    }
  }

  private measureRate(steps: number) {
    const t = performance.now();
    this.samples.push({ t, steps });
    while (this.samples.length > 2 && t - this.samples[1].t > RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    if (t > first.t) this.stepsPerSecond = ((steps - first.steps) * 1000) / (t - first.t);
  }

  private setPhase(phase: SweepPhase) {
    this.phase = phase;
    this.note();
    // A sweep that is done or was stopped is not one to go on with.
    if (phase === 'done' || phase === 'stopped') void forgetSweep(this.hash);
    this.changed();
  }
}
