import type { Ipv4Address, Prefix } from '../net/address.js';
import type { ChildLifetimes } from './child-sa.js';
import type { Proposal } from './payloads/sa.js';
import type { Identity } from './payloads/id.js';
import type { Ipv4Selector } from './payloads/ts.js';

/*
 * What the IKE engine is told about one peer: a parsed, checked configuration (the YAML reader
 * and the platform layers build it). Names follow strongSwan's swanctl.conf where one exists, so
 * docs/ikev2.md can map one onto the other.
 */

/** When a CHILD_SA is set up: now (start), on the first packet that needs it (trap), or only when the peer asks (none). */
export type StartAction = 'start' | 'trap' | 'none';

/**
 * What to do when the peer stops answering (DPD or any request retransmitted to the end): nothing,
 * or set the connection up again. A Delete from the peer is obeyed either way, and responder-only
 * connections never restart.
 */
export type DeadPeerAction = 'clear' | 'restart';

export interface ChildConfig {
  readonly name: string;
  /** ESP proposals in preference order (parseProposals(..., 'esp')). A DH group in one means PFS on rekey. */
  readonly espProposals: readonly Proposal[];
  /** Further ESP proposals accepted as responder only, after espProposals (Azure accepts more than it offers). */
  readonly espAcceptedProposals?: readonly Proposal[];
  /** Traffic selectors we propose/allow for our side (TSi when we initiate). */
  readonly localSelectors: readonly Ipv4Selector[];
  readonly remoteSelectors: readonly Ipv4Selector[];
  readonly lifetimes: ChildLifetimes;
  readonly startAction: StartAction;
  /** Anti-replay window in packets (default 64). */
  readonly replayWindow?: number;
}

export interface RetransmitConfig {
  /** First retransmission after this many ms (strongSwan: 4000). */
  readonly timeoutMs: number;
  /** Each wait is the previous one times this (strongSwan: 1.8). */
  readonly base: number;
  /** Retransmissions before giving up (strongSwan: 5). */
  readonly tries: number;
}

export const DEFAULT_RETRANSMIT: RetransmitConfig = { timeoutMs: 4000, base: 1.8, tries: 5 };

export interface PeerConfig {
  /** Connection name, used in logs and views (`azure-vnet1`). */
  readonly name: string;
  readonly localAddress: Ipv4Address;
  /** The peer's address; undefined accepts any (a responder-only connection). */
  readonly remoteAddress: Ipv4Address | undefined;
  readonly localIdentity: Identity;
  /** The identity the peer must prove; undefined accepts whatever it sends. */
  readonly remoteIdentity: Identity | undefined;
  /** The pre-shared key (RFC 7296 §2.15), as bytes. */
  readonly psk: Uint8Array;
  /** IKE proposals in preference order (parseProposals(..., 'ike')). */
  readonly ikeProposals: readonly Proposal[];
  /** IKE SA rekey after this many seconds (0: never). */
  readonly ikeRekeySeconds: number;
  /** Liveness check after this many seconds without a message from the peer (0: off). */
  readonly dpdDelaySeconds: number;
  readonly dpdAction: DeadPeerAction;
  /** Pretend to be behind a NAT so ESP goes in UDP 4500 (strongSwan's `encap = yes`). */
  readonly forceEncapsulation: boolean;
  /** Only answer, never initiate (Azure's ResponderOnly connection mode). */
  readonly responderOnly: boolean;
  readonly children: readonly ChildConfig[];
  readonly retransmit?: RetransmitConfig;
}

/**
 * How a child's traffic meets the data plane (src/ipsec/gateway.ts): the engine does not use it,
 * but it is configured with the child, so it lives with the rest of a peer's configuration.
 */
export interface TunnelSpec {
  readonly connection: string;
  readonly child: string;
  /** route: an interface `vti-<child>` the prefixes are routed into; policy: the child's selectors are matched. */
  readonly kind: 'route' | 'policy';
  /** Prefixes routed into the tunnel (its remote side). */
  readonly routes: readonly Prefix[];
  /** Addresses on a route-based tunnel interface (a BGP peering /32, say). */
  readonly interfaceAddresses?: readonly { address: Ipv4Address; prefix: Prefix }[];
  /** The source of what the node itself sends into the tunnel when it is unnumbered (the gateway's inner address). */
  readonly sourceAddress?: Ipv4Address;
  /** The route-based tunnel interface's name (default `vti-<child>`; RRAS names it after the S2S interface). */
  readonly interfaceName?: string;
}

/** Engine-wide settings. */
export interface EngineConfig {
  /**
   * Half-open IKE SAs (responder side, all sources) from which every IKE_SA_INIT must carry a
   * COOKIE (RFC 7296 §2.6); 0: never ask. strongSwan's charon.cookie_threshold, whose default is
   * 10 (conf/options/charon.opt, COOKIE_THRESHOLD_DEFAULT in libcharon/network/receiver.c).
   */
  readonly cookieThreshold: number;
  /**
   * Half-open IKE SAs one source address may hold; its further IKE_SA_INITs are dropped, cookie
   * or not; 0: no limit. strongSwan's charon.block_threshold, default 5 (BLOCK_THRESHOLD_DEFAULT).
   */
  readonly blockThreshold: number;
  /**
   * Half-open IKE SAs in all, whatever their sources; further IKE_SA_INITs are dropped; 0: no
   * limit. strongSwan's charon.init_limit_half_open (0 there by default); bounded here so memory
   * stays bounded under a spoofed flood.
   */
  readonly halfOpenLimit: number;
  /** How long a half-open IKE SA may wait for its IKE_AUTH (ms). */
  readonly halfOpenTimeoutMs: number;
  /** Nonce length in octets (RFC 7296 §2.10: at least half the PRF key size, 16 minimum). */
  readonly nonceLength: number;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  cookieThreshold: 10,
  blockThreshold: 5,
  halfOpenLimit: 1000,
  halfOpenTimeoutMs: 30_000,
  nonceLength: 32,
};
