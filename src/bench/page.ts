// bench.html: the throughput sweep in the browser (the same src/bench/ modules as the command
// line), the WGSL engine's rollouts/s plotted against N on log-log axes; the peer (Python) is the
// command line's only. The URL narrows the sweep like the CLI
// flags: ?tasks=1000,10000&patterns=4&group=8&estimator=grpo&policy=tabular&logEvery=100&repeats=1&roofline=0,
// and ?run starts it on load.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { adapterLine, openGpu, type Gpu } from '../engine/adapter';
import { ESTIMATORS } from '../model/config';
import { describeCase, FILTER_POLICIES, planSweep, type SweepFilter } from './cases';
import { formatReport } from './format';
import { defaultOptions, type BenchRow } from './measure';
import { runBench } from './report';

const $ = (id: string) => document.getElementById(id)!;
const params = new URLSearchParams(location.search);
const list = (name: string) => params.get(name)?.split(',').filter(Boolean);
const numbers = (name: string) => list(name)?.map(Number);

function filterFromUrl(): SweepFilter {
  const pick = <T extends string>(name: string, allowed: readonly T[]) => list(name)?.filter((v): v is T => allowed.includes(v as T));
  return { tasks: numbers('tasks'), patterns: numbers('patterns'), group: numbers('group'), estimator: pick('estimator', ESTIMATORS), policy: pick('policy', FILTER_POLICIES), logEvery: numbers('logEvery') };
}

const sci = (x: number) => x.toExponential(2);
const seriesKey = (r: BenchRow) => `K${r.patterns} ${r.estimator === 'expected' ? 'expected' : `G${r.group} ${r.estimator}`} ${r.policy}${r.logEvery ? ` logEvery ${r.logEvery}` : ''}`;

/** The WGSL engine's rollouts/s against N, one line per config. */
function plot(rows: BenchRow[], fallback: boolean) {
  const el = $('plot');
  el.replaceChildren();
  const xs = [...new Set(rows.map((r) => r.tasks))].sort((a, b) => a - b);
  const keys = [...new Set(rows.map(seriesKey))];
  const colour = (j: number) => `hsl(${(j * 360) / Math.max(1, keys.length)}, 65%, 45%)`;
  const series: uPlot.Series[] = [{ label: 'tasks N' }];
  const data: (number | null)[][] = [xs];
  keys.forEach((k, j) => {
    series.push({ label: `${k} ${fallback ? 'WGSL (CPU adapter)' : 'WGSL'}`, stroke: colour(j), width: 2, points: { show: true } });
    data.push(xs.map((n) => rows.find((r) => r.tasks === n && seriesKey(r) === k)?.rolloutsPerSec ?? null));
  });
  new uPlot(
    {
      width: Math.min(1000, el.clientWidth || 900),
      height: 360,
      scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
      axes: [{ label: 'tasks N' }, { label: 'rollouts/s', size: 70, values: (_u, vals) => vals.map((v) => (v == null ? '' : v.toExponential(0))) }],
      series,
      legend: { live: false },
    },
    data as uPlot.AlignedData,
    el,
  );
}

function addRow(r: BenchRow) {
  const tr = document.createElement('tr');
  tr.dataset.testid = 'row';
  const cells = [r.tasks, r.patterns, r.estimator === 'expected' ? '-' : r.group, r.estimator, r.policy, r.logEvery ?? 1, sci(r.rolloutsPerSec), sci(r.stepsPerSec), r.timing];
  for (const c of cells) tr.append(Object.assign(document.createElement('td'), { textContent: String(c) }));
  $('rows').append(tr);
}

async function run(gpu: Gpu) {
  const button = $('run') as HTMLButtonElement;
  button.disabled = true;
  $('rows').replaceChildren();
  const fallback = gpu.adapter.isFallback;
  const plan = planSweep(fallback, filterFromUrl());
  const opts = { ...defaultOptions(fallback), roofline: params.get('roofline') !== '0' };
  if (numbers('repeats')?.[0]) opts.repeats = numbers('repeats')![0];
  if (numbers('minSeconds')?.[0]) opts.minSeconds = numbers('minSeconds')![0];
  $('notes').textContent = plan.notes.join(' ');
  const rows: BenchRow[] = [];
  let done = 0;
  const report = await runBench(gpu, plan, opts, {
    onRow: (row) => {
      rows.push(row);
      addRow(row);
      plot(rows, fallback);
      $('status').textContent = `${++done}/${plan.cases.length} rows; last: ${describeCase(row)}`;
    },
  });
  $('status').textContent = `done: ${report.rows.length} rows`;
  $('report').textContent = formatReport(report);
  $('report').hidden = false;
  const link = $('json') as HTMLAnchorElement;
  link.href = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }));
  link.hidden = false;
  button.disabled = false;
}

async function main() {
  if (!navigator.gpu) {
    $('adapter').textContent = 'no WebGPU in this browser';
    return;
  }
  const gpu = await openGpu(navigator.gpu);
  $('adapter').textContent = adapterLine(gpu.adapter);
  $('warning').hidden = !gpu.adapter.isFallback;
  const button = $('run') as HTMLButtonElement;
  button.disabled = false;
  button.onclick = () => void run(gpu).catch(fail);
  if (params.has('run')) await run(gpu);
}

function fail(e: unknown) {
  $('status').textContent = `error: ${(e as Error).message}`;
}

main().catch(fail);
