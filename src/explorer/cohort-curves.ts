// <pf-cohort-curves>: the §5 metrics over steps of the grid point picked in a view, in the
// dashboard's own charts. One seed: the cohort's logged rows as they are. Several: their mean
// and the 95% interval of the mean at each logged step, drawn as three runs (#1 the mean, #2 and
// #3 the interval's edges). Each cohort can be saved as `patternflow run`'s CSV and opened in
// the dashboard as a single run of its config.
import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { LightElement } from '../ui/light-element';
import { keyed } from 'lit/directives/keyed.js';
import { csvHeader, csvRows } from '../model/export';
import { MetricsLog, metricLayout } from '../model/metrics';
import { CHARTS } from '../ui/charts';
import { downloadText } from '../ui/download';
import type { Run } from '../ui/run';
import { configHash } from '../ui/run-link';
import '../ui/chart';
import { numberOf, type SweepResults } from './results';
import { interval } from './stats';

/** A cohort's logged rows as the dashboard's log: its own metrics only (a K = 4 cohort has no patternMass7). */
function cohortLog(results: SweepResults, cohort: number, names: string[]): MetricsLog {
  const log = new MetricsLog(names);
  const cols = names.map((n) => results.metricsNames.indexOf(n));
  for (const row of results.metricRows(cohort)) log.append(Number(row[1]), cols.map((c) => numberOf(row[c]) ?? NaN), 1);
  return log;
}

/** Per logged step and metric: the seeds' mean and the edges of its 95% interval, as three logs. */
function seedBand(logs: MetricsLog[], names: string[]): MetricsLog[] {
  const band = [0, 1, 2].map(() => new MetricsLog(names));
  const steps = logs[0].column('step');
  const cols = logs.map((l) => names.map((n) => l.column(n)));
  for (let r = 0; r < steps.length; r++) {
    const stats = names.map((_, j) => interval(cols.flatMap((c) => (r < c[j].length && Number.isFinite(c[j][r]) ? [c[j][r]] : []))));
    band.forEach((log, b) => log.append(steps[r], stats.map((s) => (s ? [s.mean, s.lo, s.hi][b] : NaN)), 1));
  }
  return band;
}

export class PfCohortCurves extends LightElement {
  static properties: PropertyDeclarations = {
    results: { attribute: false },
    cohorts: { attribute: false },
    label: { attribute: false },
    logX: { state: true },
  };
  declare results: SweepResults;
  declare cohorts: number[];
  declare label: string;
  declare logX: boolean;
  private runs: Run[] = [];
  /** Bumped with every new set of runs: the charts are made anew for it (they redraw on a change of run ids or lengths only). */
  private build = 0;

  constructor() {
    super();
    this.cohorts = [];
    this.label = '';
    this.logX = false;
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    const grid = this.results.grid;
    // Only finished cohorts can be picked, and their rows are all there: the runs change with the pick alone.
    if (!grid || !this.cohorts.length || !(changed.has('results') || changed.has('cohorts'))) return;
    if (changed.has('cohorts')) this.logX = 'log' in grid.spec.log;
    this.build++;
    const configs = this.cohorts.map((c) => grid.cohort(c).config);
    const names = metricLayout(configs[0]).names;
    const logs = this.cohorts.map((c) => cohortLog(this.results, c, names));
    if (logs.length === 1) this.runs = [{ id: this.cohorts[0], name: `cohort ${this.cohorts[0]}`, config: configs[0], log: logs[0] }];
    else this.runs = seedBand(logs, names).map((log, b) => ({ id: b + 1, name: ['mean', 'interval low', 'interval high'][b], config: configs[0], log }));
  }

  /** The cohort's logged rows as `patternflow run` writes them (only the logged steps, so row by row: they need not be consecutive). */
  private saveCsv(cohort: number) {
    const names = metricLayout(this.results.grid!.cohort(cohort).config).names;
    const log = cohortLog(this.results, cohort, names);
    const [steps, ...cols] = log.columns();
    const lines = [csvHeader(names), ...Array.from(steps, (step, r) => csvRows(step, cols.map((c) => c[r]), 1, names.length))];
    downloadText(`patternflow-cohort${cohort}.csv`, lines.join(''), 'text/csv');
  }

  render() {
    const grid = this.results.grid;
    const why = !this.results.hasMetrics
      ? 'Open the sweep’s metrics table (metrics.parquet or metrics.csv) too to see its cohorts’ curves.'
      : !grid
        ? 'Open the sweep’s manifest.json too: the curves need each cohort’s config.'
        : undefined;
    const specs = CHARTS.filter((c) => this.runs.some((r) => c.pick(r.log.names).length > 0));
    return html`<section class="card cell-curves" data-testid="sweep-cell-curves" data-cohorts=${this.cohorts.join(',')}>
      <header>
        <h3 data-testid="sweep-cell-title">Cohorts at ${this.label}</h3>
        <label class="toggle"><input type="checkbox" .checked=${this.logX} @change=${(e: Event) => (this.logX = (e.target as HTMLInputElement).checked)} /> log x</label>
      </header>
      ${why
        ? html`<p class="muted">${why}</p>`
        : html`<ul class="cohorts">
              ${this.cohorts.map((c) => {
                const config = grid!.cohort(c).config;
                return html`<li>
                  cohort ${c} (seed ${config.seed})
                  <button class="small" data-testid="sweep-cell-csv" @click=${() => this.saveCsv(c)}>CSV</button>
                  <a class="small" data-testid="sweep-open-dashboard" href=${`./${configHash(config)}`} target="_blank" rel="noopener">open as a single run in the dashboard</a>
                </li>`;
              })}
            </ul>
            ${this.cohorts.length > 1
              ? html`<p class="muted">${this.cohorts.length} seeds: #1 is their mean at each logged step, #2 and #3 the edges of its 95% interval.</p>`
              : nothing}
            ${keyed(this.build, html`<div class="charts">${specs.map((spec) => html`<pf-chart .spec=${spec} .runs=${this.runs} .logX=${this.logX} .smoothing=${0}></pf-chart>`)}</div>`)}`}
    </section>`;
  }
}

customElements.define('pf-cohort-curves', PfCohortCurves);

declare global {
  interface HTMLElementTagNameMap {
    'pf-cohort-curves': PfCohortCurves;
  }
}
