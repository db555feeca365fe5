import type { NeighborConfig } from '../../bgp/neighbor.js';
import { ACCEPT_ALL } from '../../bgp/policy/types.js';
import type { PeerConfig, TunnelSpec } from '../../ike/config.js';
import { ipv4Identity } from '../../ike/payloads/id.js';
import { parseProposals } from '../../ike/proposal.js';
import { parseIpv4, parsePrefix, type Prefix } from '../../net/address.js';
import type { Route } from '../../router/route-table.js';
import type { SiteOf } from '../../topology/schema.js';
import { ANY_SELECTOR, defaultRouteVia, lifetimesFor, ownRoutesOnly, PlatformError, pskBytes, retransmitWithin } from '../common.js';
import type { InstancePlan, InterfacePlan, SitePlan } from '../plan.js';
import { RRAS_BGP_HOLD_S, RRAS_CHILD_LIFETIME_KB, RRAS_CHILD_LIFETIME_S, RRAS_IKE_LIFETIME_S, RRAS_NETWORK_OUTAGE_S, rrasProposals } from './defaults.js';
import type { RrasSite, VpnS2SInterface } from './schema.js';
import { adapterAddress, adapterPrefix, advertisedPrefixes, s2sRoutes } from './facts.js';

/*
 * A Windows Server RRAS site as the emulator runs it: the server is one node with its adapters;
 * each S2S interface is a route-based tunnel named after the interface (so NetRoutes can name it
 * as InterfaceAlias, as the RRAS console does), dialled at start (Connect-VpnS2SInterface); the
 * BGP router speaks from its LocalIPAddress with the peers' own hold times.
 */

export type RrasSiteOf = SiteOf<'rras'>;

function adapterInterfaces(site: RrasSiteOf, rras: RrasSite): InterfacePlan[] {
  return rras.Server.NetworkAdapters.map((adapter) => {
    const where = `site '${site.name}' adapter '${adapter.Name}'`;
    const prefix = adapterPrefix(site, adapter.IPAddress, adapter.Subnet);
    if (prefix === undefined) throw new PlatformError('ERR_PLATFORM_CONFIG', where, `IPAddress ${adapter.IPAddress} has no prefix length and no Subnet`);
    const attach = adapter.Internet === true ? 'internet' as const : adapter.Subnet !== undefined ? { subnet: adapter.Subnet } : undefined;
    if (attach === undefined) throw new PlatformError('ERR_PLATFORM_CONFIG', where, 'the adapter is attached to nothing: give Subnet, or Internet: true');
    return { name: adapter.Name, address: adapterAddress(adapter.IPAddress), prefix, attach };
  });
}

function s2sPeer(site: RrasSiteOf, rras: RrasSite, iface: VpnS2SInterface, localAddress: number): { peer: PeerConfig; tunnel: TunnelSpec } {
  const where = `site '${site.name}' VpnS2SInterface '${iface.Name}'`;
  if (iface.Protocol !== undefined && iface.Protocol !== 'IKEv2' && iface.Protocol !== 'Automatic') {
    throw new PlatformError('ERR_PLATFORM_UNSUPPORTED', where, `Protocol ${iface.Protocol} is not emulated (IKEv2 only)`);
  }
  if ((iface.AuthenticationMethod ?? 'PSKOnly') !== 'PSKOnly') throw new PlatformError('ERR_PLATFORM_UNSUPPORTED', where, `AuthenticationMethod ${iface.AuthenticationMethod} is not emulated (PSKOnly only)`);
  if (iface.SharedSecret === undefined) throw new PlatformError('ERR_PLATFORM_CONFIG', where, 'PSKOnly needs SharedSecret');
  const offer = rrasProposals(iface, rras.VpnServerIPsecConfiguration);
  if ('problem' in offer) throw new PlatformError('ERR_PLATFORM_UNSUPPORTED', where, offer.problem);
  const server = rras.VpnServerIPsecConfiguration;
  const remote = parseIpv4(iface.Destination[0]!);
  const childSeconds = iface.SALifeTimeSeconds ?? server?.SALifeTimeSeconds ?? RRAS_CHILD_LIFETIME_S;
  const childKb = iface.SADataSizeForRenegotiationKilobytes ?? server?.SADataSizeForRenegotiationKilobytes ?? RRAS_CHILD_LIFETIME_KB;
  const outage = iface.NetworkOutageTimeSeconds ?? RRAS_NETWORK_OUTAGE_S;
  const redial = iface.RedialOnLinkFailure === true || iface.RedialOnLinkFailure === 1 || iface.Persistent === true;
  const selectorsOf = (list: VpnS2SInterface['LocalVpnTrafficSelector']) => (list === undefined || list.length === 0
    ? [ANY_SELECTOR]
    : list.map((ts) => ({
      type: 'ipv4' as const, ipProtocol: ts.ProtocolId ?? 0,
      startPort: ts.PortRange?.[0] ?? 0, endPort: ts.PortRange?.[1] ?? 65535,
      startAddress: parseIpv4(ts.IPAddressRange[0]), endAddress: parseIpv4(ts.IPAddressRange[1]),
    })));
  const routes = s2sRoutes(rras, iface);
  const peer: PeerConfig = {
    name: iface.Name,
    localAddress,
    remoteAddress: remote,
    localIdentity: ipv4Identity(localAddress),
    remoteIdentity: ipv4Identity(remote),
    psk: pskBytes(iface.SharedSecret),
    ikeProposals: parseProposals(offer.ike, 'ike'),
    ikeRekeySeconds: iface.MMSALifeTimeSeconds ?? server?.MMSALifeTimeSeconds ?? RRAS_IKE_LIFETIME_S,
    dpdDelaySeconds: outage,
    dpdAction: redial ? 'restart' : 'clear',
    forceEncapsulation: false,
    responderOnly: iface.AdminStatus === false,
    children: [{
      name: iface.Name,
      espProposals: parseProposals(offer.esp, 'esp'),
      localSelectors: selectorsOf(iface.LocalVpnTrafficSelector),
      remoteSelectors: selectorsOf(iface.RemoteVpnTrafficSelector),
      lifetimes: lifetimesFor(childSeconds, childKb),
      startAction: iface.AdminStatus === false ? 'none' : 'start',
    }],
    retransmit: retransmitWithin(Math.max(outage, 30)),
  };
  return { peer, tunnel: { connection: iface.Name, child: iface.Name, kind: 'route', routes, interfaceName: iface.Name } };
}

function bgpNeighbors(rras: RrasSite): NeighborConfig[] {
  return (rras.BgpPeers ?? []).map((p) => ({
    name: p.Name,
    address: parseIpv4(p.PeerIPAddress),
    asn: p.PeerASN,
    localAddress: parseIpv4(p.LocalIPAddress),
    passive: p.OperationMode === 'Server',
    holdTime: p.HoldTimeSec ?? RRAS_BGP_HOLD_S,
    ...(p.MaxAllowedPrefix !== undefined ? { maxPrefix: { limit: p.MaxAllowedPrefix, action: 'teardown' as const } } : {}),
    ...(p.Weight !== undefined ? { weight: p.Weight } : {}),
    importPolicy: ACCEPT_ALL,
    exportPolicy: rras.BgpRouter?.TransitRouting === 'Enabled' ? ACCEPT_ALL : ownRoutesOnly(`${p.Name}-no-transit`),
  }));
}

/** Add-BgpCustomRoute's prefixes; an -Interface naming no adapter is refused. */
function customRoutes(site: RrasSiteOf, rras: RrasSite): Prefix[] {
  for (const entry of rras.BgpCustomRoutes ?? []) {
    for (const name of entry.Interface ?? []) {
      if (!rras.Server.NetworkAdapters.some((a) => a.Name === name)) throw new PlatformError('ERR_PLATFORM_CONFIG', 'Add-BgpCustomRoute -Interface', `no adapter named '${name}'`);
    }
  }
  return advertisedPrefixes(site);
}

export function planRrasSite(site: RrasSiteOf): SitePlan | undefined {
  const rras = site.rras;
  if (rras === undefined) return undefined;
  const name = rras.Server.Name ?? 'RRAS';
  const interfaces = adapterInterfaces(site, rras);
  const publicAdapter = rras.Server.NetworkAdapters.find((a) => a.Internet === true);
  const publicIface = interfaces.find((i) => i.attach === 'internet');
  const routes: Route[] = [];
  for (const adapter of rras.Server.NetworkAdapters) {
    if (adapter.DefaultGateway !== undefined) routes.push({ prefix: { address: 0, length: 0 }, nextHop: parseIpv4(adapter.DefaultGateway), interface: adapter.Name, source: 'static', origin: `${adapter.Name} default gateway` });
  }
  if (publicIface !== undefined && routes.length === 0) routes.push(defaultRouteVia(publicIface.name, `${publicIface.name} (public NIC)`));
  const s2sNames = new Set((rras.VpnS2SInterfaces ?? []).map((i) => i.Name));
  for (const r of rras.NetRoutes ?? []) {
    if (s2sNames.has(r.InterfaceAlias)) continue;
    routes.push({
      prefix: parsePrefix(r.DestinationPrefix), interface: r.InterfaceAlias, source: 'static', origin: 'New-NetRoute',
      ...(r.NextHop !== undefined && r.NextHop !== '0.0.0.0' ? { nextHop: parseIpv4(r.NextHop) } : {}),
      ...(r.RouteMetric !== undefined ? { metric: r.RouteMetric } : {}),
    });
  }
  const s2s = rras.VpnS2SInterfaces ?? [];
  if (s2s.length > 0 && publicIface === undefined && publicAdapter === undefined) {
    throw new PlatformError('ERR_PLATFORM_CONFIG', `site '${site.name}'`, 'S2S interfaces need a public adapter (Internet: true) to dial from');
  }
  const ikeAddress = publicIface?.address ?? 0;
  const built = s2s.map((iface) => s2sPeer(site, rras, iface, iface.SourceIpAddress !== undefined ? parseIpv4(iface.SourceIpAddress) : ikeAddress));
  const router = rras.BgpRouter;
  const instance: InstancePlan = {
    name,
    resource: name,
    platform: 'rras',
    os: 'windows',
    interfaces,
    routes,
    ...(built.length > 0 ? { ipsec: { address: ikeAddress, peers: built.map((b) => b.peer), tunnels: built.map((b) => b.tunnel), delayedStarts: [] } } : {}),
    ...(router !== undefined ? {
      bgp: {
        config: {
          localAs: router.LocalASN, routerId: parseIpv4(router.BgpIdentifier), neighbors: bgpNeighbors(rras),
          networks: customRoutes(site, rras), ebgpRequiresPolicy: false, holdTime: RRAS_BGP_HOLD_S,
        },
      },
    } : {}),
  };
  const hostGateways = new Map<string, number>();
  for (const i of interfaces) if (i.attach !== 'internet' && !hostGateways.has(i.attach.subnet)) hostGateways.set(i.attach.subnet, i.address);
  return { site: site.name, instances: [instance], hostGateways };
}
