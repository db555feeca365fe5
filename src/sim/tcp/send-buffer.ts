import { InvalidArgumentError } from '../../core/errors.js';

const INITIAL_CAPACITY = 4096;

/**
 * The bytes a TCP connection has been asked to send and the peer has not yet acknowledged,
 * addressed by stream offset (an unbounded count, so it never wraps; the connection maps offsets
 * to 32-bit sequence numbers). It also remembers where each write ended, for the PSH flag.
 */
export class SendBuffer {
  private buf = new Uint8Array(INITIAL_CAPACITY);
  private head = 0;
  private size = 0;
  private startOffset: number;
  /** End offsets of writes not yet fully acknowledged, ascending, from index `pushHead`. */
  private pushes: number[] = [];
  private pushHead = 0;

  constructor(startOffset: number) {
    this.startOffset = startOffset;
  }

  /** Offset of the first byte still held. */
  get start(): number {
    return this.startOffset;
  }

  /** Offset just past the last byte written. */
  get end(): number {
    return this.startOffset + this.size;
  }

  get length(): number {
    return this.size;
  }

  /** Copies `data` in (the caller may reuse its buffer) and marks the end of the write. */
  append(data: Uint8Array): void {
    if (data.length === 0) return;
    const needed = this.size + data.length;
    if (this.head + needed > this.buf.length) {
      if (needed <= this.buf.length / 2) {
        this.buf.copyWithin(0, this.head, this.head + this.size);
      } else {
        let capacity = this.buf.length;
        while (capacity < 2 * needed) capacity *= 2;
        const grown = new Uint8Array(capacity);
        grown.set(this.buf.subarray(this.head, this.head + this.size));
        this.buf = grown;
      }
      this.head = 0;
    }
    this.buf.set(data, this.head + this.size);
    this.size = needed;
    this.pushes.push(this.end);
  }

  /** A copy of `length` bytes from offset `from`, which must lie within what is held. */
  read(from: number, length: number): Uint8Array {
    if (from < this.startOffset || length < 0 || from + length > this.end) {
      throw new InvalidArgumentError(`send buffer read [${from}, ${from + length}) is outside [${this.startOffset}, ${this.end})`);
    }
    const at = this.head + (from - this.startOffset);
    return this.buf.slice(at, at + length);
  }

  /** Drops everything before offset `upTo` (acknowledged by the peer). */
  release(upTo: number): void {
    const n = Math.min(this.size, Math.max(0, upTo - this.startOffset));
    if (n === 0) return;
    this.head += n;
    this.size -= n;
    this.startOffset += n;
    if (this.size === 0) this.head = 0;
    while (this.pushHead < this.pushes.length && this.pushes[this.pushHead]! <= this.startOffset) this.pushHead++;
    if (this.pushHead > 1024 && this.pushHead * 2 > this.pushes.length) {
      this.pushes = this.pushes.slice(this.pushHead);
      this.pushHead = 0;
    }
  }

  /** True when a write ends within (from, to]: the segment carrying those bytes gets PSH. */
  writeEndsIn(from: number, to: number): boolean {
    let lo = this.pushHead;
    let hi = this.pushes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.pushes[mid]! <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.pushes.length && this.pushes[lo]! <= to;
  }
}
