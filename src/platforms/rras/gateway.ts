import type { NeighborConfig } from '../../bgp/neighbor.js';
import { ACCEPT_ALL } from '../../bgp/policy/types.js';
import type { PeerConfig, TunnelSpec } from '../../ike/config.js';
import { ipv4Identity } from '../../ike/payloads/id.js';
import { parseProposals } from '../../ike/proposal.js';
import { parseIpv4, parsePrefix } from '../../net/address.js';
import type { Route } from '../../router/route-table.js';
import type { SiteOf } from '../../topology/schema.js';
import type { DocPath } from '../../config/source.js';
import type { Findings, SiteRef } from '../adapter.js';
import { defaultRouteVia, lifetimesFor, ownRoutesOnly, pskBytes, retransmitWithin, UNIMPLEMENTED_ALGORITHM_FIX, uniqueByName } from '../common.js';
import type { InstancePlan, InterfacePlan, SitePlan } from '../plan.js';
import { RRAS_BGP_HOLD_S, RRAS_CHILD_LIFETIME_KB, RRAS_CHILD_LIFETIME_S, RRAS_IKE_LIFETIME_S, RRAS_NETWORK_OUTAGE_S, rrasProposals } from './defaults.js';
import type { RrasSite, VpnS2SInterface } from '../../topology/platforms/rras.js';
import { rrasEnds } from './ends.js';
import { adapterAddress, adapterPrefix, advertisedPrefixes, ikeSourceAddress, rrasServerName, s2sRoutes, s2sSelectors } from './facts.js';

/*
 * A Windows Server RRAS site as the emulator runs it: the server is one node with its adapters;
 * each S2S interface is a route-based tunnel named after the interface (so NetRoutes can name it
 * as InterfaceAlias, as the RRAS console does), dialled at start (Connect-VpnS2SInterface); the
 * BGP router speaks from its LocalIPAddress with the peers' own hold times.
 */

export type RrasSiteOf = SiteOf<'rras'>;

function adapterInterfaces(ref: SiteRef<'rras'>, rras: RrasSite, findings: Findings): InterfacePlan[] {
  return rras.Server.NetworkAdapters.flatMap((adapter, i) => {
    const path: DocPath = [...ref.at, 'Server', 'NetworkAdapters', i];
    const prefix = adapterPrefix(ref.site, adapter.IPAddress, adapter.Subnet);
    if (prefix === undefined) {
      findings.error('RRAS_ADAPTER_ADDRESS', [...path, 'IPAddress'], `adapter '${adapter.Name}' IPAddress ${adapter.IPAddress} has no prefix length and no Subnet: Windows cannot configure the address without its mask`,
        'write the address with its length (192.168.37.1/24), or give Subnet');
      return [];
    }
    const attach = adapter.Internet === true ? 'internet' as const : adapter.Subnet !== undefined ? { subnet: adapter.Subnet } : undefined;
    if (attach === undefined) {
      findings.error('RRAS_ADAPTER_UNATTACHED', path, `adapter '${adapter.Name}' is attached to nothing: it has neither Subnet nor Internet, so no packet can reach it`,
        'give Subnet (the LAN it is cabled to), or Internet: true for the public adapter');
      return [];
    }
    return [{ name: adapter.Name, address: adapterAddress(adapter.IPAddress), prefix, attach }];
  });
}

/** The IKE peer and tunnel of one S2S interface; undefined (with a finding) when it cannot be built. */
function s2sPeer(rras: RrasSite, iface: VpnS2SInterface, path: DocPath, localAddress: number, findings: Findings): { peer: PeerConfig; tunnel: TunnelSpec } | undefined {
  const label = `S2S interface '${iface.Name}'`;
  if (iface.Protocol !== undefined && iface.Protocol !== 'IKEv2' && iface.Protocol !== 'Automatic') {
    findings.error('RRAS_PROTOCOL', [...path, 'Protocol'], `${label} uses Protocol ${iface.Protocol}: vpnlab speaks IKEv2 only, as do the Azure and Alibaba gateways it faces as a route-based device, so no tunnel comes up`, 'set Protocol: IKEv2');
  }
  if ((iface.AuthenticationMethod ?? 'PSKOnly') !== 'PSKOnly') {
    findings.error('RRAS_AUTH_METHOD', [...path, 'AuthenticationMethod'], `${label} authenticates with ${iface.AuthenticationMethod}: vpnlab emulates pre-shared keys only, and the cloud gateways it faces use pre-shared keys only, so IKE_AUTH fails with AUTHENTICATION_FAILED`, 'set AuthenticationMethod: PSKOnly and SharedSecret');
    return undefined;
  }
  if (iface.Protocol !== undefined && iface.Protocol !== 'IKEv2' && iface.Protocol !== 'Automatic') return undefined;
  if (iface.SharedSecret === undefined) {
    findings.error('RRAS_NO_SHARED_SECRET', path, `${label} authenticates with PSKOnly but has no SharedSecret: IKE_AUTH fails with AUTHENTICATION_FAILED`, 'set SharedSecret to the peer\'s key (-SharedSecret)');
    return undefined;
  }
  const offer = rrasProposals(iface, rras.VpnServerIPsecConfiguration);
  if ('problem' in offer) {
    findings.error('RRAS_NOT_EMULATED', path, `${label}: ${offer.problem}`, UNIMPLEMENTED_ALGORITHM_FIX);
    return undefined;
  }
  const server = rras.VpnServerIPsecConfiguration;
  const remote = parseIpv4(iface.Destination[0]!);
  const childSeconds = iface.SALifeTimeSeconds ?? server?.SALifeTimeSeconds ?? RRAS_CHILD_LIFETIME_S;
  const childKb = iface.SADataSizeForRenegotiationKilobytes ?? server?.SADataSizeForRenegotiationKilobytes ?? RRAS_CHILD_LIFETIME_KB;
  const outage = iface.NetworkOutageTimeSeconds ?? RRAS_NETWORK_OUTAGE_S;
  const redial = iface.RedialOnLinkFailure === true || iface.RedialOnLinkFailure === 1 || iface.Persistent === true;
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
      localSelectors: s2sSelectors(iface.LocalVpnTrafficSelector),
      remoteSelectors: s2sSelectors(iface.RemoteVpnTrafficSelector),
      lifetimes: lifetimesFor(childSeconds, childKb),
      startAction: iface.AdminStatus === false ? 'none' : 'start',
    }],
    retransmit: retransmitWithin(Math.max(outage, 30)),
  };
  return { peer, tunnel: { connection: iface.Name, child: iface.Name, kind: 'route', routes, interfaceName: iface.Name } };
}

function bgpNeighbors(rras: RrasSite, ref: SiteRef<'rras'>, findings: Findings): NeighborConfig[] {
  return uniqueByName(rras.BgpPeers ?? [], (p) => p.Name, (i) => [...ref.at, 'BgpPeers', i, 'Name'], 'BGP peer', 'RRAS_DUPLICATE_NAME', findings).map(({ item: p }) => ({
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

export function planRrasSite(ref: SiteRef<'rras'>, findings: Findings): SitePlan | undefined {
  const site = ref.site;
  const rras = site.rras;
  if (rras === undefined) return undefined;
  const name = rrasServerName(rras);
  const interfaces = adapterInterfaces(ref, rras, findings);
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
    findings.error('RRAS_NO_PUBLIC_ADAPTER', [...ref.at, 'Server', 'NetworkAdapters'], `RRAS '${name}' has S2S interfaces but no public adapter (Internet: true) to dial them from`,
      'mark the adapter facing the Internet with Internet: true');
  }
  const ikeAddress = publicIface?.address ?? 0;
  const interfacesOnce = uniqueByName(s2s, (i) => i.Name, (i) => [...ref.at, 'VpnS2SInterfaces', i, 'Name'], 'S2S interface', 'RRAS_DUPLICATE_NAME', findings);
  const built = publicIface === undefined && publicAdapter === undefined ? [] : interfacesOnce.flatMap(({ item: iface, index: i }) => {
    const local = ikeSourceAddress(rras, iface) ?? ikeAddress;
    return s2sPeer(rras, iface, [...ref.at, 'VpnS2SInterfaces', i], local, findings) ?? [];
  });
  const router = rras.BgpRouter;
  const routerId = router === undefined ? undefined : parseIpv4(router.BgpIdentifier);
  if (routerId === 0) {
    findings.error('RRAS_BGP_IDENTIFIER', [...ref.at, 'BgpRouter', 'BgpIdentifier'], 'Add-BgpRouter -BgpIdentifier 0.0.0.0: a BGP identifier must be a non-zero address (RFC 4271 §4.2, RFC 6286), so RRAS refuses the router',
      'use one of the server\'s own addresses, e.g. its LAN address');
  }
  const instance: InstancePlan = {
    name,
    resource: name,
    platform: 'rras',
    os: 'windows',
    interfaces,
    routes,
    ...(built.length > 0 ? { ipsec: { address: ikeAddress, peers: built.map((b) => b.peer), tunnels: built.map((b) => b.tunnel), delayedStarts: [] } } : {}),
    ...(router !== undefined && routerId !== undefined && routerId !== 0 ? {
      bgp: {
        config: {
          localAs: router.LocalASN, routerId, neighbors: bgpNeighbors(rras, ref, findings),
          networks: advertisedPrefixes(site), ebgpRequiresPolicy: false, holdTime: RRAS_BGP_HOLD_S,
        },
      },
    } : {}),
  };
  const hostGateways = new Map<string, number>();
  for (const i of interfaces) if (i.attach !== 'internet' && !hostGateways.has(i.attach.subnet)) hostGateways.set(i.attach.subnet, i.address);
  return { site: site.name, instances: [instance], hostGateways, ends: rrasEnds(ref) };
}
