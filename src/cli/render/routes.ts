import { formatIpv4, formatPrefix } from '../../net/address.js';
import { ipv4Dst, ipv4Src } from '../../net/ipv4.js';
import type { DropReason } from '../../router/node.js';
import type { Network, SimNode } from '../../emulator/network.js';

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

const DROP_WORDS: Partial<Record<DropReason, string>> = {
  'no-route': 'no route to the destination',
  'interface-down': 'the route leads into an interface that is down',
  'no-neighbor': 'no neighbour owns the next hop',
  'node-down': 'the node is down',
  'ttl-exceeded': 'TTL exceeded',
  'not-forwarding': 'not a router',
  'too-big': 'too big for the next link, and DF is set',
  'refused': 'the tunnel refused it: outside the traffic selectors its CHILD_SA was negotiated for',
  'filtered': 'cut by a fault',
};

export interface DropRecord {
  node: SimNode;
  reason: DropReason;
  src: number;
  dst: number;
}

/** Starts noting every packet any node drops (for explaining a failed ping). */
export function recordDrops(network: Network): DropRecord[] {
  const drops: DropRecord[] = [];
  for (const node of network.nodes.values()) {
    node.ip.onDrop((reason, packet) => {
      if (packet.length >= 20) drops.push({ node, reason, src: ipv4Src(packet), dst: ipv4Dst(packet) });
    });
  }
  return drops;
}

/** Where lost packets died, with the route table of each node that dropped them for lack of a route. */
export function renderDrops(network: Network, drops: readonly DropRecord[]): string {
  if (drops.length === 0) return '\nvpnlab: no node dropped a packet on the way; the losses were on links (loss, or a link down)\n';
  const groups = new Map<string, { record: DropRecord; count: number }>();
  for (const d of drops) {
    const key = `${d.node.qualifiedName}|${d.reason}|${d.src}|${d.dst}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { record: d, count: 1 });
    else g.count++;
  }
  const lines = ['', 'vpnlab: where the packets were dropped:'];
  const tables = new Set<SimNode>();
  for (const { record, count } of groups.values()) {
    lines.push(`  ${record.node.qualifiedName}: ${count} packet(s) ${formatIpv4(record.src)} -> ${network.describeAddress(record.dst)}: ${DROP_WORDS[record.reason] ?? record.reason}`);
    if (record.reason === 'no-route' || record.reason === 'interface-down') tables.add(record.node);
  }
  for (const node of tables) lines.push('', `Route table of ${node.qualifiedName}:`, renderRoutes(node).trimEnd());
  return lines.join('\n') + '\n';
}
