// Dawn's Node binding (npm `webgpu`) learns that GPU work has finished (a mapAsync, an
// onSubmittedWorkDone) by polling: while any such promise is pending, its native callback runs
// wgpuInstanceProcessEvents and reschedules itself with the global setImmediate. That busy loop
// takes a whole core for as long as the GPU works, which on a CPU adapter is a core the driver's
// own threads need: on 2 cores, lavapipe's kernels ran about 1.5x slower beside it
// (bench/RESULTS.md). So a poll that has already spun for SPIN_MS waits POLL_MS instead: a short
// wait still ends at once, and a long one is seen at most POLL_MS late.

/** How long a chain of polls spins before each poll waits POLL_MS. */
export const SPIN_MS = 2;
export const POLL_MS = 1;

type Immediate = (fn: (...args: unknown[]) => void, ...args: unknown[]) => unknown;

/** Dawn's callback is a native function; the rest of the process's callbacks are JavaScript. */
const isNative = (fn: unknown) => typeof fn === 'function' && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(fn));

/**
 * Wraps `immediate` (the global setImmediate) so that a native callback rescheduled from its own
 * run more than SPIN_MS after its chain began goes through setTimeout(POLL_MS). Other callbacks
 * are untouched. `now` is injected for tests.
 */
export function throttledImmediate(immediate: Immediate, now: () => number = () => performance.now()): Immediate {
  let inPoll = false;
  let chainStart = 0;
  const wrapped = (fn: (...args: unknown[]) => void, ...args: unknown[]) => {
    if (!isNative(fn)) return immediate(fn, ...args);
    if (!inPoll) chainStart = now();
    const run = (...a: unknown[]) => {
      inPoll = true;
      try {
        fn(...a);
      } finally {
        inPoll = false;
      }
    };
    return inPoll && now() - chainStart >= SPIN_MS ? setTimeout(run, POLL_MS, ...args) : immediate(run, ...args);
  };
  // util.promisify(setImmediate) and the like read the original's own properties.
  return Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(immediate));
}

let installed = false;

/** Installs throttledImmediate as the process's setImmediate, once (src/node/gpu.ts, before Dawn's instance exists). */
export function throttleDawnPolling(): void {
  if (installed) return;
  installed = true;
  globalThis.setImmediate = throttledImmediate(globalThis.setImmediate as unknown as Immediate) as unknown as typeof setImmediate;
}
