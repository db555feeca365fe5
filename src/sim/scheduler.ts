import { InvalidDelayError, type Clock, type Timer } from '../core/clock.js';

/**
 * The discrete-event scheduler: a binary min-heap of events ordered by (time, insertion order) on
 * a virtual clock. It implements Clock, so every engine in the simulation sets its timers here.
 * Equal-time events run in the order they were scheduled, which makes every run of the same
 * topology and seed identical.
 *
 * Hot-path events carry a handler and an argument instead of a fresh closure, so forwarding a
 * packet allocates one small event object and nothing else.
 */
export type EventHandler<A> = (arg: A) => void;

interface SimEvent {
  at: number;
  seq: number;
  handler: EventHandler<never> | undefined;
  arg: unknown;
}

export interface RunLimits {
  /** Stop before processing any event later than this virtual time (ms). */
  until?: number;
  /** Stop after this many events (a guard against run-away simulations). */
  maxEvents?: number;
}

export class Scheduler implements Clock {
  private heap: SimEvent[] = [];
  private seq = 0;
  private current = 0;
  private processed = 0;

  now(): number {
    return this.current;
  }

  get eventsProcessed(): number {
    return this.processed;
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Time of the next event, or undefined when idle. */
  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  /** NaN throws InvalidDelayError: virtual time must never become NaN (every later event would run at once). */
  setTimer(ms: number, fn: () => void): Timer {
    if (Number.isNaN(ms)) throw new InvalidDelayError(ms);
    const event = this.push(this.current + Math.max(0, ms), callThunk as EventHandler<never>, fn);
    return { cancel: () => { event.handler = undefined; } };
  }

  /** Schedules `handler(arg)` at absolute virtual time `at` (never earlier than now). */
  at<A>(at: number, handler: EventHandler<A>, arg: A): void {
    if (Number.isNaN(at)) throw new InvalidDelayError(at);
    this.push(at < this.current ? this.current : at, handler as EventHandler<never>, arg);
  }

  /** Runs events until the queue is empty or a limit is reached; returns the number processed. */
  run(limits: RunLimits = {}): number {
    const until = limits.until ?? Infinity;
    const maxEvents = limits.maxEvents ?? Infinity;
    let n = 0;
    while (this.heap.length > 0 && n < maxEvents) {
      const top = this.heap[0]!;
      if (top.at > until) break;
      this.pop();
      this.current = top.at;
      const handler = top.handler;
      if (handler === undefined) continue;
      n++;
      (handler as EventHandler<unknown>)(top.arg);
    }
    this.processed += n;
    return n;
  }

  /** Advances virtual time by `ms`, running everything due on the way. */
  advance(ms: number): number {
    const target = this.current + ms;
    const n = this.run({ until: target });
    if (this.current < target) this.current = target;
    return n;
  }

  private push(at: number, handler: EventHandler<never>, arg: unknown): SimEvent {
    const event: SimEvent = { at, seq: this.seq++, handler, arg };
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.at < at || (p.at === at && p.seq < event.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
    return event;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && earlier(heap[r]!, heap[l]!)) c = r;
      if (!earlier(heap[c]!, last)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
  }
}

function earlier(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function callThunk(fn: () => void): void {
  fn();
}
