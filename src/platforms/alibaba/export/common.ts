import { formatPrefix, type Prefix } from '../../../net/address.js';
import type { ModelRef } from '../../adapter.js';
import type { AlibabaConnection, AlibabaModel, AlibabaRouteEntry } from '../model.js';

/*
 * What the two Alibaba writers (Terraform, aliyun CLI) share: the site's resources in the order the
 * platform needs them, the policy routes the system creates by itself (protected-data-flow mode
 * with AutoConfigRoute), and the few values the API requires that a topology may leave out.
 */

export type AlibabaRef = ModelRef<'alibaba', AlibabaModel>;

/** The API requires a bandwidth; a topology without one runs uncapped. The smallest size every region sells. */
export const DEFAULT_BANDWIDTH_MBPS = 10;
/** The API requires a route weight; 100 is the active link (and dual-tunnel connections ignore it). */
export const DEFAULT_ROUTE_WEIGHT = 100;
/**
 * The words a writer puts in a comment next to a value the topology does not give but the format
 * requires: `vpnlab import` reads such a value as absent.
 */
export const NOT_IN_TOPOLOGY = 'vpnlab: not in the topology';

/** The policy routes the system creates for a connection: one per (LocalSubnet, RemoteSubnet) pair, unpublished. */
export function autoPolicyRoutes(conn: AlibabaConnection): { source: Prefix; dest: Prefix }[] {
  if (!conn.autoConfigRoute || conn.flows === undefined) return [];
  return conn.flows.local.flatMap((source) => conn.flows!.remote.map((dest) => ({ source, dest })));
}

function samePrefix(a: Prefix, b: Prefix): boolean {
  return a.address === b.address && a.length === b.length;
}

/** The connection a route's NextHop names, when the system creates that very policy route itself. */
export function systemCreated(route: AlibabaRouteEntry): AlibabaConnection | undefined {
  if (route.kind !== 'policy' || route.source === undefined) return undefined;
  const conn = route.nextHop.target;
  if (conn === undefined) return undefined;
  return autoPolicyRoutes(conn).some((r) => samePrefix(r.source, route.source!) && samePrefix(r.dest, route.dest)) ? conn : undefined;
}

export function cidrs(prefixes: readonly Prefix[]): string[] {
  return prefixes.map(formatPrefix);
}

/** LocalSubnet / RemoteSubnet as the API takes them: the file's list, or 0.0.0.0/0 (destination routing). */
export function trafficSelectors(conn: AlibabaConnection): { local: string[]; remote: string[] } {
  return {
    local: conn.resource.LocalSubnet ?? ['0.0.0.0/0'],
    remote: conn.resource.RemoteSubnet ?? ['0.0.0.0/0'],
  };
}

/** What the platform has no setting for, per resource, for the comments and docs/export.md. */
export const NOT_EXPORTED = {
  internetIp: 'InternetIp and DisasterRecoveryInternetIp are assigned by the platform when the gateway is created; no API or Terraform argument sets them. Update the peers (Azure local network gateways) with the addresses the gateway gets.',
  routingMode: 'RoutingMode is the console\'s name for what LocalSubnet/RemoteSubnet say (0.0.0.0/0 both ways: destination routing); no API parameter of its own.',
} as const;
