// <pf-app>: the dashboard. Opens WebGPU once (or offers the float64 reference when it is missing), keeps
// the runs, and lays out presets, the config panel, controls, charts and histograms. The run
// config of the current run is always in the URL hash, so the address reproduces it.
import { LitElement, html, nothing, svg, type PropertyDeclarations } from 'lit';
import { configToJSON, type Config } from '../model/config';
import { logToCsv, logToJson } from '../model/export';
import { reportSentences } from '../model/report';
import type { MetricsLog } from '../model/metrics';
import { browserReference, browserWebGpu, REFERENCE_MAX_ROLLOUTS, type Platform } from './backend';
import { CHARTS, DASHES } from './charts';
import type { PfConfigPanel } from './config-panel';
import { downloadText } from './download';
import { DEFAULT_PRESET, PRESETS, type Preset } from './presets';
import { SimulationController, type LiveRun, type Run } from './simulation-controller';
import { configFromHash, configHash, type LinkedRun } from './url';
import './chart';
import './config-panel';
import './histograms';

const PHASE_TEXT = { idle: 'idle', compiling: 'compiling kernels…', running: 'running', pausing: 'pausing…', paused: 'paused', done: 'done', error: 'error' } as const;

export class PfApp extends LitElement {
  static properties: PropertyDeclarations = {
    platform: { state: true },
    noWebGpu: { state: true },
    hashError: { state: true },
    runs: { state: true },
    overlay: { state: true },
    logX: { state: true },
    smoothing: { state: true },
    logEvery: { state: true },
    claim: { state: true },
  };
  declare platform?: Platform;
  /** Why WebGPU is unavailable, when it is. */
  declare noWebGpu?: string;
  declare hashError?: string;
  declare runs: LiveRun[];
  /** Ids of the runs drawn under the current one. */
  declare overlay: ReadonlySet<number>;
  declare logX: boolean;
  declare smoothing: number;
  /** The next run writes the metrics of every logEvery-th step (and of its last); the others compute only accuracy and bestMass. */
  declare logEvery: number;
  /** What the current run's preset shows, if it came from one. */
  declare claim?: string;
  private sim?: SimulationController;
  private hashRun?: LinkedRun;

  constructor() {
    super();
    this.runs = [];
    this.overlay = new Set();
    this.logX = false;
    this.smoothing = 0;
    this.logEvery = 1;
  }

  protected createRenderRoot(): HTMLElement {
    return this;
  }

  connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    void this.init();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
  }

  private get panel(): PfConfigPanel | null {
    return this.querySelector('pf-config-panel');
  }

  private async init() {
    this.readHash();
    if (!navigator.gpu) {
      this.noWebGpu = window.isSecureContext
        ? 'This browser does not expose WebGPU (navigator.gpu is missing): it is switched off or not supported.'
        : 'WebGPU needs a secure context (https or localhost), and this page was opened over plain http from another host.';
      return;
    }
    try {
      await this.usePlatform(await browserWebGpu());
    } catch (e) {
      this.noWebGpu = `WebGPU is exposed but no adapter could be opened: ${(e as Error).message}`;
    }
  }

  private async usePlatform(platform: Platform) {
    this.noWebGpu = undefined;
    this.platform = platform;
    this.sim = new SimulationController(this, platform.backend);
    await this.updateComplete;
    if (this.hashRun) this.startLink(this.hashRun);
    else if (this.hashError) this.panel?.load(DEFAULT_PRESET.config);
    else this.startPreset(DEFAULT_PRESET);
  }

  /** Reads the config in the address; a malformed one becomes a message, never a blank page. */
  private readHash() {
    try {
      this.hashRun = configFromHash(location.hash);
      this.hashError = undefined;
    } catch (e) {
      this.hashRun = undefined;
      this.hashError = (e as Error).message;
    }
  }

  private onHashChange = () => {
    this.readHash();
    if (!this.sim) return;
    if (this.hashRun) this.startLink(this.hashRun);
  };

  private startLink({ config, log }: LinkedRun) {
    this.logEvery = 'every' in log ? log.every : 1;
    this.panel?.load(config);
    this.startConfig(config, 'from link');
  }

  private startPreset(p: Preset) {
    this.panel?.load(p.config);
    const { config } = this.panel?.result ?? {};
    if (config) this.startConfig(config, p.name, p.claim);
  }

  private startConfig(config: Config, name: string, claim?: string) {
    const sim = this.sim;
    if (!sim) return;
    this.hashError = undefined;
    this.claim = claim;
    const log = { every: this.logEvery };
    history.replaceState(null, '', configHash(config, log));
    void sim.start(config, name, log);
    // Runs that never produced a row (a failed start) are not worth keeping.
    this.runs = [...this.runs.filter((r) => r.log.length > 0), sim.run!];
  }

  private runPanelConfig = () => {
    const { config } = this.panel?.result ?? {};
    if (config) this.startConfig(config, 'custom');
  };

  private async deleteRun(run: Run) {
    if (run === this.sim?.run) await this.sim.discard();
    this.runs = this.runs.filter((r) => r !== run);
    this.overlay = new Set([...this.overlay].filter((id) => id !== run.id));
  }

  private toggleOverlay(run: Run, on: boolean) {
    const next = new Set(this.overlay);
    if (on) next.add(run.id);
    else next.delete(run.id);
    this.overlay = next;
  }

  private exportRun(format: 'csv' | 'json') {
    const run = this.sim?.run;
    if (!run?.report || !this.platform) return;
    const name = `patternflow-run${run.id}.${format}`;
    if (format === 'csv') downloadText(name, logToCsv(run.log), 'text/csv');
    else
      downloadText(
        name,
        logToJson(run.log, { config: configToJSON(run.config), adapter: this.platform.adapter.json, model: run.report }),
        'application/json',
      );
  }

  render() {
    if (this.noWebGpu) return this.renderNoWebGpu(this.noWebGpu);
    return html`
      <header class="top">
        <h1>patternflow</h1>
        <p class="subtitle">How RL reshapes the choice of reasoning patterns (Chen, Li, Zou; ICLR 2026)</p>
        ${this.platform
          ? html`<p class="adapter">Adapter: <span data-testid="adapter">${this.platform.adapter.line}</span></p>`
          : html`<p class="adapter" data-testid="adapter-pending">Opening WebGPU…</p>`}
        <nav class="nav">
          <a href="sweep.html" data-testid="sweep-link">Sweep explorer</a> · <a href="bench.html" data-testid="bench-link">Throughput benchmark</a>
        </nav>
      </header>
      ${this.platform?.warning ? html`<p class="warning" data-testid="fallback-warning">${this.platform.warning}</p>` : nothing}
      ${this.hashError
        ? html`<p class="error" role="alert" data-testid="hash-error">
            The run config in this address could not be read: ${this.hashError}. The default preset is in the run config panel instead; press Run to start it.
          </p>`
        : nothing}
      <div class="layout">
        <aside>
          <section class="card">
            <h2>Presets</h2>
            <ul class="presets">
              ${PRESETS.map(
                (p) => html`<li>
                  <button data-testid=${`preset-${p.id}`} ?disabled=${!this.sim} @click=${() => this.startPreset(p)}>${p.name}</button>
                  <small>${p.claim}</small>
                </li>`,
              )}
            </ul>
          </section>
          <section class="card">
            <h2>Run config</h2>
            <pf-config-panel @config-change=${() => this.requestUpdate()}></pf-config-panel>
          </section>
        </aside>
        <main>${this.renderControls()} ${this.renderReport()} ${this.renderCharts()} ${this.renderRuns()}</main>
      </div>
    `;
  }

  private renderControls() {
    const sim = this.sim;
    const phase = sim?.phase ?? 'idle';
    const run = sim?.run;
    const total = run?.config.steps ?? 0;
    const step = sim?.step ?? 0;
    const result = this.panel?.result;
    const valid = !!result?.config;
    const eta = sim?.etaSeconds ?? NaN;
    return html`<section class="card controls">
      <div class="buttons">
        <button class="primary" data-testid="run" ?disabled=${!sim || !valid} title=${valid ? 'run the config on the left' : 'fix the run config first'} @click=${this.runPanelConfig}>
          Run
        </button>
        <button data-testid="pause" ?disabled=${phase !== 'running'} @click=${() => sim?.pause()}>Pause</button>
        <button data-testid="resume" ?disabled=${!sim?.canResume} @click=${() => sim?.resume()}>Resume</button>
        <button data-testid="step" ?disabled=${!sim?.canResume} @click=${() => sim?.stepOnce()}>Step</button>
        <button data-testid="reset" ?disabled=${!run || phase === 'compiling'} @click=${() => sim?.reset()}>Reset</button>
        <label class="toggle" title="the other steps compute only accuracy and bestMass; applies to the next run"
          >metrics every
          <input
            type="number"
            min="1"
            step="1"
            data-testid="log-every"
            .value=${String(this.logEvery)}
            @change=${(e: Event) => (this.logEvery = Math.max(1, Math.floor(Number((e.target as HTMLInputElement).value)) || 1))}
          />
          steps</label
        >
        <span class="spacer"></span>
        <button data-testid="export-csv" ?disabled=${!step} @click=${() => this.exportRun('csv')}>Export CSV</button>
        <button data-testid="export-json" ?disabled=${!step} @click=${() => this.exportRun('json')}>Export JSON</button>
      </div>
      <div class="progress">
        <progress data-testid="progress" max=${total || 1} .value=${step}></progress>
        <span class="status" data-testid="status" data-phase=${phase}>${PHASE_TEXT[phase]}</span>
        <span>step <b data-testid="step-count">${step}</b> / ${total}</span>
        <span><b data-testid="rate">${sim && sim.stepsPerSecond > 0 ? sim.stepsPerSecond.toFixed(0) : '–'}</b> steps/s</span>
        <span>ETA ${phase === 'running' && Number.isFinite(eta) ? `${eta.toFixed(1)} s` : '–'}</span>
      </div>
      ${run ? html`<p class="run-title">Run #${run.id}: ${run.name}${this.claim ? html` — <span data-testid="claim">${this.claim}</span>` : nothing}</p>` : nothing}
      ${result?.error ? html`<p class="error">The run config on the left is invalid: ${result.error.message}</p>` : nothing}
      ${phase === 'error' ? html`<p class="error" role="alert" data-testid="run-error">${sim?.error}</p>` : nothing}
    </section>`;
  }

  /** Which of the paper's results applies to the current run's tasks (docs/model.md §5b), known before step 1; after it, Theorem 5.6's rise. */
  private renderReport() {
    const run = this.sim?.run;
    if (!run?.report) return nothing;
    return html`<section class="card model-report" data-testid="model-report">
      <h2>Model report</h2>
      <ul>
        ${reportSentences(run.report, run.config).map((line) => html`<li>${line}</li>`)}
        ${run.log.length ? html`<li data-testid="rose-first">${riseSentence(run.log)}</li>` : nothing}
      </ul>
    </section>`;
  }

  private renderCharts() {
    const current = this.sim?.run;
    const runs = current ? [current, ...this.runs.filter((r) => r !== current && this.overlay.has(r.id))] : [];
    const specs = CHARTS.filter((c) => runs.some((r) => c.pick(r.log.names).length > 0));
    return html`<section class="view-options">
        <label class="toggle"><input type="checkbox" data-testid="logx" .checked=${this.logX} @change=${(e: Event) => (this.logX = (e.target as HTMLInputElement).checked)} /> log x</label>
        <label class="toggle"
          >EMA smoothing
          <input
            type="range"
            min="0"
            max="0.99"
            step="0.01"
            data-testid="smoothing"
            .value=${String(this.smoothing)}
            @input=${(e: Event) => (this.smoothing = Number((e.target as HTMLInputElement).value))}
          />
          <output>${this.smoothing.toFixed(2)}</output></label
        >
        <span class="muted">Cursors are synced across charts; click a legend entry to hide a curve.</span>
      </section>
      <div class="charts">
        ${specs.map((spec) => html`<pf-chart .spec=${spec} .runs=${runs} .logX=${this.logX} .smoothing=${this.smoothing}></pf-chart>`)}
        <pf-histograms .hist=${this.sim?.hist}></pf-histograms>
      </div>`;
  }

  private renderRuns() {
    const current = this.sim?.run;
    const dashOf = (run: Run) => (run === current ? DASHES[0] : DASHES[1 + ([...this.overlay].indexOf(run.id) % (DASHES.length - 1))]);
    return html`<section class="card runs">
      <h2>Runs</h2>
      <table data-testid="runs">
        <thead>
          <tr><th>run</th><th>steps</th><th>final accuracy</th><th>overlay</th><th></th></tr>
        </thead>
        <tbody>
          ${this.runs.length ? nothing : html`<tr><td colspan="5" class="muted">No runs yet: pick a preset or press Run.</td></tr>`}
          ${this.runs.map((run) => {
            const shown = run === current || this.overlay.has(run.id);
            const acc = run.log.length ? run.log.column('accuracy')[run.log.length - 1] : NaN;
            return html`<tr data-testid="run-row" data-run=${run.id} ?data-current=${run === current}>
              <td>
                <svg width="28" height="8" aria-hidden="true">
                  ${shown ? svg`<line x1="0" y1="4" x2="28" y2="4" stroke="#333" stroke-width="2" stroke-dasharray=${dashOf(run).join(' ') || 'none'} />` : nothing}
                </svg>
                #${run.id} ${run.name}${run === current ? ' (current)' : ''}
              </td>
              <td>${run.done} / ${run.config.steps}</td>
              <td>${Number.isNaN(acc) ? '–' : acc.toFixed(4)}</td>
              <td>
                <input
                  type="checkbox"
                  data-testid="overlay"
                  aria-label=${`overlay run ${run.id}`}
                  .checked=${shown}
                  ?disabled=${run === current}
                  @change=${(e: Event) => this.toggleOverlay(run, (e.target as HTMLInputElement).checked)}
                />
              </td>
              <td><button class="small" data-testid="delete-run" @click=${() => this.deleteRun(run)}>Delete</button></td>
            </tr>`;
          })}
        </tbody>
      </table>
    </section>`;
  }

  private renderNoWebGpu(reason: string) {
    return html`<section class="no-webgpu card" data-testid="no-webgpu">
      <h1>patternflow needs WebGPU, and this browser has none</h1>
      <p data-testid="no-webgpu-reason">${reason}</p>
      <h2>How to enable it</h2>
      <ul>
        <li><b>Chrome, Edge</b> (113+): WebGPU is on by default on Windows, macOS and ChromeOS. On Linux, open <code>chrome://flags/#enable-unsafe-webgpu</code>, enable it and restart, or start the browser with <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>.</li>
        <li><b>Firefox</b> (141+ on Windows): on by default; elsewhere set <code>dom.webgpu.enabled</code> to true in <code>about:config</code>.</li>
        <li><b>Safari</b> (26+): on by default; on older versions enable WebGPU under Develop → Feature Flags.</li>
        <li>Check <code>chrome://gpu</code>: a blocklisted GPU or driver also switches WebGPU off. Without a GPU, Chrome can still run WebGPU on SwiftShader (its CPU Vulkan driver) with the flags above.</li>
      </ul>
      <h2>Or run on the CPU</h2>
      <p>The float64 reference (CPU) is the same model computed in JavaScript in double precision, for small configs (at most ${REFERENCE_MAX_ROLLOUTS} rollouts per step).</p>
      <button class="primary" data-testid="use-reference" @click=${() => this.usePlatform(browserReference())}>Use the float64 reference (CPU)</button>
    </section>`;
  }
}

customElements.define('pf-app', PfApp);

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Theorem 5.6's two claims per task (docs/model.md §6.4), from the run's latest row. */
function riseSentence(log: MetricsLog): string {
  const at = (name: string) => log.column(name)[log.length - 1];
  return (
    `After step 1 the accuracy had risen for ${percent(at('roseFirst'))} of the tasks (roseFirst, Theorem 5.6's first claim); ` +
    `${percent(at('roseThenFell'))} rose and are now below their start (roseThenFell)`
  );
}
