// <pf-heatmap>: one summary column over two axes on a canvas (heatmap-draw.ts), the value under
// the cursor in words above it, a click on a cell selects its cohorts, and a PNG of the picture.
// It redraws when the results' version changes, which the page throttles to animation frames.
import { html, type PropertyDeclarations } from 'lit';
import { LightElement } from '../ui/light-element';
import { download } from '../ui/download';
import { boundaries } from './boundary';
import { cellGrid, missingMeaning, pointLabel, type CellGrid, type CellPick, type CellStats, type Selection } from './cells';
import { colourScale } from './colour';
import { drawHeatmap, layout, type HeatmapLayout, type HeatmapModel } from './heatmap-draw';
import { ResizeController } from '../ui/resize-controller';
import type { SweepResults } from './results';
import { formatNumber, type AxisScale } from './scale';

const HEIGHT = 440;
const STRIP_HEIGHT = 190;

/** A cell's value in words: the mean (and interval over seeds), or why there is none. */
function cellText(cell: CellStats, column: string): string {
  const { stats } = cell;
  if (!stats) return cell.missing > 0 ? `empty (${missingMeaning(column)})` : 'not run yet';
  const seeds = stats.n > 1 ? ` (mean of ${stats.n} seeds; 95% interval ${formatNumber(stats.lo)} to ${formatNumber(stats.hi)})` : '';
  const missing = cell.missing > 0 ? `; ${cell.missing} more ${missingMeaning(column)}` : '';
  return `${formatNumber(stats.mean)}${seeds}${missing}`;
}

export class PfHeatmap extends LightElement {
  static properties: PropertyDeclarations = {
    results: { attribute: false },
    selection: { attribute: false },
    version: { attribute: false },
    selected: { attribute: false },
    logColour: { state: true },
    hovered: { state: true },
  };
  declare results: SweepResults;
  declare selection: Selection;
  /** The results' version this was last given: a change redraws. */
  declare version: number;
  /** The cell picked last, [column, row]. */
  declare selected?: [number, number];
  /** Log colour scale: undefined chooses by the values' span. */
  declare logColour?: boolean;
  declare hovered?: [number, number];
  private lay?: HeatmapLayout;
  private grid?: CellGrid;
  private model?: HeatmapModel;

  constructor() {
    super();
    this.version = 0;
    new ResizeController(this, () => this.requestUpdate()); // redrawn at its new size
  }

  private get canvas(): HTMLCanvasElement | null {
    return this.querySelector('canvas');
  }

  private heading(): string {
    const { seeds } = this.results;
    return `${this.selection.column}${seeds > 1 ? ` (mean over ${seeds} seeds)` : ''}`;
  }

  protected willUpdate(): void {
    this.grid = cellGrid(this.results, this.selection);
    const means = this.grid.cells.flat().flatMap((c) => (c.stats ? [c.stats.mean] : []));
    this.model = {
      grid: this.grid,
      title: this.heading(),
      colour: colourScale(means, this.logColour),
      boundaries: boundaries(this.results, this.selection),
      missingLabel: missingMeaning(this.selection.column),
      selected: this.selected,
      hovered: this.hovered,
    };
  }

  protected updated(): void {
    const canvas = this.canvas;
    if (!canvas || !this.model) return;
    const width = Math.max(320, canvas.parentElement!.clientWidth);
    const height = this.grid?.y ? HEIGHT : STRIP_HEIGHT;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const lay = (this.lay = layout(ctx, this.model.grid, width, height));
    drawHeatmap(ctx, this.model, lay, width, height);
    // For tests: where each value's cells are centred (CSS pixels), and the boundaries drawn.
    const centers = (axis: AxisScale | undefined, at: (u: number) => number) => axis?.centers.map((u) => Math.round(at(u))).join(',') ?? '';
    Object.assign(canvas.dataset, { xCenters: centers(lay.x, lay.px), yCenters: centers(lay.y, lay.py), boundaries: this.model.boundaries.map((b) => b.label).join('|') });
  }

  private cellAt(e: MouseEvent): [number, number] | undefined {
    const rect = this.canvas!.getBoundingClientRect();
    return this.lay?.cellAt(e.clientX - rect.left, e.clientY - rect.top);
  }

  private onMove = (e: MouseEvent) => {
    const cell = this.cellAt(e);
    if (cell?.[0] !== this.hovered?.[0] || cell?.[1] !== this.hovered?.[1]) this.hovered = cell;
  };

  private onClick = (e: MouseEvent) => {
    const cell = this.cellAt(e);
    if (!cell || !this.grid) return;
    const [i, j] = cell;
    const stats = this.grid.cells[j][i];
    if (!stats.cohorts.length) return;
    const pick: CellPick = { cohorts: stats.cohorts, label: pointLabel(this.selection, this.grid.x.values[i], this.grid.y?.values[j]), cell };
    this.dispatchEvent(new CustomEvent<CellPick>('cell-select', { detail: pick, bubbles: true }));
  };

  private readout(): string {
    const grid = this.grid;
    if (!grid || !this.hovered) return 'Hover a cell for its value; click it for its cohorts’ curves.';
    const [i, j] = this.hovered;
    return `${pointLabel(this.selection, grid.x.values[i], grid.y?.values[j])}: ${this.selection.column} ${cellText(grid.cells[j][i], this.selection.column)}`;
  }

  private exportPng = () => {
    const canvas = this.canvas;
    if (canvas) download(`patternflow-sweep-heatmap-${this.selection.column}.png`, canvas.toDataURL('image/png'));
  };

  render() {
    const cells = this.grid?.cells.map((row) => row.map((c) => c.stats?.mean ?? null));
    return html`<section class="card view">
      <header>
        <h3>Heatmap</h3>
        <label class="toggle"
          ><input
            type="checkbox"
            data-testid="sweep-log-colour"
            .checked=${this.model?.colour.log ?? false}
            @change=${(e: Event) => (this.logColour = (e.target as HTMLInputElement).checked)}
          />
          log colour scale</label
        >
        <button class="small" data-testid="sweep-heatmap-png" @click=${this.exportPng}>PNG</button>
      </header>
      <p class="readout" data-testid="sweep-hover">${this.readout()}</p>
      <div class="heatmap-box">
        <canvas
          data-testid="sweep-heatmap"
          data-cells=${JSON.stringify(cells ?? [])}
          data-x=${this.selection.x}
          data-y=${this.selection.y ?? ''}
          @mousemove=${this.onMove}
          @mouseleave=${() => (this.hovered = undefined)}
          @click=${this.onClick}
        ></canvas>
      </div>
    </section>`;
  }
}

customElements.define('pf-heatmap', PfHeatmap);

declare global {
  interface HTMLElementTagNameMap {
    'pf-heatmap': PfHeatmap;
  }
}
