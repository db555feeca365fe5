import type { BestChange } from '../bgp/rib/changes.js';
import { formatIpv4, formatPrefix } from '../net/address.js';
import type { RouteTable } from '../router/route-table.js';

/*
 * A gateway instance's BGP best paths as routes of its node: each becomes a route whose next hop
 * the node's table resolves recursively (through the tunnel routes). What changed after the first
 * exchange of routes is reported for the timeline.
 */

export interface InstalledChanges {
  readonly learned: readonly string[];
  readonly withdrawn: readonly string[];
}

export function installBestPaths(routes: RouteTable, changes: readonly BestChange[]): InstalledChanges {
  const withdrawn: string[] = [];
  const learned: string[] = [];
  // One pass over the table for the whole batch, not one per changed prefix.
  const changed = new Set(changes.map((c) => formatPrefix(c.prefix)));
  routes.remove((r) => r.source === 'ebgp' && changed.has(formatPrefix(r.prefix)));
  for (const change of changes) {
    const nextHop = change.best?.attrs.nextHop;
    if (change.best === undefined || nextHop === undefined || change.best.source.kind === 'local') {
      if (change.previous !== undefined && change.previous.source.kind !== 'local') withdrawn.push(formatPrefix(change.prefix));
      continue;
    }
    routes.add({ prefix: change.prefix, nextHop, source: 'ebgp', origin: `BGP from ${change.best.source.id}` });
    if (change.previous === undefined || change.previous.source.kind === 'local') learned.push(`${formatPrefix(change.prefix)} via ${formatIpv4(nextHop)}`);
  }
  return { learned, withdrawn };
}
