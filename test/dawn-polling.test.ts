// Dawn's event polling: a native callback that reschedules itself spins for SPIN_MS, then waits
// POLL_MS a poll; JavaScript callbacks keep the real setImmediate (src/node/dawn-polling.ts).
import { afterEach, expect, it, vi } from 'vitest';
import { POLL_MS, SPIN_MS, throttledImmediate } from '../src/node/dawn-polling';

afterEach(() => vi.useRealTimers());

it('defers a native polling chain past SPIN_MS by POLL_MS, and nothing else', () => {
  vi.useFakeTimers();
  let clock = 0;
  const queued: (() => void)[] = [];
  const immediate = (fn: (...a: unknown[]) => void, ...args: unknown[]) => queued.push(() => fn(...args));
  const wrapped = throttledImmediate(immediate, () => clock);

  let ran = 0;
  wrapped(() => ran++); // JavaScript: straight through
  expect(queued.length).toBe(1);
  queued.shift()!();
  expect(ran).toBe(1);

  // A bound function prints as native code, like Dawn's napi callback, which reschedules itself.
  const polls: number[] = [];
  const native = function () {
    polls.push(clock);
    wrapped(native);
  }.bind(null);
  expect(Function.prototype.toString.call(native)).toMatch(/native code/);

  wrapped(native); // a chain starts at 0
  expect(queued.length).toBe(1);
  clock = SPIN_MS / 2;
  queued.shift()!(); // still spinning: the next poll is an immediate
  expect([polls, queued.length, vi.getTimerCount()]).toEqual([[SPIN_MS / 2], 1, 0]);
  clock = SPIN_MS;
  queued.shift()!(); // past SPIN_MS: the next poll waits POLL_MS
  expect([queued.length, vi.getTimerCount()]).toEqual([0, 1]);
  vi.advanceTimersByTime(POLL_MS - 0.5);
  expect(polls.length).toBe(2);
  vi.advanceTimersByTime(0.5);
  expect(polls.length).toBe(3);
  expect(vi.getTimerCount()).toBe(1); // and so on, a poll every POLL_MS

  vi.clearAllTimers();
  clock = 100;
  wrapped(native); // scheduled from outside a poll: a new chain, spinning again
  expect([queued.length, vi.getTimerCount()]).toEqual([1, 0]);
});

it('keeps the original setImmediate properties (util.promisify reads them)', () => {
  const wrapped = throttledImmediate(setImmediate as never);
  const custom = Symbol.for('nodejs.util.promisify.custom');
  expect((wrapped as unknown as Record<symbol, unknown>)[custom]).toBe((setImmediate as unknown as Record<symbol, unknown>)[custom]);
});
