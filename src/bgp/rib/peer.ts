import { formatIpv4, type Ipv4Address } from '../../net/address.js';
import { compilePolicy, type CompiledPolicy } from '../policy/policy.js';
import type { Policy } from '../policy/types.js';
import type { Asn } from '../types.js';
import type { PathSource, PeerKind } from './decision.js';
import { RibError, RibErrorCode } from './errors.js';
import { AdjRibOut } from './adj-rib-out.js';
import { ExportMemo } from './exporter.js';
import type { InternedAttributes } from './intern.js';
import { PrefixMap } from './prefix-map.js';

/**
 * What the RIB needs to know about a neighbour: identity, addresses, and per-peer policy. The
 * session layer owns the socket and the FSM; the RIB sees only this descriptor and the routes.
 */
export interface PeerInfo {
  /** Unique name (a configuration key such as 'azure-0'); 'local' is reserved. */
  id: string;
  /** The peer's address on the session. */
  address: Ipv4Address;
  /** The peer's AS. Equal to the RIB's AS = iBGP, else eBGP. */
  asn: Asn;
  /** BGP identifier from the peer's OPEN; `peerUp` may supply it once known. */
  routerId?: Ipv4Address;
  /** Our address on this session: the next hop we advertise (next-hop-self). */
  localAddress: Ipv4Address;
  /** Weight given to routes from this peer unless import policy sets one (default 0). */
  weight?: number;
  /** This iBGP peer is a route-reflector client (RFC 4456): makes this speaker a reflector. */
  routeReflectorClient?: boolean;
  /** Applied to every route received (after the loop checks). */
  importPolicy?: Policy;
  /** Applied to every route before it is advertised to this peer. */
  exportPolicy?: Policy;
  /** Maximum accepted prefixes (FRR `maximum-prefix`, BIRD `import limit`, RRAS MaxAllowedPrefix). */
  maxPrefix?: MaxPrefix;
  /** Keep routes as received, before import policy (FRR `soft-reconfiguration inbound`). */
  softReconfigInbound?: boolean;
  /** iBGP: advertise our address as next hop for eBGP-learned routes (always so for eBGP peers). */
  nextHopSelf?: boolean;
  /** eBGP: pass on MEDs learned from other peers (default: removed, as RFC 4271 §5.1.4 advises). */
  sendMed?: boolean;
  /** Accept paths holding our AS up to this many times (FRR `allowas-in`; default 0). */
  allowOwnAs?: number;
}

/**
 * The limit on accepted prefixes. Counted: routes in the post-policy Adj-RIB-In (routes rejected
 * by import policy do not count; routes whose next hop is unreachable do). Exceeding means having
 * more than `limit`, as in FRR: exactly `limit` is fine.
 * - 'warn': report once per crossing; keep everything.
 * - 'teardown': report, drop all the peer's routes and ignore its updates until `peerUp`; the
 *   session layer sends CEASE / Maximum Number of Prefixes Reached (RFC 4486) and, when
 *   `restartAfterMs` is set, reconnects after it. Azure drops the session past 4,000 prefixes.
 * - 'block': keep the first `limit` prefixes and ignore new ones beyond it (BIRD's `action
 *   block`), reported once per crossing; a way to mimic Alibaba's 50-route BGP table quota.
 */
export interface MaxPrefix {
  limit: number;
  action: 'warn' | 'teardown' | 'block';
  restartAfterMs?: number;
}

export type PeerStatus = 'down' | 'up' | 'overflow';

export interface PeerCounters {
  /** Announcements received (each prefix of each UPDATE). */
  received: number;
  /** Withdrawals received. */
  withdrawn: number;
  /** Rejected: our AS in the AS_PATH (RFC 4271 §9.1.2). */
  asLoop: number;
  /** Rejected: our router ID as ORIGINATOR_ID or our cluster ID in CLUSTER_LIST (RFC 4456 §8). */
  reflectorLoop: number;
  /** Rejected by import policy. */
  policy: number;
  /** Rejected because an eBGP peer has no import policy (RFC 8212). */
  noPolicy: number;
  /** Ignored by max-prefix 'block'. */
  blocked: number;
}

/** The RIB's per-peer state. Read-only outside the RIB. */
export class PeerState implements PathSource {
  readonly id: string;
  readonly kind: PeerKind;
  readonly address: Ipv4Address;
  readonly asn: Asn;
  routerId: Ipv4Address;
  readonly info: PeerInfo;
  importPolicy: CompiledPolicy | undefined;
  exportPolicy: CompiledPolicy | undefined;
  status: PeerStatus = 'down';
  /** Routes in the post-policy Adj-RIB-In (they live in the Loc-RIB's destinations). */
  accepted = 0;
  /** Pre-policy Adj-RIB-In, with soft-reconfiguration inbound. */
  prePolicy: PrefixMap<InternedAttributes> | undefined;
  /** What we advertised and not yet withdrew, by Loc-RIB destination id. */
  readonly adjOut = new AdjRibOut();
  readonly counters: PeerCounters = { received: 0, withdrawn: 0, asLoop: 0, reflectorLoop: 0, policy: 0, noPolicy: 0, blocked: 0 };
  eorReceived = false;
  eorSent = false;
  /** Max-prefix reported for the current crossing (reset when back under the limit). */
  maxPrefixReported = false;
  /** What this peer gets for a route, memoised while its export policy ignores the prefix. */
  readonly exportMemo = new ExportMemo();

  constructor(info: PeerInfo, kind: PeerKind) {
    this.id = info.id;
    this.kind = kind;
    this.address = info.address;
    this.asn = info.asn;
    this.routerId = info.routerId ?? 0;
    this.info = info;
    this.importPolicy = info.importPolicy === undefined ? undefined : compilePolicy(info.importPolicy);
    this.exportPolicy = info.exportPolicy === undefined ? undefined : compilePolicy(info.exportPolicy);
    this.prePolicy = info.softReconfigInbound === true ? new PrefixMap() : undefined;
  }

  get weight(): number {
    return this.info.weight ?? 0;
  }

  get localAddress(): Ipv4Address {
    return this.info.localAddress;
  }

  get routeReflectorClient(): boolean {
    return this.info.routeReflectorClient === true;
  }

  toString(): string {
    return `${this.id} (${formatIpv4(this.address)} AS${this.asn})`;
  }
}

const U32_MAX = 0xffffffff;

export function validatePeerInfo(info: PeerInfo): void {
  const bad = (field: string, why: string): never => {
    throw new RibError(RibErrorCode.BadPeer, `peer '${info.id}': ${field} ${why}`);
  };
  const u32 = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= U32_MAX;
  if (typeof info.id !== 'string' || info.id === '') bad('id', 'must be a non-empty string');
  if (!u32(info.address)) bad('address', 'is not an IPv4 address (uint32)');
  if (!u32(info.localAddress)) bad('localAddress', 'is not an IPv4 address (uint32)');
  if (!u32(info.asn) || info.asn === 0) bad('asn', `${info.asn} is not 1-4294967295`);
  if (info.routerId !== undefined && !u32(info.routerId)) bad('routerId', 'is not a 32-bit BGP identifier');
  if (info.weight !== undefined && !u32(info.weight)) bad('weight', 'is not a 32-bit unsigned integer');
  if (info.allowOwnAs !== undefined && (!Number.isInteger(info.allowOwnAs) || info.allowOwnAs < 0 || info.allowOwnAs > 10)) bad('allowOwnAs', 'must be 0-10');
  const mp = info.maxPrefix;
  if (mp !== undefined) {
    if (!Number.isInteger(mp.limit) || mp.limit < 0) bad('maxPrefix.limit', 'must be a non-negative integer');
    if (mp.action !== 'warn' && mp.action !== 'teardown' && mp.action !== 'block') bad('maxPrefix.action', `'${String(mp.action)}' is not warn, teardown or block`);
    if (mp.restartAfterMs !== undefined && !(mp.restartAfterMs > 0)) bad('maxPrefix.restartAfterMs', 'must be positive');
  }
}
