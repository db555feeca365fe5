import { peerRecords, routeRecords } from '../../bgp/views.js';
import { formatIpv4 } from '../../net/address.js';
import type { ModelRef } from '../adapter.js';
import { cmdlet, tunnelState, type PlatformView, type RunningInstance, type RunningSite, type ViewCell } from '../view.js';
import { isTunnelOf } from './connection.js';
import { bgpSettingsText } from './facts.js';
import type { AzureModel } from './model.js';

/*
 * What Azure PowerShell shows of each virtual network gateway: BgpSettingsText, its connections
 * (Get-AzVirtualNetworkGatewayConnection), and with BGP its peers and learned routes.
 */

/** The Get-AzVirtualNetworkGatewayConnection row of one connection, over every instance's tunnel of it. */
function connectionRow(name: string, connectionType: string, instances: readonly RunningInstance[]): string[] {
  const tunnels = instances.flatMap((i) => (i.plan.ipsec?.peers ?? []).filter((p) => isTunnelOf(name, p.name)).map((p) => ({ i, peer: p.name })));
  const states = tunnels.map(({ i, peer }) => tunnelState(i, peer));
  const status = states.includes('up') ? 'Connected' : states.includes('connecting') ? 'Connecting' : 'NotConnected';
  let egress = 0;
  let ingress = 0;
  for (const { i, peer } of tunnels) {
    const bytes = i.espBytes(peer);
    egress += bytes.out;
    ingress += bytes.in;
  }
  const up = `${states.filter((s) => s === 'up').length}/${states.length}`;
  return [name, connectionType, status, up, String(egress), String(ingress)];
}

/** Get-AzVirtualNetworkGatewayBgpPeerStatus and ...LearnedRoute, over the gateway's instances. */
function bgpViews(instances: readonly RunningInstance[]): PlatformView[] {
  const peerRows: ViewCell[][] = [];
  const learnedRows: string[][] = [];
  for (const instance of instances) {
    const bgp = instance.bgp;
    if (bgp === undefined) continue;
    const local = formatIpv4(bgp.config.routerId);
    for (const p of peerRecords(bgp)) {
      const state = p.state === 'Established' ? 'Connected' : p.state === 'Idle' ? 'Unknown' : 'Connecting';
      peerRows.push([p.localAddress ?? local, p.address, String(p.asn), state, p.uptime === null ? '' : { seconds: p.uptime },
        String(p.prefixesAccepted), String(p.messages.out), String(p.messages.in)]);
    }
    for (const r of routeRecords(bgp)) {
      for (const path of r.paths) {
        if (!path.best) continue;
        const own = path.from === 'local';
        learnedRows.push([local, r.prefix, own ? '' : path.nextHop ?? '', own ? local : path.fromAddress ?? '', own ? 'Network' : 'EBgp', path.asPath, own ? '32768' : String(path.weight)]);
      }
    }
  }
  return [
    cmdlet('Get-AzVirtualNetworkGatewayBgpPeerStatus', ['LocalAddress', 'Neighbor', 'Asn', 'State', 'ConnectedDuration', 'RoutesReceived', 'MessagesSent', 'MessagesReceived'], peerRows),
    cmdlet('Get-AzVirtualNetworkGatewayLearnedRoute', ['LocalAddress', 'Network', 'NextHop', 'SourcePeer', 'Origin', 'AsPath', 'Weight'], learnedRows),
  ];
}

export function azureViews({ site, model }: ModelRef<'azure', AzureModel>, running: RunningSite): PlatformView[] {
  const views: PlatformView[] = [];
  for (const g of model.gateways) {
    const { gateway, facts } = g;
    const bgp = facts !== undefined && facts.bgpEnabled;
    const instances = running.instances(gateway.name);
    views.push({ kind: 'heading', subject: `${site.name}/${gateway.name}`, title: `Azure virtual network gateway (${gateway.vpnType ?? 'RouteBased'}${gateway.activeActive === true ? ', active-active' : ''})` });
    if (bgp) views.push({ kind: 'field', name: 'BgpSettingsText', value: bgpSettingsText(facts) });
    const connections = model.connections.filter((c) => c.gateway === g);
    views.push(cmdlet('Get-AzVirtualNetworkGatewayConnection', ['Name', 'ConnectionType', 'ConnectionStatus', 'TunnelsUp', 'EgressBytesTransferred', 'IngressBytesTransferred'],
      connections.map((c) => connectionRow(c.conn.name, c.conn.connectionType, instances))));
    if (bgp) views.push(...bgpViews(instances));
  }
  return views;
}
