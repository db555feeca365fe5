import { Reader } from '../core/bytes/reader.js';
import { Writer } from '../core/bytes/writer.js';
import { DecodeError, DecodeErrorCode } from '../core/errors.js';
import { finishChecksum, fold, onesSum, pseudoHeaderSum } from './checksum.js';
import { IpProtocol } from './ipv4.js';
import type { Ipv4Address } from './address.js';

/** A UDP datagram (RFC 768). */
export interface UdpDatagram {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

const UDP_HEADER = 8;

export function udpEncodedLength(d: UdpDatagram): number {
  return UDP_HEADER + d.payload.length;
}

/** Encodes with the checksum over the IPv4 pseudo-header of `src` → `dst`. */
export function encodeUdp(d: UdpDatagram, src: Ipv4Address, dst: Ipv4Address): Uint8Array {
  const length = udpEncodedLength(d);
  const w = new Writer(length);
  w.u16(d.srcPort).u16(d.dstPort).u16(length).u16(0).bytes(d.payload);
  let checksum = finishChecksum(onesSum(w.buf, 0, length, pseudoHeaderSum(src, dst, IpProtocol.Udp, length)));
  if (checksum === 0) checksum = 0xffff; // RFC 768: a computed zero is sent as all ones
  w.patch16(6, checksum);
  return w.finish(length);
}

/** Decodes, verifying the checksum against the pseudo-header unless it is 0 (not computed). */
export function decodeUdp(buf: Uint8Array, src: Ipv4Address, dst: Ipv4Address, verifyChecksum = true): UdpDatagram {
  const r = new Reader(buf);
  const srcPort = r.u16('UDP source port');
  const dstPort = r.u16('UDP destination port');
  const length = r.u16('UDP length');
  const checksum = r.u16('UDP checksum');
  if (length < UDP_HEADER || length > buf.length) {
    throw new DecodeError(DecodeErrorCode.BadLength, `UDP length ${length} does not fit ${buf.length} byte(s)`, 4);
  }
  if (verifyChecksum && checksum !== 0) {
    const sum = onesSum(buf, 0, length, pseudoHeaderSum(src, dst, IpProtocol.Udp, length));
    if (fold(sum) !== 0xffff) throw new DecodeError(DecodeErrorCode.BadChecksum, `UDP checksum 0x${checksum.toString(16)} is wrong`, 6);
  }
  return { srcPort, dstPort, payload: buf.slice(UDP_HEADER, length) };
}
