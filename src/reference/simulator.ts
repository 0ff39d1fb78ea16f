// The float64 reference as a Simulation (`--backend reference`, and the dashboard's fallback
// without WebGPU): its pure step driven in batches, with the GPU engine's histograms.
import type { Config } from '../model/config';
import { TASK_EVENT_MASS } from '../model/constants';
import { checkFinite } from '../model/numerics';
import { modelReport, rivalRates, type ModelReport } from '../model/report';
import { HIST_BINS, type AdapterDescription, type BatchCallback, type Histograms, type Simulation, type TaskEvents } from '../model/simulation-interface';
import { answerDist, initState, makeParams, patternDistribution, step, tokenPositions, type Params, type State } from './reference';

/** How the float64 reference is named next to its figures and in exported files. */
export const REFERENCE_ADAPTER: AdapterDescription = { line: 'float64 reference (CPU)', json: { backend: 'reference (float64, CPU)' } };

const STEPS_PER_BATCH = 16;
/** A batch also ends after this long, so that slow steps (a large token tree) leave the page and Ctrl-C a turn between them. */
const BATCH_MS = 100;

export class ReferenceSimulator implements Simulation<State> {
  private readonly params: Params;
  readonly report: ModelReport;
  readonly adapter = REFERENCE_ADAPTER;
  private state: State;
  private stopRequested = false;
  /**
   * The per-task events as the engine keeps them (0: not yet): each task's first step at
   * best-pattern mass TASK_EVENT_MASS, and its T0, the first step at which its accuracy reached
   * its rival's success rate (NaN outside regime 2: never, docs/model.md §6.7).
   */
  private readonly events: { best90: Uint32Array; t0: Uint32Array; rivals: Float64Array };

  constructor(private readonly config: Config) {
    this.params = makeParams(config);
    this.report = modelReport(config, this.params.tasks);
    this.state = initState(this.params);
    this.events = { best90: new Uint32Array(config.tasks), t0: new Uint32Array(config.tasks), rivals: rivalRates(config, this.params.tasks) };
  }

  get step(): number {
    return this.state.t;
  }

  async run(steps: number, onBatch?: BatchCallback): Promise<void> {
    this.stopRequested = false;
    const width = this.params.layout.names.length;
    for (let done = 0; done < steps && !this.stopRequested; ) {
      const rows = new Float64Array(Math.min(STEPS_PER_BATCH, steps - done) * width);
      const firstStep = this.state.t + 1;
      const start = performance.now();
      let n = 0;
      while (n * width < rows.length && (n === 0 || performance.now() - start < BATCH_MS)) {
        const out = step(this.params, this.state);
        this.state = out.state;
        rows.set(out.metrics, n++ * width);
        this.noteEvents();
      }
      done += n;
      checkFinite(this.config, this.params.layout.names, firstStep, rows, n);
      onBatch?.(firstStep, rows.subarray(0, n * width), n);
      await new Promise((resolve) => setTimeout(resolve, 0)); // lets Ctrl-C and the UI through
    }
  }

  stop(): void {
    this.stopRequested = true;
  }

  /** Steps never modify a state (each returns a new one), so the current state is a snapshot. */
  async snapshot(): Promise<State> {
    return this.state;
  }

  /** Nothing to free: the state is plain arrays. */
  close(): void {}

  /** Task i's mass on its best pattern (the highest current success rate, the first on ties) and its accuracy, under the current state. */
  private taskStanding(i: number): { bestMass: number; accuracy: number } {
    const { params: P, state: s } = this;
    const pi = patternDistribution(P, s, i);
    const rates = Array.from({ length: P.cfg.patterns }, (_, k) => answerDist(P, s, i, k)[0]);
    const best = rates.indexOf(Math.max(...rates));
    return { bestMass: pi[best], accuracy: rates.reduce((a, rate, k) => a + pi[k] * rate, 0) };
  }

  private noteEvents() {
    const { best90, t0, rivals } = this.events;
    const t = this.state.t;
    for (let i = 0; i < best90.length; i++) {
      if (best90[i] !== 0 && (t0[i] !== 0 || Number.isNaN(rivals[i]))) continue;
      const { bestMass, accuracy } = this.taskStanding(i);
      if (best90[i] === 0 && bestMass >= TASK_EVENT_MASS) best90[i] = t;
      if (t0[i] === 0 && accuracy >= rivals[i]) t0[i] = t;
    }
  }

  async taskEvents(): Promise<TaskEvents> {
    const { best90, t0, rivals } = this.events;
    return { best90: best90.slice(), t0: t0.filter((_, i) => !Number.isNaN(rivals[i])) };
  }

  /** The GPU histogram kernel's counts, from the reference state. */
  async histograms(): Promise<Histograms> {
    const { params: P, state: s } = this;
    const bestMass = new Float32Array(HIST_BINS);
    const accuracy = new Float32Array(HIST_BINS);
    const bin = (x: number) => Math.min(Math.floor(Math.max(x, 0) * HIST_BINS), HIST_BINS - 1);
    for (let i = 0; i < P.cfg.tasks; i++) {
      const t = this.taskStanding(i);
      bestMass[bin(t.bestMass)]++;
      accuracy[bin(t.accuracy)]++;
    }
    return { bestMass, accuracy, positions: tokenPositions(P, s) };
  }
}
