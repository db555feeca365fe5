import type { DecodeContext } from '../../src/bgp/context.js';
import { BgpFramer } from '../../src/bgp/framer.js';
import { decodeMessage, encodeMessage, type DecodedMessage } from '../../src/bgp/message.js';
import { makeOpen } from '../../src/bgp/open.js';
import { MAX_SEGMENT_ASNS } from '../../src/bgp/rib/as-path.js';
import { packUpdates, packWithdrawals } from '../../src/bgp/update-packer.js';
import { Afi, Safi, type AsPathSegment, type Asn } from '../../src/bgp/types.js';
import type { Prefix } from '../../src/net/address.js';

/*
 * What a remote BGP speaker sends, built with the project's own encoders, and what it makes of
 * the bytes it receives: for engine tests over FakeTransport and for raw sockets against the
 * daemon.
 */

export const FOUR: DecodeContext = { fourOctetAs: true, external: true };
export const TWO: DecodeContext = { fourOctetAs: false, external: true };

export function openBytes(asn: Asn, bgpId: number, options: { fourOctetAs?: boolean; holdTime?: number } = {}): Uint8Array {
  const four = options.fourOctetAs ?? true;
  const open = makeOpen({
    asn, holdTime: options.holdTime ?? 90, bgpId,
    capabilities: [{ type: 'multiprotocol', afi: Afi.IPv4, safi: Safi.Unicast }, ...(four ? [{ type: 'four-octet-as' as const, asn }] : [])],
  });
  return encodeMessage(open, { fourOctetAs: true });
}

export const KEEPALIVE = encodeMessage({ type: 'keepalive' }, FOUR);

export function notificationBytes(code: number, subcode: number): Uint8Array {
  return encodeMessage({ type: 'notification', code, subcode, data: new Uint8Array(0) }, FOUR);
}

/** An AS_PATH of `asns` as AS_SEQUENCE segments of at most 255 ASNs. */
export function sequencePath(asns: readonly Asn[]): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  for (let i = 0; i < asns.length; i += MAX_SEGMENT_ASNS) out.push({ type: 'sequence', asns: asns.slice(i, i + MAX_SEGMENT_ASNS) });
  return out;
}

/** An UPDATE announcing `prefix` with an AS_PATH of `pathLength` ASNs starting with `firstAs`. */
export function announceBytes(prefix: Prefix, firstAs: Asn, pathLength: number, nextHop: number, ctx: DecodeContext = FOUR): Uint8Array {
  const asns = [firstAs, ...Array.from({ length: pathLength - 1 }, (_, i) => 4_200_000_000 + i)];
  const [message] = packUpdates({ origin: 0, asPath: sequencePath(asns), nextHop }, [prefix], ctx);
  return message!;
}

export function withdrawBytes(prefix: Prefix, ctx: DecodeContext = FOUR): Uint8Array {
  return packWithdrawals([prefix], ctx)[0]!;
}

/** Splits and decodes what a speaker sent (a header error ends the list). */
export function messagesIn(bytes: Uint8Array, ctx: DecodeContext = FOUR): DecodedMessage[] {
  const framer = new BgpFramer();
  framer.push(bytes);
  const out: DecodedMessage[] = [];
  for (let raw = framer.next(); raw !== undefined; raw = framer.next()) out.push(decodeMessage(raw, ctx));
  return out;
}
