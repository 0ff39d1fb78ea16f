// <pf-sweep-app>: the sweep page. Runs a sweep spec (edited in the panel, or a preset, or the one
// in the address) on the browser's WebGPU, shows its summary as a heatmap or a line view as the
// cohorts finish, the curves of a picked grid point, and exports the command line's files; or
// opens files the command line wrote, without running anything.
import { html, nothing, type PropertyDeclarations } from 'lit';
import { LightElement } from '../ui/light-element';
import { browserReference, openBrowserPlatform, type Platform } from '../ui/platform';
import { renderPageHeader } from '../ui/page-header';
import type { Grid } from '../sweep/grid';
import type { RestoredCohorts } from '../sweep/record';
import { formatDuration } from '../sweep/progress';
import type { Format } from '../sweep/table';
import type { CellPick, Selection } from './cells';
import { exportTable } from './export';
import { openFiles } from './open-files';
import { PAGE_PRESETS, type PagePreset } from './presets';
import type { SweepResults } from './results';
import type { PfSpecPanel } from './spec-panel';
import { savedCohorts } from './saved-sweep';
import { SweepController, type InterruptedSweep } from './sweep-controller';
import { specFromHash, specHash } from './url';
import { renderViews, type View } from './views';
import './spec-panel';

/** Views redraw at most this often while a sweep runs, so drawing never competes with it for long. */
const REDRAW_MS = 100;

export class PfSweepApp extends LightElement {
  static properties: PropertyDeclarations = {
    platform: { state: true },
    noWebGpu: { state: true },
    hashError: { state: true },
    files: { state: true },
    openError: { state: true },
    view: { state: true },
    selection: { state: true },
    pick: { state: true },
    claim: { state: true },
    reloadNotice: { state: true },
  };
  declare platform?: Platform;
  declare noWebGpu?: string;
  declare hashError?: string;
  /** Results opened from files; shown instead of the sweep's until a sweep starts. */
  declare files?: { results: SweepResults; names: string };
  declare openError?: string;
  declare view: View;
  declare selection: Partial<Selection>;
  /** The grid point whose curves are shown. */
  declare pick?: CellPick;
  /** What the running preset shows. */
  declare claim?: string;
  /** Said after a reload that interrupted a sweep, with the cohorts kept to go on from; gone once a sweep is started. */
  declare reloadNotice?: { text: string; kept?: RestoredCohorts };
  private sweep?: SweepController;
  private updateQueued = false;
  private lastDraw = 0;

  constructor() {
    super();
    this.view = 'heatmap';
    this.selection = {};
  }

  connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    // Files dropped anywhere on the page open as results (instead of the browser opening them).
    window.addEventListener('dragover', this.onDragOver);
    window.addEventListener('drop', this.onDrop);
    void this.init();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
    window.removeEventListener('dragover', this.onDragOver);
    window.removeEventListener('drop', this.onDrop);
  }

  private get panel(): PfSpecPanel | null {
    return this.querySelector('pf-spec-panel');
  }

  private get results(): SweepResults | undefined {
    return this.files?.results ?? this.sweep?.results;
  }

  private async init() {
    await this.updateComplete;
    const opened = await openBrowserPlatform('sweeps cannot run on a GPU here, but results can still be opened.');
    if ('platform' in opened) return this.usePlatform(opened.platform);
    this.noWebGpu = opened.reason;
    this.loadLinkOrDefault(false);
  }

  private usePlatform(platform: Platform) {
    this.noWebGpu = undefined;
    this.platform = platform;
    this.sweep = new SweepController(this, platform.backend, () => this.queueUpdate());
    const was = this.sweep.interrupted;
    if (was && was.hash === location.hash) void this.offerToContinue(was);
    else this.loadLinkOrDefault(true);
  }

  /** After a reload that interrupted this address's sweep: offers to go on from its ended cohorts, or says it cannot. */
  private async offerToContinue(was: InterruptedSweep) {
    const kept = await savedCohorts(was.hash);
    const head = `This page was reloaded while this sweep was running (${was.cohortsDone} of ${was.cohorts} cohorts done).`;
    if (!kept) {
      this.reloadNotice = { text: `${head} This browser kept none of its cohorts, so it cannot go on from there: it runs again from its first cohort.` };
      this.loadLinkOrDefault(true);
      return;
    }
    this.reloadNotice = { text: `${head} The ${kept.ended.size} cohorts that had ended are kept in this browser; the one that was running would start again.`, kept };
    this.loadLinkOrDefault(false);
  }

  private continueKept = () => {
    const kept = this.reloadNotice?.kept;
    const result = this.panel?.current();
    this.reloadNotice = undefined;
    if (kept && result?.grid) this.startGrid(result.grid, result.input, undefined, kept);
  };

  /** Loads the spec in the address (and runs it, when `run` and it is valid); otherwise the first preset, not run. */
  private loadLinkOrDefault(run: boolean) {
    const panel = this.panel!;
    let input: unknown;
    try {
      input = specFromHash(location.hash);
      this.hashError = undefined;
    } catch (e) {
      this.hashError = (e as Error).message;
    }
    if (input === undefined) {
      panel.load(PAGE_PRESETS[0].spec);
      return;
    }
    panel.load(input);
    const result = panel.current();
    if (!result.grid) this.hashError = result.error;
    else if (run) this.startGrid(result.grid, result.input);
  }

  /** A link pasted or followed into this page (the page's own runs replace the hash without this event). */
  private onHashChange = () => this.loadLinkOrDefault(!!this.sweep);

  private startGrid(grid: Grid, input: unknown, preset?: PagePreset, restored?: RestoredCohorts) {
    const sweep = this.sweep;
    if (!sweep) return;
    this.hashError = undefined;
    this.files = undefined;
    this.openError = undefined;
    this.pick = undefined;
    this.claim = preset?.shows;
    if (preset) {
      this.selection = preset.view;
      if (preset.lines) this.view = 'lines';
    }
    history.replaceState(null, '', specHash(input));
    sweep.start(grid, restored);
  }

  private runPanel = () => {
    this.reloadNotice = undefined;
    const result = this.panel?.current();
    if (result?.grid) this.startGrid(result.grid, result.input);
  };

  private runPreset(p: PagePreset) {
    this.reloadNotice = undefined;
    const panel = this.panel!;
    panel.load(p.spec);
    const result = panel.current();
    if (result.grid) this.startGrid(result.grid, result.input, p);
  }

  private async open(list: FileList | null) {
    const files = [...(list ?? [])];
    if (!files.length) return;
    try {
      const results = await openFiles(files);
      this.files = { results, names: files.map((f) => f.name).join(', ') };
      this.openError = undefined;
      this.pick = undefined;
    } catch (e) {
      this.openError = (e as Error).message;
    }
  }

  private onDragOver = (e: DragEvent) => e.preventDefault();

  private onDrop = (e: DragEvent) => {
    e.preventDefault();
    void this.open(e.dataTransfer?.files ?? null);
  };

  /** Re-renders at most once per frame, and at most every REDRAW_MS, however many batches arrive. */
  private queueUpdate() {
    if (this.updateQueued) return;
    this.updateQueued = true;
    const frame = () =>
      requestAnimationFrame((t) => {
        if (t - this.lastDraw < REDRAW_MS) return frame();
        this.lastDraw = t;
        this.updateQueued = false;
        this.requestUpdate();
      });
    frame();
  }

  private setSelection(part: Partial<Selection>) {
    this.selection = { ...this.selection, ...part, fixed: { ...this.selection.fixed, ...part.fixed } };
    this.pick = undefined;
  }

  render() {
    return html`
      ${renderPageHeader({
        title: 'patternflow sweep explorer',
        subtitle: "A grid of run configs on this browser's WebGPU, as phase diagrams",
        platform: this.platform,
        opening: !this.noWebGpu,
        nav: html`<a href="./" data-testid="dashboard-link">Dashboard</a>
          <a href="bench.html" data-testid="bench-link">Throughput benchmark</a>`,
      })}
      ${this.noWebGpu
        ? html`<p class="warning" data-testid="no-webgpu">
            ${this.noWebGpu}
            <button class="small" data-testid="use-reference" @click=${() => this.usePlatform(browserReference())}>Run sweeps on the float64 reference (CPU)</button>
          </p>`
        : nothing}
      ${this.hashError
        ? html`<p class="error" role="alert" data-testid="sweep-hash-error">
            The sweep spec in this address could not be used: ${this.hashError}. Fix it in the spec panel and press Run, or pick a preset.
          </p>`
        : nothing}
      <div class="layout">
        <aside>${this.renderPresets()} ${this.renderSpec()} ${this.renderOpen()}</aside>
        <main>${this.renderControls()} ${renderViews({
            results: this.results,
            selection: this.selection,
            view: this.view,
            pick: this.pick,
            setView: (view) => (this.view = view),
            setSelection: (part) => this.setSelection(part),
            setPick: (pick) => (this.pick = pick),
          })}</main>
      </div>
    `;
  }

  private renderPresets() {
    return html`<section class="card">
      <h2>Presets</h2>
      <ul class="presets">
        ${PAGE_PRESETS.map(
          (p) => html`<li>
            <button data-testid=${`sweep-preset-${p.name}`} ?disabled=${!this.sweep} @click=${() => this.runPreset(p)}>${p.name}</button>
            <small>${p.shows}</small>
          </li>`,
        )}
      </ul>
    </section>`;
  }

  private renderSpec() {
    const valid = !!this.panel?.result.grid;
    return html`<section class="card">
      <h2>Sweep spec</h2>
      <p class="muted">The command line's JSON: <code>base</code>, <code>axes</code>, <code>seeds</code>, <code>logEvery</code> or <code>logSteps</code> (README, “Sweeps”).</p>
      <pf-spec-panel @spec-change=${() => this.requestUpdate()}></pf-spec-panel>
      <button class="primary" data-testid="sweep-run" ?disabled=${!this.sweep || !valid} @click=${this.runPanel}>Run</button>
    </section>`;
  }

  private renderOpen() {
    return html`<section class="card">
      <h2>Open results</h2>
      <p class="muted">
        Files written by <code>patternflow sweep</code> or <code>merge</code>: <code>summary.parquet</code> (or <code>.csv</code>), and
        <code>metrics.parquet</code> and <code>manifest.json</code> for the cohorts' curves. Choose them or drop them on the page.
      </p>
      <input type="file" multiple accept=".parquet,.csv,.json" data-testid="sweep-open" @change=${(e: Event) => this.open((e.target as HTMLInputElement).files)} />
      ${this.openError ? html`<p class="error" role="alert" data-testid="sweep-open-error">${this.openError}</p>` : nothing}
      ${this.files ? html`<p class="muted" data-testid="sweep-opened">Showing ${this.files.names} (${this.files.results.summary.length} cohorts).</p>` : nothing}
    </section>`;
  }

  private renderControls() {
    const sweep = this.sweep;
    const phase = sweep?.phase ?? 'idle';
    const p = sweep?.progress;
    const eta = sweep?.etaSeconds ?? NaN;
    const exportable = !this.files && phase === 'done';
    const exportButton = (table: 'summary' | 'metrics', format: Format, testId: string) =>
      html`<button data-testid=${testId} ?disabled=${!exportable} @click=${() => this.results && exportTable(this.results, table, format)}>${table}.${format}</button>`;
    return html`<section class="card controls">
      <div class="buttons">
        <button data-testid="sweep-pause" ?disabled=${phase !== 'running'} @click=${() => sweep?.pause()}>Pause</button>
        <button data-testid="sweep-resume" ?disabled=${phase !== 'paused'} @click=${() => sweep?.resume()}>Resume</button>
        <button data-testid="sweep-stop" ?disabled=${!['running', 'checking', 'paused'].includes(phase)} @click=${() => sweep?.stop()}>Stop</button>
        <span class="spacer"></span>
        <span class="muted">Export:</span>
        ${exportButton('summary', 'csv', 'sweep-export-csv')} ${exportButton('metrics', 'csv', 'sweep-export-metrics-csv')}
        ${exportButton('summary', 'parquet', 'sweep-export-parquet')} ${exportButton('metrics', 'parquet', 'sweep-export-metrics-parquet')}
      </div>
      <div class="progress">
        <progress data-testid="sweep-progress" max=${p?.steps || 1} .value=${p?.stepsDone ?? 0}></progress>
        <span class="status" data-testid="sweep-status" data-phase=${phase}>${phase}</span>
        <span>cohorts <b data-testid="sweep-cohorts">${p?.cohortsDone ?? 0}</b> / ${p?.cohorts ?? 0}</span>
        <span><b data-testid="sweep-rate">${phase === 'running' && sweep!.stepsPerSecond > 0 ? Math.round(sweep!.stepsPerSecond).toLocaleString('en-US') : '–'}</b> steps/s</span>
        <span>ETA <b data-testid="sweep-eta">${phase === 'running' && Number.isFinite(eta) ? formatDuration(eta) : '–'}</b></span>
      </div>
      ${this.reloadNotice
        ? html`<p class="warning" role="status" data-testid="sweep-reload-notice">
            ${this.reloadNotice.text}
            ${this.reloadNotice.kept
              ? html`<button class="primary" data-testid="sweep-continue" @click=${this.continueKept}>Continue from them</button>
                  <button data-testid="sweep-start-again" @click=${this.runPanel}>Start again</button>`
              : nothing}
          </p>`
        : nothing}
      ${this.claim && !this.files ? html`<p class="muted" data-testid="sweep-claim">${this.claim}</p>` : nothing}
      ${phase === 'error' ? html`<p class="error" role="alert" data-testid="sweep-error">${sweep?.error}</p>` : nothing}
    </section>`;
  }
}

customElements.define('pf-sweep-app', PfSweepApp);
