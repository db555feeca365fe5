import { formatIpv4 } from '../../net/address.js';
import type { Network } from '../../emulator/network.js';
import { table } from './table.js';


/** The summary `vpnlab up` prints: nodes with their interfaces, then links with their counters. */
export function renderStatus(name: string, network: Network): string {
  const t = network.scheduler.now();
  const out = [`${name}: up at t=${(t / 1000).toFixed(3)}s (seed ${network.seed}), ${network.scheduler.eventsProcessed} events`, ''];
  const nodeRows = [['NODE', 'ROLE', 'OS', 'STATE', 'INTERFACES']];
  for (const node of network.nodes.values()) {
    if (node.role === 'internet') continue;
    const ifaces = [...node.ip.interfaces.values()]
      .map((i) => `${i.name} ${i.addresses.map((a) => `${formatIpv4(a.address)}/${a.prefix.length}`).join(',') || 'unnumbered'}${i.isUp() ? '' : ' (down)'}`)
      .join('; ');
    nodeRows.push([node.qualifiedName, node.role, node.os, node.ip.up ? 'up' : 'down', ifaces]);
  }
  out.push(...table(nodeRows), '');
  const linkRows = [['LINK', 'STATE', 'LATENCY', 'LOSS', 'PACKETS', 'LOST', 'ENDS']];
  for (const [linkName, link] of network.links) {
    const ends = link.ports.map((p) => `${p.node.name}/${p.iface.name}`).join(' <-> ');
    linkRows.push([linkName, link.up ? 'up' : 'down', `${link.latencyMs}ms`, `${(link.loss * 100).toFixed(1)}%`,
      String(link.counters.packets), String(link.counters.lost), ends]);
  }
  out.push(...table(linkRows), '');
  const routeCount = [...network.nodes.values()].reduce((n, node) => n + node.ip.routes.activeEntries().length, 0);
  out.push(`${network.nodes.size} nodes, ${network.links.size} links, ${routeCount} active routes`);
  return out.join('\n') + '\n';
}
