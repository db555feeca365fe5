import type { DocPath } from '../config/source.js';
import type { Ipv4Address, Prefix } from '../net/address.js';
import type { PlatformName } from './adapter.js';
import type { ProposalSet } from './proposals.js';

/*
 * The ends a site's plan declares, in the same terms for every platform, so that the pair checks
 * (pairing.ts, cross-checks.ts, cross-bgp.ts) compare the two halves of every tunnel and every
 * BGP session without knowing which platforms they face. Each end is what the platform
 * configures — whether vpnlab can run it or not — with the path of every field that sets a value
 * and the platform's own name for it, so that a mismatch is reported where the user fixes it.
 */

/** A value as a platform configures it: where it is set, and what the platform calls it. */
export interface Field<T> {
  readonly value: T;
  readonly path: DocPath;
  /** The platform's name for it in messages: "PeerASN", "local network gateway 'Site5' bgpSettings.asn". */
  readonly name: string;
}

/** Narrow (policy-based) traffic selectors, as prefixes. */
export interface Selectors {
  readonly local: readonly Prefix[];
  readonly remote: readonly Prefix[];
  readonly localPath: DocPath;
  readonly remotePath: DocPath;
  /** How messages name the fields: "LocalSubnet", "the VNet address space"… */
  readonly localName: string;
  readonly remoteName: string;
}

/** What a route-based end routes into the tunnel, to compare a narrow peer's selectors with. */
export interface Routed {
  readonly local: readonly Prefix[];
  /** Unknown (undefined) when BGP teaches it. */
  readonly remote: readonly Prefix[] | undefined;
  readonly localName: string;
  readonly remoteName: string;
}

/** The gateway an end or address belongs to: a key unique in the topology, and how messages name it ("Azure gateway 'VNet1GW'"). */
export interface GatewayRef {
  readonly key: string;
  readonly name: string;
}

/** One IPsec tunnel end: a connection (per gateway instance and remote address), a tunnel, an interface. */
export interface TunnelEnd {
  readonly platform: PlatformName;
  readonly siteIndex: number;
  /** The resource that configures this end (a connection, tunnel or interface). */
  readonly path: DocPath;
  /** How messages name it, with the platform's title: "Azure connection 'VNet1ToSite5' (instance 0)". */
  readonly label: string;
  readonly gateway: GatewayRef;
  /**
   * Ends that count as one resource when asking whether anyone answers (the instances of one
   * Azure connection each dial the device, which answers those it is configured for).
   */
  readonly resource: string;
  readonly local: Ipv4Address;
  readonly remote: Ipv4Address;
  readonly psk: Field<string | undefined>;
  readonly ikeVersion: Field<'ikev1' | 'ikev2' | undefined>;
  /** How to make this end speak IKEv2. */
  readonly ikeVersionFix: string;
  /** undefined when the end's algorithms are not ones vpnlab can compare (reported by the platform). */
  readonly proposals: ProposalSet | undefined;
  readonly proposalPath: DocPath;
  readonly childLifetimeS: number;
  /** Narrow traffic selectors; undefined means 0.0.0.0/0 ⇄ 0.0.0.0/0. */
  readonly selectors?: Selectors;
  readonly routed?: Routed;
  /** Narrow selectors on this end make a route-based peer fail outright (Azure's policy-based selectors). */
  readonly selectorsRequireMirror?: { readonly fix: string };
  /** The largest packet the tunnel carries once ESP is added, and the TCP MSS the platform clamps to. */
  readonly mtu?: { readonly mtu: number; readonly mss: number };
  /**
   * Tunnels of one connection meant to land on every instance of the gateway they face (Alibaba's
   * dual-tunnel connection); ends with the same group key count together.
   */
  readonly redundancyGroup?: { readonly key: string; readonly name: string; readonly path: DocPath };
  /**
   * The BGP session this end runs over this tunnel, for platforms that tie BGP to a tunnel
   * (Azure connections, Alibaba tunnels); undefined where BGP is a separate resource (RRAS).
   */
  readonly bgp?: BgpEnd;
  /** Where BGP is a separate resource: where to add a session, and the commands that would. */
  readonly bgpHome?: { readonly path: DocPath; readonly fix: (peer: BgpEnd) => string };
}

/** The limit a speaker puts on the prefixes it takes from one peer, and what happens beyond it. */
export interface PrefixLimit {
  readonly limit: number;
  /** "the 4000 Azure accepts from one peer", "Alibaba's BGP route quota of 50". */
  readonly what: string;
  readonly effect: string;
  /** What the accepting side can change, if anything ("raise the quota"). */
  readonly fix?: string;
}

/** What a speaker sends one peer: what it originates, and what it passes on of what it learns. */
export interface Advertises {
  /** The speaker (one node): its sessions share what it learns. */
  readonly speaker: string;
  /** The prefixes it originates towards this peer (its networks, static prefixes it holds for others). */
  readonly originates: readonly Prefix[];
  /** Whether it passes on what it learns from its other peers (Azure does; RRAS with TransitRouting Enabled). */
  readonly transit: boolean;
  /** Learned prefixes overlapping these are not passed on (Azure: its VNet); a default route never is. */
  readonly withheld: readonly Prefix[];
  /** The field that makes them, and how to send fewer. */
  readonly path: DocPath;
  readonly fix: string;
}

/** One BGP session end as its platform configures it. */
export interface BgpEnd {
  readonly platform: PlatformName;
  readonly siteIndex: number;
  /** The resource that configures the session: "BGP peer 'AzureS2S'", "Azure connection 'VNet1ToSite5'". */
  readonly label: string;
  readonly path: DocPath;
  /** The speaker, as messages name it: "Azure gateway 'VNet1GW'", "RRAS 'RRAS2016'". */
  readonly speaker: string;
  /** BGP is configured off on this end (why, and the field that turns it on). */
  readonly off?: { readonly why: string; readonly path: DocPath };
  readonly localAsn: Field<number> | undefined;
  /** The ASN this end expects of its peer; undefined when the platform takes whatever the peer says. */
  readonly peerAsn: Field<number> | undefined;
  /** The address it speaks from; undefined when the platform picks it. */
  readonly localAddress: Field<Ipv4Address> | undefined;
  /** Every address it answers BGP on (its peer must dial one of them). */
  readonly answersOn: readonly Ipv4Address[];
  /** Every BGP address its node has: what a peer aiming at this speaker would name. */
  readonly ownAddresses: readonly Ipv4Address[];
  /** The networks behind the speaker (a peer address inside them aims at it). */
  readonly behind: readonly Prefix[];
  readonly peerAddress: Field<Ipv4Address> | undefined;
  /** Waits to be called; `name` says so as a sentence ("BGP peer 'X' is OperationMode Server (it waits to be called)"). */
  readonly passive: Field<boolean>;
  /** How to make this end open the session. */
  readonly passiveFix: string;
  readonly holdTime: Field<number> | undefined;
  /** Timers the platform fixes and will not negotiate down (Azure's 60/180 s). */
  readonly fixedTimers?: { readonly keepalive: number; readonly hold: number };
  /** What the speaker sends this peer; undefined when vpnlab does not model it (the platform's BGP is not emulated). */
  readonly advertises: Advertises | undefined;
  readonly accepts?: PrefixLimit;
}

/** A public address a gateway of the topology speaks from. */
export interface PublicAddress {
  readonly address: Ipv4Address;
  readonly platform: PlatformName;
  /** "Azure gateway 'VNet1GW' instance 0", "RRAS 'RRAS2016'". */
  readonly what: string;
  readonly gateway: GatewayRef;
}

/** What a site's plan declares for the pair checks. */
export interface SiteEnds {
  readonly tunnels: readonly TunnelEnd[];
  /** BGP sessions not tied to a tunnel (RRAS BgpPeers). */
  readonly sessions: readonly BgpEnd[];
  readonly publicAddresses: readonly PublicAddress[];
}

export const NO_ENDS: SiteEnds = { tunnels: [], sessions: [], publicAddresses: [] };
