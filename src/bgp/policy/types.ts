import type { Ipv4Address, Prefix } from '../../net/address.js';
import type { Asn, LargeCommunity, Origin } from '../types.js';

/*
 * Routing policy as data: what the topology file, the API and the platforms (Azure's "never
 * re-advertise the default route", Alibaba's route cap) configure, and what `compilePolicy`
 * validates once and turns into a fast evaluator. The shape follows GoBGP's policy model
 * (statements of conditions + actions + a disposition) with FRR route-map semantics.
 *
 * Evaluation: statements in order. A statement matches when all its conditions do (no conditions =
 * always). A matching statement applies its actions, then its `result` decides: 'accept' or
 * 'reject' ends evaluation; 'next' carries the modified route on to the following statements (FRR
 * `on-match next`). When no statement ends it, `default` decides: 'reject' unless set (a route-map's
 * implicit deny).
 */

/**
 * A prefix-list entry, as Cisco/FRR `ip prefix-list`: matches a route whose prefix lies inside
 * `prefix` and whose length is within [ge, le]. Without ge/le the length must equal the entry's;
 * with ge alone le is 32; with le alone ge is the entry's length.
 * `10.0.0.0/8 le 24` matches 10.0.0.0/8 ... 10.255.255.0/24; `0.0.0.0/0` alone matches only the
 * default route; `0.0.0.0/0 le 32` matches everything.
 */
export interface PrefixListEntry {
  prefix: Prefix;
  ge?: number;
  le?: number;
}

export type Condition =
  /** Any entry matches. */
  | { type: 'prefix'; entries: PrefixListEntry[] }
  /** The route's prefix covers or lies inside one of these (Azure: "overlapping a VNet prefix"). */
  | { type: 'prefix-overlaps'; prefixes: Prefix[] }
  /**
   * A Cisco/FRR AS-path regular expression over the path as printed ("65010 65011 {65012,65013}"):
   * digits match digits, `.` any character, `* + ?` repeat, `[...]` classes, `( | )` groups, `^ $`
   * anchor, and `_` matches a delimiter (start, end, space, or a set/confed bracket). `^65010_`:
   * learned from AS 65010; `_65011$`: originated by 65011; `_65012_`: passes through 65012; `^$`:
   * our own routes. Braces are not allowed (they would be a repeat count, not an AS_SET).
   */
  | { type: 'as-path'; regex: string }
  /** The AS appears anywhere in the path. */
  | { type: 'as-path-contains'; asn: Asn }
  /** The route was originated by this AS (last AS of a path ending in an AS_SEQUENCE). */
  | { type: 'as-path-origin'; asn: Asn }
  /** The route was learned from this neighbouring AS (first AS of the path). */
  | { type: 'as-path-neighbour'; asn: Asn }
  /** Path length as the decision process counts it (AS_SET = 1, confed = 0), bounds inclusive. */
  | { type: 'as-path-length'; min?: number; max?: number }
  /** The route carries any (default) or all of these communities. */
  | { type: 'community'; communities: number[]; match?: 'any' | 'all' }
  | { type: 'large-community'; communities: LargeCommunity[]; match?: 'any' | 'all' }
  | { type: 'origin'; origin: Origin }
  /** The next hop lies inside one of these prefixes. */
  | { type: 'next-hop'; prefixes: Prefix[] }
  | { type: 'not'; condition: Condition }
  /** At least one of these holds (a statement's own list is "all of"). */
  | { type: 'any'; conditions: Condition[] };

export type Action =
  | { type: 'set-local-pref'; value: number }
  | { type: 'set-med'; value: number }
  | { type: 'remove-med' }
  | { type: 'set-origin'; origin: Origin }
  | { type: 'set-communities'; communities: number[] }
  | { type: 'add-communities'; communities: number[] }
  | { type: 'remove-communities'; communities: number[] }
  | { type: 'set-large-communities'; communities: LargeCommunity[] }
  | { type: 'add-large-communities'; communities: LargeCommunity[] }
  | { type: 'remove-large-communities'; communities: LargeCommunity[] }
  /**
   * Prepend `count` copies of an AS: 'own' (the default: our AS), 'neighbour' (the path's first
   * AS, FRR's `last-as`) or a number. On export this is in addition to the own-AS prepend every
   * eBGP advertisement gets.
   */
  | { type: 'prepend'; asn?: Asn | 'own' | 'neighbour'; count: number }
  /** Local weight (import only; ignored on export). */
  | { type: 'set-weight'; value: number }
  /** 'self' = our address on this session; 'peer-address' = the peer's address. */
  | { type: 'set-next-hop'; nextHop: Ipv4Address | 'self' | 'peer-address' };

export type Disposition = 'accept' | 'reject' | 'next';

export interface Statement {
  name?: string;
  conditions?: Condition[];
  actions?: Action[];
  result: Disposition;
}

export interface Policy {
  name: string;
  statements: Statement[];
  /** What happens to a route no statement accepted or rejected. Default 'reject'. */
  default?: 'accept' | 'reject';
}

/** An accept-everything policy: what FRR's `ebgp-requires-policy` asks an operator to write. */
export const ACCEPT_ALL: Policy = Object.freeze({ name: 'accept-all', statements: [], default: 'accept' }) as Policy;
