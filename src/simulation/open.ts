// The one way to open a simulation of a config, on any backend. The command line, the dashboard
// and the tests go through here; what differs between backends is stated by the backend.
import { ConfigError, type Config } from '../model/config';
import type { Simulation } from '../model/simulation';
import type { Snapshot } from '../engine/engine';
import { Runner, type RunnerOptions } from '../engine/runner';
import type { State } from '../reference/reference';
import { ReferenceSimulator } from '../reference/simulator';
import type { Backend, ReferenceBackend, WebGpuBackend } from './backend';

/** Checkpoints, resumption and device-loss handling: the WebGPU backend's (the reference refuses `resume` and ignores the rest). */
export type OpenOptions = Omit<RunnerOptions, 'open' | 'ownsDevice' | 'config'>;

export function openSimulation(config: Config, backend: WebGpuBackend, opts?: OpenOptions): Promise<Simulation<Snapshot>>;
export function openSimulation(config: Config, backend: ReferenceBackend, opts?: OpenOptions): Promise<Simulation<State>>;
export function openSimulation(config: Config, backend: Backend, opts?: OpenOptions): Promise<Simulation>;
export async function openSimulation(config: Config, backend: Backend, opts: OpenOptions = {}): Promise<Simulation> {
  if (backend.kind === 'webgpu') return Runner.create({ ...opts, config, open: () => backend.device(), ownsDevice: backend.ownsDevice });
  if (opts.resume) throw new Error('the float64 reference cannot resume from a checkpoint of the WGSL engine');
  const rollouts = config.tasks * (config.estimator === 'expected' ? 1 : config.group);
  if (rollouts > backend.maxRollouts)
    throw new ConfigError('tasks', `the float64 reference takes at most ${backend.maxRollouts} rollouts per step (tasks x group), got ${rollouts}: lower tasks or group`);
  return new ReferenceSimulator(config);
}
