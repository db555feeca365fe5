import { randomBytes, randomInt } from 'node:crypto';
import type { Rng } from '../core/rng.js';
import type { Scheduler } from '../sim/scheduler.js';
import type { Timer } from '../core/clock.js';
import { setLongTimeout } from './long-timeout.js';

/**
 * Runs a simulator Scheduler in step with the wall clock, so everything built on it (the IKE
 * engine, the IPsec data plane, an emulated LAN with its links and hosts) runs in real time,
 * unchanged. Work from outside (a datagram from a real socket, an API call) goes through `run`,
 * which first brings virtual time up to now.
 */
export class RealTimePump {
  private readonly scheduler: Scheduler;
  private readonly wall: () => number;
  private readonly origin: number;
  private timer: Timer | undefined;
  private armedFor: number | undefined;
  private stopped = false;

  /** `wall`: a monotonic millisecond clock (tests pass mocked time). */
  constructor(scheduler: Scheduler, wall: () => number = () => performance.now()) {
    this.scheduler = scheduler;
    this.wall = wall;
    this.origin = wall();
  }

  /** Wall milliseconds since the pump started: the time virtual time catches up to. */
  elapsed(): number {
    return this.wall() - this.origin;
  }

  /** Runs `fn` at the current wall time, then everything it made due, and re-arms the timer. */
  run<T>(fn: () => T): T {
    this.catchUp();
    const result = fn();
    this.catchUp();
    return result;
  }

  /** Processes every event due by now and waits for the next one. */
  catchUp(): void {
    if (this.stopped) return;
    const now = this.elapsed();
    const behind = now - this.scheduler.now();
    if (behind > 0) this.scheduler.advance(behind);
    else this.scheduler.run({ until: this.scheduler.now() });
    this.arm();
  }

  /**
   * Waits for the next event, however far (setLongTimeout chains waits past 2^31-1 ms). An event at
   * NaN (a caller's arithmetic gone wrong) throws InvalidDelayError rather than spinning.
   */
  private arm(): void {
    const next = this.scheduler.peekTime();
    if (next === undefined) return;
    if (this.timer !== undefined && this.armedFor !== undefined && this.armedFor <= next) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.armedFor = undefined;
    const timer = setLongTimeout(next - this.elapsed(), () => {
      this.timer = undefined;
      this.armedFor = undefined;
      this.catchUp();
    }, { now: this.wall });
    this.armedFor = next;
    this.timer = timer;
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }
}

/**
 * Randomness from the operating system's CSPRNG, for the real runtime: IKE SPIs, nonces, D-H
 * private keys and IVs must be unpredictable, which a seeded generator is not.
 */
export class CryptoRng implements Rng {
  next(): number {
    return randomBytes(6).readUIntBE(0, 6) / 2 ** 48;
  }

  int(n: number): number {
    // randomInt's range must be below 2^48.
    return n <= 1 ? 0 : n < 2 ** 48 ? randomInt(0, n) : Math.floor(this.next() * n);
  }

  bytes(n: number): Uint8Array {
    const b = randomBytes(n);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
}
