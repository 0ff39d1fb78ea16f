// Owns the simulator of the current run: start, pause, resume, step, reset. Metric rows go into the
// run's MetricsLog as they arrive and nothing else happens inside onBatch (charts poll the log on
// requestAnimationFrame), so rendering never holds up the simulation.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { loggedSegments, LogSchedule, type LogRule } from '../model/cadence';
import type { Config } from '../model/config';
import { MetricsLog, metricLayout } from '../model/metrics';
import type { Histograms, Simulation } from '../model/simulation-interface';
import type { Backend } from '../simulation/backend';
import type { Run } from '../ui/run';
import { openSimulation } from '../simulation/open';

export type Phase = 'idle' | 'compiling' | 'running' | 'pausing' | 'paused' | 'done' | 'error';

/** A run this controller simulates. */
export interface LiveRun extends Run {
  /** The steps whose rows go into `log` (the others compute only the event metrics). */
  schedule: LogSchedule;
  /** Steps simulated so far. */
  done: number;
}

/** Histograms are read between batches at most this often (they cost a GPU pass and a readback). */
const HIST_INTERVAL_MS = 500;
/** steps/s is measured over this window. */
const RATE_WINDOW_MS = 2000;

export class SimulationController implements ReactiveController {
  phase: Phase = 'idle';
  error = '';
  run?: LiveRun;
  hist?: Histograms & { step: number };
  stepsPerSecond = 0;
  private sim?: Simulation;
  private loop: Promise<void> = Promise.resolve();
  private samples: { t: number; step: number }[] = [];
  private lastHist = 0;
  private histTask?: Promise<void>;
  /** A histogram read was asked for while one was in flight (refreshHistograms). */
  private histStale = false;
  private updateQueued = false;
  private nextId = 1;

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly backend: Backend,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.sim?.stop();
  }

  /** Steps simulated so far. */
  get step(): number {
    return this.run?.done ?? 0;
  }

  get etaSeconds(): number {
    if (!this.run || this.stepsPerSecond <= 0) return NaN;
    return (this.run.config.steps - this.step) / this.stepsPerSecond;
  }

  get canResume(): boolean {
    return this.phase === 'paused' && this.step < (this.run?.config.steps ?? 0);
  }

  /**
   * Starts a new run of `config`. `this.run` is the new run as soon as this returns (the previous
   * one keeps its log for whoever holds it); the promise settles once its kernels are compiled.
   */
  start(config: Config, name: string, log: LogRule): Promise<void> {
    const run: LiveRun = { id: this.nextId++, name, config, schedule: new LogSchedule(config.steps, log), log: new MetricsLog(metricLayout(config).names), done: 0 };
    this.run = run;
    this.hist = undefined;
    this.stepsPerSecond = 0;
    return this.halt().then(() => this.open(run, true));
  }

  pause(): void {
    if (this.phase !== 'running') return;
    this.sim?.stop();
    this.setPhase('pausing');
  }

  resume(): void {
    if (this.canResume && this.sim && this.run) this.drive(this.sim, this.run, this.run.config.steps - this.step);
  }

  /** One RL step (when paused). */
  stepOnce(): void {
    if (this.canResume && this.sim && this.run) this.drive(this.sim, this.run, 1);
  }

  /** Back to step 0 of the same config, paused. */
  async reset(): Promise<void> {
    const run = this.run;
    if (!run) return;
    await this.halt();
    run.log = new MetricsLog(run.log.names.slice(1));
    run.done = 0;
    this.hist = undefined;
    this.stepsPerSecond = 0;
    await this.open(run, false);
  }

  /** Stops and forgets the current run (when it is deleted). */
  async discard(): Promise<void> {
    await this.halt();
    this.run = undefined;
    this.hist = undefined;
    this.setPhase('idle');
  }

  private async open(run: LiveRun, autoRun: boolean) {
    this.error = '';
    this.setPhase('compiling');
    let sim: Simulation;
    try {
      sim = await openSimulation(run.config, this.backend, {
        engine: { logged: (t) => run.schedule.has(t) },
        onRecover: ({ step, reason }) => console.warn(`patternflow: the GPU device was lost (${reason}); resumed from the checkpoint at step ${step}`),
      });
    } catch (e) {
      if (this.run === run) this.fail(e);
      return;
    }
    // A newer start() or discard() may have replaced this run while its kernels compiled.
    if (this.run !== run || this.sim) {
      sim.close();
      return;
    }
    this.sim = sim;
    run.report = sim.report;
    run.adapter = sim.adapter;
    if (autoRun) this.drive(sim, run, run.config.steps);
    else {
      this.setPhase('paused');
      void this.refreshHistograms(sim, run);
    }
  }

  private drive(sim: Simulation, run: LiveRun, steps: number) {
    this.setPhase('running');
    this.samples = [{ t: performance.now(), step: sim.step }];
    this.loop = sim
      .run(steps, (first, values, rows) => {
        for (const s of loggedSegments(run.schedule, first, values, rows, run.log.names.length - 1)) run.log.append(s.first, s.values, s.rows);
        run.done = first + rows - 1;
        const t = performance.now();
        this.measureRate(t, first + rows - 1);
        if (t - this.lastHist >= HIST_INTERVAL_MS) void this.refreshHistograms(sim, run);
        this.queueUpdate();
      })
      .then(
        () => {
          if (this.sim !== sim) return;
          this.setPhase(sim.step >= run.config.steps ? 'done' : 'paused');
          return this.refreshHistograms(sim, run);
        },
        (e: unknown) => {
          if (this.sim === sim) this.fail(e);
        },
      );
  }

  private async halt() {
    this.sim?.stop();
    await this.loop;
    await this.histTask;
    this.sim?.close();
    this.sim = undefined;
  }

  private measureRate(t: number, step: number) {
    this.samples.push({ t, step });
    while (this.samples.length > 2 && t - this.samples[1].t > RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    if (t > first.t) this.stepsPerSecond = ((step - first.step) * 1000) / (t - first.t);
  }

  private refreshHistograms(sim: Simulation, run: Run): Promise<void> {
    this.lastHist = performance.now();
    // One at a time; a request while one is in flight runs again after it (its step is older: the
    // run's last request must be served, even when the first read compiles its kernels past the run's end).
    if (this.histTask) {
      this.histStale = true;
      return this.histTask;
    }
    // The kernel sees the policy after every batch submitted so far, i.e. at sim.step.
    const step = sim.step;
    this.histTask = sim
      .histograms()
      .then(
        (h) => {
          if (this.sim === sim && this.run === run) this.hist = { ...h, step };
        },
        (e: unknown) => {
          if (this.sim === sim) this.fail(e);
        },
      )
      .finally(() => {
        this.histTask = undefined;
        this.queueUpdate();
        if (!this.histStale) return;
        this.histStale = false;
        return this.refreshHistograms(sim, run);
      });
    return this.histTask;
  }

  private fail(e: unknown) {
    this.error = e instanceof Error ? e.message : String(e);
    this.setPhase('error');
  }

  private setPhase(phase: Phase) {
    this.phase = phase;
    this.host.requestUpdate();
  }

  /** Re-renders the host at most once per frame however many batches arrive. */
  private queueUpdate() {
    if (this.updateQueued) return;
    this.updateQueued = true;
    requestAnimationFrame(() => {
      this.updateQueued = false;
      this.host.requestUpdate();
    });
  }
}
