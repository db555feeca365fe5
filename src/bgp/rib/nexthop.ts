import { prefixContains, type Ipv4Address } from '../../net/address.js';
import type { FibEntry, Route as TableRoute, RouteTable } from '../../router/route-table.js';
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
 * connected routes). Unreachable: no match, or a match only through the default route (unless
 * `viaDefault`). With `viaBgp: false` BGP routes are passed over for the longest match among the
 * others, so a BGP route never holds up its own next hop (RFC 4271 §9.1.2: a next hop that
 * "would become unresolvable if the route was installed" makes the route ineligible).
 */
export function routeTableResolver(table: RouteTable, options: ResolverOptions = {}): NextHopResolver {
  return (nextHop: Ipv4Address) => {
    let entry = table.lookup(nextHop);
    if (entry !== undefined && options.viaBgp === false && isBgp(entry)) {
      // Most specific first: the first entry that covers the next hop without BGP.
      entry = table.activeEntries().find((e) => prefixContains(e.prefix, nextHop) && !isBgp(e));
    }
    if (entry === undefined || entry.paths.length === 0) return undefined;
    if (entry.prefix.length === 0 && options.viaDefault !== true) return undefined;
    return entry.routes[0]!.metric ?? 0;
  };
}

function isBgp(entry: FibEntry): boolean {
  const source = entry.routes[0]!.source;
  return source === 'ebgp' || source === 'ibgp';
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
