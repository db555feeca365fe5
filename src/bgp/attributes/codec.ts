import type { Reader } from '../../core/bytes/reader.js';
import type { Writer } from '../../core/bytes/writer.js';
import type { CodecContext } from '../context.js';
import { UpdateMessageSubcode, updateError } from '../errors.js';

/**
 * Flag bits a decoded attribute keeps so that re-encoding reproduces what was received: Partial
 * (optional transitive attributes only; RFC 4271 §4.3) and Extended Length when it was set on a
 * value that did not need it (FRR sets it on every AS_PATH and MP_REACH_NLRI).
 */
export interface WireFlags {
  partial?: true;
  extendedLength?: true;
}

/**
 * The codec of one attribute's value; the attribute header (flags, type code, length) is the
 * attribute list's. `decode` gets a reader over exactly the value and throws a BgpError (UPDATE
 * Message Error with the RFC 4271 §6.3 subcode) when the value is malformed; the list decoder
 * fills in the data and the RFC 7606 action from the attribute table.
 */
export interface AttributeCodec<A> {
  encodedLength(a: A, ctx: CodecContext): number;
  encode(a: A, w: Writer, ctx: CodecContext): void;
  decode(r: Reader, ctx: CodecContext): A;
}

/** Throws Attribute Length Error unless the value is exactly `n` octets. */
export function expectLength(r: Reader, n: number, name: string): void {
  if (r.remaining !== n) throw updateError(UpdateMessageSubcode.AttributeLengthError, `${name} length ${r.remaining}, expected ${n}`);
}

/** Throws Attribute Length Error unless the value is a non-zero multiple of `n` octets (RFC 7606 §7.8). */
export function expectNonZeroMultiple(r: Reader, n: number, name: string): void {
  if (r.remaining === 0 || r.remaining % n !== 0) {
    throw updateError(UpdateMessageSubcode.AttributeLengthError, `${name} length ${r.remaining} is not a non-zero multiple of ${n}`);
  }
}
