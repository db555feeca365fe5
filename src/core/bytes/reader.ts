import { DecodeError, DecodeErrorCode } from '../errors.js';

/**
 * A bounds-checked cursor over a byte array. Every read past the end throws a typed DecodeError
 * (never a RangeError or an undefined), so a decoder fed random bytes fails cleanly.
 */
export class Reader {
  readonly buf: Uint8Array;
  private pos: number;
  private readonly end: number;
  /** Offset of this reader's first byte in the outermost buffer, for error messages. */
  private readonly base: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length, base = 0) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.base = base;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Absolute position, for errors. */
  get absoluteOffset(): number {
    return this.base + this.pos;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) {
      throw new DecodeError(DecodeErrorCode.Truncated,
        `${what}: needs ${n} byte(s) at offset ${this.base + this.pos}, ${this.end - this.pos} left`, this.base + this.pos);
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** A copy of the next n bytes. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A reader over the next n bytes (consumed here); reads in it cannot run past them. */
  sub(n: number, what = 'sub-structure'): Reader {
    this.need(n, what);
    const r = new Reader(this.buf, this.pos, this.pos + n, this.base);
    this.pos += n;
    return r;
  }

  skip(n: number, what = 'skip'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** Everything left, copied. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }
}
