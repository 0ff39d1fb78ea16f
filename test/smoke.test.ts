import { it, expect } from 'vitest';
import { parseConfig } from '../src/model/config';
import { Engine } from '../src/engine/engine';
import { openNodeGpu } from '../src/node/gpu';
import { makeParams, simulate } from '../src/reference/reference';

it('smoke', async () => {
  const gpu = await openNodeGpu();
  console.log(gpu.adapter);
  for (const extra of [{}, { estimator: 'expected' }, { policy: 'shared' }, { scale: 'batch' }, { answerMode: 'trainable', optimizer: 'adam' }]) {
    const cfg = parseConfig({ tasks: 100, steps: 20, ...extra });
    const e = await Engine.create(gpu, cfg);
    const rows: number[][] = [];
    await e.run(20, (first, m, n) => { for (let r = 0; r < n; r++) rows.push(Array.from(m.subarray(r * e.plan.metrics, (r + 1) * e.plan.metrics))); });
    const ref = simulate(makeParams(cfg), 20);
    console.log(JSON.stringify(extra), rows[19].slice(0, 8).map((x) => x.toFixed(5)).join(' '));
    console.log(JSON.stringify(extra), Array.from(ref.metrics[19].slice(0, 8)).map((x) => x.toFixed(5)).join(' '));
    e.destroy();
  }
});
