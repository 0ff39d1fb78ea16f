// <pf-app>: the dashboard. Opens WebGPU once (or offers the float64 reference when it is missing), keeps
// the runs, and lays out presets, the config panel, controls, charts and histograms. The run
// config of the current run is always in the URL hash, so the address reproduces it.
import { html, nothing, type PropertyDeclarations } from 'lit';
import { LightElement } from '../ui/light-element';
import type { Config } from '../model/config';
import { reportSentences } from '../model/report';
import type { MetricsLog } from '../model/metrics';
import { parseLogEvery } from '../model/run-control';
import { browserReference, openBrowserPlatform, type Platform } from '../ui/platform';
import { CHARTS } from '../ui/charts';
import { renderPageHeader } from '../ui/page-header';
import type { PfConfigPanel } from './config-panel';
import { exportRun } from './export';
import { renderNoWebGpu } from './no-webgpu';
import { DEFAULT_PRESET, PRESETS, type Preset } from './presets';
import type { Run } from '../ui/run';
import { renderRunsTable } from './runs-table';
import { SimulationController, type LiveRun } from './simulation-controller';
import { configFromHash, configHash, type LinkedRun } from '../ui/run-link';
import '../ui/chart';
import './config-panel';
import './histograms';

const PHASE_TEXT = { idle: 'idle', compiling: 'compiling kernels…', running: 'running', pausing: 'pausing…', paused: 'paused', done: 'done', error: 'error' } as const;

export class PfApp extends LightElement {
  static properties: PropertyDeclarations = {
    platform: { state: true },
    noWebGpu: { state: true },
    hashError: { state: true },
    runs: { state: true },
    overlay: { state: true },
    logX: { state: true },
    smoothing: { state: true },
    logEvery: { state: true },
    logEveryError: { state: true },
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
  /** Why the "metrics every" input's text is refused (the run-control table's words); the last valid value stays. */
  declare logEveryError?: string;
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
    const opened = await openBrowserPlatform('it is switched off or not supported.');
    if ('reason' in opened) this.noWebGpu = opened.reason;
    else await this.usePlatform(opened.platform);
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

  private setLogEvery(text: string) {
    try {
      this.logEvery = parseLogEvery(text);
      this.logEveryError = undefined;
    } catch (e) {
      this.logEveryError = (e as Error).message;
    }
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

  render() {
    if (this.noWebGpu) return renderNoWebGpu(this.noWebGpu, () => this.usePlatform(browserReference()));
    return html`
      ${renderPageHeader({
        title: 'patternflow',
        subtitle: 'How RL reshapes the choice of reasoning patterns (Chen, Li, Zou; ICLR 2026)',
        platform: this.platform,
        opening: true,
        nav: html`<a href="sweep.html" data-testid="sweep-link">Sweep explorer</a> · <a href="bench.html" data-testid="bench-link">Throughput benchmark</a>`,
      })}
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
        <main>${this.renderControls()} ${this.renderReport()} ${this.renderCharts()}
          ${renderRunsTable({ runs: this.runs, current: this.sim?.run, overlay: this.overlay, onOverlay: (run, on) => this.toggleOverlay(run, on), onDelete: (run) => this.deleteRun(run) })}</main>
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
    const valid = !!result?.config && !this.logEveryError;
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
            @change=${(e: Event) => this.setLogEvery((e.target as HTMLInputElement).value)}
          />
          steps</label
        >
        <span class="spacer"></span>
        <button data-testid="export-csv" ?disabled=${!step} @click=${() => this.sim?.run && this.platform && exportRun(this.sim.run, this.platform, 'csv')}>Export CSV</button>
        <button data-testid="export-json" ?disabled=${!step} @click=${() => this.sim?.run && this.platform && exportRun(this.sim.run, this.platform, 'json')}>Export JSON</button>
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
      ${this.logEveryError ? html`<p class="error" data-testid="log-every-error">Metrics every n steps: ${this.logEveryError}</p>` : nothing}
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
