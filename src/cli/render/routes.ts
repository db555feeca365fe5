import { formatIpv4, formatPrefix } from '../../net/address.js';
import type { SimNode } from '../../sim/network.js';

/** `ip route`-style view of a node's FIB. */
export function renderRoutes(node: SimNode): string {
  const lines: string[] = [];
  for (const entry of node.ip.routes.activeEntries()) {
    const route = entry.routes[0]!;
    const dst = entry.prefix.length === 0 ? 'default' : formatPrefix(entry.prefix);
    for (const path of entry.paths) {
      const via = path.nextHop !== undefined && route.source !== 'connected' ? ` via ${formatIpv4(path.nextHop)}` : '';
      const src = route.source === 'connected' && path.iface.primaryAddress !== undefined ? ` scope link src ${formatIpv4(path.iface.primaryAddress)}` : '';
      lines.push(`${dst}${via} dev ${path.iface.name} proto ${route.source === 'connected' ? 'kernel' : route.source}${src}`);
    }
  }
  return lines.join('\n') + '\n';
}
