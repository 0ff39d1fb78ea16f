// <pf-line-view>: one summary column against one axis (uPlot), a line per value of a second axis,
// with the seeds' mean and a shaded 95% interval when the sweep has several seeds; the theory's
// boundaries along x as vertical lines; a click on a point selects that grid point's cohorts.
import { html, nothing, type PropertyDeclarations } from 'lit';
import { LightElement } from '../ui/light-element';
import uPlot from 'uplot';
import { PALETTE } from '../ui/charts';
import { boundaries, type Boundary } from './boundary';
import { cellGrid, pointLabel, type CellGrid, type CellPick, type Selection } from './cells';
import { savePng, type LegendEntry } from '../ui/png';
import { ResizeController } from '../ui/resize-controller';
import type { SweepResults } from './results';
import { axisTitle, formatNumber, formatValue, type ViewAxis } from './scale';

const HEIGHT = 360;
const BOUNDARY = '#e8175d';

/** Where the plot puts value j of the x axis: the number itself, or its index on a choice axis. */
const xOf = (axis: ViewAxis) => axis.values.map((v, j) => (axis.numeric ? (v as number) : j));

/** The vertical boundaries' x positions, as values of the axis (scale units are log10 on a log axis). */
function verticals(bs: Boundary[], axis: ViewAxis): { x: number; b: Boundary }[] {
  const seen = new Set<string>();
  return bs.flatMap((b) =>
    b.segments.flatMap(([u0, , u1]) => {
      if (u0 !== u1 || seen.has(`${b.label}:${u0}`)) return [];
      seen.add(`${b.label}:${u0}`);
      return [{ x: axis.log ? 10 ** u0 : u0, b }];
    }),
  );
}

export class PfLineView extends LightElement {
  static properties: PropertyDeclarations = {
    results: { attribute: false },
    selection: { attribute: false },
    version: { attribute: false },
  };
  declare results: SweepResults;
  declare selection: Selection;
  declare version: number;
  private plot?: uPlot;
  private shapeKey = '';
  private grid?: CellGrid;
  private legend: LegendEntry[] = [];
  private lines: Boundary[] = [];

  constructor() {
    super();
    this.version = 0;
    new ResizeController(this, () => this.plot && this.fit(this.plot));
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.plot?.destroy();
    this.plot = undefined;
    this.shapeKey = '';
  }

  private get box(): HTMLElement | null {
    return this.querySelector('.plot');
  }

  private fit(plot: uPlot) {
    const width = this.box?.clientWidth ?? 0;
    if (width && plot.width !== width) plot.setSize({ width, height: HEIGHT });
  }

  protected willUpdate(): void {
    this.grid = cellGrid(this.results, this.selection);
    this.lines = boundaries(this.results, this.selection);
  }

  protected updated(): void {
    const box = this.box;
    const grid = this.grid;
    if (!box || !grid) return;
    const bands = this.results.seeds > 1;
    const shapeKey = JSON.stringify([this.selection, grid.x.values, grid.y?.values, bands]);
    if (shapeKey !== this.shapeKey) {
      this.plot?.destroy();
      this.plot = new uPlot(this.options(grid, bands, box.clientWidth || 600), undefined, box);
      this.shapeKey = shapeKey;
    }
    this.plot!.setData(this.data(grid, bands));
  }

  private data(grid: CellGrid, bands: boolean): uPlot.AlignedData {
    const data: (number | null)[][] = [xOf(grid.x)];
    for (const row of grid.cells) {
      data.push(row.map((c) => c.stats?.mean ?? null));
      if (bands) data.push(row.map((c) => c.stats?.lo ?? null), row.map((c) => c.stats?.hi ?? null));
    }
    return data as uPlot.AlignedData;
  }

  private options(grid: CellGrid, bandsOn: boolean, width: number): uPlot.Options {
    const { x, y } = grid;
    const series: uPlot.Series[] = [{ label: x.name, value: (_u, v) => (v == null ? '–' : formatValue(x.numeric ? v : x.values[v], 40)) }];
    const bands: uPlot.Band[] = [];
    this.legend = [];
    const rows = y ? y.values : [undefined];
    rows.forEach((v, j) => {
      const color = PALETTE[j % PALETTE.length];
      const label = v === undefined ? this.selection.column : `${y!.name} = ${formatValue(v, 24)}`;
      this.legend.push({ label, color, dash: [] });
      series.push({ label, stroke: color, width: 2, points: { show: true, size: 6 }, value: (_u, val) => (val == null ? '–' : formatNumber(val)) });
      if (bandsOn) {
        const first = series.length;
        // The interval's edges carry no legend entry of their own (.band in the CSS).
        series.push({ label: `${label} 2.5%`, stroke: color, width: 0, points: { show: false }, class: 'band' });
        series.push({ label: `${label} 97.5%`, stroke: color, width: 0, points: { show: false }, class: 'band' });
        bands.push({ series: [first + 1, first], fill: `${color}33` });
      }
    });
    const choiceTicks = x.numeric ? undefined : x.values.map((_, j) => j);
    return {
      width,
      height: HEIGHT,
      scales: {
        x: { time: false, distr: x.log ? 3 : 1, range: choiceTicks ? [-0.5, x.values.length - 0.5] : undefined },
        y: { distr: this.selection.logY ? 3 : 1 },
      },
      axes: [
        {
          label: axisTitle(x),
          labelSize: 20,
          size: 40,
          splits: choiceTicks ? () => choiceTicks : undefined,
          values: choiceTicks ? (_u, splits) => splits.map((s) => formatValue(x.values[s] ?? '', 14)) : undefined,
        },
        {
          label: `${this.selection.column}${this.results.seeds > 1 ? ' (mean, 95% interval)' : ''}${this.selection.logY ? ' (log scale)' : ''}`,
          labelSize: 20,
          size: 64,
        },
      ],
      series,
      bands,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      hooks: {
        draw: [(u) => this.drawBoundaries(u)],
        ready: [(u) => u.over.addEventListener('click', () => this.pick(u))],
      },
    };
  }

  private drawBoundaries(u: uPlot) {
    if (!this.grid) return;
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    ctx.save();
    ctx.lineWidth = 2 * uPlot.pxRatio;
    ctx.strokeStyle = BOUNDARY;
    for (const { x, b } of verticals(this.lines, this.grid.x)) {
      const px = u.valToPos(x, 'x', true);
      ctx.setLineDash(b.dash.map((d) => d * uPlot.pxRatio));
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, top + height);
      ctx.stroke();
    }
    ctx.restore();
  }

  /** The grid point under a click: the x value nearest the cursor, and the line nearest it there. */
  private pick(u: uPlot) {
    const grid = this.grid;
    const i = u.cursor.idx;
    if (!grid || i == null || u.cursor.top == null) return;
    const at = u.posToVal(u.cursor.top, 'y');
    const stride = this.results.seeds > 1 ? 3 : 1;
    let best = -1;
    grid.cells.forEach((row, j) => {
      const v = (u.data[1 + j * stride][i] as number | null) ?? null;
      if (v === null || !row[i].cohorts.length) return;
      if (best < 0 || Math.abs(v - at) < Math.abs((u.data[1 + best * stride][i] as number) - at)) best = j;
    });
    if (best < 0) return;
    const pick: CellPick = { cohorts: grid.cells[best][i].cohorts, label: pointLabel(this.selection, grid.x.values[i], grid.y?.values[best]), cell: [i, best] };
    this.dispatchEvent(new CustomEvent<CellPick>('cell-select', { detail: pick, bubbles: true }));
  }

  private exportPng = () => {
    if (this.plot) savePng(`patternflow-sweep-lines-${this.selection.column}.png`, `${this.selection.column} against ${this.selection.x}`, this.plot.ctx.canvas, this.legend, uPlot.pxRatio);
  };

  render() {
    const bs = this.lines.filter((b) => this.grid && verticals([b], this.grid.x).length);
    return html`<section class="card view" data-testid="sweep-lines">
      <header>
        <h3>Line view</h3>
        <button class="small" data-testid="sweep-lines-png" @click=${this.exportPng}>PNG</button>
      </header>
      <p class="muted readout">
        ${this.results.seeds > 1 ? `Lines are means over ${this.results.seeds} seeds; shaded bands are 95% intervals of the mean. ` : ''}Click a point for its cohorts’
        curves.${bs.length ? html` Vertical lines: ${bs.map((b) => b.label).join(', ')}.` : nothing}
      </p>
      <div class="plot"></div>
    </section>`;
  }
}

customElements.define('pf-line-view', PfLineView);

declare global {
  interface HTMLElementTagNameMap {
    'pf-line-view': PfLineView;
  }
}
