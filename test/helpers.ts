// Shared by the GPU tests: one Dawn device per test file, and conversions between the GPU
// engine's float32 snapshot and the float64 reference's state.
import { Engine, type Snapshot } from '../src/engine/engine';
import type { AdapterReport, Gpu } from '../src/engine/adapter';
import { parseConfig, type Config, type ConfigInput } from '../src/model/config';
import type { Simulation } from '../src/model/simulation-interface';
import { chooseAdapter, requestedAdapter } from '../src/node/adapter-choice';
import { openNodeGpu } from '../src/node/gpu';
import type { Params, State } from '../src/reference/reference';
import type { WebGpuBackend } from '../src/simulation/backend';

let gpu: Promise<Gpu> | undefined;

/** The test device. No adapter is a failure, never a skip: the suite exists to run the WGSL. */
export function testGpu(): Promise<Gpu> {
  gpu ??= openNodeGpu();
  return gpu;
}

/** The adapter the command line picks here (src/node/adapter-choice.ts, probing afresh): what its files must name. */
export function chosenAdapter(): AdapterReport {
  const { requested } = requestedAdapter([], process.env);
  const { chosen, error } = chooseAdapter(requested, process.env);
  if (!chosen?.adapter) throw new Error(error);
  return chosen.adapter;
}

/** The test device as a backend: every simulation of the file runs on it, and none destroys it. */
export const testBackend: WebGpuBackend = { kind: 'webgpu', device: testGpu, ownsDevice: false };

export async function engineFor(input: ConfigInput, opts: Parameters<typeof Engine.create>[2] = {}): Promise<Engine> {
  return Engine.create(await testGpu(), parseConfig(input), opts);
}

export function toState(P: Params, s: Snapshot): State {
  const nTheta = s.theta.length;
  const nPhi = s.phi.length;
  const adam = P.cfg.optimizer === 'adam';
  const f64 = (a: Float32Array) => Float64Array.from(a);
  return {
    t: s.step,
    theta: f64(s.theta),
    thetaM: adam ? f64(s.opt.subarray(0, nTheta)) : new Float64Array(0),
    thetaV: adam ? f64(s.opt.subarray(nTheta, 2 * nTheta)) : new Float64Array(0),
    phi: f64(s.phi),
    phiM: adam ? f64(s.opt.subarray(2 * nTheta, 2 * nTheta + nPhi)) : new Float64Array(0),
    phiV: adam ? f64(s.opt.subarray(2 * nTheta + nPhi)) : new Float64Array(0),
    refLogits: f64(s.refLogits),
    rose: Uint8Array.from(s.rose.subarray(0, P.cfg.tasks)),
  };
}

/** Runs `steps` steps of an engine or a simulation, calling `after` with each batch's last step, and returns the metric rows. */
export async function runRows(sim: Pick<Simulation, 'run'>, steps: number, after?: (lastStep: number) => void): Promise<Float32Array[]> {
  const rows: Float32Array[] = [];
  await sim.run(steps, (first, values, n) => {
    const M = values.length / n;
    for (let r = 0; r < n; r++) rows.push(Float32Array.from(values.subarray(r * M, (r + 1) * M)));
    after?.(first + n - 1);
  });
  return rows;
}

export type { Config };
