// The one way to open a simulation of a config, on any backend, or of a pack of cohorts (a sweep's)
// on the WebGPU backend. The command line, the dashboard, sweeps, the benchmark and the tests go
// through here, so checkpoints and device-loss recovery are the Runner's, written once; what
// differs between backends is stated by the backend.
import { ConfigError, type Config } from '../model/config';
import type { Simulation } from '../model/simulation-interface';
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
  if (backend.kind === 'webgpu') return openCohorts([config], backend, opts);
  if (opts.resume) throw new Error('the float64 reference cannot resume from a checkpoint of the WGSL engine');
  // A token tree's rollout counts each of its `length` tokens.
  const length = config.policy === 'tokens' ? (config.length ?? 1) : 1;
  const rollouts = config.tasks * (config.estimator === 'expected' ? 1 : config.group) * length;
  if (rollouts > backend.maxRollouts)
    throw new ConfigError('tasks', `the float64 reference takes at most ${backend.maxRollouts} rollouts per step (tasks x group${length > 1 ? ' x length' : ''}), got ${rollouts}: lower tasks or group`);
  return new ReferenceSimulator(config);
}

/**
 * Cohorts packed into one run (engine.ts packable; a sweep's pack), with the checkpoints and
 * device-loss recovery of a single run: its rows are [step][cohort][metric], its snapshots hold
 * every cohort's state.
 */
export function openCohorts(cohorts: readonly Config[], backend: WebGpuBackend, opts: OpenOptions = {}): Promise<Runner> {
  return Runner.create({ ...opts, config: cohorts, open: () => backend.device(), ownsDevice: backend.ownsDevice });
}
