import { formatIpv4, formatPrefix } from '../../net/address.js';
import { peerRecords } from '../../bgp/views.js';
import type { ModelRef } from '../adapter.js';
import { tunnelSession } from './bgp.js';
import type { AlibabaGateway, AlibabaModel } from './model.js';
import type { PlatformView, RunningFabric, RunningInstance, RunningSite } from '../view.js';

/*
 * What the Alibaba Cloud console shows of each VPN gateway: its state and IPsec addresses, the
 * tunnels of its IPsec connections, the values it generated, its policy and destination routes;
 * then the VPC's route table as the vRouter holds it.
 */

/**
 * The console's status of a tunnel: an IKE SA still negotiating is not established yet; one
 * established without a CHILD_SA is ike_sa_established (IKEv2 makes both at once, so this is
 * brief); with its CHILD_SA, ipsec_sa_established.
 */
function tunnelStatus(instance: RunningInstance, connection: string): 'ike_sa_not_established' | 'ike_sa_established' | 'ipsec_sa_established' {
  const established = instance.ikeSas(connection).filter((s) => s.state === 'established');
  if (established.some((s) => s.children > 0)) return 'ipsec_sa_established';
  return established.length > 0 ? 'ike_sa_established' : 'ike_sa_not_established';
}

/** What a tunnel carries: the vRouter's traffic, or none yet (standby) when it is up; a tunnel that is down carries nothing and stands by for nothing. */
function carries(fabric: RunningFabric | undefined, instance: RunningInstance, status: ReturnType<typeof tunnelStatus>): string {
  if (carriesTraffic(fabric, instance)) return 'active';
  return status === 'ipsec_sa_established' ? 'standby' : '-';
}

/** Whether the vRouter sends traffic to the instance: a platform route of its table points at it. */
function carriesTraffic(fabric: RunningFabric | undefined, instance: RunningInstance): boolean {
  const address = instance.plan.interfaces.find((f) => f.attach !== 'internet')?.address;
  return fabric !== undefined && fabric.routes().some((r) => r.source === 'platform' && r.nextHop === address);
}

function gatewayViews(site: string, gateway: AlibabaGateway, running: RunningSite): PlatformView[] {
  const instances = running.instances(gateway.name);
  const status = instances.every((i) => i.ready) ? 'Normal' : 'Preparing';
  const addresses = instances.map((i, k) => `IPsec address ${k + 1} ${formatIpv4(i.plan.ipsec!.address)}`).join(', ');
  const tunnels: string[][] = [];
  for (const conn of gateway.connections) {
    instances.forEach((instance, k) => {
      const peer = instance.plan.ipsec?.peers.find((p) => p.name === conn.name);
      if (peer === undefined) return;
      const status = tunnelStatus(instance, conn.name);
      tunnels.push([conn.name, `Tunnel ${k + 1}`, k === 0 ? 'master' : 'slave', formatIpv4(peer.localAddress), formatIpv4(peer.remoteAddress ?? 0),
        status, carries(running.fabric, instance, status)]);
    });
  }
  const views: PlatformView[] = [
    { kind: 'heading', subject: `${site}/${gateway.name}`, title: `Alibaba Cloud VPN gateway (${status}; ${addresses})` },
    { kind: 'table', columns: ['CONNECTION', 'TUNNEL', 'ROLE', 'LOCAL', 'REMOTE', 'STATE', 'CARRIES'], rows: tunnels },
  ];
  const bgp = tunnelBgpRows(gateway, instances);
  if (bgp.length > 0) {
    views.push({ kind: 'table', caption: 'Tunnel BGP (DescribeVpnConnections TunnelBgpConfig)', columns: ['CONNECTION', 'TUNNEL', 'LocalAsn', 'LocalBgpIp', 'TunnelCidr', 'PeerAsn', 'PeerBgpIp', 'BgpStatus'], rows: bgp });
  }
  const generated = instances.flatMap((i) => [...(i.plan.generated ?? [])].map(([name, value]) => ({ name, value })));
  if (generated.length > 0) views.push({ kind: 'generated', shownBy: 'DescribeVpnConnection', values: generated });
  const routes = gateway.routes.map((e) => [e.kind, 'RouteSource' in e.resource ? e.resource.RouteSource : '', e.resource.RouteDest, e.nextHop.name, e.published ? 'Published' : 'Unpublished']);
  if (routes.length > 0) views.push({ kind: 'table', columns: ['TYPE', 'SOURCE', 'DESTINATION', 'NEXT HOP', 'STATUS'], rows: routes });
  return views;
}

/**
 * Each BGP tunnel as DescribeVpnConnections reports its TunnelBgpConfig: the addresses and ASNs,
 * and BgpStatus, "success" while the session is Established and "false" otherwise (the values the
 * API reference gives for the negotiation state).
 */
function tunnelBgpRows(gateway: AlibabaGateway, instances: readonly RunningInstance[]): string[][] {
  const rows: string[][] = [];
  for (const conn of gateway.connections) {
    for (const tunnel of conn.tunnels) {
      const session = tunnelSession(tunnel);
      if (session === undefined) continue;
      const instance = instances[tunnel.address - 1];
      const state = instance?.bgp === undefined ? undefined : peerRecords(instance.bgp).find((p) => p.name === conn.name)?.state;
      rows.push([conn.name, `Tunnel ${tunnel.address}`, String(session.localAsn), formatIpv4(session.local),
        tunnel.bgp.tunnelCidr === undefined ? '' : formatPrefix(tunnel.bgp.tunnelCidr), String(session.peerAsn), formatIpv4(session.peer),
        state === 'Established' ? 'success' : 'false']);
    }
  }
  return rows;
}

/** The VPC route table: the vRouter's routes in use, next hops named by their owner. */
function vpcRouteTable(fabric: RunningFabric, running: RunningSite): PlatformView {
  const rows = fabric.activeRoutes().flatMap((entry) => entry.routes.map((r) => [formatPrefix(entry.prefix),
    r.nextHop === undefined ? `local (${r.interface ?? ''})` : running.describeAddress(r.nextHop), r.origin ?? r.source]));
  return { kind: 'table', caption: `VPC route table (${fabric.qualifiedName})`, columns: ['DESTINATION', 'NEXT HOP', 'ORIGIN'], rows };
}

export function alibabaViews(ref: ModelRef<'alibaba', AlibabaModel>, running: RunningSite): PlatformView[] {
  if (ref.model.block === undefined) return [];
  const views = ref.model.gateways.flatMap((g) => gatewayViews(ref.site.name, g, running));
  if (running.fabric !== undefined) views.push(vpcRouteTable(running.fabric, running));
  return views;
}
