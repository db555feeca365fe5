import { UpdateMessageSubcode, updateError } from '../errors.js';
import type { Ipv4Address } from '../../net/address.js';
import { expectLength, type AttributeCodec, type WireFlags } from './codec.js';

/**
 * NEXT_HOP (RFC 4271 §5.1.3), well-known mandatory when the NLRI field is not empty. Malformed
 * (RFC 7606 §7.3): length not 4. An address no router can have — 0.0.0.0/8, 127.0.0.0/8, or
 * class D/E (224.0.0.0/3, which covers 255.255.255.255) — is Invalid NEXT_HOP Attribute, handled
 * the same way (FRR's martian next hop check); whether the next hop is reachable or our own
 * address is the session's to check (RFC 4271 §6.3).
 */
export interface NextHopAttribute extends WireFlags {
  type: 'next-hop';
  address: Ipv4Address;
}

export function isMartianNextHop(address: Ipv4Address): boolean {
  const first = address >>> 24;
  return first === 0 || first === 127 || first >= 224;
}

export const nextHopCodec: AttributeCodec<NextHopAttribute> = {
  encodedLength: () => 4,
  encode: (a, w) => {
    w.u32(a.address);
  },
  decode: (r) => {
    expectLength(r, 4, 'NEXT_HOP');
    const address = r.u32();
    if (isMartianNextHop(address)) throw updateError(UpdateMessageSubcode.InvalidNextHopAttribute, `NEXT_HOP ${address >>> 24}.x.x.x cannot be a router`);
    return { type: 'next-hop', address };
  },
};
