import { formatIpv4, formatPrefix } from '../../net/address.js';
import type { AlibabaSite, VpnGateway } from '../../topology/platforms/alibaba.js';
import type { SiteRef } from '../adapter.js';
import { tunnelState, type PlatformView, type RunningFabric, type RunningInstance, type RunningSite } from '../view.js';

/*
 * What the Alibaba Cloud console shows of each VPN gateway: its state and IPsec addresses, the
 * tunnels of its IPsec connections, the values it generated, its policy and destination routes;
 * then the VPC's route table as the vRouter holds it.
 */

const IKE_STATUS = { down: 'ike_sa_not_established', connecting: 'ike_sa_established', up: 'ipsec_sa_established' } as const;

/** Whether the vRouter sends traffic to the instance: a platform route of its table points at it. */
function carriesTraffic(fabric: RunningFabric | undefined, instance: RunningInstance): boolean {
  const address = instance.plan.interfaces.find((f) => f.attach !== 'internet')?.address;
  return fabric !== undefined && fabric.routes().some((r) => r.source === 'platform' && r.nextHop === address);
}

function gatewayViews(site: string, alibaba: AlibabaSite, gateway: VpnGateway, running: RunningSite): PlatformView[] {
  const instances = running.instances(gateway.Name);
  const status = instances.every((i) => i.ready) ? 'Normal' : 'Preparing';
  const addresses = instances.map((i, k) => `IPsec address ${k + 1} ${formatIpv4(i.plan.ipsec!.address)}`).join(', ');
  const tunnels: string[][] = [];
  for (const conn of (alibaba.VpnConnections ?? []).filter((c) => c.VpnGatewayId === gateway.Name)) {
    instances.forEach((instance, k) => {
      const peer = instance.plan.ipsec?.peers.find((p) => p.name === conn.Name);
      if (peer === undefined) return;
      tunnels.push([conn.Name, `Tunnel ${k + 1}`, k === 0 ? 'master' : 'slave', formatIpv4(peer.localAddress), formatIpv4(peer.remoteAddress ?? 0),
        IKE_STATUS[tunnelState(instance, conn.Name)], carriesTraffic(running.fabric, instance) ? 'active' : 'standby']);
    });
  }
  const views: PlatformView[] = [
    { kind: 'heading', subject: `${site}/${gateway.Name}`, title: `Alibaba Cloud VPN gateway (${status}; ${addresses})` },
    { kind: 'table', columns: ['CONNECTION', 'TUNNEL', 'ROLE', 'LOCAL', 'REMOTE', 'STATE', 'CARRIES'], rows: tunnels },
  ];
  const generated = instances.flatMap((i) => [...(i.plan.generated ?? [])].map(([name, value]) => ({ name, value })));
  if (generated.length > 0) views.push({ kind: 'generated', shownBy: 'DescribeVpnConnection', values: generated });
  const published = (e: { PublishVpc: boolean }) => (e.PublishVpc ? 'Published' : 'Unpublished');
  const routes = [
    ...(alibaba.VpnPbrRouteEntries ?? []).filter((e) => e.VpnGatewayId === gateway.Name).map((e) => ['policy', e.RouteSource, e.RouteDest, e.NextHop, published(e)]),
    ...(alibaba.VpnRouteEntries ?? []).filter((e) => e.VpnGatewayId === gateway.Name).map((e) => ['destination', '', e.RouteDest, e.NextHop, published(e)]),
  ];
  if (routes.length > 0) views.push({ kind: 'table', columns: ['TYPE', 'SOURCE', 'DESTINATION', 'NEXT HOP', 'STATUS'], rows: routes });
  return views;
}

/** The VPC route table: the vRouter's routes in use, next hops named by their owner. */
function vpcRouteTable(fabric: RunningFabric, running: RunningSite): PlatformView {
  const rows = fabric.activeRoutes().flatMap((entry) => entry.routes.map((r) => [formatPrefix(entry.prefix),
    r.nextHop === undefined ? `local (${r.interface ?? ''})` : running.describeAddress(r.nextHop), r.origin ?? r.source]));
  return { kind: 'table', caption: `VPC route table (${fabric.qualifiedName})`, columns: ['DESTINATION', 'NEXT HOP', 'ORIGIN'], rows };
}

export function alibabaViews(ref: SiteRef<'alibaba'>, running: RunningSite): PlatformView[] {
  const alibaba = ref.site.alibaba;
  if (alibaba === undefined) return [];
  const views = (alibaba.VpnGateways ?? []).flatMap((g) => gatewayViews(ref.site.name, alibaba, g, running));
  if (running.fabric !== undefined) views.push(vpcRouteTable(running.fabric, running));
  return views;
}
