import type { Writer } from '../core/bytes/writer.js';
import { InvalidArgumentError } from '../core/errors.js';
import { DEFAULT_MAX_MESSAGE_LENGTH } from './context.js';
import { MessageHeaderSubcode, headerError, u16Bytes } from './errors.js';

/*
 * The BGP message header (RFC 4271 §4.1): a 16-octet marker of all ones, a 2-octet length
 * counting the header, and a 1-octet type. Checked as RFC 4271 §6.1 says, in this order: marker,
 * length bounds, type, then the type's own length rule.
 */

export const MARKER_LENGTH = 16;
export const HEADER_LENGTH = 19;

export const MessageType = {
  Open: 1,
  Update: 2,
  Notification: 3,
  Keepalive: 4,
  /** RFC 2918. */
  RouteRefresh: 5,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Smallest legal message of each type (RFC 4271 §4.2–4.5; ROUTE-REFRESH lengths are RFC 7313 §5's business). */
const MIN_LENGTH: Record<number, number> = {
  [MessageType.Open]: 29,
  [MessageType.Update]: 23,
  [MessageType.Notification]: 21,
  [MessageType.Keepalive]: 19,
  [MessageType.RouteRefresh]: HEADER_LENGTH,
};

export interface MessageHeader {
  length: number;
  type: MessageType;
}

/**
 * Checks the header at `offset` (19 bytes must be there) and returns length and type. Throws the
 * RFC 4271 §6.1 Message Header Error: Connection Not Synchronized for a bad marker, Bad Message
 * Length (data: the erroneous Length field) and Bad Message Type (data: the erroneous Type field).
 */
export function checkHeader(buf: Uint8Array, offset = 0, maxLength = DEFAULT_MAX_MESSAGE_LENGTH): MessageHeader {
  if (buf.length - offset < HEADER_LENGTH) {
    throw new InvalidArgumentError(`a BGP header needs ${HEADER_LENGTH} bytes, ${buf.length - offset} given`);
  }
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (buf[offset + i] !== 0xff) throw headerError(MessageHeaderSubcode.ConnectionNotSynchronized, undefined, `marker octet ${i} is not 0xff`);
  }
  const length = (buf[offset + 16]! << 8) | buf[offset + 17]!;
  const type = buf[offset + 18]!;
  if (length < HEADER_LENGTH || length > maxLength) {
    throw headerError(MessageHeaderSubcode.BadMessageLength, u16Bytes(length), `length ${length} is outside ${HEADER_LENGTH}-${maxLength}`);
  }
  const min = MIN_LENGTH[type];
  if (min === undefined) throw headerError(MessageHeaderSubcode.BadMessageType, Uint8Array.of(type), `message type ${type} is not known`);
  if (length < min || (type === MessageType.Keepalive && length !== HEADER_LENGTH)) {
    throw headerError(MessageHeaderSubcode.BadMessageLength, u16Bytes(length), `length ${length} is too ${length < min ? 'short' : 'long'} for message type ${type}`);
  }
  return { length, type: type as MessageType };
}

export function writeHeader(w: Writer, type: MessageType, length: number): void {
  for (let i = 0; i < MARKER_LENGTH; i++) w.u8(0xff);
  w.u16(length).u8(type);
}
