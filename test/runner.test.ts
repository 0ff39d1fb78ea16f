// Reliability: device loss mid-run, checkpoints, and NaN detection.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/model/config';
import { NumericError } from '../src/model/numerics';
import { parseCheckpoint, serializeCheckpoint } from '../src/engine/checkpoint';
import { openNodeGpu } from '../src/node/gpu';
import { sharedDevice } from '../src/simulation/backend';
import { openSimulation } from '../src/simulation/open';
import { engineFor, runRows, testBackend } from './helpers';

const flat = (rows: Float32Array[]) => rows.flatMap((r) => Array.from(r));

/** A device of its own for a test that breaks it, handed out as the dashboard hands out its shared one. */
async function ownDevice() {
  const gpu = await openNodeGpu();
  return { gpu, backend: sharedDevice(gpu, openNodeGpu) };
}

describe('runner', () => {
  it('recovers from a destroyed device and delivers the same metrics as an uninterrupted run', async () => {
    const config = parseConfig({ tasks: 300, steps: 60, optimizer: 'adam', lr: 0.05, reward: 'rlif-certainty' });
    const straight = await runRows(await engineFor(config, { stepsPerBatch: 4 }), 60);
    const recoveries: number[] = [];
    const checkpoints: number[] = [];
    const { gpu, backend } = await ownDevice();
    const sim = await openSimulation(config, backend, {
      checkpointEvery: 10,
      engine: { stepsPerBatch: 4 },
      onRecover: ({ step }) => recoveries.push(step),
      onCheckpoint: (c) => void checkpoints.push(c.snapshot.step),
    });
    let destroyed = false;
    const rows = await runRows(sim, 60, (last) => {
      if (!destroyed && last >= 25) {
        destroyed = true;
        gpu.device.destroy();
      }
    });
    expect(recoveries).toEqual([20]);
    expect(checkpoints).toEqual([10, 20, 30, 40, 50, 60]);
    expect(rows).toHaveLength(60);
    expect(flat(rows)).toEqual(flat(straight));
    sim.close();
  });

  it('stops with the message of a WebGPU error raised outside an error scope', async () => {
    const config = parseConfig({ tasks: 64, steps: 40 });
    const { gpu, backend } = await ownDevice();
    const sim = await openSimulation(config, backend, { engine: { stepsPerBatch: 5 } });
    let provoked = false;
    const run = sim.run(40, () => {
      if (provoked) return;
      provoked = true;
      // An invalid buffer (no usage) with no error scope open: only 'uncapturederror' sees it.
      gpu.device.createBuffer({ size: 4, usage: 0 });
    });
    await expect(run).rejects.toThrow(/^WebGPU error: .+/);
    expect(sim.step).toBeLessThan(40);
    sim.close();
  });

  it('round-trips a checkpoint through its serialised form and resumes bit-exactly', async () => {
    const config = parseConfig({ tasks: 100, steps: 40, answerMode: 'trainable', optimizer: 'adam', lr: 0.05 });
    const a = await openSimulation(config, testBackend, { checkpointEvery: 20 });
    await a.run(20);
    const text = serializeCheckpoint({ config, snapshot: await a.snapshot() }, a.adapter.json);
    const rest = await runRows(a, 20);
    const parsed = parseCheckpoint(text);
    expect(parsed.config).toEqual(config);
    const b = await openSimulation(parsed.config, testBackend, { resume: parsed.snapshot });
    expect(b.step).toBe(20);
    expect(flat(await runRows(b, 20))).toEqual(flat(rest));
    a.close();
    b.close();
  });

  it('checkpoints where a stop() ends the run', async () => {
    const config = parseConfig({ tasks: 64, steps: 100 });
    const checkpoints: number[] = [];
    const sim = await openSimulation(config, testBackend, { checkpointEvery: 50, engine: { stepsPerBatch: 4 }, onCheckpoint: (c) => void checkpoints.push(c.snapshot.step) });
    await runRows(sim, 100, (last) => last >= 12 && sim.stop());
    expect(sim.step).toBeLessThan(50);
    expect(checkpoints).toEqual([sim.step]);
    sim.close();
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
