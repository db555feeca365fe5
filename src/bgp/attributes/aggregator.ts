import type { Ipv4Address } from '../../net/address.js';
import type { Asn } from '../types.js';
import { expectLength, type AttributeCodec, type WireFlags } from './codec.js';

/*
 * Aggregation attributes. ATOMIC_AGGREGATE (RFC 4271 §5.1.6) is malformed unless its length is 0;
 * AGGREGATOR (§5.1.7) unless it is 6 octets, or 8 when both sides speak 4-octet AS (RFC 7606 §7.6,
 * §7.7: attribute discard for both). AS4_AGGREGATOR (RFC 6793 §3) is always 8.
 */

export interface AtomicAggregateAttribute extends WireFlags {
  type: 'atomic-aggregate';
}

export interface AggregatorAttribute extends WireFlags {
  type: 'aggregator';
  /** 2-octet on a 2-octet session (AS_TRANS standing in for a 4-octet AS). */
  asn: Asn;
  address: Ipv4Address;
}

export interface As4AggregatorAttribute extends WireFlags {
  type: 'as4-aggregator';
  asn: Asn;
  address: Ipv4Address;
}

export const atomicAggregateCodec: AttributeCodec<AtomicAggregateAttribute> = {
  encodedLength: () => 0,
  encode: () => undefined,
  decode: (r) => {
    expectLength(r, 0, 'ATOMIC_AGGREGATE');
    return { type: 'atomic-aggregate' };
  },
};

export const aggregatorCodec: AttributeCodec<AggregatorAttribute> = {
  encodedLength: (_a, ctx) => (ctx.fourOctetAs ? 8 : 6),
  encode: (a, w, ctx) => {
    if (ctx.fourOctetAs) w.u32(a.asn);
    else w.u16(a.asn);
    w.u32(a.address);
  },
  decode: (r, ctx) => {
    expectLength(r, ctx.fourOctetAs ? 8 : 6, 'AGGREGATOR');
    const asn = ctx.fourOctetAs ? r.u32() : r.u16();
    return { type: 'aggregator', asn, address: r.u32() };
  },
};

export const as4AggregatorCodec: AttributeCodec<As4AggregatorAttribute> = {
  encodedLength: () => 8,
  encode: (a, w) => {
    w.u32(a.asn).u32(a.address);
  },
  decode: (r) => {
    expectLength(r, 8, 'AS4_AGGREGATOR');
    return { type: 'as4-aggregator', asn: r.u32(), address: r.u32() };
  },
};
