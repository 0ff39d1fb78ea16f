// The benchmark's report as text, for the command line and the page: the adapter line first and
// what each column measured, then one aligned row per case, then the roofline.
import { cpuDriver } from '../engine/adapter';
import { tokensPerRollout } from './cases';
import type { BenchReport } from './report';

const sci = (x: number) => (x >= 1e4 ? x.toExponential(2) : x.toPrecision(3));

export function formatReport(r: BenchReport): string {
  const gpuWord = r.adapter.isFallback ? 'WGSL on CPU adapter' : 'WGSL (GPU)';
  const driver = cpuDriver(r.adapter);
  const cpuWarning = r.adapter.isFallback ? `CPU ADAPTER${driver ? ` (${driver})` : ''}: these are not GPU figures. ` : '';
  const peer = r.peer;
  const lines = [
    `adapter: ${r.adapter.line}`,
    `${cpuWarning}timing: ${r.timing === 'timestamp-query' ? 'GPU timestamp queries (compute passes)' : 'queue completion (onSubmittedWorkDone, wall clock)'}; ` +
      `median of repeats after a warm-up; rollouts = N*G*steps (expected estimator: N*steps)`,
    ...(peer
      ? [`${peer.name} = ${peer.program} (the same step vectorised, its own random draws): ${peer.version} on ${peer.device}, ${peer.threads} threads, ${peer.timing} timing`]
      : []),
    ...r.notes.map((n) => `note: ${n}`),
  ];
  const header = ['tasks', 'K', 'G', 'estimator', 'policy', 'logEvery', `${gpuWord} rollouts/s`, 'steps/s'];
  if (peer) header.push(`${peer.name} rollouts/s`, `WGSL/${peer.name}`);
  header.push('timing');
  const body = r.rows.map((x) => [
    String(x.tasks),
    String(x.patterns) + (x.answers ? ` (A ${x.answers})` : ''),
    x.estimator === 'expected' ? '-' : String(x.group),
    x.estimator,
    x.policy,
    String(x.logEvery ?? 1),
    sci(x.rolloutsPerSec),
    sci(x.stepsPerSec),
    // An empty cell where the peer does not cover the row (a note says why).
    ...(peer ? [x.peerRolloutsPerSec ? sci(x.peerRolloutsPerSec) : '', x.peerSpeedup ? `${x.peerSpeedup.toFixed(2)}x` : ''] : []),
    x.timing,
  ]);
  lines.push(...table([header, ...body], [3, 4, header.length - 1]));
  for (const x of r.rows) {
    const L = tokensPerRollout(x);
    if (L) lines.push(`token tree (policy tokens, L = ${L}, 2 forks of 4, fillers of 4), N=${x.tasks} ${x.estimator}: ${sci(x.rolloutsPerSec * L)} tokens/s (rollouts/s x L)${x.peerRolloutsPerSec ? `, torch ${sci(x.peerRolloutsPerSec * L)}` : ''}`);
  }
  if (r.rows.some((x) => x.logEvery))
    lines.push(`logEvery n: full metrics every n steps, the event metrics (accuracy, bestMass) on the others, in the WGSL engine and the peer`);
  if (r.roofline) {
    const { peaks: p, rows } = r.roofline;
    lines.push(
      '',
      'roofline of the tabular step kernel and of the token tree\'s (rlvr, frozen answers, SGD); operations and bytes per rollout (expected: per task-step; a tree\'s rollout is a response of L tokens), counted from the WGSL; the shared policy and the storage shape (K > 32) are not counted',
      `measured peaks: ${(p.intOpsPerSec / 1e9).toFixed(1)} G int ops/s, ${(p.floatOpsPerSec / 1e9).toFixed(1)} G float ops/s, ${(p.bytesPerSec / 1e9).toFixed(1)} GB/s copy`,
      ...table([
        ['tasks', 'K', 'G', 'estimator', 'policy', 'int ops', 'float ops', 'bytes', 'floor rollouts/s', 'bound', 'achieved'],
        ...rows.map((x) => [
          String(x.tasks),
          String(x.patterns),
          x.estimator === 'expected' ? '-' : String(x.group),
          x.estimator,
          x.policy ?? 'tabular',
          x.intOps.toFixed(0),
          x.floatOps.toFixed(0),
          x.bytes.toFixed(2),
          sci(x.floorRolloutsPerSec),
          x.bound,
          `${(100 * x.fraction).toFixed(1)}%`,
        ]),
      ], [3, 4, 9]),
    );
  }
  return lines.join('\n');
}

/** Aligned columns: text columns (`text` lists them) to the left, numbers to the right. */
function table(rows: string[][], text: number[]): string[] {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((cell, j) => (text.includes(j) ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  ').trimEnd());
}
