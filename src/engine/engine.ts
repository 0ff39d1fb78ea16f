// The GPU engine: owns the buffers and pipelines of one run, encodes many RL steps per command
// buffer, and reads back only the small metrics region (double-buffered), never the per-task
// state unless a snapshot is asked for. Shared by the browser and Node. A run is one or more
// cohorts that share the kernel-shaping fields (a sweep packs them; a plain run is one cohort):
// each cohort's tasks, tables and numbers are its own, and its metrics are summed on their own.
import type { Config } from '../model/config';
import { checkFinite } from '../model/numerics';
import { rivalRates } from '../model/report';
import { HIST_BINS, type BatchCallback, type Histograms, type TaskEvents } from '../model/simulation-interface';
import { buildTasks, type TaskTables } from '../model/tasks';
import { configTree, initialTreeLogits, treeConfig } from '../model/tree';
import type { Gpu } from './adapter';
import { BatchSizer, INTERACTIVE_BATCH_MS } from './batch-sizer';
import { bindGroupEntries, bindGroupLayoutEntries, type BindingName } from './bindings';
import { KERNEL_FIELDS, sameKernels, wgslHeader } from './header';
import { COHORT_WORDS, writeCohortRecord } from './cohort-record';
import { knobsData, KNOBS_BYTES } from './knobs';
import { paramsData, PARAMS_STRIDE, type DispatchParams } from './params';
import { bufferFloats, checkLimits, makePlan, WORKGROUP, type Plan, type PlanOptions } from './plan';
import { entryPointsFor, moduleSource, type EntryPoint } from './shaders';

/** The rival rate of a task outside regime 2: above any accuracy, so its T0 never comes. */
const NO_RIVAL = 2;

/** The full state of a run: enough to resume it bit-exactly on the same adapter. */
export interface Snapshot {
  step: number;
  theta: Float32Array;
  opt: Float32Array;
  phi: Float32Array;
  refLogits: Float32Array;
  /** Each task's first step at best-pattern mass 0.9 (0: not yet), where the run tracks it (EngineOptions.events). */
  events?: Uint32Array;
  /** Each task's rise at step 1 (1 or 0; 0 before step 1), which roseFirst and roseThenFell read. */
  rose: Float32Array;
}

/**
 * Cohorts that can share one run: the same kernel-shaping fields (the sweep's grid groups them so)
 * and a per-task policy, tabular or a token tree (the shared policy's single logit vector would
 * need a gradient reduction per cohort), and GRPO's batch scale is the std over the whole run.
 * Others run one by one.
 */
export const packable = (c: Config) => c.policy !== 'shared' && !(c.estimator === 'grpo' && c.scale === 'batch');

export interface EngineOptions extends PlanOptions {
  /** Precomputed task tables (the dashboard and tests reuse them); built from the config otherwise. */
  tasks?: TaskTables;
  /** The device time each batch aims at, when stepsPerBatch does not fix it (default INTERACTIVE_BATCH_MS). */
  batchMs?: number;
  /**
   * Whether RL step t writes a metrics row (default: every step). The others compute only the
   * event metrics (EVENT_METRICS), which lead each row; the rest of their row is left as it was.
   */
  logged?: (step: number) => boolean;
}

interface Buffers extends Record<BindingName, GPUBuffer> {
  staging: [GPUBuffer, GPUBuffer];
}

/**
 * The plan of `config` on this GPU: software adapters sum metrics from per-task rows
 * (PlanOptions.taskRows), a subgroup's tasks into one row where subgroups have one size that
 * divides the workgroup (rowLanes). Both CPU drivers run a workgroup's invocations in order, a
 * SIMD vector of consecutive ones at a time, so a subgroup is the invocations lid / size.
 */
export function planFor(gpu: Gpu, config: Config, opts: PlanOptions = {}, cohortTasks?: readonly number[]): Plan {
  const size = gpu.subgroupSize;
  const rowLanes = gpu.adapter.isFallback && size && WORKGROUP % size === 0 ? size : 1;
  return makePlan(config, { taskRows: gpu.adapter.isFallback, rowLanes, ...opts }, cohortTasks);
}

export class Engine {
  /** RL steps done so far. */
  step = 0;
  /** When set, each batch's compute pass writes its start and end timestamps here (the benchmark's GPU timing, src/bench/timer.ts). */
  passTimestamps?: () => GPUComputePassTimestampWrites;
  private stopRequested = false;
  private batchCount = 0;
  /** Per cohort, which tasks are in regime 2 (those with a T0), with the per-task events only. */
  private readonly regimeTwo: Uint8Array[] = [];
  /** Sizes batches by device time; kept across run() calls, so a later run starts at full size. Absent when the caller fixed the batch size. */
  private readonly sizer?: BatchSizer;
  /** Whether a step writes a metrics row (EngineOptions.logged). */
  private readonly logged: (step: number) => boolean;

  private constructor(
    readonly gpu: Gpu,
    /** The first cohort's config (all share its kernel-shaping fields). */
    readonly config: Config,
    readonly cohorts: readonly Config[],
    readonly plan: Plan,
    readonly tasks: TaskTables,
    private readonly buffers: Buffers,
    private readonly module: GPUShaderModule,
    private readonly pipelineLayout: GPUPipelineLayout,
    private readonly pipelines: Partial<Record<EntryPoint, GPUComputePipeline>>,
    private readonly bindGroup: GPUBindGroup,
    opts: EngineOptions,
  ) {
    this.logged = opts.logged ?? (() => true);
    if (opts.stepsPerBatch === undefined) this.sizer = new BatchSizer({ max: plan.stepsPerBatch, targetMs: opts.batchMs ?? INTERACTIVE_BATCH_MS, now: () => performance.now() });
  }

  get device(): GPUDevice {
    return this.gpu.device;
  }

  /** A run of one config, or of cohorts sharing the kernel-shaping fields (packable ones if several). */
  static async create(gpu: Gpu, run: Config | readonly Config[], opts: EngineOptions = {}): Promise<Engine> {
    const { device } = gpu;
    const cohorts: readonly Config[] = Array.isArray(run) ? run : [run as Config]; // not `'length' in run`: the token tree's config has a length
    const config = cohorts[0];
    if (cohorts.length > 1 && !packable(config)) throw new Error(`cohorts of ${config.policy} policy / ${config.scale} scale run one by one`);
    if (!cohorts.every((c) => sameKernels(c, config))) throw new Error(`cohorts of one run must share ${KERNEL_FIELDS.join(', ')}`);
    const plan = planFor(gpu, config, opts, cohorts.map((c) => c.tasks));
    checkLimits({ ...config, tasks: plan.threads }, plan, device.limits);
    const tasks = opts.tasks ?? buildTasks(config);
    const module = device.createShaderModule({ code: moduleSource(wgslHeader(config, plan), plan.shape) });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) throw new Error(`WGSL compilation failed:\n${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n')}`);

    const layout = device.createBindGroupLayout({ entries: bindGroupLayoutEntries() });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
    device.pushErrorScope('validation');
    // Only the kernels this config dispatches are compiled (a software adapter compiles slowly).
    const pipelines = Object.fromEntries(
      await Promise.all(
        [...new Set(cohorts.flatMap(entryPointsFor))].map(async (entryPoint) => [entryPoint, await device.createComputePipelineAsync({ layout: pipelineLayout, compute: { module, entryPoint } })]),
      ),
    ) as Partial<Record<EntryPoint, GPUComputePipeline>>;

    const S = GPUBufferUsage.STORAGE;
    const COPY = GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const floats = bufferFloats(plan);
    const make = ([label, n]: [string, number], usage: number) => device.createBuffer({ label, size: Math.max(1, n) * 4, usage });
    const buffers: Buffers = {
      params: device.createBuffer({ label: 'params', size: plan.stepsPerBatch * PARAMS_STRIDE, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
      knobs: device.createBuffer({ label: 'knobs', size: KNOBS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
      theta: make(floats.theta, S | COPY),
      opt: make(floats.opt, S | COPY),
      phi: make(floats.phi, S | COPY),
      rates: make(floats.rates, S | COPY),
      tables: make(floats.tables, S | COPY),
      partials: make(floats.partials, S),
      scratch: make(floats.scratch, S | COPY),
      record: make(floats.record, S | COPY),
      staging: [0, 1].map((j) => make([`${floats.staging[0]} ${j}`, floats.staging[1]], GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST)) as [GPUBuffer, GPUBuffer],
    };
    const bindGroup = device.createBindGroup({ layout, entries: bindGroupEntries(buffers) });
    const setupError = await device.popErrorScope();
    if (setupError) throw new Error(`WebGPU setup failed: ${setupError.message}`);

    const engine = new Engine(gpu, config, cohorts, plan, tasks, buffers, module, pipelineLayout, pipelines, bindGroup, opts);
    engine.initialise();
    return engine;
  }

  private initialise() {
    const { device, buffers, plan } = this;
    device.queue.writeBuffer(buffers.knobs, 0, knobsData(plan));
    const words = new Uint32Array(plan.tablesLen);
    const tables = new Float32Array(words.buffer);
    const K = this.config.patterns;
    const rates = new Float32Array(plan.ratesLen);
    const rivals = new Float32Array(plan.eventsLen > 0 ? plan.threads : 0).fill(NO_RIVAL);
    this.cohorts.forEach((c, index) => {
      const tasks = index === 0 ? this.tasks : buildTasks(c);
      const { start } = plan.cohorts[index];
      if (plan.eventsLen > 0) {
        const rival = rivalRates(c, tasks);
        rival.forEach((s, i) => Number.isNaN(s) || (rivals[start + i] = s));
        this.regimeTwo.push(Uint8Array.from(rival, (s) => (Number.isNaN(s) ? 0 : 1)));
      }
      if (!plan.perTaskRates) rates.set(tasks.rates);
      else if (tasks.perTask) rates.set(tasks.rates, start * K);
      else for (let i = 0; i < c.tasks; i++) rates.set(tasks.rates, (start + i) * K);
      this.writeTables(tables.subarray(index * plan.tables.len, (index + 1) * plan.tables.len), c, tasks);
      writeCohortRecord(words, plan.cohortRecords + index * COHORT_WORDS, c, start, index);
      // Each dispatched thread's cohort; padding belongs to the cohort before it.
      const end = index + 1 < plan.cohorts.length ? plan.cohorts[index + 1].start : plan.numWorkgroups * WORKGROUP;
      words.fill(index, plan.taskCohorts + start, plan.taskCohorts + end);
    });
    device.queue.writeBuffer(buffers.rates, 0, rates);
    if (rivals.length) device.queue.writeBuffer(buffers.scratch, plan.scratch.rival * 4, rivals);
    device.queue.writeBuffer(buffers.tables, 0, words);
    this.writeParams([{ step: 0, nSteps: 0, slot: 0, logged: () => false }]);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setBindGroup(0, this.bindGroup, [0]);
    this.dispatchTasks(pass, 'initState');
    if (this.pipelines.sft) this.dispatchTasks(pass, 'sft');
    // After SFT: the start accuracy is that of pi_ref.
    this.dispatchTasks(pass, 'startAccuracy');
    pass.end();
    device.queue.submit([enc.finish()]);
  }

  /** One cohort's fixed vectors (plan.tables) into `out`. */
  private writeTables(out: Float32Array, c: Config, tasks: TaskTables) {
    const { tables: at } = this.plan;
    const K = c.patterns;
    const w = tasks.wrongWeights;
    out.set(w, at.wrong);
    const stride = c.answers - 1;
    for (let k = 0; k < K; k++) {
      let sq = 0;
      let h = 0;
      for (let j = 0; j < stride; j++) {
        const x = w[k * stride + j];
        sq += x * x;
        if (x > 0) h -= x * Math.log(x);
      }
      out[at.squareSum + k] = sq;
      out[at.entropy + k] = h;
    }
    out.set(tasks.wrongLogSums, at.logSum);
    out.set(c.init.map(Math.log), at.initLogits);
    if (c.sft) out.set(c.sft.target, at.sftTarget);
    const tree = configTree(c);
    if (tree) out.set(initialTreeLogits(tree, treeConfig(c)), at.treeInit);
  }

  private pipeline(entry: EntryPoint): GPUComputePipeline {
    const p = this.pipelines[entry];
    if (!p) throw new Error(`kernel ${entry} was not compiled for this config`);
    return p;
  }

  private dispatchTasks(pass: GPUComputePassEncoder, entry: EntryPoint) {
    pass.setPipeline(this.pipeline(entry));
    pass.dispatchWorkgroups(...this.plan.workgroups);
  }

  private dispatchOne(pass: GPUComputePassEncoder, entry: EntryPoint, workgroups = 1) {
    pass.setPipeline(this.pipeline(entry));
    pass.dispatchWorkgroups(workgroups);
  }

  private writeParams(dispatches: DispatchParams[]) {
    this.device.queue.writeBuffer(this.buffers.params, 0, paramsData(dispatches));
  }

  /** Encodes `n` steps starting at RL step this.step + 1, their metrics landing in rows 0..n-1. */
  private encodeBatch(n: number): GPUCommandBuffer {
    const { config: c, plan } = this;
    const shared = c.policy === 'shared';
    const batchScale = c.estimator === 'grpo' && c.scale === 'batch';
    const logged = this.logged;
    const chunks: DispatchParams[] = [];
    for (let slot = 0; slot < n; slot += plan.fusedSteps) {
      const step = this.step + 1 + slot;
      chunks.push({ step, nSteps: Math.min(plan.fusedSteps, n - slot), slot, logged: (s) => logged(step + s) });
    }
    this.writeParams(chunks);
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass(this.passTimestamps && { timestampWrites: this.passTimestamps() });
    chunks.forEach((chunk, j) => {
      pass.setBindGroup(0, this.bindGroup, [j * PARAMS_STRIDE]);
      if (batchScale) {
        this.dispatchTasks(pass, 'batchStats');
        this.dispatchOne(pass, 'batchReduce');
      }
      this.dispatchTasks(pass, 'step');
      if (shared) {
        this.dispatchOne(pass, 'sharedUpdate');
        this.dispatchTasks(pass, 'sharedMetrics');
      }
      // finalize: a workgroup per (step, cohort), or with task rows a thread per (step, cohort, metric).
      pass.setPipeline(this.pipeline('finalize'));
      pass.dispatchWorkgroups(chunk.nSteps, plan.taskRows ? Math.ceil(this.rowWidth / WORKGROUP) : this.cohorts.length);
    });
    pass.end();
    const staging = this.buffers.staging[this.batchCount % 2];
    enc.copyBufferToBuffer(this.buffers.scratch, plan.scratch.metrics * 4, staging, 0, n * this.rowWidth * 4);
    return enc.finish();
  }

  /** Floats of one step's metrics: a row of M per cohort. */
  private get rowWidth(): number {
    return this.cohorts.length * this.plan.metrics;
  }

  /**
   * Runs `steps` RL steps, calling `onBatch` with each batch's metrics as they arrive: per step,
   * one row of plan.metrics per cohort ([step][cohort][metric]). The next batch is already queued
   * while one is read back, so the GPU never waits for the caller. Batch sizes change nothing but
   * when metrics arrive: every draw is keyed by its step.
   */
  async run(steps: number, onBatch?: BatchCallback): Promise<void> {
    this.stopRequested = false;
    let pending: Promise<void> | undefined;
    let remaining = steps;
    while (remaining > 0 && !this.stopRequested) {
      const n = Math.min(remaining, this.sizer?.next() ?? this.plan.stepsPerBatch);
      const firstStep = this.step + 1;
      this.device.queue.submit([this.encodeBatch(n)]);
      this.sizer?.submitted(n);
      const staging = this.buffers.staging[this.batchCount % 2];
      this.batchCount++;
      this.step += n;
      remaining -= n;
      const readback = staging.mapAsync(GPUMapMode.READ).then(() => {
        this.sizer?.completed();
        const rows = new Float32Array(staging.getMappedRange(0, n * this.rowWidth * 4).slice(0));
        staging.unmap();
        return rows;
      });
      if (pending) await pending;
      pending = readback.then((rows) => {
        if (this.cohorts.length === 1) checkFinite(this.config, this.plan.layout.names, firstStep, rows, n);
        else this.checkCohortsFinite(firstStep, rows, n);
        onBatch?.(firstStep, rows, n);
      });
    }
    await pending;
  }

  private checkCohortsFinite(firstStep: number, rows: Float32Array, n: number) {
    const M = this.plan.metrics;
    for (let r = 0; r < n; r++)
      this.cohorts.forEach((c, j) => checkFinite(c, this.plan.layout.names, firstStep + r, rows.subarray((r * this.cohorts.length + j) * M, (r * this.cohorts.length + j + 1) * M), 1));
  }

  /**
   * Per cohort, each task's first step at which its own best-pattern mass reached TASK_EVENT_MASS,
   * and each regime-2 task's T0 (0: not yet); needs `events: true`.
   */
  async taskEvents(): Promise<TaskEvents[]> {
    if (this.plan.eventsLen === 0) throw new Error('this engine was created without { events: true }');
    const all = new Uint32Array(await this.read(this.buffers.record, this.plan.recordLen, this.plan.eventsLen));
    const t0 = all.subarray(this.plan.threads);
    return this.plan.cohorts.map(({ start, tasks }, j) => ({
      best90: all.slice(start, start + tasks),
      t0: t0.slice(start, start + tasks).filter((_, i) => this.regimeTwo[j][i] === 1),
    }));
  }

  /** Asks a running `run` to stop after the batch in flight. */
  stop(): void {
    this.stopRequested = true;
  }

  private async read(buffer: GPUBuffer, offsetFloats: number, floats: number): Promise<ArrayBuffer> {
    const staging = this.device.createBuffer({ size: Math.max(1, floats) * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder();
    if (floats > 0) enc.copyBufferToBuffer(buffer, offsetFloats * 4, staging, 0, floats * 4);
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const data = staging.getMappedRange().slice(0, floats * 4);
    staging.destroy();
    return data;
  }

  /** The full per-task state (large: only on request). */
  async snapshot(): Promise<Snapshot> {
    const { buffers, plan } = this;
    const [theta, opt, phi, refLogits, rose, events] = await Promise.all([
      this.read(buffers.theta, 0, plan.thetaLen),
      this.read(buffers.opt, 0, plan.opt.len),
      this.read(buffers.phi, 0, plan.phiLen),
      this.read(buffers.theta, plan.thetaLen, plan.refLen),
      this.read(buffers.scratch, plan.scratch.rose, plan.threads),
      plan.eventsLen ? this.read(buffers.record, plan.recordLen, plan.eventsLen) : undefined,
    ]);
    const f32 = (b: ArrayBuffer) => new Float32Array(b);
    const s: Snapshot = { step: this.step, theta: f32(theta), opt: f32(opt), phi: f32(phi), refLogits: f32(refLogits), rose: f32(rose) };
    return events ? { ...s, events: new Uint32Array(events) } : s;
  }

  restore(s: Snapshot): void {
    const { buffers, plan, device } = this;
    const expect = (name: string, got: number, want: number) => {
      if (got !== want) throw new Error(`snapshot does not fit this run: ${name} has ${got} values, expected ${want}`);
    };
    expect('theta', s.theta.length, plan.thetaLen);
    expect('opt', s.opt.length, plan.opt.len);
    expect('phi', s.phi.length, plan.phiLen);
    expect('rose', s.rose.length, plan.threads);
    device.queue.writeBuffer(buffers.theta, 0, s.theta);
    if (s.opt.length) device.queue.writeBuffer(buffers.opt, 0, s.opt);
    if (s.phi.length) device.queue.writeBuffer(buffers.phi, 0, s.phi);
    device.queue.writeBuffer(buffers.theta, plan.thetaLen * 4, s.refLogits);
    device.queue.writeBuffer(buffers.scratch, plan.scratch.rose * 4, s.rose);
    // A snapshot without events (an older checkpoint) leaves them as they were: Runner knows.
    if (s.events && plan.eventsLen) {
      expect('events', s.events.length, plan.eventsLen);
      device.queue.writeBuffer(buffers.record, plan.recordLen * 4, s.events);
    }
    this.step = s.step;
  }

  /**
   * Histograms over [0, 1] (HIST_BINS bins each) of every task's best-pattern mass and accuracy
   * under the current policy, computed on the GPU; only the 2 x HIST_BINS counts are read back.
   * Its kernels are compiled on first use.
   */
  async histograms(): Promise<Histograms> {
    const { bestMass, accuracy } = await this.perTask('histogram', 'histogramReduce', this.plan.scratch.hist, 2 * HIST_BINS, (counts) => ({
      bestMass: counts.subarray(0, HIST_BINS),
      accuracy: counts.subarray(HIST_BINS),
    }));
    const tree = configTree(this.config);
    if (!tree) return { bestMass, accuracy };
    // Per position, summed over tasks, then the mean over tasks (of every cohort: the dashboard's runs have one).
    const tasks = this.cohorts.reduce((n, c) => n + c.tasks, 0);
    const positions = await this.perTask('treePositions', 'treePositionsReduce', this.plan.scratch.positions, 2 * tree.L, (sums) => ({
      rankChange: Float64Array.from(sums.subarray(0, tree.L), (x) => x / tasks),
      kl: Float64Array.from(sums.subarray(tree.L), (x) => x / tasks),
      forks: tree.isFork,
    }));
    return { bestMass, accuracy, positions };
  }

  /**
   * Runs a per-task kernel and the one-workgroup kernel that sums its workgroups' rows (both
   * compiled on first use), and reads back the `floats` sums at scratch offset `at`.
   */
  private async perTask<R>(entry: EntryPoint, reduce: EntryPoint, at: number, floats: number, view: (sums: Float32Array) => R): Promise<R> {
    const { device } = this;
    for (const entryPoint of [entry, reduce]) {
      this.pipelines[entryPoint] ??= await device.createComputePipelineAsync({ layout: this.pipelineLayout, compute: { module: this.module, entryPoint } });
    }
    this.writeParams([{ step: this.step, nSteps: 0, slot: 0, logged: () => false }]);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setBindGroup(0, this.bindGroup, [0]);
    this.dispatchTasks(pass, entry);
    this.dispatchOne(pass, reduce);
    pass.end();
    device.queue.submit([enc.finish()]);
    return view(new Float32Array(await this.read(this.buffers.scratch, at, floats)));
  }

  /** (pattern | answer << RECORD_ANSWER_SHIFT) of every rollout of the last step, task-major; needs `record: true`. */
  async readRecord(): Promise<Uint32Array> {
    if (this.plan.recordLen === 0) throw new Error('this engine was created without { record: true }');
    return new Uint32Array(await this.read(this.buffers.record, 0, this.plan.recordLen));
  }

  destroy(): void {
    for (const b of Object.values(this.buffers).flat()) b.destroy();
  }
}
