import { DEFAULT_MAX_MESSAGE_LENGTH } from './context.js';
import { BgpError, MessageHeaderSubcode, headerError } from './errors.js';
import { HEADER_LENGTH, MARKER_LENGTH, checkHeader } from './header.js';

/**
 * Splits a TCP byte stream into BGP messages. `push` buffers whatever arrived; `next` returns the
 * next whole message (header included, a copy the caller may keep) or undefined until more bytes
 * come. A bad header throws its Message Header Error from `next` as soon as it shows (a broken
 * marker octet at once, the rest once the 19 header octets are in), at its place in the stream:
 * the messages before it were already returned. Every later call throws the same error, since
 * the stream cannot be resynchronised.
 */
export class BgpFramer {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  private failure: BgpError | undefined;
  /** Raise to 65535 once both sides advertised Extended Messages (RFC 8654). */
  maxMessageLength: number;

  constructor(options: { maxMessageLength?: number } = {}) {
    this.maxMessageLength = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
  }

  /** Octets held that are not yet part of a returned message. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Buffers `chunk`; after a header error nothing more is kept (the stream is dead: see `next`). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.failure !== undefined) return;
    if (this.end + chunk.length > this.buf.length) {
      const held = this.end - this.start;
      const needed = held + chunk.length;
      if (needed <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(needed, this.buf.length * 2));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      }
      this.start = 0;
      this.end = held;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  next(): Uint8Array | undefined {
    if (this.failure !== undefined) throw this.failure;
    const held = this.end - this.start;
    if (held < HEADER_LENGTH) {
      // A broken marker is known before the header is complete.
      for (let i = 0; i < Math.min(held, MARKER_LENGTH); i++) {
        if (this.buf[this.start + i] !== 0xff) return this.fail(headerError(MessageHeaderSubcode.ConnectionNotSynchronized, undefined, `marker octet ${i} is not 0xff`));
      }
      return undefined;
    }
    let length: number;
    try {
      length = checkHeader(this.buf, this.start, this.maxMessageLength).length;
    } catch (e) {
      if (e instanceof BgpError) return this.fail(e);
      throw e;
    }
    if (this.end - this.start < length) return undefined;
    const message = this.buf.slice(this.start, this.start + length);
    this.start += length;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    return message;
  }

  private fail(e: BgpError): never {
    this.failure = e;
    this.buf = new Uint8Array(0);
    this.start = 0;
    this.end = 0;
    throw e;
  }
}
