// One uPlot chart fed from MetricsLogs. It polls the logs on requestAnimationFrame and redraws when
// they have grown, never from inside the simulation's callback; the redraw rate adapts to how long
// a redraw takes, so a huge log cannot starve the simulation of the main thread.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import uPlot from 'uplot';
import type { MetricsLog } from '../model/metrics';
import { DASHES, PALETTE, metricLabel, type ChartSpec } from './charts';
import { decimate, extendEma } from './series';
import type { Run } from './run';

export interface ChartInput {
  spec: ChartSpec;
  /** The current run first, then the overlaid ones. */
  runs: readonly Run[];
  logX: boolean;
  logY: boolean;
  /** EMA weight in [0, 1); 0 draws the raw curves only. */
  smoothing: number;
}

interface Line {
  run: Run;
  metric: string;
  label: string;
  color: string;
  dash: number[];
}

const HEIGHT = 230;
const MIN_REDRAW_MS = 50;
export const SYNC_KEY = 'patternflow';

export class ChartController implements ReactiveController {
  plot?: uPlot;
  lines: Line[] = [];
  /** Points per series in the last redraw, and the plot width they were decimated to (e2e checks). */
  drawn = { points: 0, width: 0 };
  private frame = 0;
  private shapeKey = '';
  private dataKey = '';
  private nextDraw = 0;
  private readonly emas = new WeakMap<MetricsLog, Map<string, { alpha: number; values: Float64Array; len: number }>>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly input: () => ChartInput,
    private readonly container: () => HTMLElement | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const tick = () => {
      this.tick();
      this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.frame);
    this.plot?.destroy();
    this.plot = undefined;
    this.shapeKey = '';
  }

  private tick() {
    const el = this.container();
    if (!el || el.clientWidth === 0) return;
    const input = this.input();
    const lines = linesOf(input);
    const width = el.clientWidth;
    const shapeKey = JSON.stringify([lines.map((l) => [l.run.id, l.metric]), input.logX, input.logY, input.smoothing > 0]);
    if (shapeKey !== this.shapeKey) {
      this.plot?.destroy();
      this.plot = new uPlot(options(input, lines, width), undefined, el);
      this.lines = lines;
      this.shapeKey = shapeKey;
      this.dataKey = '';
      this.host.requestUpdate();
    }
    const plot = this.plot!;
    if (plot.width !== width) plot.setSize({ width, height: HEIGHT });
    const dataKey = JSON.stringify([input.runs.map((r) => [r.id, r.log.length]), input.smoothing, width]);
    const now = performance.now();
    if (dataKey === this.dataKey || now < this.nextDraw) return;
    this.dataKey = dataKey;
    this.draw(plot, input, lines);
    this.nextDraw = now + Math.max(MIN_REDRAW_MS, 4 * (performance.now() - now));
  }

  private draw(plot: uPlot, input: ChartInput, lines: Line[]) {
    const longest = input.runs.reduce((a, r) => (r.log.length > a.length ? r.log : a), input.runs[0]?.log);
    const x = longest ? longest.column('step') : new Float64Array(0);
    const ys: ArrayLike<number>[] = [];
    for (const line of lines) {
      const raw = line.run.log.column(line.metric);
      ys.push(raw);
      if (input.smoothing > 0) ys.push(this.ema(line.run.log, line.metric, input.smoothing));
    }
    const width = Math.max(1, Math.floor(plot.bbox.width / uPlot.pxRatio));
    const d = decimate(x, ys, width, input.logX);
    if (input.logY) for (const y of d.ys) for (let i = 0; i < y.length; i++) if (y[i] !== null && y[i]! <= 0) y[i] = null;
    plot.setData([d.x, ...d.ys] as uPlot.AlignedData);
    this.drawn = { points: d.x.length, width };
    this.host.requestUpdate();
  }

  /** The EMA of a log column, extended incrementally as the log grows. */
  private ema(log: MetricsLog, metric: string, alpha: number): Float64Array {
    let perLog = this.emas.get(log);
    if (!perLog) this.emas.set(log, (perLog = new Map()));
    const values = log.column(metric);
    let e = perLog.get(metric);
    if (!e || e.alpha !== alpha) perLog.set(metric, (e = { alpha, values: new Float64Array(0), len: 0 }));
    if (e.values.length < values.length) {
      const grown = new Float64Array(Math.max(1024, 2 * values.length));
      grown.set(e.values.subarray(0, e.len));
      e.values = grown;
    }
    e.len = extendEma(values, alpha, e.values, e.len);
    return e.values.subarray(0, e.len);
  }
}

function linesOf(input: ChartInput): Line[] {
  return input.runs.flatMap((run, r) =>
    input.spec.pick(run.log.names).map((metric, j) => ({
      run,
      metric,
      label: input.runs.length > 1 ? `${metricLabel(metric)} · #${run.id}` : metricLabel(metric),
      color: PALETTE[j % PALETTE.length],
      dash: DASHES[r % DASHES.length],
    })),
  );
}

function options(input: ChartInput, lines: Line[], width: number): uPlot.Options {
  const smooth = input.smoothing > 0;
  const series: uPlot.Series[] = [{ label: 'step' }];
  lines.forEach((l, j) => {
    // The raw curve stays faint under its EMA; only the EMA has a legend entry (see .raw in the CSS).
    if (smooth) series.push({ label: l.label, stroke: l.color, dash: l.dash, width: 1, alpha: 0.25, class: 'raw', points: { show: false } });
    series.push({ label: l.label, stroke: l.color, dash: l.dash, width: 1.75, points: { show: false }, class: `line-${j}` });
  });
  return {
    width,
    height: HEIGHT,
    scales: {
      x: { time: false, distr: input.logX ? 3 : 1 },
      y: {
        distr: input.logY ? 3 : 1,
        range: input.spec.unit && !input.logY ? (_u, lo, hi) => [Math.min(0, lo ?? 0), Math.max(1, hi ?? 1)] : undefined,
      },
    },
    axes: [
      { label: input.logX ? 'step (log scale)' : 'step', labelSize: 20, size: 36 },
      { label: input.logY ? `${input.spec.yLabel} (log scale)` : input.spec.yLabel, labelSize: 20, size: 58 },
    ],
    series,
    cursor: { sync: { key: SYNC_KEY }, drag: { x: false, y: false } },
    legend: {
      live: true,
      // The marker's border shows the run's dash: solid for the current run.
      markers: { width: 2, dash: (u, i) => (!u.series[i].dash?.length ? 'solid' : u.series[i].dash![0] <= 2 ? 'dotted' : 'dashed') },
    },
    hooks: {
      // Showing or hiding an EMA in the legend takes its raw curve along.
      setSeries: [
        (u, idx) => {
          if (!smooth || idx == null || u.series[idx].class === 'raw') return;
          if (u.series[idx - 1].show !== u.series[idx].show) u.setSeries(idx - 1, { show: u.series[idx].show });
        },
      ],
    },
  };
}
