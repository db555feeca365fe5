/**
 * Time, injected. Engines never read the wall clock: they get a Clock. The simulator's scheduler
 * implements it on virtual time; tests use ManualClock; the real runtime uses SystemClock.
 * Times are milliseconds (fractions allowed: link latencies are often below 1 ms).
 */
import { VpnlabError } from './errors.js';

/** A timer asked for NaN milliseconds: a bug in the caller's arithmetic, refused where it is made. */
export class InvalidDelayError extends VpnlabError {
  constructor(ms: number) {
    super('ERR_INVALID_DELAY', `timer delay ${ms} is not a number of milliseconds`);
  }
}

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the clock's epoch (virtual time 0 in the simulator). */
  now(): number;
  /** Calls fn once, `ms` milliseconds from now (0 = as soon as possible, after current work). */
  setTimer(ms: number, fn: () => void): Timer;
}

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to. Timers due at the same instant fire in the order they
 * were set, so every run is the same.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private pending: PendingTimer[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Advances time by `ms`, firing every timer that falls due on the way, in time order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.current = next.at;
      next.cancelled = true;
      next.fn();
    }
    this.current = target;
  }

  /** Number of timers still waiting to fire. */
  get pendingCount(): number {
    this.pending = this.pending.filter((t) => !t.cancelled);
    return this.pending.length;
  }

  private nextDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.pending) {
      if (t.cancelled || t.at > limit) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
