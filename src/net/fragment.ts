import { finishChecksum, onesSum } from './checksum.js';
import { ipv4HeaderLength, ipv4TotalLength } from './ipv4.js';

/**
 * IPv4 fragmentation (RFC 791 §3.2, RFC 1812 §5.2.6). Fragments carry the original header, with
 * only the options whose "copied" flag is set after the first fragment, a payload that is a
 * multiple of 8 bytes except in the last, and offsets in 8-byte units.
 */
export function fragmentIpv4(packet: Uint8Array, mtu: number): Uint8Array[] {
  const headerLength = ipv4HeaderLength(packet);
  const total = ipv4TotalLength(packet);
  const header = packet.subarray(0, headerLength);
  const laterHeader = withCopiedOptionsOnly(header);
  const flagsFrag = (packet[6]! << 8) | packet[7]!;
  const baseOffset = flagsFrag & 0x1fff;
  const originalMoreFragments = (flagsFrag & 0x2000) !== 0;
  const fragments: Uint8Array[] = [];
  let offset = headerLength;
  while (offset < total) {
    const h = fragments.length === 0 ? header : laterHeader;
    const room = Math.floor((mtu - h.length) / 8) * 8;
    if (room <= 0) return [];
    const size = Math.min(room, total - offset);
    const last = offset + size >= total;
    const frag = new Uint8Array(h.length + size);
    frag.set(h, 0);
    frag.set(packet.subarray(offset, offset + size), h.length);
    frag[0] = 0x40 | (h.length >>> 2);
    frag[2] = frag.length >>> 8;
    frag[3] = frag.length & 0xff;
    const fragOffset = baseOffset + (offset - headerLength) / 8;
    const flags = (flagsFrag & 0x4000) | (last && !originalMoreFragments ? 0 : 0x2000);
    frag[6] = (flags | fragOffset) >>> 8;
    frag[7] = fragOffset & 0xff;
    frag[10] = 0;
    frag[11] = 0;
    const checksum = finishChecksum(onesSum(frag, 0, h.length));
    frag[10] = checksum >>> 8;
    frag[11] = checksum & 0xff;
    fragments.push(frag);
    offset += size;
  }
  return fragments;
}

/** The header with only the options marked "copied" (type bit 0x80), padded to 4 bytes. */
function withCopiedOptionsOnly(header: Uint8Array): Uint8Array {
  if (header.length === 20) return header;
  const kept: number[] = [];
  let i = 20;
  while (i < header.length) {
    const type = header[i]!;
    if (type === 0) break;
    if (type === 1) {
      i++;
      continue;
    }
    const len = header[i + 1] ?? 0;
    if (len < 2 || i + len > header.length) break;
    if (type & 0x80) kept.push(...header.subarray(i, i + len));
    i += len;
  }
  while (kept.length % 4 !== 0) kept.push(0);
  const out = new Uint8Array(20 + kept.length);
  out.set(header.subarray(0, 20), 0);
  out.set(kept, 20);
  return out;
}

export function isFragment(packet: Uint8Array): boolean {
  return (packet[6]! & 0x20) !== 0 || (((packet[6]! & 0x1f) << 8) | packet[7]!) !== 0;
}
