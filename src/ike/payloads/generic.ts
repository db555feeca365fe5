import type { Reader } from '../../core/bytes/reader.js';
import type { Writer } from '../../core/bytes/writer.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { payloadName } from '../constants.js';
import { invalidSyntax } from '../errors.js';

/*
 * The generic payload header (RFC 7296 §3.2), 4 octets in front of every payload:
 *
 *   Next Payload (1) | C (1 bit) RESERVED (7 bits) | Payload Length (2, header included)
 *
 * The payload chain owns it (as the BGP attribute list owns attribute headers): each payload
 * module's codec reads and writes only the body.
 */

export const GENERIC_HEADER_LENGTH = 4;
/** The Critical bit. */
export const CRITICAL = 0x80;
/** Longest body a 2-octet Payload Length can describe. */
export const MAX_BODY_LENGTH = 0xffff - GENERIC_HEADER_LENGTH;

export interface GenericHeader {
  /** The type of this payload (from the previous header or the IKE header), not a wire field here. */
  payloadType: number;
  nextPayload: number;
  /** The whole flags octet: Critical bit and the reserved bits, as received. */
  flags: number;
  /** Payload Length, header included. */
  length: number;
}

/**
 * The codec of one payload type's body. `decode` gets a reader over exactly the body and the
 * generic header (SK and SKF need its Next Payload; IDi/IDr and TSi/TSr its type) and throws
 * IkeError (a DecodeError from reading past the body is turned into INVALID_SYNTAX by the chain).
 */
export interface PayloadCodec<P> {
  encodedLength(p: P): number;
  encode(p: P, w: Writer): void;
  decode(r: Reader, h: GenericHeader): P;
}

/**
 * A payload of a type this implementation does not know, with the Critical bit clear (RFC 7296
 * §2.5: skipped, but kept here as bytes so a message re-encodes byte for byte). `flags` is the
 * octet as received.
 */
export interface UnknownPayload {
  type: 'unknown';
  payloadType: number;
  flags: number;
  body: Uint8Array;
}

export const unknownCodec: PayloadCodec<UnknownPayload> = {
  encodedLength: (p) => p.body.length,
  encode: (p, w) => void w.bytes(p.body),
  decode: (r, h) => ({ type: 'unknown', payloadType: h.payloadType, flags: h.flags, body: r.rest() }),
};

/**
 * Reads a generic header. Throws INVALID_SYNTAX for a Payload Length below 4 or running past the
 * octets left (the message or the enclosing structure).
 */
export function decodeGenericHeader(r: Reader, payloadType: number): GenericHeader {
  if (r.remaining < GENERIC_HEADER_LENGTH) {
    throw invalidSyntax(`${r.remaining} octet(s) left cannot hold the generic header of ${payloadName(payloadType)}`);
  }
  const nextPayload = r.u8();
  const flags = r.u8();
  const length = r.u16();
  if (length < GENERIC_HEADER_LENGTH) throw invalidSyntax(`${payloadName(payloadType)}: Payload Length ${length} < ${GENERIC_HEADER_LENGTH}`);
  if (length - GENERIC_HEADER_LENGTH > r.remaining) {
    throw invalidSyntax(`${payloadName(payloadType)}: Payload Length ${length} runs past the message (${r.remaining + GENERIC_HEADER_LENGTH} octet(s) left)`);
  }
  return { payloadType, nextPayload, flags, length };
}

export function encodeGenericHeader(w: Writer, nextPayload: number, flags: number, bodyLength: number): void {
  if (bodyLength > MAX_BODY_LENGTH) throw new InvalidArgumentError(`payload body of ${bodyLength} octets does not fit a 2-octet Payload Length`);
  w.u8(nextPayload).u8(flags).u16(GENERIC_HEADER_LENGTH + bodyLength);
}
