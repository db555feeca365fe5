import type { Clock, Timer } from '../../core/clock.js';

/** Timers may fire a hair early in floating-point time; closer than this counts as due. */
const EPSILON_MS = 1e-6;

/**
 * A timer whose deadline moves often (the retransmission timer is restarted by every ACK). The
 * clock timer underneath is replaced only when the deadline comes earlier; when it fires before
 * a deadline that moved later, it is re-armed. So a bulk transfer sets a handful of clock timers
 * rather than one per ACK.
 */
export class DeadlineTimer {
  private readonly clock: Clock;
  private readonly onExpire: () => void;
  private timer: Timer | undefined;
  private timerAt = 0;
  private deadline: number | undefined;

  constructor(clock: Clock, onExpire: () => void) {
    this.clock = clock;
    this.onExpire = onExpire;
  }

  get armed(): boolean {
    return this.deadline !== undefined;
  }

  /** (Re)starts the timer to expire `ms` from now. */
  start(ms: number): void {
    const at = this.clock.now() + ms;
    this.deadline = at;
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.clock.setTimer(ms, () => this.fire());
  }

  /** Stops it; the clock timer underneath, if any, stays and is ignored when it fires. */
  stop(): void {
    this.deadline = undefined;
  }

  /** Stops it and cancels the clock timer (the connection is going away). */
  cancel(): void {
    this.deadline = undefined;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    if (this.deadline === undefined) return;
    const remaining = this.deadline - this.clock.now();
    if (remaining > EPSILON_MS) {
      this.start(remaining);
      return;
    }
    this.deadline = undefined;
    this.onExpire();
  }
}
