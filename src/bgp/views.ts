import { formatIpv4, formatPrefix, prefixCovers, type Prefix } from '../net/address.js';
import { formatCommunity, formatLargeCommunity } from './policy/community.js';
import { formatAsPath } from './rib/as-path.js';
import type { DestinationView, PathView } from './rib/changes.js';
import { describeReason } from './fsm-reason.js';
import type { TransitionReason } from './fsm-types.js';
import type { BgpNeighbor } from './neighbor.js';
import type { DecisionReason } from './rib/decision.js';
import type { BgpSpeaker } from './speaker.js';
import { Origin } from './types.js';

/*
 * What users ask a BGP speaker: its peers and its routes, as plain JSON-ready records. The HTTP
 * API returns them as they are; the CLI renders them as tables (FRR-like, or RRAS's
 * Get-BgpPeer / Get-BgpRouteInformation for Windows sites).
 */

export type NeighborMode = 'mixed' | 'passive' | 'active';

export interface PeerRecord {
  name: string;
  address: string;
  asn: number;
  localAddress: string | null;
  mode: NeighborMode;
  state: string;
  /** Seconds in Established, null when not established. */
  uptime: number | null;
  /** Negotiated hold time (s), null when not established. */
  holdTime: number | null;
  /** Routes in the post-policy Adj-RIB-In (FRR's PfxRcd). */
  prefixesAccepted: number;
  /** Announcements received since the peer was added (every prefix of every UPDATE). */
  announcementsReceived: number;
  withdrawalsReceived: number;
  /** Received routes refused: by import policy, by RFC 8212 (no policy), AS loop, max-prefix block. */
  rejected: { policy: number; noPolicy: number; asLoop: number; blocked: number };
  prefixesAdvertised: number;
  messages: { in: number; out: number; updatesIn: number; updatesOut: number };
  /** The reason of the last transition to Idle or out of Established, in words (describeReason)... */
  lastError: string | null;
  /** ...and typed (GoBGP's fsmStateReason): `kind`, plus its code, subcode, error, etc. */
  lastErrorCause: TransitionReason | null;
  /** eBGP neighbour without import or export policy while RFC 8212 applies. */
  missingPolicy: boolean;
  /** UPDATEs with errors handled by treat-as-withdraw or attribute-discard (RFC 7606), and the last. */
  updateErrors: number;
  lastUpdateError: string | null;
  /** Routes not sent to this neighbour because their UPDATE could not be built (attributes too long), and the last. */
  routesNotSent: number;
  lastRouteNotSent: string | null;
}

export interface PathRecord {
  from: string;
  fromAddress: string | null;
  nextHop: string | null;
  asPath: string;
  origin: 'igp' | 'egp' | 'incomplete';
  localPref: number | null;
  med: number | null;
  communities: string[];
  largeCommunities: string[];
  weight: number;
  best: boolean;
  /** False when the path cannot be used (next hop unreachable). */
  eligible: boolean;
}

export interface RouteRecord {
  prefix: string;
  /** The decision step that chose the best path ("local-pref", "as-path-length", "only-path"...). */
  why: DecisionReason;
  paths: PathRecord[];
}

export function neighborMode(config: { passive?: boolean; acceptIncoming?: boolean }): NeighborMode {
  if (config.passive === true) return 'passive';
  return config.acceptIncoming === false ? 'active' : 'mixed';
}

export function peerRecords(speaker: BgpSpeaker): PeerRecord[] {
  const now = speaker.clock.now();
  return speaker.neighbors.map((n) => {
    const report = speaker.rib.peerReport(n.name);
    const conn = n.primary;
    const local = n.config.localAddress ?? conn.socket?.local.address;
    return {
      name: n.name,
      address: formatIpv4(n.config.address),
      asn: n.config.asn,
      localAddress: local === undefined ? null : formatIpv4(local),
      mode: neighborMode(n.config),
      state: n.state,
      uptime: n.establishedAt === undefined ? null : Math.floor((now - n.establishedAt) / 1000),
      holdTime: n.negotiated?.holdTime ?? null,
      prefixesAccepted: report.accepted,
      announcementsReceived: report.counters.received,
      withdrawalsReceived: report.counters.withdrawn,
      rejected: { policy: report.counters.policy, noPolicy: report.counters.noPolicy, asLoop: report.counters.asLoop, blocked: report.counters.blocked },
      prefixesAdvertised: report.advertised,
      messages: { in: conn.counters.messagesIn, out: conn.counters.messagesOut, updatesIn: conn.counters.updatesIn, updatesOut: conn.counters.updatesOut },
      lastError: n.lastError === undefined ? null : describeReason(n.lastError),
      lastErrorCause: n.lastError ?? null,
      missingPolicy: report.missingPolicy,
      updateErrors: n.updateErrors.count,
      lastUpdateError: n.updateErrors.last ?? null,
      routesNotSent: n.notSent.count,
      lastRouteNotSent: n.notSent.last ?? null,
    };
  });
}

/** A state change as the API shows it: the reason in words and typed. */
export interface TransitionRecord {
  at: number;
  from: string;
  to: string;
  reason: string;
  cause: TransitionReason;
}

/** The neighbour's recent state changes, oldest first. */
export function transitionRecords(neighbor: BgpNeighbor): TransitionRecord[] {
  return neighbor.history.map((e) => ({ at: e.at, from: e.from, to: e.to, reason: describeReason(e.reason), cause: e.reason }));
}

const ORIGIN_NAMES = { [Origin.IGP]: 'igp', [Origin.EGP]: 'egp', [Origin.INCOMPLETE]: 'incomplete' } as const;

function pathRecord(path: PathView): PathRecord {
  const { attrs, source, weight } = path.route;
  return {
    from: source.kind === 'local' ? 'local' : source.id,
    fromAddress: source.kind === 'local' ? null : formatIpv4(source.address),
    nextHop: source.kind === 'local' || attrs.nextHop === undefined ? null : formatIpv4(attrs.nextHop),
    asPath: formatAsPath(attrs.asPath),
    origin: ORIGIN_NAMES[attrs.origin],
    localPref: attrs.localPref ?? null,
    med: attrs.med ?? null,
    communities: (attrs.communities ?? []).map(formatCommunity),
    largeCommunities: (attrs.largeCommunities ?? []).map(formatLargeCommunity),
    weight,
    best: path.best,
    eligible: path.eligible,
  };
}

/** Every route of the Loc-RIB in address order, or those inside `within` (it and its more-specifics). */
export function routeRecords(speaker: BgpSpeaker, within?: Prefix): RouteRecord[] {
  const dests: DestinationView[] = [];
  for (const dest of speaker.rib.destinations()) {
    if (within === undefined || prefixCovers(within, dest.prefix)) dests.push(dest);
  }
  dests.sort((a, b) => a.prefix.address - b.prefix.address || a.prefix.length - b.prefix.length);
  return dests.map((d) => ({ prefix: formatPrefix(d.prefix), why: d.why, paths: d.paths.map(pathRecord) }));
}
