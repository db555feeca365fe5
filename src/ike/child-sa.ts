import type { ProtectionKeys, SuiteSpec } from '../crypto/suite.js';
import type { Endpoint } from '../transport/types.js';
import type { Ipv4Selector } from './payloads/ts.js';
import type { ChildSaRemovalReason } from './reasons.js';

/*
 * What the IKE engine hands the data plane when a CHILD_SA is negotiated (IKE_AUTH or
 * CREATE_CHILD_SA) and what it tells it afterwards. The engine never touches packets: the data
 * plane (src/ipsec) builds the two EspSa of each CHILD_SA from this, routes or matches packets to
 * them, and reports expiries back so the engine rekeys.
 */

/** ESP lifetimes of one CHILD_SA, in the units users configure (0 or absent: no limit). */
export interface ChildLifetimes {
  /** Rekey after this many seconds (soft). */
  readonly rekeySeconds?: number;
  /** Give the SA up after this many seconds (hard). */
  readonly lifeSeconds?: number;
  /** Rekey after this many inner bytes in either direction. */
  readonly rekeyBytes?: number;
  readonly lifeBytes?: number;
  readonly rekeyPackets?: number;
  readonly lifePackets?: number;
}

export interface NegotiatedChildSa {
  /** The IKE SA it belongs to, as the engine names it (`azure-vnet1` or `peer-1`). */
  readonly ikeSaName: string;
  /** The configured child (connection) name; stays the same across rekeys. */
  readonly childName: string;
  /** A number unique per child configuration, stable across rekeys (strongSwan's reqid). */
  readonly reqid: number;
  /** SPI peers send to us with (our inbound SA). */
  readonly inboundSpi: number;
  /** SPI we send with (the peer's inbound SA). */
  readonly outboundSpi: number;
  /** The negotiated ESP transforms (CryptoSuite.esp(suite) builds the ciphers). */
  readonly suite: SuiteSpec;
  readonly inboundKeys: ProtectionKeys;
  readonly outboundKeys: ProtectionKeys;
  /** Our side of the traffic selectors, as narrowed: sources of packets we encrypt. */
  readonly localSelectors: readonly Ipv4Selector[];
  /** The peer's side: destinations of packets we encrypt, sources of those we accept. */
  readonly remoteSelectors: readonly Ipv4Selector[];
  /** Outer addresses of the tunnel. */
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** ESP in UDP on port 4500 (RFC 3948) rather than IP protocol 50. */
  readonly udpEncapsulation: boolean;
  readonly lifetimes: ChildLifetimes;
  /** Anti-replay window in packets (64 unless configured). */
  readonly replayWindow: number;
  /** The CHILD_SA this one replaces (a rekey): its inbound SPI. The old one is deleted later. */
  readonly replaces?: number;
  /**
   * We answered the rekey: keep sending on the old SA until it is deleted, since the initiator
   * cannot decrypt the new one before our response reaches it (strongSwan does the same).
   */
  readonly deferOutbound?: boolean;
}

/** How the data plane hears about a CHILD_SA's end (delete, IKE SA gone, hard expiry). */
export interface ChildSaRemoval {
  readonly ikeSaName: string;
  readonly childName: string;
  readonly inboundSpi: number;
  readonly outboundSpi: number;
  readonly reason: ChildSaRemovalReason;
}
