// Opening simulations: what each backend states (the reference's size cap, who owns the device)
// and the dashboard's shared device, replaced once for every simulation after a loss.
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../src/engine/adapter';
import { ConfigError, parseConfig } from '../src/model/config';
import { nodeWebGpu } from '../src/node/gpu';
import { referenceBackend, sharedDevice } from '../src/simulation/backend';
import { openSimulation } from '../src/simulation/open';

describe('openSimulation', () => {
  it('refuses a config above the float64 reference cap, naming tasks and the numbers', async () => {
    const config = parseConfig({ tasks: 100, group: 8 });
    await expect(openSimulation(config, referenceBackend(799))).rejects.toThrow(ConfigError);
    await expect(openSimulation(config, referenceBackend(799))).rejects.toThrow(/^tasks: the float64 reference takes at most 799 rollouts per step \(tasks x group\), got 800/);
    expect((await openSimulation(config, referenceBackend(800))).step).toBe(0);
  });

  it.each(['tabular', 'shared'] as const)("keeps each task's first step at best-pattern mass 0.9 and each regime-2 task's T0 on the reference as the engine does (%s policy)", async (policy) => {
    const config = parseConfig({ tasks: 24, policy, estimator: 'expected', lr: 1, successBeta: { alpha: 1, beta: 1 }, steps: 200 });
    const gpu = await openSimulation(config, nodeWebGpu, { engine: { events: true } });
    const ref = await openSimulation(config, referenceBackend());
    await gpu.run(200);
    await ref.run(200);
    const [a, b] = [(await gpu.taskEvents!())!, (await ref.taskEvents!())!];
    gpu.close();
    for (const event of ['best90', 't0'] as const) {
      const [x, y] = [Array.from(a[event]), Array.from(b[event])];
      expect(y.length, event).toBe(x.length);
      expect(y.filter((t) => t > 0).length, event).toBeGreaterThan(2); // tasks that got there
      // float32 against float64: a task may cross its threshold one step apart.
      y.forEach((t, i) => expect(Math.abs(t - x[i]), `${event} of task ${i}: ${x[i]} vs ${t}`).toBeLessThanOrEqual(1));
    }
    expect(Array.from(b.best90).filter((t) => t === 0).length).toBeGreaterThan(0); // and tasks that did not
  });

  it('destroys the device on close() where the backend gives each simulation its own', async () => {
    let gpu: Gpu | undefined;
    const sim = await openSimulation(parseConfig({ tasks: 16, steps: 2 }), { ...nodeWebGpu, device: async () => (gpu = await nodeWebGpu.device()) });
    await sim.run(2);
    sim.close();
    expect((await gpu!.device.lost).reason).toBe('destroyed');
  });
});

describe('sharedDevice', () => {
  /** A stand-in for an opened device: only its `lost` promise matters here. */
  const fakeGpu = () => {
    let lose!: () => void;
    const lost = new Promise<GPUDeviceLostInfo>((resolve) => (lose = () => resolve({ reason: 'destroyed', message: '' } as GPUDeviceLostInfo)));
    return { gpu: { device: { lost } } as unknown as Gpu, lose };
  };

  it('hands out one device until it is lost, then one new device to every asker', async () => {
    const first = fakeGpu();
    const next = fakeGpu();
    let opened = 0;
    const backend = sharedDevice(first.gpu, async () => (opened++, next.gpu));
    expect(await backend.device()).toBe(first.gpu);
    expect(await backend.device()).toBe(first.gpu);
    first.lose();
    await first.gpu.device.lost;
    const [a, b] = await Promise.all([backend.device(), backend.device()]);
    expect([a === next.gpu, b === next.gpu]).toEqual([true, true]);
    expect(await backend.device()).toBe(next.gpu);
    expect(opened).toBe(1);
  });
});
