// The CPU reference behind the same run/stop interface as the GPU engine (`--backend cpu`).
import type { Config } from '../model/config';
import { checkFinite } from '../model/numerics';
import type { BatchCallback } from '../engine/engine';
import { initState, makeParams, step, type Params, type State } from './reference';

const STEPS_PER_BATCH = 16;

export class ReferenceSimulator {
  readonly params: Params;
  state: State;
  private stopRequested = false;

  constructor(readonly config: Config) {
    this.params = makeParams(config);
    this.state = initState(this.params);
  }

  get step(): number {
    return this.state.t;
  }

  async run(steps: number, onBatch?: BatchCallback): Promise<void> {
    this.stopRequested = false;
    const width = this.params.layout.names.length;
    for (let done = 0; done < steps && !this.stopRequested; ) {
      const n = Math.min(STEPS_PER_BATCH, steps - done);
      const rows = new Float64Array(n * width);
      const firstStep = this.state.t + 1;
      for (let r = 0; r < n; r++) {
        const out = step(this.params, this.state);
        this.state = out.state;
        rows.set(out.metrics, r * width);
      }
      done += n;
      checkFinite(this.config, this.params.layout.names, firstStep, rows, n);
      onBatch?.(firstStep, rows, n);
      await new Promise((resolve) => setTimeout(resolve, 0)); // lets Ctrl-C and the UI through
    }
  }

  stop(): void {
    this.stopRequested = true;
  }
}
