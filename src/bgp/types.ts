import type { Ipv4Address, Prefix } from '../net/address.js';

/*
 * The BGP data model shared by the codecs, the RIBs, the decision process and policy. Codecs turn
 * bytes into these values and back; nothing above the codecs sees wire encodings (2- vs 4-octet
 * AS numbers, AS4_PATH merging, MP_REACH vs NLRI) except through the fields kept for re-encoding.
 */

export type Asn = number;

/** AS_TRANS (RFC 6793): stands in for a 4-octet AS number in 2-octet fields. */
export const AS_TRANS = 23456;

export const Origin = { IGP: 0, EGP: 1, INCOMPLETE: 2 } as const;
export type Origin = (typeof Origin)[keyof typeof Origin];

export type AsPathSegmentType = 'set' | 'sequence' | 'confed-sequence' | 'confed-set';

export interface AsPathSegment {
  type: AsPathSegmentType;
  asns: Asn[];
}

/** An attribute kept as bytes: unknown optional-transitive ones are passed on with Partial set. */
export interface RawAttribute {
  flags: number;
  type: number;
  value: Uint8Array;
}

export interface LargeCommunity {
  globalAdmin: number;
  localData1: number;
  localData2: number;
}

/**
 * Path attributes in their logical form. AS numbers are always 4-octet here: a decoder for a
 * 2-octet session merges AS_PATH with AS4_PATH (RFC 6793 §4.2.3); an encoder does the reverse.
 * Values are treated as immutable once built, so identical sets can be interned and shared.
 */
export interface PathAttributes {
  origin: Origin;
  asPath: AsPathSegment[];
  /** Absent for MP_REACH-only updates (the next hop is then in mpReach) and for withdrawals. */
  nextHop?: Ipv4Address;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: { asn: Asn; address: Ipv4Address };
  communities?: number[];
  largeCommunities?: LargeCommunity[];
  /** ORIGINATOR_ID (RFC 4456 §8): set by a route reflector; iBGP only, never sent to eBGP. */
  originatorId?: Ipv4Address;
  /** CLUSTER_LIST (RFC 4456 §8): cluster IDs the route was reflected through, newest first. */
  clusterList?: number[];
  /** Unknown optional attributes (transitive ones are re-advertised with the Partial bit). */
  unknown?: RawAttribute[];
}

export const Afi = { IPv4: 1, IPv6: 2 } as const;
export const Safi = { Unicast: 1, Multicast: 2 } as const;

/** Well-known communities (RFC 1997). */
export const WellKnownCommunity = {
  NoExport: 0xffffff01,
  NoAdvertise: 0xffffff02,
  NoExportSubconfed: 0xffffff03,
} as const;

/** A route as the RIBs hold it: a prefix, its attributes, and where it came from. */
export interface Route {
  prefix: Prefix;
  attributes: PathAttributes;
}
