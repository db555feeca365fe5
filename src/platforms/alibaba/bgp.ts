import type { NeighborConfig } from '../../bgp/neighbor.js';
import type { Policy, PrefixListEntry } from '../../bgp/policy/types.js';
import type { Ipv4Address, Prefix } from '../../net/address.js';
import { ownRoutesOnly } from '../common.js';
import { ALIBABA_BGP_HOLD_S, ALIBABA_BGP_KEEPALIVE_S, ALIBABA_BGP_ROUTE_QUOTA } from './defaults.js';
import type { AlibabaConnection, AlibabaGateway, AlibabaModel, AlibabaTunnel } from './model.js';

/*
 * BGP over one Alibaba Cloud tunnel (EnableTunnelsBgp with TunnelBgpConfig, or a single tunnel's
 * BgpConfig; L2, L5 in shared/reference/platform-behaviours.md §A.2). The tunnel's gateway node
 * speaks as LocalAsn from LocalBgpIp, held on the tunnel, to the other host of TunnelCidr, and
 * opens the session itself. It advertises the VPC's system routes (its vSwitches), never passes
 * learned routes on, refuses a default route, and keeps at most the quota of learned routes.
 * Routes are looked up policy routes first, then destination routes, then BGP (L4): a BGP route
 * inside a prefix the gateway's policy or destination routes cover is never used, so it is not
 * learned. Inferred, not documented: the peer address, the timers, what happens beyond the quota.
 */

/** A tunnel's BGP session as the gateway runs it. */
export interface TunnelSession {
  readonly local: Ipv4Address;
  readonly peer: Ipv4Address;
  readonly localAsn: number;
  readonly peerAsn: number;
}

/**
 * The session a tunnel runs; undefined when BGP is off on it, or configured in a way Alibaba
 * refuses (no customer gateway Asn, no valid TunnelCidr and LocalBgpIp: reported by checks.ts).
 */
export function tunnelSession(tunnel: AlibabaTunnel): TunnelSession | undefined {
  const bgp = tunnel.bgp;
  const peerAsn = tunnel.customerGateway.target?.asn;
  if (!bgp.on || peerAsn === undefined || bgp.localBgpIp === undefined || bgp.peerBgpIp === undefined) return undefined;
  return { local: bgp.localBgpIp, peer: bgp.peerBgpIp, localAsn: bgp.localAsn, peerAsn };
}

/** What the VPN gateway advertises: the VPC's system routes, one per vSwitch (L5). */
export function advertisedPrefixes(model: AlibabaModel): Prefix[] {
  return model.subnets.map((s) => s.prefix);
}

/** No default route (L5); nothing the gateway's policy or destination routes already cover (L4). */
function importPolicy(name: string, gateway: AlibabaGateway): Policy {
  const covered: PrefixListEntry[] = gateway.routes.filter((e) => e.dest.length > 0).map((e) => ({ prefix: e.dest, le: 32 }));
  return {
    name,
    statements: [
      { name: 'no-default', conditions: [{ type: 'prefix', entries: [{ prefix: { address: 0, length: 0 } }] }], result: 'reject' },
      ...(covered.length > 0 ? [{ name: 'static-routes-first', conditions: [{ type: 'prefix' as const, entries: covered }], result: 'reject' as const }] : []),
    ],
    default: 'accept',
  };
}

export function tunnelNeighbor(conn: AlibabaConnection, gateway: AlibabaGateway, session: TunnelSession): NeighborConfig {
  return {
    name: conn.name,
    address: session.peer,
    asn: session.peerAsn,
    localAddress: session.local,
    holdTime: ALIBABA_BGP_HOLD_S,
    keepaliveTime: ALIBABA_BGP_KEEPALIVE_S,
    maxPrefix: { limit: ALIBABA_BGP_ROUTE_QUOTA, action: 'block' },
    importPolicy: importPolicy(`${conn.name}-in`, gateway),
    exportPolicy: ownRoutesOnly(`${conn.name}-out`),
  };
}
