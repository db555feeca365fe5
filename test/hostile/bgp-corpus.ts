import type { PathAttribute } from '../../src/bgp/attributes/table.js';
import type { CodecContext } from '../../src/bgp/context.js';
import { KEEPALIVE } from '../../src/bgp/keepalive.js';
import { encodeMessage } from '../../src/bgp/message.js';
import { AS_TRANS, type AsPathSegment } from '../../src/bgp/types.js';
import type { Prefix } from '../../src/net/address.js';
import { readUint, type LengthField, type Mutator } from './mutator.js';

/*
 * Valid BGP messages built with the project's own encoder (src/bgp/message.ts), and where their
 * length fields are, for the mutator: OPENs with and without the 4-octet-AS capability, UPDATEs
 * announcing and withdrawing prefixes from a bounded pool (so the RIB cannot grow without end),
 * UPDATEs with AS paths up to the 4,096-octet limit, KEEPALIVE, ROUTE-REFRESH, NOTIFICATION.
 */

export const FOUR: CodecContext = { fourOctetAs: true };
export const TWO: CodecContext = { fourOctetAs: false };
export const HEADER = 19;
const MAX_MESSAGE = 4096;
/** Routes a neighbour may announce: 2,048 /24s in 10.64.0.0/13, so the RIB stays bounded. */
export const PREFIX_POOL = 2048;

export function poolPrefix(i: number): Prefix {
  return { address: ((10 << 24) | (64 << 16) | ((i % PREFIX_POOL) << 8)) >>> 0, length: 24 };
}

export function open(asn: number, bgpId: number, ctx: CodecContext, holdTime = 0): Uint8Array {
  const caps = [{ type: 'multiprotocol' as const, afi: 1, safi: 1 }, { type: 'route-refresh' as const, code: 2 as const }];
  const capabilities = ctx.fourOctetAs ? [...caps, { type: 'four-octet-as' as const, asn }] : caps;
  return encodeMessage({ type: 'open', myAs: asn > 0xffff ? AS_TRANS : asn, holdTime, bgpId, parameters: [{ type: 'capabilities', capabilities }] }, ctx);
}

export const keepalive = (): Uint8Array => encodeMessage(KEEPALIVE, FOUR);
export const routeRefresh = (): Uint8Array => encodeMessage({ type: 'route-refresh', afi: 1, subtype: 0, safi: 1 }, FOUR);
export const notification = (code: number, subcode: number): Uint8Array => encodeMessage({ type: 'notification', code, subcode, data: new Uint8Array(0) }, FOUR);

/** 192.0.2.0/24 (TEST-NET-1): a next hop that is not martian, so the routes are used and re-advertised. */
const NEXT_HOP = ((192 << 24) | (2 << 8) | 1) >>> 0;

function segments(asns: number[]): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  for (let i = 0; i < asns.length; i += 255) out.push({ type: 'sequence', asns: asns.slice(i, i + 255) });
  return out;
}

function attributes(path: number[], ctx: CodecContext, m: Mutator): PathAttribute[] {
  const attrs: PathAttribute[] = [
    { type: 'origin', origin: m.pick([0, 1, 2] as const) },
    { type: 'as-path', segments: segments(ctx.fourOctetAs ? path : path.map((a) => (a > 0xffff ? AS_TRANS : a))) },
    { type: 'next-hop', address: NEXT_HOP },
  ];
  if (!ctx.fourOctetAs && path.some((a) => a > 0xffff)) attrs.push({ type: 'as4-path', segments: segments(path) });
  if (m.int(2) === 0) attrs.push({ type: 'med', value: m.int(1000) });
  if (m.int(2) === 0) attrs.push({ type: 'communities', values: Array.from({ length: 1 + m.int(8) }, () => (65003 * 65536 + m.int(65536)) >>> 0) });
  return attrs;
}

/** An UPDATE announcing 1–8 pool prefixes with a short path starting at `asn`, maybe withdrawing some. */
export function update(asn: number, ctx: CodecContext, m: Mutator): Uint8Array {
  const path = [asn, ...Array.from({ length: m.int(4) }, () => 64512 + m.int(1000))];
  const nlri = Array.from({ length: 1 + m.int(8) }, () => poolPrefix(m.int(PREFIX_POOL)));
  const withdrawn = m.int(3) === 0 ? Array.from({ length: 1 + m.int(4) }, () => poolPrefix(m.int(PREFIX_POOL))) : [];
  return encodeMessage({ type: 'update', withdrawn, attributes: attributes(path, ctx, m), nlri }, ctx);
}

export function withdrawal(ctx: CodecContext, m: Mutator): Uint8Array {
  return encodeMessage({ type: 'update', withdrawn: Array.from({ length: 1 + m.int(16) }, () => poolPrefix(m.int(PREFIX_POOL))), attributes: [], nlri: [] }, ctx);
}

/**
 * A legal UPDATE with the longest AS path that fits 4,096 octets (about 1,010 4-octet ASNs, or
 * 2-octet AS_PATH plus AS4_PATH toward a 2-octet peer), ASNs above 65535 so that re-advertising
 * it to a 2-octet peer needs AS4_PATH too: defect 1's UPDATE.
 */
export function longPathUpdate(asn: number, ctx: CodecContext, m: Mutator, prefixIndex: number): Uint8Array {
  let n = ctx.fourOctetAs ? 1010 : 670;
  for (;;) {
    const path = [asn, ...Array.from({ length: n - 1 }, (_, i) => 4_200_000_000 + i)];
    const msg = { type: 'update' as const, withdrawn: [], attributes: attributes(path, ctx, m).filter((a) => a.type !== 'communities' && a.type !== 'med'), nlri: [poolPrefix(prefixIndex)] };
    try {
      return encodeMessage(msg, ctx);
    } catch {
      n -= 8;
    }
  }
}

/** The length fields of a BGP message: header Length, and for an UPDATE its three lengths and each attribute's. */
export function bgpLengthFields(b: Uint8Array): LengthField[] {
  const out: LengthField[] = [{ at: 16, size: 2 }];
  if (b[18] !== 2 || b.length < 23) return out;
  out.push({ at: 19, size: 2 });
  const aAt = 21 + readUint(b, 19, 2);
  if (aAt + 2 > b.length) return out;
  out.push({ at: aAt, size: 2 });
  const end = Math.min(b.length, aAt + 2 + readUint(b, aAt, 2));
  for (let p = aAt + 2; p + 3 <= end;) {
    const ext = (b[p]! & 0x10) !== 0;
    out.push({ at: p + 2, size: ext ? 2 : 1 });
    p += (ext ? 4 : 3) + readUint(b, p + 2, ext ? 2 : 1);
  }
  return out;
}

/** Where each attribute's value is in an UPDATE (for mutations that keep the framing). */
function attributeValues(b: Uint8Array): { flagsAt: number; code: number; from: number; to: number }[] {
  const out: { flagsAt: number; code: number; from: number; to: number }[] = [];
  const aAt = 21 + readUint(b, 19, 2);
  if (aAt + 2 > b.length) return out;
  const end = Math.min(b.length, aAt + 2 + readUint(b, aAt, 2));
  for (let p = aAt + 2; p + 3 <= end;) {
    const ext = (b[p]! & 0x10) !== 0;
    const len = readUint(b, p + 2, ext ? 2 : 1);
    const from = p + (ext ? 4 : 3);
    out.push({ flagsAt: p, code: b[p + 1]!, from, to: Math.min(end, from + len) });
    p = from + len;
  }
  return out;
}

/**
 * A mutation that keeps the message's framing: attribute values, flags or type codes change,
 * lengths do not — what RFC 7606 mostly answers with treat-as-withdraw or attribute discard
 * rather than a session reset (MP_REACH/MP_UNREACH are left alone: those do reset).
 */
export function framedMutation(b: Uint8Array, m: Mutator): Uint8Array {
  const attrs = attributeValues(b).filter((a) => a.code !== 14 && a.code !== 15);
  if (attrs.length === 0) return b;
  const a = m.pick(attrs);
  const out = b.slice();
  switch (m.int(4)) {
    case 0: out[a.flagsAt] = out[a.flagsAt]! ^ m.pick([0x80, 0x40, 0x20]); break;
    case 1: // another type code; optional, so an unknown one is passed on rather than fatal
      out[a.flagsAt] = out[a.flagsAt]! | 0xc0;
      out[a.flagsAt + 1] = m.pick([7, 8, 9, 10, 16, 17, 18, 32, 99, 255]);
      break;
    default:
      for (let i = 0, n = 1 + m.int(3); i < n && a.to > a.from; i++) {
        const p = a.from + m.int(a.to - a.from);
        out[p] = m.int(2) === 0 ? out[p]! ^ (1 << m.int(8)) : m.int(256);
      }
  }
  return out;
}

/** Reads whole BGP messages out of a byte stream. */
export class BgpReader {
  private buf = new Uint8Array(0);
  /** Message types seen so far. */
  readonly seen = new Set<number>();

  push(chunk: Uint8Array): void {
    const next = new Uint8Array(this.buf.length + chunk.length);
    next.set(this.buf);
    next.set(chunk, this.buf.length);
    this.buf = next;
    while (this.buf.length >= HEADER) {
      const len = readUint(this.buf, 16, 2);
      if (len < HEADER || len > 65535) { this.buf = new Uint8Array(0); return; }
      if (this.buf.length < len) return;
      this.seen.add(this.buf[18]!);
      this.buf = this.buf.subarray(len);
    }
  }

  has(type: number): boolean {
    return this.seen.has(type);
  }
}

export const MessageTypeCode = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, ROUTE_REFRESH: 5 } as const;
export { MAX_MESSAGE };
