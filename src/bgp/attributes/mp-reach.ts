import type { Reader } from '../../core/bytes/reader.js';
import type { Writer } from '../../core/bytes/writer.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Prefix } from '../../net/address.js';
import { UpdateMessageSubcode, updateError } from '../errors.js';
import { decodePrefixes, encodePrefixes, prefixesEncodedLength } from '../nlri.js';
import { Afi, Safi } from '../types.js';
import type { AttributeCodec, WireFlags } from './codec.js';

/*
 * MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 §3, §4), both optional non-transitive. IPv4 unicast
 * (AFI 1 / SAFI 1) NLRI are decoded, with a 4-octet next hop; other AFI/SAFIs keep next hop and
 * NLRI as bytes. Incorrect (RFC 7606 §5.3, §7.11): MP_REACH shorter than 5 octets or MP_UNREACH
 * shorter than 3, a next hop running past the attribute or of the wrong length for the AFI/SAFI,
 * or NLRI that do not parse. RFC 4760 §7 names the subcode: Optional Attribute Error.
 */

export interface MpReachAttribute extends WireFlags {
  type: 'mp-reach';
  afi: number;
  safi: number;
  /** Network Address of Next Hop, as bytes (4 octets for IPv4 unicast). */
  nextHop: Uint8Array;
  /** IPv4 unicast NLRI; empty for other AFI/SAFIs. */
  nlri: Prefix[];
  /** The NLRI of an AFI/SAFI this codec does not parse, as bytes. */
  rawNlri?: Uint8Array;
}

export interface MpUnreachAttribute extends WireFlags {
  type: 'mp-unreach';
  afi: number;
  safi: number;
  /** IPv4 unicast withdrawn routes; empty for other AFI/SAFIs. */
  withdrawn: Prefix[];
  /** The withdrawn routes of an AFI/SAFI this codec does not parse, as bytes. */
  rawWithdrawn?: Uint8Array;
}

export function isIpv4Unicast(afi: number, safi: number): boolean {
  return afi === Afi.IPv4 && safi === Safi.Unicast;
}

const IPV4_NEXT_HOP_LENGTH = 4;

function checkShape(afi: number, safi: number, parsed: readonly Prefix[], raw: Uint8Array | undefined, what: string): void {
  if (!isIpv4Unicast(afi, safi) && parsed.length > 0) {
    throw new InvalidArgumentError(`${what}: decoded prefixes are only carried for AFI 1 / SAFI 1, not ${afi}/${safi} (use the raw bytes)`);
  }
  if (isIpv4Unicast(afi, safi) && raw !== undefined && raw.length > 0) {
    throw new InvalidArgumentError(`${what}: AFI 1 / SAFI 1 prefixes go in the decoded list, not the raw bytes`);
  }
}

function nlriOf(r: Reader, what: string): Prefix[] {
  return decodePrefixes(r, what, UpdateMessageSubcode.OptionalAttributeError);
}

export const mpReachCodec: AttributeCodec<MpReachAttribute> = {
  encodedLength: (a) => 5 + a.nextHop.length + prefixesEncodedLength(a.nlri) + (a.rawNlri?.length ?? 0),
  encode: (a, w: Writer) => {
    checkShape(a.afi, a.safi, a.nlri, a.rawNlri, 'MP_REACH_NLRI');
    if (a.nextHop.length > 0xff) throw new InvalidArgumentError(`MP_REACH_NLRI next hop of ${a.nextHop.length} octets`);
    w.u16(a.afi).u8(a.safi).u8(a.nextHop.length).bytes(a.nextHop).u8(0);
    encodePrefixes(a.nlri, w);
    if (a.rawNlri !== undefined) w.bytes(a.rawNlri);
  },
  decode: (r) => {
    if (r.remaining < 5) throw updateError(UpdateMessageSubcode.OptionalAttributeError, `MP_REACH_NLRI length ${r.remaining} < 5`);
    const afi = r.u16();
    const safi = r.u8();
    const nextHopLength = r.u8();
    if (nextHopLength + 1 > r.remaining) {
      throw updateError(UpdateMessageSubcode.OptionalAttributeError, `MP_REACH_NLRI next hop length ${nextHopLength} overruns the attribute`);
    }
    const ipv4 = isIpv4Unicast(afi, safi);
    if (ipv4 && nextHopLength !== IPV4_NEXT_HOP_LENGTH) {
      throw updateError(UpdateMessageSubcode.OptionalAttributeError, `MP_REACH_NLRI next hop length ${nextHopLength} for IPv4 unicast (expected 4)`);
    }
    const nextHop = r.bytes(nextHopLength);
    r.skip(1); // Reserved: MUST be 0, ignored on receipt (RFC 4760 §3)
    if (ipv4) return { type: 'mp-reach', afi, safi, nextHop, nlri: nlriOf(r, 'MP_REACH_NLRI') };
    return { type: 'mp-reach', afi, safi, nextHop, nlri: [], rawNlri: r.rest() };
  },
};

export const mpUnreachCodec: AttributeCodec<MpUnreachAttribute> = {
  encodedLength: (a) => 3 + prefixesEncodedLength(a.withdrawn) + (a.rawWithdrawn?.length ?? 0),
  encode: (a, w) => {
    checkShape(a.afi, a.safi, a.withdrawn, a.rawWithdrawn, 'MP_UNREACH_NLRI');
    w.u16(a.afi).u8(a.safi);
    encodePrefixes(a.withdrawn, w);
    if (a.rawWithdrawn !== undefined) w.bytes(a.rawWithdrawn);
  },
  decode: (r) => {
    if (r.remaining < 3) throw updateError(UpdateMessageSubcode.OptionalAttributeError, `MP_UNREACH_NLRI length ${r.remaining} < 3`);
    const afi = r.u16();
    const safi = r.u8();
    if (isIpv4Unicast(afi, safi)) return { type: 'mp-unreach', afi, safi, withdrawn: nlriOf(r, 'MP_UNREACH_NLRI') };
    return { type: 'mp-unreach', afi, safi, withdrawn: [], rawWithdrawn: r.rest() };
  },
};
