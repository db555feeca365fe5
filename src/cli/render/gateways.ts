import { peerRecords, routeRecords } from '../../bgp/views.js';
import { formatIpv4, formatPrefix } from '../../net/address.js';
import { bgpSettingsText, findAzureGateway } from '../../platforms/azure/facts.js';
import { rrasServerName } from '../../platforms/rras/facts.js';
import type { Network } from '../../emulator/network.js';
import type { GatewayInstance } from '../../emulator/gateway-instance.js';
import type { Site, Topology } from '../../topology/schema.js';
import { formatUptime, renderGetBgpPeer, renderGetBgpRouteInformation } from './bgp.js';
import { powerShellTable, table } from './table.js';

/*
 * What `vpnlab up` shows of each platform gateway, in the platform's own words: RRAS cmdlet
 * tables, Azure PowerShell views of connections and BGP, Alibaba's tunnel and route states.
 */

type TunnelState = 'up' | 'connecting' | 'down';

/** Whether the instance has a CHILD_SA for `peer`, or an IKE SA on its way. */
function tunnelState(instance: GatewayInstance, peer: string): TunnelState {
  const sas = instance.ipsec?.engine.ikeSasOf(peer) ?? [];
  if (sas.some((s) => s.state === 'established' && s.children.length > 0)) return 'up';
  return sas.some((s) => s.state === 'connecting' || s.state === 'established') ? 'connecting' : 'down';
}

function instancesOf(network: Network, site: string, resource: string): GatewayInstance[] {
  return [...network.gateways.values()].filter((g) => g.node.site === site && g.plan.resource === resource);
}

const PROMPT = 'PS C:\\>';

function renderRras(network: Network, site: Extract<Site, { platform: 'rras' }>): string {
  const rras = site.rras!;
  const instance = instancesOf(network, site.name, rrasServerName(rras))[0];
  if (instance === undefined) return '';
  const state = { up: 'Connected', connecting: 'Connecting', down: 'Disconnected' } as const;
  const rows = (rras.VpnS2SInterfaces ?? []).map((i) => [
    i.Name, `{${i.Destination.join(', ')}}`, (i.AdminStatus ?? true) ? 'True' : 'False', state[tunnelState(instance, i.Name)], `{${(i.IPv4Subnet ?? []).join(', ')}}`,
  ]);
  const out = [`== ${instance.node.qualifiedName}: Windows Server RRAS ==`, '', `${PROMPT} Get-VpnS2SInterface`,
    powerShellTable(['Name', 'Destination', 'AdminStatus', 'ConnectionState', 'IPv4Subnet'], rows)];
  if (instance.bgp !== undefined) {
    out.push(`${PROMPT} Get-BgpPeer`, renderGetBgpPeer(peerRecords(instance.bgp)), `${PROMPT} Get-BgpRouteInformation`, renderGetBgpRouteInformation(routeRecords(instance.bgp)));
  }
  return out.join('\n');
}

function renderAzure(network: Network, topology: Topology, site: Extract<Site, { platform: 'azure' }>): string {
  const out: string[] = [];
  for (const gateway of site.azure?.virtualNetworkGateways ?? []) {
    const facts = findAzureGateway(topology, `${site.name}/${gateway.name}`)!;
    const instances = instancesOf(network, site.name, gateway.name);
    out.push(`== ${site.name}/${gateway.name}: Azure virtual network gateway (${gateway.vpnType ?? 'RouteBased'}${facts.activeActive ? ', active-active' : ''}) ==`, '');
    if (facts.bgpEnabled) out.push(`BgpSettingsText : ${bgpSettingsText(facts).replace(/\n\s*/g, ' ')}`, '');
    const connections = (site.azure?.connections ?? []).filter((c) => c.virtualNetworkGateway1 === gateway.name);
    const connRows = connections.map((c) => {
      const peers = instances.flatMap((i) => (i.plan.ipsec?.peers ?? []).filter((p) => p.name === c.name || p.name.startsWith(`${c.name}_`)).map((p) => ({ i, p })));
      const states = peers.map(({ i, p }) => tunnelState(i, p.name));
      const status = states.includes('up') ? 'Connected' : states.includes('connecting') ? 'Connecting' : 'NotConnected';
      let egress = 0;
      let ingress = 0;
      for (const { i, p } of peers) {
        const counters = i.ipsec!.sad.counters(p.name);
        egress += counters.bytesOut;
        ingress += counters.bytesIn;
      }
      const tunnels = `${states.filter((s) => s === 'up').length}/${states.length}`;
      return [c.name, c.connectionType, status, tunnels, String(egress), String(ingress)];
    });
    out.push(`${PROMPT} Get-AzVirtualNetworkGatewayConnection`,
      powerShellTable(['Name', 'ConnectionType', 'ConnectionStatus', 'TunnelsUp', 'EgressBytesTransferred', 'IngressBytesTransferred'], connRows));
    if (!facts.bgpEnabled) continue;
    const peerRows: string[][] = [];
    const learnedRows: string[][] = [];
    for (const instance of instances) {
      const bgp = instance.bgp;
      if (bgp === undefined) continue;
      const local = formatIpv4(bgp.config.routerId);
      for (const p of peerRecords(bgp)) {
        const state = p.state === 'Established' ? 'Connected' : p.state === 'Idle' ? 'Unknown' : 'Connecting';
        peerRows.push([p.localAddress ?? local, p.address, String(p.asn), state, p.uptime === null ? '' : formatUptime(p.uptime), String(p.prefixesAccepted), String(p.messages.out), String(p.messages.in)]);
      }
      for (const r of routeRecords(bgp)) {
        for (const path of r.paths) {
          if (!path.best) continue;
          const own = path.from === 'local';
          learnedRows.push([local, r.prefix, own ? '' : path.nextHop ?? '', own ? local : path.fromAddress ?? '', own ? 'Network' : 'EBgp', path.asPath, own ? '32768' : String(path.weight)]);
        }
      }
    }
    out.push(`${PROMPT} Get-AzVirtualNetworkGatewayBgpPeerStatus`,
      powerShellTable(['LocalAddress', 'Neighbor', 'Asn', 'State', 'ConnectedDuration', 'RoutesReceived', 'MessagesSent', 'MessagesReceived'], peerRows),
      `${PROMPT} Get-AzVirtualNetworkGatewayLearnedRoute`,
      powerShellTable(['LocalAddress', 'Network', 'NextHop', 'SourcePeer', 'Origin', 'AsPath', 'Weight'], learnedRows));
  }
  return out.join('\n');
}

function renderAlibaba(network: Network, site: Extract<Site, { platform: 'alibaba' }>): string {
  const alibaba = site.alibaba!;
  const fabric = network.fabrics.get(site.name);
  const out: string[] = [];
  for (const gateway of alibaba.VpnGateways ?? []) {
    const instances = instancesOf(network, site.name, gateway.Name);
    const status = instances.every((i) => i.ready) ? 'Normal' : 'Preparing';
    out.push(`== ${site.name}/${gateway.Name}: Alibaba Cloud VPN gateway (${status}; ${instances.map((i, k) => `IPsec address ${k + 1} ${formatIpv4(i.plan.ipsec!.address)}`).join(', ')}) ==`, '');
    const rows = [['CONNECTION', 'TUNNEL', 'ROLE', 'LOCAL', 'REMOTE', 'STATE', 'CARRIES']];
    for (const conn of (alibaba.VpnConnections ?? []).filter((c) => c.VpnGatewayId === gateway.Name)) {
      instances.forEach((instance, k) => {
        const peer = instance.plan.ipsec?.peers.find((p) => p.name === conn.Name);
        if (peer === undefined) return;
        const state = tunnelState(instance, conn.Name);
        const ike = state === 'down' ? 'ike_sa_not_established' : state === 'connecting' ? 'ike_sa_established' : 'ipsec_sa_established';
        const active = fabric !== undefined && [...fabric.node.ip.routes.all()].some((r) => r.source === 'platform' && r.nextHop === instance.plan.interfaces.find((f) => f.attach !== 'internet')?.address);
        rows.push([conn.Name, `Tunnel ${k + 1}`, k === 0 ? 'master' : 'slave', formatIpv4(peer.localAddress), formatIpv4(peer.remoteAddress ?? 0), ike, active ? 'active' : 'standby']);
      });
    }
    out.push(...table(rows), '');
    for (const instance of instances) {
      for (const [what, value] of instance.plan.generated ?? []) out.push(`generated by the platform (DescribeVpnConnection shows it): ${what} = ${value}`);
    }
    if (instances.some((i) => (i.plan.generated?.size ?? 0) > 0)) out.push('');
    const routeRows = [['TYPE', 'SOURCE', 'DESTINATION', 'NEXT HOP', 'STATUS']];
    for (const e of alibaba.VpnPbrRouteEntries ?? []) if (e.VpnGatewayId === gateway.Name) routeRows.push(['policy', e.RouteSource, e.RouteDest, e.NextHop, e.PublishVpc ? 'Published' : 'Unpublished']);
    for (const e of alibaba.VpnRouteEntries ?? []) if (e.VpnGatewayId === gateway.Name) routeRows.push(['destination', '', e.RouteDest, e.NextHop, e.PublishVpc ? 'Published' : 'Unpublished']);
    if (routeRows.length > 1) out.push(...table(routeRows), '');
  }
  if (fabric !== undefined) {
    const vpcRows = [['DESTINATION', 'NEXT HOP', 'ORIGIN']];
    for (const entry of fabric.node.ip.routes.activeEntries()) {
      for (const r of entry.routes) vpcRows.push([formatPrefix(entry.prefix), r.nextHop === undefined ? `local (${r.interface ?? ''})` : network.describeAddress(r.nextHop), r.origin ?? r.source]);
    }
    out.push(`VPC route table (${fabric.node.qualifiedName}):`, ...table(vpcRows), '');
  }
  return out.join('\n');
}

/** Every platform gateway of the topology, in file order. */
export function renderGateways(network: Network, topology: Topology): string {
  const parts: string[] = [];
  for (const site of topology.sites) {
    if (site.platform === 'rras' && site.rras !== undefined) parts.push(renderRras(network, site));
    else if (site.platform === 'azure' && site.azure !== undefined) parts.push(renderAzure(network, topology, site));
    else if (site.platform === 'alibaba' && site.alibaba !== undefined) parts.push(renderAlibaba(network, site));
  }
  return parts.filter((p) => p !== '').join('\n');
}
