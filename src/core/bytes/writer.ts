import { InvalidArgumentError, VpnlabError } from '../errors.js';

/**
 * A writer into a buffer sized up front from the codec's `encodedLength`. `finish()` asserts that
 * exactly that many bytes were written, so a length computation and an encoder cannot drift apart.
 */
export class Writer {
  readonly buf: Uint8Array;
  private pos: number;
  private readonly start: number;

  constructor(size: number);
  constructor(buf: Uint8Array, offset: number);
  constructor(sizeOrBuf: number | Uint8Array, offset = 0) {
    this.buf = typeof sizeOrBuf === 'number' ? new Uint8Array(sizeOrBuf) : sizeOrBuf;
    this.pos = offset;
    this.start = offset;
  }

  get offset(): number {
    return this.pos;
  }

  get written(): number {
    return this.pos - this.start;
  }

  private room(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new VpnlabError('ERR_WRITER_OVERFLOW',
        `writer overflow: ${n} byte(s) at ${this.pos} in a ${this.buf.length}-byte buffer (encodedLength is wrong)`);
    }
  }

  u8(v: number): this {
    checkRange(v, 0xff, 'u8');
    this.room(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    checkRange(v, 0xffff, 'u16');
    this.room(2);
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    checkRange(v, 0xffffffff, 'u32');
    this.room(4);
    this.buf[this.pos++] = v >>> 24;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Overwrites a u16 already written at absolute offset `at` (length fields, checksums). */
  patch16(at: number, v: number): this {
    checkRange(v, 0xffff, 'u16');
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
    return this;
  }

  /** Asserts the encoder wrote exactly `expected` bytes and returns the buffer. */
  finish(expected: number): Uint8Array {
    if (this.written !== expected) {
      throw new VpnlabError('ERR_WRITER_LENGTH_MISMATCH',
        `encoder wrote ${this.written} byte(s), encodedLength said ${expected}`);
    }
    return this.buf;
  }
}

function checkRange(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new InvalidArgumentError(`${what} out of range: ${v}`);
  }
}
