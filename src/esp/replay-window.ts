import { InvalidArgumentError } from '../core/errors.js';

/** RFC 4303 §3.4.3: 32 must be supported, 64 is the default. */
export const DEFAULT_REPLAY_WINDOW = 64;
/** Largest window accepted (bits): 8 KiB of bitmap. */
export const MAX_REPLAY_WINDOW = 65536;

const TWO_32 = 0x1_0000_0000;

export type ReplayVerdict =
  | { readonly ok: true; /** High 32 bits to authenticate with (0 without ESN). */ readonly seqHigh: number }
  | { readonly ok: false; readonly reason: 'zero' | 'duplicate' | 'stale' };

/**
 * The receiver's anti-replay window (RFC 4303 §3.4.3 and Appendix A). Sequence numbers are held
 * as two 32-bit halves so ESN's 64-bit space is exact. A packet is first `check`ed (cheap, before
 * the ICV), and the window moves only when the SA `accept`s it after the ICV has verified, so a
 * forged packet never shifts it.
 *
 * The bitmap is a ring of 2^k bits (2^k >= size, k >= 5): bit (seq mod 2^k) records whether seq
 * was seen, for seq in (top - size, top]. Because 2^k divides 2^32, seq mod 2^k is just the low
 * bits of the low half, with or without ESN.
 */
export class ReplayWindow {
  readonly size: number;
  readonly esn: boolean;
  private readonly bits: Uint32Array;
  private readonly mask: number;
  private topHigh = 0;
  /** 0/0: nothing accepted yet (sequence numbers start at 1). */
  private topLow = 0;

  constructor(size = DEFAULT_REPLAY_WINDOW, esn = false) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_REPLAY_WINDOW) {
      throw new InvalidArgumentError(`replay window size must be 1..${MAX_REPLAY_WINDOW}, got ${size}`);
    }
    this.size = size;
    this.esn = esn;
    let ring = 32;
    while (ring < size) ring *= 2;
    this.bits = new Uint32Array(ring / 32);
    this.mask = ring - 1;
  }

  /** The highest sequence number accepted so far (0/0 before the first). */
  get top(): { readonly high: number; readonly low: number } {
    return { high: this.topHigh, low: this.topLow };
  }

  /**
   * Whether a packet with this (sent) sequence number may be processed, and — with ESN — which
   * high half to authenticate it with (RFC 4303 Appendix A2.2). Changes nothing.
   */
  check(seqLow: number): ReplayVerdict {
    const high = this.esn ? this.inferHigh(seqLow) : 0;
    if (high < 0 || high >= TWO_32) return { ok: false, reason: 'stale' };
    if (high === 0 && seqLow === 0) return { ok: false, reason: 'zero' };
    const d = this.distance(high, seqLow);
    if (d > 0) return { ok: true, seqHigh: high };
    if (-d >= this.size) return { ok: false, reason: 'stale' };
    if (this.seen(seqLow)) return { ok: false, reason: 'duplicate' };
    return { ok: true, seqHigh: high };
  }

  /**
   * Records an authenticated packet, sliding the window if it is the newest. Returns false (and
   * changes nothing) if the number is not acceptable after all — a caller that skipped `check`.
   */
  accept(seqLow: number, seqHigh = 0): boolean {
    if ((seqHigh === 0 && seqLow === 0) || (!this.esn && seqHigh !== 0)) return false;
    const d = this.distance(seqHigh, seqLow);
    if (d > 0) {
      if (d > this.mask) {
        this.bits.fill(0);
      } else {
        for (let i = 1; i <= d; i++) this.clear((this.topLow + i) >>> 0);
      }
      this.topHigh = seqHigh;
      this.topLow = seqLow;
      this.mark(seqLow);
      return true;
    }
    if (-d >= this.size || this.seen(seqLow)) return false;
    this.mark(seqLow);
    return true;
  }

  /** candidate - top, exact while the high halves differ by little (always, after inference). */
  private distance(high: number, low: number): number {
    return (high - this.topHigh) * TWO_32 + (low - this.topLow);
  }

  /** RFC 4303 Appendix A2.2: the high half the sender most likely used for this low half. */
  private inferHigh(seqLow: number): number {
    const w = this.size;
    const tl = this.topLow;
    const th = this.topHigh;
    if (tl >= w - 1) {
      // Case A: the window lies within one 2^32 subspace.
      return seqLow >= tl - w + 1 ? th : th + 1;
    }
    // Case B: the window spans two subspaces; its bottom is in the previous one.
    return seqLow >= ((tl - w + 1) >>> 0) ? th - 1 : th;
  }

  private seen(seqLow: number): boolean {
    const i = seqLow & this.mask;
    return (this.bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  private mark(seqLow: number): void {
    const i = seqLow & this.mask;
    this.bits[i >>> 5] = this.bits[i >>> 5]! | (1 << (i & 31));
  }

  private clear(seqLow: number): void {
    const i = seqLow & this.mask;
    this.bits[i >>> 5] = this.bits[i >>> 5]! & ~(1 << (i & 31));
  }
}
