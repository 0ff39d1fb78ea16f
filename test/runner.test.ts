// Reliability: device loss mid-run, checkpoints, and NaN detection.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/model/config';
import { NumericError } from '../src/model/numerics';
import { parseCheckpoint, serializeCheckpoint } from '../src/engine/checkpoint';
import { Runner } from '../src/engine/runner';
import { openNodeGpu } from '../src/node/gpu';
import { engineFor, runRows } from './helpers';

const flat = (rows: Float32Array[]) => rows.flatMap((r) => Array.from(r));

describe('runner', () => {
  it('recovers from a destroyed device and delivers the same metrics as an uninterrupted run', async () => {
    const config = parseConfig({ tasks: 300, steps: 60, optimizer: 'adam', lr: 0.05, reward: 'rlif-certainty' });
    const straight = await runRows(await engineFor(config, { stepsPerBatch: 4 }), 60);
    const recoveries: number[] = [];
    const checkpoints: number[] = [];
    const runner = await Runner.create({
      open: openNodeGpu,
      config,
      checkpointEvery: 10,
      engine: { stepsPerBatch: 4 },
      onRecover: ({ step }) => recoveries.push(step),
      onCheckpoint: (c) => void checkpoints.push(c.snapshot.step),
    });
    const rows: Float32Array[] = [];
    const M = runner.current.plan.metrics;
    let destroyed = false;
    await runner.run(60, (first, values, n) => {
      for (let r = 0; r < n; r++) rows.push(Float32Array.from(values.subarray(r * M, (r + 1) * M)));
      if (!destroyed && first + n - 1 >= 25) {
        destroyed = true;
        runner.current.device.destroy();
      }
    });
    expect(recoveries).toEqual([20]);
    expect(checkpoints).toEqual([10, 20, 30, 40, 50, 60]);
    expect(rows).toHaveLength(60);
    expect(flat(rows)).toEqual(flat(straight));
    runner.close();
  });

  it('stops with the message of a WebGPU error raised outside an error scope', async () => {
    const config = parseConfig({ tasks: 64, steps: 40 });
    const runner = await Runner.create({ open: openNodeGpu, config, engine: { stepsPerBatch: 5 } });
    let provoked = false;
    const run = runner.run(40, () => {
      if (provoked) return;
      provoked = true;
      // An invalid buffer (no usage) with no error scope open: only 'uncapturederror' sees it.
      runner.current.device.createBuffer({ size: 4, usage: 0 });
    });
    await expect(run).rejects.toThrow(/^WebGPU error: .+/);
    expect(runner.step).toBeLessThan(40);
    runner.close();
  });

  it('round-trips a checkpoint through its serialised form and resumes bit-exactly', async () => {
    const config = parseConfig({ tasks: 100, steps: 40, answerMode: 'trainable', optimizer: 'adam', lr: 0.05 });
    const a = await Runner.create({ open: openNodeGpu, config, checkpointEvery: 20 });
    await a.run(20);
    const text = serializeCheckpoint(await a.checkpoint(), a.adapter);
    const rest: Float32Array[] = [];
    const M = a.current.plan.metrics;
    await a.run(20, (_f, v, n) => {
      for (let r = 0; r < n; r++) rest.push(Float32Array.from(v.subarray(r * M, (r + 1) * M)));
    });
    const parsed = parseCheckpoint(text);
    expect(parsed.config).toEqual(config);
    const b = await Runner.create({ open: openNodeGpu, config: parsed.config, resume: parsed.snapshot });
    expect(b.step).toBe(20);
    const resumed: Float32Array[] = [];
    await b.run(20, (_f, v, n) => {
      for (let r = 0; r < n; r++) resumed.push(Float32Array.from(v.subarray(r * M, (r + 1) * M)));
    });
    expect(flat(resumed)).toEqual(flat(rest));
    a.close();
    b.close();
  });

  it('rejects a damaged checkpoint with a clear message', () => {
    expect(() => parseCheckpoint('{"format":"other"}')).toThrow(/not a patternflow checkpoint/);
    expect(() => parseCheckpoint('garbage')).toThrow(/not a patternflow checkpoint/);
  });
});

describe('numerics', () => {
  it('stops at the first non-finite metric and names it, the step and the likely cause', async () => {
    const engine = await engineFor({ tasks: 64, steps: 10, lr: 1e6 });
    const snap = await engine.snapshot();
    snap.theta[5] = Infinity; // logits overflowed
    engine.restore(snap);
    await expect(engine.run(3)).rejects.toThrow(NumericError);
    const e2 = await engineFor({ tasks: 64, steps: 10, lr: 1e6 });
    e2.restore(snap);
    await expect(e2.run(3)).rejects.toThrow(/^accuracy became (NaN|-?Infinity) at step 1: likely cause: learning rate too large \(lr 1000000 with SGD/);
  });
});
