import type { Clock } from './clock.js';

/**
 * Keeps a flood out of the log, as syslog's "last message repeated N times" does: per key (a
 * source address and the kind of event, say) the first `burst` lines within `windowMs` are logged,
 * the rest are counted, and the count is logged once when the window ends, as one summary line.
 * Keys are bounded: past `maxKeys` the oldest window is summarised early and forgotten, so a
 * spray of sources costs a fixed amount of memory.
 */
export interface LogLimiterOptions {
  /** Lines logged per key and window before the rest are counted (default 3). */
  readonly burst?: number;
  /** Window length (default 60 s). */
  readonly windowMs?: number;
  /** Keys tracked at once (default 1,024). */
  readonly maxKeys?: number;
}

interface Window {
  readonly startedAt: number;
  logged: number;
  suppressed: number;
  /** The first line suppressed, shown in the summary. */
  last: string;
}

export class LogLimiter {
  private readonly clock: Clock;
  private readonly out: (line: string) => void;
  private readonly burst: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  /** Insertion-ordered: the first entry is the oldest window. */
  private readonly windows = new Map<string, Window>();
  /** Lines counted and not logged since the limiter was made. */
  suppressedTotal = 0;

  constructor(clock: Clock, out: (line: string) => void, options: LogLimiterOptions = {}) {
    this.clock = clock;
    this.out = out;
    this.burst = options.burst ?? 3;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 1024;
  }

  /** Logs `line` unless `key` has had its burst in this window; `line` is built only when it will be written. */
  log(key: string, line: string | (() => string)): void {
    const now = this.clock.now();
    let w = this.windows.get(key);
    if (w !== undefined && now - w.startedAt >= this.windowMs) {
      this.close(key, w);
      w = undefined;
    }
    if (w === undefined) {
      this.expire(now);
      w = { startedAt: now, logged: 0, suppressed: 0, last: '' };
      this.windows.set(key, w);
    }
    if (w.logged < this.burst) {
      w.logged++;
      this.out(typeof line === 'string' ? line : line());
      return;
    }
    w.suppressed++;
    this.suppressedTotal++;
    if (w.suppressed === 1) w.last = typeof line === 'string' ? line : line();
  }

  /** Writes the summaries of every window with suppressed lines (a daemon stopping, say). */
  flush(): void {
    for (const [key, w] of this.windows) this.close(key, w);
  }

  private expire(now: number): void {
    for (const [key, w] of this.windows) {
      if (now - w.startedAt < this.windowMs && this.windows.size < this.maxKeys) break;
      this.close(key, w);
    }
  }

  private close(key: string, w: Window): void {
    this.windows.delete(key);
    if (w.suppressed > 0) this.out(`${w.last} (and ${w.suppressed} more like it in ${Math.round((this.clock.now() - w.startedAt) / 1000)} s, not logged)`);
  }
}

/**
 * Counts like events, keeps the text of the last, and lets each distinct key be logged once — the
 * first `maxKeys` keys only, the rest counted (a neighbour's RFC 7606 errors, its routes not sent).
 */
export class DistinctOnce {
  count = 0;
  last: string | undefined;
  private readonly seen = new Set<string>();
  private readonly maxKeys: number;

  constructor(maxKeys = 100) {
    this.maxKeys = maxKeys;
  }

  /** Keeps `text` as the last; true when `key` is new and under the cap, so the caller logs it now. */
  first(key: string, text: string): boolean {
    this.last = text;
    if (this.seen.size >= this.maxKeys || this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  /** No further key will be logged (say so on the line that filled it). */
  get full(): boolean {
    return this.seen.size >= this.maxKeys;
  }
}
