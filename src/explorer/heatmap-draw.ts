// Drawing a heatmap on a 2D canvas: cells, axes with their labels, the colour legend with the
// swatches for empty and not-yet-run cells, and the theory's boundaries. Pure functions of the
// model and the canvas size, so the element, its PNG and the tests all draw the same picture.
import type { Boundary } from './boundary';
import type { CellGrid } from './cells';
import { viridis, type ColourScale } from './colour';
import { axisScale, axisTitle, formatNumber, formatValue, type AxisScale, type ViewAxis } from './scale';

export interface HeatmapModel {
  grid: CellGrid;
  title: string;
  colour: ColourScale;
  boundaries: Boundary[];
  /** What an empty cell means ("never reached"). */
  missingLabel: string;
  selected?: [number, number];
  hovered?: [number, number];
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface HeatmapLayout {
  plot: Box;
  x: AxisScale;
  y?: AxisScale;
  /** The cell [column, row] under a point of the canvas (CSS pixels), if any. */
  cellAt(px: number, py: number): [number, number] | undefined;
  /** CSS pixels from scale units. */
  px(u: number): number;
  py(v: number): number;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif';
const TITLE_H = 30;
const BOTTOM = 50;
const LEGEND_W = 150;
const TICK = 4;
const INK = '#1d2330';
const MUTED = '#667085';
const BOUNDARY = '#e8175d';
const PENDING = '#eef0f4';


export function layout(ctx: CanvasRenderingContext2D, grid: CellGrid, width: number, height: number): HeatmapLayout {
  ctx.font = `11px ${FONT}`;
  const yLabels = grid.y?.values.map((v) => ctx.measureText(formatValue(v)).width) ?? [];
  const left = (grid.y ? 22 : 8) + Math.max(0, ...yLabels) + TICK + 6;
  const plot = { left, top: TITLE_H, width: Math.max(40, width - left - LEGEND_W - 12), height: Math.max(20, height - TITLE_H - BOTTOM) };
  const x = axisScale(grid.x);
  const y = grid.y ? axisScale(grid.y) : undefined;
  const [xe, ye] = [x.edges, y?.edges ?? [0, 1]];
  const px = (u: number) => plot.left + ((u - xe[0]) / (xe.at(-1)! - xe[0])) * plot.width;
  // Rows grow upwards, as a y axis does.
  const py = (v: number) => plot.top + plot.height - ((v - ye[0]) / (ye.at(-1)! - ye[0])) * plot.height;
  const find = (edges: number[], u: number) => {
    const k = edges.findIndex((e, j) => j + 1 < edges.length && u >= Math.min(e, edges[j + 1]) && u < Math.max(e, edges[j + 1]));
    return k < 0 ? undefined : k;
  };
  const cellAt = (cx: number, cy: number): [number, number] | undefined => {
    const u = xe[0] + ((cx - plot.left) / plot.width) * (xe.at(-1)! - xe[0]);
    const v = ye[0] + ((plot.top + plot.height - cy) / plot.height) * (ye.at(-1)! - ye[0]);
    const i = find(xe, u);
    const j = find(ye, v);
    return i === undefined || j === undefined ? undefined : [i, j];
  };
  return { plot, x, y, cellAt, px, py };
}

/** Diagonal hatching: empty cells stand apart from every colour of the scale. */
function hatch(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
  ctx.fillStyle = '#fff';
  ctx.fillRect(x, y, w, h);
  ctx.strokeStyle = '#98a2b3';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let d = -h; d < w; d += 6) {
    ctx.moveTo(x + d, y + h);
    ctx.lineTo(x + d + h, y);
  }
  ctx.stroke();
  ctx.restore();
}

/** Labels along an axis, skipping those that would overlap the last one drawn. */
function ticks(ctx: CanvasRenderingContext2D, axis: ViewAxis, at: number[], horizontal: boolean, base: number) {
  let last: { p: number; half: number } | undefined;
  axis.values.forEach((v, j) => {
    const text = formatValue(v);
    const p = at[j];
    // Half the label's extent along the axis: its width across x, a line's height up y.
    const half = horizontal ? ctx.measureText(text).width / 2 : 7;
    if (last && Math.abs(p - last.p) < last.half + half + 6) return;
    last = { p, half };
    ctx.beginPath();
    if (horizontal) {
      ctx.moveTo(p, base);
      ctx.lineTo(p, base + TICK);
      ctx.stroke();
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(text, p, base + TICK + 2);
    } else {
      ctx.moveTo(base, p);
      ctx.lineTo(base - TICK, p);
      ctx.stroke();
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      ctx.fillText(text, base - TICK - 3, p);
    }
  });
}

/** Words wrapped to `width`, as lines. */
function wrap(ctx: CanvasRenderingContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const line = lines.length ? `${lines[lines.length - 1]} ${word}` : word;
    if (lines.length && ctx.measureText(line).width <= width) lines[lines.length - 1] = line;
    else lines.push(word);
  }
  return lines;
}

function legend(ctx: CanvasRenderingContext2D, model: HeatmapModel, lay: HeatmapLayout, missing: boolean, pending: boolean) {
  const { plot } = lay;
  const x = plot.left + plot.width + 20;
  const barW = 14;
  const textW = LEGEND_W - barW - 20;
  const { colour } = model;
  // The bar takes what the swatches below it leave.
  const swatches = (missing ? 1 : 0) + (pending ? 1 : 0) + model.boundaries.length;
  const barH = Math.max(40, plot.height - swatches * 30 - 10);
  const top = plot.top;
  for (let k = 0; k < barH; k++) {
    ctx.fillStyle = viridis(1 - k / (barH - 1));
    ctx.fillRect(x, top + k, barW, 1.5);
  }
  ctx.strokeStyle = MUTED;
  ctx.strokeRect(x, top, barW, barH);
  ctx.fillStyle = INK;
  ctx.font = `11px ${FONT}`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  let last = -Infinity;
  for (const v of colour.ticks) {
    const y = top + (1 - colour.t(v)) * barH;
    if (Math.abs(y - last) < 13) continue;
    last = y;
    ctx.beginPath();
    ctx.moveTo(x + barW, y);
    ctx.lineTo(x + barW + TICK, y);
    ctx.stroke();
    ctx.fillText(formatNumber(v), x + barW + TICK + 3, y);
  }
  let y = top + barH + 14;
  const entry = (draw: (sx: number, sy: number) => void, label: string) => {
    draw(x, y);
    ctx.fillStyle = INK;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    const lines = wrap(ctx, label, textW);
    lines.forEach((l, k) => ctx.fillText(l, x + barW + 6, y + k * 13));
    y += Math.max(18, lines.length * 13 + 5);
  };
  if (missing)
    entry((sx, sy) => {
      hatch(ctx, sx, sy, barW, 12);
      ctx.strokeStyle = MUTED;
      ctx.strokeRect(sx, sy, barW, 12);
    }, model.missingLabel);
  if (pending)
    entry((sx, sy) => {
      ctx.fillStyle = PENDING;
      ctx.fillRect(sx, sy, barW, 12);
      ctx.strokeStyle = MUTED;
      ctx.strokeRect(sx, sy, barW, 12);
    }, 'not run yet');
  for (const b of model.boundaries)
    entry((sx, sy) => {
      ctx.strokeStyle = BOUNDARY;
      ctx.lineWidth = 2.5;
      ctx.setLineDash(b.dash);
      ctx.beginPath();
      ctx.moveTo(sx - 2, sy + 6);
      ctx.lineTo(sx + barW + 2, sy + 6);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineWidth = 1;
    }, b.label);
}

export function drawHeatmap(ctx: CanvasRenderingContext2D, model: HeatmapModel, lay: HeatmapLayout, width: number, height: number): void {
  const { grid, colour } = model;
  const { plot, x, y, px, py } = lay;
  const ye = y?.edges ?? [0, 1];
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.lineWidth = 1;
  ctx.fillStyle = INK;
  ctx.font = `600 13px ${FONT}`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(model.title, plot.left, TITLE_H / 2);

  let [missing, pending] = [false, false];
  const rect = (i: number, j: number) => {
    const [x0, x1, y0, y1] = [px(x.edges[i]), px(x.edges[i + 1]), py(ye[j + 1]), py(ye[j])];
    return [Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0)] as const;
  };
  grid.cells.forEach((row, j) =>
    row.forEach((cell, i) => {
      const [cx, cy, w, h] = rect(i, j);
      if (cell.stats) {
        ctx.fillStyle = viridis(colour.t(cell.stats.mean));
        ctx.fillRect(cx, cy, w, h);
      } else if (cell.missing > 0) {
        missing = true;
        hatch(ctx, cx, cy, w, h);
      } else {
        pending = true;
        ctx.fillStyle = PENDING;
        ctx.fillRect(cx, cy, w, h);
      }
    }),
  );
  ctx.strokeStyle = MUTED;
  ctx.strokeRect(plot.left, plot.top, plot.width, plot.height);

  for (const b of model.boundaries) {
    ctx.setLineDash(b.dash);
    // A white halo under the line keeps it visible on every colour of the scale.
    for (const [colourOf, widthOf] of [
      ['#fff', 5],
      [BOUNDARY, 2.5],
    ] as const) {
      ctx.strokeStyle = colourOf;
      ctx.lineWidth = widthOf;
      ctx.beginPath();
      for (const [u0, v0, u1, v1] of b.segments) {
        ctx.moveTo(px(u0), py(v0));
        ctx.lineTo(px(u1), py(v1));
      }
      ctx.stroke();
    }
  }
  ctx.setLineDash([]);
  for (const [cell, colourOf, widthOf] of [
    [model.hovered, '#fff', 1.5],
    [model.selected, '#000', 2.5],
  ] as const) {
    if (!cell) continue;
    const [cx, cy, w, h] = rect(cell[0], cell[1]);
    ctx.strokeStyle = colourOf;
    ctx.lineWidth = widthOf;
    ctx.strokeRect(cx + widthOf / 2, cy + widthOf / 2, w - widthOf, h - widthOf);
  }

  ctx.lineWidth = 1;
  ctx.strokeStyle = MUTED;
  ctx.fillStyle = INK;
  ctx.font = `11px ${FONT}`;
  ticks(ctx, grid.x, x.centers.map(px), true, plot.top + plot.height);
  if (grid.y && y) ticks(ctx, grid.y, y.centers.map(py), false, plot.left);
  ctx.font = `12px ${FONT}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(axisTitle(grid.x), plot.left + plot.width / 2, plot.top + plot.height + BOTTOM - 8);
  if (grid.y) {
    ctx.save();
    ctx.translate(12, plot.top + plot.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(axisTitle(grid.y), 0, 0);
    ctx.restore();
  }
  legend(ctx, model, lay, missing, pending);
}
