import type { Reader } from '../core/bytes/reader.js';
import { Writer } from '../core/bytes/writer.js';
import { InvalidArgumentError } from '../core/errors.js';
import { OpenMessageSubcode, openError, type AfiSafi } from './errors.js';

/*
 * Capabilities Advertisement (RFC 5492): the Capabilities optional parameter of an OPEN carries
 * code / length / value triples. Known ones are decoded; every other one is kept as bytes so a
 * re-encoded OPEN is byte-identical and the session can decide what it cannot do without.
 */

export const CapabilityCode = {
  /** RFC 4760 §8. */
  Multiprotocol: 1,
  /** RFC 2918 §2. */
  RouteRefresh: 2,
  /** RFC 8950 (not decoded here: kept as unknown). */
  ExtendedNextHop: 5,
  /** RFC 8654 §3. */
  ExtendedMessage: 6,
  /** RFC 4724 §3. */
  GracefulRestart: 64,
  /** RFC 6793 §3. */
  FourOctetAs: 65,
  /** RFC 7911 (kept as unknown). */
  AddPath: 69,
  /** RFC 7313 §3. */
  EnhancedRouteRefresh: 70,
  /** The pre-standard route refresh code Cisco used before RFC 2918; still sent by FRR and IOS. */
  RouteRefreshCisco: 128,
} as const;

/** RFC 4724 §3 Restart Flags (4 bits) and per-AFI/SAFI flags. */
export const GracefulRestartFlag = {
  /** Restart State: the sender has restarted. */
  Restart: 0x8,
  /** RFC 8538 §2: the sender supports graceful restart for NOTIFICATION messages. */
  Notification: 0x4,
  /** Per AFI/SAFI: forwarding state was preserved across the restart. */
  ForwardingState: 0x80,
} as const;

export interface GracefulRestartFamily extends AfiSafi {
  /** The per-family flags octet; bit 0x80 is Forwarding State. */
  flags: number;
}

export type Capability =
  | { type: 'multiprotocol'; afi: number; safi: number }
  | { type: 'route-refresh'; code: typeof CapabilityCode.RouteRefresh | typeof CapabilityCode.RouteRefreshCisco }
  | { type: 'enhanced-route-refresh' }
  | { type: 'extended-message' }
  | { type: 'four-octet-as'; asn: number }
  | { type: 'graceful-restart'; flags: number; restartTime: number; families: GracefulRestartFamily[] }
  | { type: 'unknown'; code: number; value: Uint8Array };

const MAX_RESTART_TIME = 0xfff;

function valueLength(c: Capability): number {
  switch (c.type) {
    case 'multiprotocol': return 4;
    case 'route-refresh': case 'enhanced-route-refresh': case 'extended-message': return 0;
    case 'four-octet-as': return 4;
    case 'graceful-restart': return 2 + 4 * c.families.length;
    case 'unknown': return c.value.length;
  }
}

export function capabilityCode(c: Capability): number {
  switch (c.type) {
    case 'multiprotocol': return CapabilityCode.Multiprotocol;
    case 'route-refresh': return c.code;
    case 'enhanced-route-refresh': return CapabilityCode.EnhancedRouteRefresh;
    case 'extended-message': return CapabilityCode.ExtendedMessage;
    case 'four-octet-as': return CapabilityCode.FourOctetAs;
    case 'graceful-restart': return CapabilityCode.GracefulRestart;
    case 'unknown': return c.code;
  }
}

export function capabilityEncodedLength(c: Capability): number {
  return 2 + valueLength(c);
}

export function capabilitiesEncodedLength(list: readonly Capability[]): number {
  let n = 0;
  for (const c of list) n += capabilityEncodedLength(c);
  return n;
}

export function encodeCapability(c: Capability, w: Writer): void {
  const length = valueLength(c);
  if (length > 0xff) throw new InvalidArgumentError(`capability ${capabilityCode(c)} value of ${length} bytes does not fit its 1-octet length`);
  w.u8(capabilityCode(c)).u8(length);
  switch (c.type) {
    case 'multiprotocol': w.u16(c.afi).u8(0).u8(c.safi); break;
    case 'route-refresh': case 'enhanced-route-refresh': case 'extended-message': break;
    case 'four-octet-as': w.u32(c.asn); break;
    case 'graceful-restart':
      if (c.flags > 0xf || c.restartTime > MAX_RESTART_TIME) {
        throw new InvalidArgumentError(`graceful restart flags ${c.flags} / time ${c.restartTime} do not fit 4 / 12 bits`);
      }
      w.u16((c.flags << 12) | c.restartTime);
      for (const f of c.families) w.u16(f.afi).u8(f.safi).u8(f.flags);
      break;
    case 'unknown': w.bytes(c.value); break;
  }
}

/** One capability as bytes (the Data of an Unsupported Capability NOTIFICATION lists these). */
export function capabilityBytes(c: Capability): Uint8Array {
  const n = capabilityEncodedLength(c);
  const w = new Writer(n);
  encodeCapability(c, w);
  return w.finish(n);
}

/**
 * Decodes the value of one Capabilities optional parameter. A capability that runs past the
 * parameter, or a known one with the wrong length, is an OPEN Message Error (Unspecific; data: the
 * capability as received, or what there is of it): RFC 5492 leaves the subcode open.
 */
export function decodeCapabilities(r: Reader): Capability[] {
  const out: Capability[] = [];
  while (r.remaining > 0) {
    const start = r.offset;
    if (r.remaining < 2) throw openError(OpenMessageSubcode.Unspecific, r.rest(), 'truncated capability header');
    const code = r.u8();
    const length = r.u8();
    if (length > r.remaining) {
      throw openError(OpenMessageSubcode.Unspecific, r.buf.slice(start, r.offset + r.remaining), `capability ${code} length ${length} overruns its parameter`);
    }
    const v = r.sub(length);
    const malformed = (why: string): never => {
      throw openError(OpenMessageSubcode.Unspecific, r.buf.slice(start, r.offset), `capability ${code}: ${why}`);
    };
    const exact = (n: number): void => {
      if (length !== n) malformed(`length ${length}, expected ${n}`);
    };
    switch (code) {
      case CapabilityCode.Multiprotocol: {
        exact(4);
        const afi = v.u16();
        v.skip(1); // reserved (RFC 4760 §8: SHOULD be 0, ignored)
        out.push({ type: 'multiprotocol', afi, safi: v.u8() });
        break;
      }
      case CapabilityCode.RouteRefresh:
      case CapabilityCode.RouteRefreshCisco:
        exact(0);
        out.push({ type: 'route-refresh', code });
        break;
      case CapabilityCode.EnhancedRouteRefresh:
        exact(0);
        out.push({ type: 'enhanced-route-refresh' });
        break;
      case CapabilityCode.ExtendedMessage:
        exact(0);
        out.push({ type: 'extended-message' });
        break;
      case CapabilityCode.FourOctetAs:
        exact(4);
        out.push({ type: 'four-octet-as', asn: v.u32() });
        break;
      case CapabilityCode.GracefulRestart: {
        if (length < 2 || (length - 2) % 4 !== 0) malformed(`length ${length} is not 2 + 4n`);
        const word = v.u16();
        const families: GracefulRestartFamily[] = [];
        while (v.remaining > 0) families.push({ afi: v.u16(), safi: v.u8(), flags: v.u8() });
        out.push({ type: 'graceful-restart', flags: word >>> 12, restartTime: word & MAX_RESTART_TIME, families });
        break;
      }
      default:
        out.push({ type: 'unknown', code, value: v.rest() });
    }
  }
  return out;
}
