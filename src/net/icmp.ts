import { Reader } from '../core/bytes/reader.js';
import { Writer } from '../core/bytes/writer.js';
import { DecodeError, DecodeErrorCode } from '../core/errors.js';
import { finishChecksum, fold, onesSum } from './checksum.js';

/** ICMPv4 types and codes (RFC 792, RFC 1191, RFC 1812). */
export const IcmpType = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  EchoRequest: 8,
  TimeExceeded: 11,
} as const;

export const UnreachableCode = {
  Net: 0,
  Host: 1,
  Protocol: 2,
  Port: 3,
  FragmentationNeeded: 4,
  AdminProhibited: 13,
} as const;

export const TimeExceededCode = {
  TtlInTransit: 0,
  FragmentReassembly: 1,
} as const;

/**
 * An ICMP message. Echo request/reply carry an identifier and sequence number; errors carry the
 * offending datagram's IP header and first bytes. `rest` is the second header word kept verbatim
 * for every other type, so re-encoding is byte-exact.
 */
export type IcmpMessage =
  | { kind: 'echo-request' | 'echo-reply'; code: number; identifier: number; sequence: number; data: Uint8Array }
  | { kind: 'destination-unreachable'; code: number; unused: number; nextHopMtu: number; original: Uint8Array }
  | { kind: 'time-exceeded'; code: number; unused: number; original: Uint8Array }
  | { kind: 'other'; type: number; code: number; rest: number; body: Uint8Array };

const ICMP_HEADER = 8;

function bodyOf(m: IcmpMessage): Uint8Array {
  switch (m.kind) {
    case 'echo-request':
    case 'echo-reply':
      return m.data;
    case 'destination-unreachable':
    case 'time-exceeded':
      return m.original;
    case 'other':
      return m.body;
  }
}

function typeOf(m: IcmpMessage): number {
  switch (m.kind) {
    case 'echo-request': return IcmpType.EchoRequest;
    case 'echo-reply': return IcmpType.EchoReply;
    case 'destination-unreachable': return IcmpType.DestinationUnreachable;
    case 'time-exceeded': return IcmpType.TimeExceeded;
    case 'other': return m.type;
  }
}

function restOf(m: IcmpMessage): number {
  switch (m.kind) {
    case 'echo-request':
    case 'echo-reply':
      return ((m.identifier << 16) | m.sequence) >>> 0;
    case 'destination-unreachable':
      return ((m.unused << 16) | m.nextHopMtu) >>> 0;
    case 'time-exceeded':
      return m.unused;
    case 'other':
      return m.rest;
  }
}

export function icmpEncodedLength(m: IcmpMessage): number {
  return ICMP_HEADER + bodyOf(m).length;
}

export function encodeIcmp(m: IcmpMessage): Uint8Array {
  const length = icmpEncodedLength(m);
  const w = new Writer(length);
  w.u8(typeOf(m)).u8(m.code).u16(0).u32(restOf(m)).bytes(bodyOf(m));
  w.patch16(2, finishChecksum(onesSum(w.buf, 0, length)));
  return w.finish(length);
}

export function decodeIcmp(buf: Uint8Array, verifyChecksum = true): IcmpMessage {
  const r = new Reader(buf);
  const type = r.u8('ICMP type');
  const code = r.u8('ICMP code');
  const checksum = r.u16('ICMP checksum');
  const rest = r.u32('ICMP rest of header');
  if (verifyChecksum && fold(onesSum(buf, 0, buf.length)) !== 0xffff) {
    throw new DecodeError(DecodeErrorCode.BadChecksum, `ICMP checksum 0x${checksum.toString(16)} is wrong`, 2);
  }
  const body = r.rest();
  switch (type) {
    case IcmpType.EchoRequest:
    case IcmpType.EchoReply:
      return {
        kind: type === IcmpType.EchoRequest ? 'echo-request' : 'echo-reply',
        code, identifier: rest >>> 16, sequence: rest & 0xffff, data: body,
      };
    case IcmpType.DestinationUnreachable:
      return { kind: 'destination-unreachable', code, unused: rest >>> 16, nextHopMtu: rest & 0xffff, original: body };
    case IcmpType.TimeExceeded:
      return { kind: 'time-exceeded', code, unused: rest, original: body };
    default:
      return { kind: 'other', type, code, rest, body };
  }
}

/**
 * The part of an offending datagram quoted in an ICMP error: its IP header plus the first 8 bytes
 * of its payload (RFC 792), which is what hosts use to match the error to a socket.
 */
export function quoteForIcmpError(datagram: Uint8Array): Uint8Array {
  const headerLength = (datagram[0]! & 0x0f) * 4;
  return datagram.slice(0, Math.min(datagram.length, headerLength + 8));
}

/** What an ICMP error tells about the datagram it quotes. */
export interface QuotedDatagram {
  src: number;
  dst: number;
  protocol: number;
  ttl: number;
  /** The first bytes of the quoted transport header (ports, ICMP id/seq). */
  transport: Uint8Array;
}

/**
 * Reads the quoted IP header of an ICMP error leniently: the quote is truncated by design, so its
 * total-length field does not match and its payload is only a few bytes.
 */
export function parseQuotedDatagram(original: Uint8Array): QuotedDatagram | undefined {
  if (original.length < 20 || original[0]! >>> 4 !== 4) return undefined;
  const headerLength = (original[0]! & 0x0f) * 4;
  if (headerLength < 20 || headerLength > original.length) return undefined;
  const u32 = (at: number): number => ((original[at]! << 24) | (original[at + 1]! << 16) | (original[at + 2]! << 8) | original[at + 3]!) >>> 0;
  return {
    src: u32(12),
    dst: u32(16),
    protocol: original[9]!,
    ttl: original[8]!,
    transport: original.slice(headerLength),
  };
}
