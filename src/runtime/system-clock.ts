import type { Clock, Timer } from '../core/clock.js';
import { setLongTimeout } from './long-timeout.js';

/** The wall clock, for the real runtime. Milliseconds since the clock was created (monotonic). */
export class SystemClock implements Clock {
  private readonly wall: () => number;
  private readonly origin: number;

  /** `wall`: a monotonic millisecond clock (tests pass mocked time). */
  constructor(wall: () => number = () => performance.now()) {
    this.wall = wall;
    this.origin = wall();
  }

  now(): number {
    return this.wall() - this.origin;
  }

  /**
   * Any delay works: past 2^31-1 ms the wait is a chain of shorter ones, Infinity never fires, a
   * negative delay fires at once; NaN throws InvalidDelayError (ERR_INVALID_DELAY).
   */
  setTimer(ms: number, fn: () => void): Timer {
    return setLongTimeout(ms, fn, { unref: true, now: this.wall });
  }
}
