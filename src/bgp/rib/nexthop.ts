import type { Ipv4Address } from '../../net/address.js';
import type { Route as TableRoute, RouteTable } from '../../router/route-table.js';
import type { BestChange } from './changes.js';
import type { NextHopResolver } from './rib.js';

/*
 * The glue between the RIB and a node's RouteTable, in both directions: next hops are resolved
 * through the table, and Loc-RIB best paths become 'ebgp' / 'ibgp' routes in it.
 */

export interface ResolverOptions {
  /** Let the default route resolve next hops (FRR `ip nht resolve-via-default`; default false). */
  viaDefault?: boolean;
  /** Let BGP-learned routes resolve next hops (recursive BGP; default true). */
  viaBgp?: boolean;
}

/**
 * Resolves a next hop by longest match in the node's FIB; the cost is that route's metric (0 for
 * connected routes). Unreachable: no match, a match only through the default route (unless
 * `viaDefault`), or through a BGP route (with `viaBgp: false`; the FIB keeps only the longest
 * match, so a covering static route behind it is not considered).
 */
export function routeTableResolver(table: RouteTable, options: ResolverOptions = {}): NextHopResolver {
  return (nextHop: Ipv4Address) => {
    const entry = table.lookup(nextHop);
    if (entry === undefined || entry.paths.length === 0) return undefined;
    if (entry.prefix.length === 0 && options.viaDefault !== true) return undefined;
    const route = entry.routes[0]!;
    if (options.viaBgp === false && (route.source === 'ebgp' || route.source === 'ibgp')) return undefined;
    return route.metric ?? 0;
  };
}

/**
 * The RouteTable routes for a best-path change: one per multipath member (equal distance and
 * metric, so the table load-balances), none for our own routes (they come from the table) or when
 * no best remains. The caller removes the prefix's previous BGP routes and adds these.
 */
export function tableRoutesFor(change: BestChange): TableRoute[] {
  const routes: TableRoute[] = [];
  for (const r of change.multipath) {
    if (r.source.kind === 'local' || r.attrs.nextHop === undefined) continue;
    routes.push({ prefix: change.prefix, nextHop: r.attrs.nextHop, source: r.source.kind, origin: `bgp ${r.source.id}` });
  }
  return routes;
}
