import type { Clock, Timer } from '../core/clock.js';

/** The wall clock, for the real runtime. Milliseconds since the clock was created (monotonic). */
export class SystemClock implements Clock {
  private readonly origin = performance.now();

  now(): number {
    return performance.now() - this.origin;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  }
}
