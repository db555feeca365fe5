import type { Timer } from '../core/clock.js';
import { VpnlabError } from '../core/errors.js';

/**
 * The longest delay Node's setTimeout honours. A longer one (a far deadline, an infinite lifetime)
 * is replaced by 1 ms with a TimeoutOverflowWarning, so a timer re-armed from its own callback spins.
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A timer asked for NaN milliseconds: a bug in the caller's arithmetic, refused where it is made. */
export class InvalidDelayError extends VpnlabError {
  constructor(ms: number) {
    super('ERR_INVALID_DELAY', `timer delay ${ms} is not a number of milliseconds`);
  }
}

export interface LongTimeoutOptions {
  /** Let the process exit while the timer is pending. */
  unref?: boolean;
  /** The monotonic millisecond clock the deadline is kept on (tests pass mocked time). */
  now?: () => number;
}

/**
 * setTimeout for any delay: a delay past MAX_TIMEOUT_MS waits in steps of at most that towards a
 * deadline kept on `now` (so late steps do not add up), and `cancel` stops whichever step is
 * pending. A negative delay fires as soon as possible (a deadline already past), an infinite one
 * never; NaN throws InvalidDelayError.
 */
export function setLongTimeout(ms: number, fn: () => void, options: LongTimeoutOptions = {}): Timer {
  if (Number.isNaN(ms)) throw new InvalidDelayError(ms);
  if (ms === Infinity) return { cancel: () => {} };
  const now = options.now ?? (() => performance.now());
  const deadline = now() + Math.max(0, ms);
  let handle: ReturnType<typeof setTimeout>;
  const step = (): void => {
    const left = Math.max(0, deadline - now());
    handle = left > MAX_TIMEOUT_MS ? setTimeout(step, MAX_TIMEOUT_MS) : setTimeout(fn, left);
    if (options.unref === true) handle.unref?.();
  };
  step();
  return { cancel: () => clearTimeout(handle) };
}
