import { formatPath } from '../config/source.js';
import { formatIpv4, type Ipv4Address } from '../net/address.js';
import type { PlatformName } from './adapter.js';
import type { BgpEnd, PublicAddress, SiteEnds, TunnelEnd } from './ends.js';

/*
 * Which tunnel ends face each other, from what every site's plan declares (ends.ts). Two ends are
 * a pair when each one's remote address is the other's local one — the rule the platforms apply
 * when an IKE_SA_INIT arrives. The pair checks then compare the two halves of each pair.
 */

/** Two ends that negotiate with each other. Findings go to `b`'s fields, so `a` is the end of the platform listed first. */
export interface TunnelPair {
  readonly a: TunnelEnd;
  readonly b: TunnelEnd;
}

export interface Pairing {
  readonly ends: readonly TunnelEnd[];
  readonly pairs: readonly TunnelPair[];
  /** BGP sessions not tied to a tunnel, by site index. */
  readonly sessions: ReadonlyMap<number, readonly BgpEnd[]>;
  /** Every public address a gateway of the topology speaks from, with what it is. */
  readonly publicAddresses: ReadonlyMap<Ipv4Address, PublicAddress>;
  /** The ends each end negotiates with, in the order of the pairs. */
  readonly partners: ReadonlyMap<TunnelEnd, readonly TunnelEnd[]>;
  /** The ends of each resource, by its path (formatPath). */
  readonly endsAt: ReadonlyMap<string, readonly TunnelEnd[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * The ends of every site paired. `order` ranks platforms (the adapters' table): within a pair,
 * the end of the platform ranked first is `a`, then the one declared first.
 */
export function pairEnds(sites: readonly SiteEnds[], order: readonly PlatformName[]): Pairing {
  const ends = sites.flatMap((s) => s.tunnels);
  const publicAddresses = new Map<Ipv4Address, PublicAddress>();
  for (const s of sites) for (const p of s.publicAddresses) publicAddresses.set(p.address, p);
  const sessions = new Map<number, BgpEnd[]>();
  for (const s of sites) for (const b of s.sessions) push(sessions, b.siteIndex, b);
  const byLocal = new Map<string, TunnelEnd[]>();
  const endsAt = new Map<string, TunnelEnd[]>();
  const key = (local: Ipv4Address, remote: Ipv4Address): string => `${local}>${remote}`;
  for (const e of ends) {
    push(byLocal, key(e.local, e.remote), e);
    push(endsAt, formatPath(e.path), e);
  }
  const rank = (e: TunnelEnd): number => order.indexOf(e.platform);
  const position = new Map(ends.map((e, i) => [e, i]));
  const pairs: TunnelPair[] = [];
  ends.forEach((x, i) => {
    for (const y of byLocal.get(key(x.remote, x.local)) ?? []) {
      if (position.get(y)! <= i) continue;
      pairs.push(rank(y) < rank(x) ? { a: y, b: x } : { a: x, b: y });
    }
  });
  const partners = new Map<TunnelEnd, TunnelEnd[]>();
  for (const { a, b } of pairs) {
    push(partners, a, b);
    if (b !== a) push(partners, b, a);
  }
  return { ends, pairs, sessions, publicAddresses, partners, endsAt };
}

/** The ends `end` negotiates with, in the order of the pairs. */
export function partnersOf(pairing: Pairing, end: TunnelEnd): TunnelEnd[] {
  return [...(pairing.partners.get(end) ?? [])];
}

export function describeAddress(pairing: Pairing, address: Ipv4Address): string {
  const known = pairing.publicAddresses.get(address);
  return known === undefined ? formatIpv4(address) : `${formatIpv4(address)} (${known.what})`;
}
