// <pf-chart>: one metrics chart with its title, a log-y toggle and a PNG export.
import { html, type PropertyDeclarations } from 'lit';
import { LightElement } from './light-element';
import uPlot from 'uplot';
import { ChartController } from './chart-controller';
import type { ChartSpec } from './charts';
import { savePng } from './png';
import type { Run } from './run';

export class PfChart extends LightElement {
  static properties: PropertyDeclarations = {
    spec: { attribute: false },
    runs: { attribute: false },
    logX: { attribute: false },
    smoothing: { attribute: false },
    logY: { state: true },
  };
  declare spec: ChartSpec;
  declare runs: readonly Run[];
  declare logX: boolean;
  declare smoothing: number;
  declare logY: boolean;
  private readonly chart: ChartController;

  constructor() {
    super();
    this.runs = [];
    this.logX = false;
    this.smoothing = 0;
    this.logY = false;
    this.chart = new ChartController(
      this,
      () => ({ spec: this.spec, runs: this.runs, logX: this.logX, logY: this.logY, smoothing: this.smoothing }),
      () => this.querySelector('.plot'),
    );
  }

  render() {
    const { id, title } = this.spec;
    return html`
      <section
        class="card chart"
        data-testid=${`chart-${id}`}
        data-points=${this.chart.drawn.points}
        data-width=${this.chart.drawn.width}
        data-x-scale=${this.logX ? 'log' : 'linear'}
        data-y-scale=${this.logY ? 'log' : 'linear'}
      >
        <header>
          <h3>${title}</h3>
          <label class="toggle"><input type="checkbox" data-testid=${`logy-${id}`} .checked=${this.logY} @change=${(e: Event) => (this.logY = (e.target as HTMLInputElement).checked)} /> log y</label>
          <button class="small" data-testid=${`png-${id}`} @click=${this.exportPng}>PNG</button>
        </header>
        <div class="plot"></div>
      </section>
    `;
  }

  /** The chart as drawn (axes and labels are on uPlot's canvas) with the title above and the legend below. */
  private exportPng = () => {
    const plot = this.chart.plot;
    if (plot) savePng(`patternflow-${this.spec.id}.png`, this.spec.title, plot.ctx.canvas, this.chart.lines, uPlot.pxRatio);
  };
}

customElements.define('pf-chart', PfChart);

declare global {
  interface HTMLElementTagNameMap {
    'pf-chart': PfChart;
  }
}
