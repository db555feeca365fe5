import type { Reader } from '../core/bytes/reader.js';
import type { Writer } from '../core/bytes/writer.js';
import { BgpError, ErrorCode, RouteRefreshSubcode } from './errors.js';

/*
 * ROUTE-REFRESH (RFC 2918 §3): AFI, a reserved octet that RFC 7313 §3.2 makes the Message
 * Subtype, and SAFI. Octets after the first four (RFC 5291 ORF entries, with subtype 0 only) are
 * kept as bytes.
 */

export const RouteRefreshSubtype = {
  Normal: 0,
  /** RFC 7313: Beginning of Route Refresh. */
  BeginningOfRouteRefresh: 1,
  /** RFC 7313: End of Route Refresh. */
  EndOfRouteRefresh: 2,
} as const;

export interface RouteRefreshMessage {
  type: 'route-refresh';
  afi: number;
  /** Message Subtype (RFC 7313); 3–255 are decoded and left for the session to ignore. */
  subtype: number;
  safi: number;
  /** Octets after the SAFI (subtype 0 only); usually absent. */
  orf?: Uint8Array;
}

export function routeRefreshEncodedLength(m: RouteRefreshMessage): number {
  return 4 + (m.orf?.length ?? 0);
}

export function encodeRouteRefresh(m: RouteRefreshMessage, w: Writer): void {
  w.u16(m.afi).u8(m.subtype).u8(m.safi);
  if (m.orf !== undefined) w.bytes(m.orf);
}

/**
 * A body shorter than 4 octets, or a BoRR / EoRR body that is not exactly 4, is ROUTE-REFRESH
 * Message Error / Invalid Message Length whose data is the complete message (RFC 7313 §5), which
 * the caller passes as `message` (header included).
 */
export function decodeRouteRefresh(r: Reader, message: Uint8Array): RouteRefreshMessage {
  const length = r.remaining;
  const subtype = length >= 3 ? r.buf[r.offset + 2]! : 0;
  if (length < 4 || (length !== 4 && (subtype === RouteRefreshSubtype.BeginningOfRouteRefresh || subtype === RouteRefreshSubtype.EndOfRouteRefresh))) {
    throw new BgpError(ErrorCode.RouteRefreshMessage, RouteRefreshSubcode.InvalidMessageLength, message.slice(), 'session-reset',
      `ROUTE-REFRESH body of ${length} octet(s) with subtype ${subtype}`);
  }
  const afi = r.u16();
  r.skip(1);
  const safi = r.u8();
  const m: RouteRefreshMessage = { type: 'route-refresh', afi, subtype, safi };
  if (r.remaining > 0) m.orf = r.rest();
  return m;
}
