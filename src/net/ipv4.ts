import { Reader } from '../core/bytes/reader.js';
import { Writer } from '../core/bytes/writer.js';
import { DecodeError, DecodeErrorCode, InvalidArgumentError } from '../core/errors.js';
import { finishChecksum, fold, onesSum } from './checksum.js';
import type { Ipv4Address } from './address.js';

/** IP protocol numbers used by vpnlab (IANA "Assigned Internet Protocol Numbers"). */
export const IpProtocol = {
  Icmp: 1,
  Tcp: 6,
  Udp: 17,
  Esp: 50,
} as const;

export const IPV4_MIN_HEADER = 20;
export const IPV4_MAX_PACKET = 65535;
export const DEFAULT_MTU = 1500;

/** An IPv4 datagram (RFC 791) with its header fields exactly as on the wire. */
export interface Ipv4Packet {
  /** DSCP (6 bits) and ECN (2 bits): the old TOS byte. */
  tos: number;
  identification: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** In units of 8 bytes. */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  src: Ipv4Address;
  dst: Ipv4Address;
  /** Raw option bytes, a multiple of 4 long (0-40). */
  options: Uint8Array;
  payload: Uint8Array;
  /** The header checksum as decoded; ignored (recomputed) when encoding. */
  checksum?: number;
}

export function ipv4EncodedLength(p: Ipv4Packet): number {
  return IPV4_MIN_HEADER + p.options.length + p.payload.length;
}

export function encodeIpv4(p: Ipv4Packet): Uint8Array {
  if (p.options.length % 4 !== 0 || p.options.length > 40) {
    throw new InvalidArgumentError(`IPv4 options must be a multiple of 4 bytes, at most 40 (got ${p.options.length})`);
  }
  const length = ipv4EncodedLength(p);
  if (length > IPV4_MAX_PACKET) throw new InvalidArgumentError(`IPv4 packet of ${length} bytes exceeds 65535`);
  const headerLength = IPV4_MIN_HEADER + p.options.length;
  const w = new Writer(length);
  w.u8(0x40 | (headerLength >>> 2))
    .u8(p.tos)
    .u16(length)
    .u16(p.identification)
    .u16((p.dontFragment ? 0x4000 : 0) | (p.moreFragments ? 0x2000 : 0) | p.fragmentOffset)
    .u8(p.ttl)
    .u8(p.protocol)
    .u16(0)
    .u32(p.src)
    .u32(p.dst)
    .bytes(p.options);
  w.patch16(10, internetHeaderChecksum(w.buf, headerLength));
  w.bytes(p.payload);
  return w.finish(length);
}

function internetHeaderChecksum(buf: Uint8Array, headerLength: number): number {
  return finishChecksum(onesSum(buf, 0, headerLength));
}

export interface Ipv4DecodeOptions {
  /** Reject a wrong header checksum (default true). */
  verifyChecksum?: boolean;
}

export function decodeIpv4(buf: Uint8Array, opts: Ipv4DecodeOptions = {}): Ipv4Packet {
  const r = new Reader(buf);
  const vihl = r.u8('IPv4 version/IHL');
  if (vihl >>> 4 !== 4) throw new DecodeError(DecodeErrorCode.BadVersion, `IP version ${vihl >>> 4}, expected 4`, 0);
  const headerLength = (vihl & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER) {
    throw new DecodeError(DecodeErrorCode.BadLength, `IPv4 header length ${headerLength} < 20`, 0);
  }
  const tos = r.u8();
  const totalLength = r.u16('IPv4 total length');
  if (totalLength < headerLength || totalLength > buf.length) {
    throw new DecodeError(DecodeErrorCode.BadLength,
      `IPv4 total length ${totalLength} does not fit header ${headerLength} and buffer ${buf.length}`, 2);
  }
  const identification = r.u16();
  const flagsFrag = r.u16();
  if (flagsFrag & 0x8000) throw new DecodeError(DecodeErrorCode.BadValue, 'IPv4 reserved flag bit is set', 6);
  const ttl = r.u8();
  const protocol = r.u8();
  const checksum = r.u16();
  const src = r.u32();
  const dst = r.u32();
  const options = r.bytes(headerLength - IPV4_MIN_HEADER, 'IPv4 options');
  if ((opts.verifyChecksum ?? true) && fold(onesSum(buf, 0, headerLength)) !== 0xffff) {
    throw new DecodeError(DecodeErrorCode.BadChecksum, `IPv4 header checksum 0x${checksum.toString(16)} is wrong`, 10);
  }
  const payload = buf.slice(headerLength, totalLength);
  return {
    tos, identification,
    dontFragment: (flagsFrag & 0x4000) !== 0,
    moreFragments: (flagsFrag & 0x2000) !== 0,
    fragmentOffset: flagsFrag & 0x1fff,
    ttl, protocol, src, dst, options, payload, checksum,
  };
}

/*
 * Hot-path accessors on encoded packets. The forwarding plane reads and rewrites packets in place
 * rather than decoding them: a router needs only the destination, the TTL and the checksum.
 */
export function ipv4Src(buf: Uint8Array): Ipv4Address {
  return ((buf[12]! << 24) | (buf[13]! << 16) | (buf[14]! << 8) | buf[15]!) >>> 0;
}

export function ipv4Dst(buf: Uint8Array): Ipv4Address {
  return ((buf[16]! << 24) | (buf[17]! << 16) | (buf[18]! << 8) | buf[19]!) >>> 0;
}

export function ipv4Ttl(buf: Uint8Array): number {
  return buf[8]!;
}

export function ipv4Protocol(buf: Uint8Array): number {
  return buf[9]!;
}

export function ipv4HeaderLength(buf: Uint8Array): number {
  return (buf[0]! & 0x0f) * 4;
}

export function ipv4TotalLength(buf: Uint8Array): number {
  return (buf[2]! << 8) | buf[3]!;
}

/**
 * Decrements the TTL and patches the header checksum incrementally (RFC 1624, eqn. 3:
 * HC' = ~(~HC + ~m + m')), as routers do, so forwarding never re-sums the header.
 */
export function decrementTtlInPlace(buf: Uint8Array): void {
  const oldWord = (buf[8]! << 8) | buf[9]!;
  buf[8] = buf[8]! - 1;
  const newWord = (buf[8]! << 8) | buf[9]!;
  const hc = (buf[10]! << 8) | buf[11]!;
  let sum = (~hc & 0xffff) + (~oldWord & 0xffff) + newWord;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  const result = ~sum & 0xffff;
  buf[10] = result >>> 8;
  buf[11] = result & 0xff;
}

/**
 * Quick structural check for the forwarding path: version, header length, total length within the
 * buffer, header checksum. Returns a reason string when the packet must be dropped, else undefined.
 */
export function ipv4Malformed(buf: Uint8Array): string | undefined {
  if (buf.length < IPV4_MIN_HEADER) return 'shorter than an IPv4 header';
  if (buf[0]! >>> 4 !== 4) return 'not IPv4';
  const hl = ipv4HeaderLength(buf);
  if (hl < IPV4_MIN_HEADER || hl > buf.length) return 'bad header length';
  const total = ipv4TotalLength(buf);
  if (total < hl || total > buf.length) return 'bad total length';
  if (fold(onesSum(buf, 0, hl)) !== 0xffff) return 'bad header checksum';
  return undefined;
}
