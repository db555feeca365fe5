import { Reader } from '../core/bytes/reader.js';
import { Writer } from '../core/bytes/writer.js';
import { InvalidArgumentError } from '../core/errors.js';
import { exchangeName } from './constants.js';
import { decoding, invalidSyntax } from './errors.js';
import { HEADER_LENGTH, decodeHeader, encodeHeader, isResponse, type IkeHeader, type IkeHeaderFields } from './header.js';
import { decodePayloads, describePayloads, encodePayloads, firstPayloadType, payloadsEncodedLength, type Payload } from './payload-chain.js';

/*
 * A whole IKE message (RFC 7296 §3.1): the header and its payload chain. The encoder computes
 * the header's Next Payload and Length and every payload's; the decoder checks them.
 */

export interface IkeMessage {
  header: IkeHeaderFields;
  payloads: Payload[];
}

/** IKE messages travel in UDP datagrams: the Length field is 4 octets, but no message can pass 64 KiB. */
const MAX_MESSAGE_LENGTH = 0xffff;

export function messageEncodedLength(m: IkeMessage): number {
  return HEADER_LENGTH + payloadsEncodedLength(m.payloads);
}

export function encodeMessage(m: IkeMessage): Uint8Array {
  const length = messageEncodedLength(m);
  if (length > MAX_MESSAGE_LENGTH) throw new InvalidArgumentError(`IKE message of ${length} octets does not fit a UDP datagram`);
  const w = new Writer(length);
  encodeHeader(m.header, firstPayloadType(m.payloads), length, w);
  encodePayloads(m.payloads, w);
  return w.finish(length);
}

/**
 * Decodes one message as received in a datagram (the non-ESP marker of port 4500 already
 * removed). Throws IkeError only: INVALID_SYNTAX for a truncated header, a Length field that
 * differs from the octets given, or any malformed payload; INVALID_MAJOR_VERSION for a major
 * version other than 2; UNSUPPORTED_CRITICAL_PAYLOAD for an unknown critical payload.
 */
export function decodeMessage(bytes: Uint8Array): IkeMessage {
  return decoding(() => {
    const r = new Reader(bytes);
    const h = decodeHeader(r);
    if (h.length !== bytes.length) throw invalidSyntax(`Length field ${h.length}, ${bytes.length} octet(s) received`);
    const payloads = decodePayloads(r, h.nextPayload);
    return { header: fieldsOf(h), payloads };
  });
}

/** Only the header (to find the IKE SA before decoding the rest); the same checks as decodeMessage's. */
export function decodeMessageHeader(bytes: Uint8Array): IkeHeader {
  return decoding(() => {
    const h = decodeHeader(new Reader(bytes));
    if (h.length !== bytes.length) throw invalidSyntax(`Length field ${h.length}, ${bytes.length} octet(s) received`);
    return h;
  });
}

function fieldsOf(h: IkeHeader): IkeHeaderFields {
  return { spiI: h.spiI, spiR: h.spiR, exchangeType: h.exchangeType, flags: h.flags, messageId: h.messageId, minorVersion: h.minorVersion };
}

/** The payloads of a type, narrowed: `payloadsOf(m.payloads, 'notify')`. */
export function payloadsOf<T extends Payload['type']>(list: readonly Payload[], type: T): Extract<Payload, { type: T }>[] {
  return list.filter((p): p is Extract<Payload, { type: T }> => p.type === type);
}

/** The first payload of a type, or undefined. */
export function payloadOf<T extends Payload['type']>(list: readonly Payload[], type: T): Extract<Payload, { type: T }> | undefined {
  return list.find((p): p is Extract<Payload, { type: T }> => p.type === type);
}

/** `IKE_SA_INIT request 0 [ SA KE No N(NAT_DETECTION_SOURCE_IP) ]`, as strongSwan logs messages. */
export function describeMessage(m: IkeMessage): string {
  const payloads = describePayloads(m.payloads);
  return `${exchangeName(m.header.exchangeType)} ${isResponse(m.header) ? 'response' : 'request'} ${m.header.messageId} [ ${payloads}${payloads === '' ? '' : ' '}]`;
}
