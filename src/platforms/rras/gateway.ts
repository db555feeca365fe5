import type { NeighborConfig } from '../../bgp/neighbor.js';
import { ACCEPT_ALL } from '../../bgp/policy/types.js';
import type { PeerConfig, TunnelSpec } from '../../ike/config.js';
import { ipv4Identity } from '../../ike/payloads/id.js';
import { parseProposals } from '../../ike/proposal.js';
import { formatIpv4, isLinkLocal, prefixContains, type Ipv4Address } from '../../net/address.js';
import type { Route } from '../../router/route-table.js';
import type { Findings, ModelRef } from '../adapter.js';
import { ANY, defaultRouteVia, lifetimesFor, ownRoutesOnly, pskBytes, retransmitWithin, UNIMPLEMENTED_ALGORITHM_FIX, uniqueByName } from '../common.js';
import type { InstancePlan, InterfacePlan, SitePlan } from '../plan.js';
import { RRAS_BGP_HOLD_S, RRAS_CHILD_LIFETIME_KB, RRAS_IKE_LIFETIME_S, RRAS_NETWORK_OUTAGE_S } from './defaults.js';
import { rrasEnds } from './ends.js';
import type { RrasModel, RrasS2SInterface } from './model.js';

/*
 * A Windows Server RRAS site as the emulator runs it: the server is one node with its adapters;
 * each S2S interface is a route-based tunnel named after the interface (so NetRoutes can name it
 * as InterfaceAlias, as the RRAS console does), dialled at start (Connect-VpnS2SInterface); the
 * BGP router speaks from its LocalIPAddress with the peers' own hold times.
 */

function adapterInterfaces(model: RrasModel, findings: Findings): InterfacePlan[] {
  return model.adapters.flatMap((adapter) => {
    const { resource, path, prefix } = adapter;
    if (prefix === undefined) {
      findings.error('RRAS_ADAPTER_ADDRESS', [...path, 'IPAddress'], `adapter '${adapter.name}' IPAddress ${resource.IPAddress} has no prefix length and no Subnet: Windows cannot configure the address without its mask`,
        'write the address with its length (192.168.37.1/24), or give Subnet');
      return [];
    }
    const attach = adapter.internet ? 'internet' as const : adapter.subnet !== undefined ? { subnet: adapter.subnet.name } : undefined;
    if (attach === undefined) {
      findings.error('RRAS_ADAPTER_UNATTACHED', path, `adapter '${adapter.name}' is attached to nothing: it has neither Subnet nor Internet, so no packet can reach it`,
        'give Subnet (the LAN it is cabled to), or Internet: true for the public adapter');
      return [];
    }
    return [{ name: adapter.name, address: adapter.address, prefix, attach }];
  });
}

/** The IKE peer and tunnel of one S2S interface; undefined (with a finding) when it cannot be built. */
function s2sPeer(model: RrasModel, s2s: RrasS2SInterface, localAddress: number, findings: Findings): { peer: PeerConfig; tunnel: TunnelSpec } | undefined {
  const { resource: iface, path, offer } = s2s;
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
  if ('problem' in offer) {
    findings.error('RRAS_NOT_EMULATED', path, `${label}: ${offer.problem}`, UNIMPLEMENTED_ALGORITHM_FIX);
    return undefined;
  }
  const server = model.ipsecConfiguration?.resource;
  const remote = s2s.destinations[0]!.value;
  const childKb = iface.SADataSizeForRenegotiationKilobytes ?? server?.SADataSizeForRenegotiationKilobytes ?? RRAS_CHILD_LIFETIME_KB;
  const outage = iface.NetworkOutageTimeSeconds ?? RRAS_NETWORK_OUTAGE_S;
  const redial = iface.RedialOnLinkFailure === true || iface.RedialOnLinkFailure === 1 || iface.Persistent === true;
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
      localSelectors: [...s2s.localSelectors.selectors],
      remoteSelectors: [...s2s.remoteSelectors.selectors],
      lifetimes: lifetimesFor(s2s.childLifetimeS, childKb),
      startAction: iface.AdminStatus === false ? 'none' : 'start',
    }],
    retransmit: retransmitWithin(Math.max(outage, 30)),
  };
  return { peer, tunnel: { connection: iface.Name, child: iface.Name, kind: 'route', routes: [...s2s.routes], interfaceName: iface.Name } };
}

function bgpNeighbors(model: RrasModel, findings: Findings): NeighborConfig[] {
  return uniqueByName(model.bgpPeers, (p) => p.name, (i) => [...model.bgpPeers[i]!.path, 'Name'], 'BGP peer', 'RRAS_DUPLICATE_NAME', findings).map(({ item: p }) => ({
    name: p.name,
    address: p.peerAddress.value,
    asn: p.resource.PeerASN,
    localAddress: p.localAddress.value,
    passive: p.passive,
    holdTime: p.holdTime,
    ...(p.resource.MaxAllowedPrefix !== undefined ? { maxPrefix: { limit: p.resource.MaxAllowedPrefix, action: 'teardown' as const } } : {}),
    ...(p.resource.Weight !== undefined ? { weight: p.resource.Weight } : {}),
    importPolicy: ACCEPT_ALL,
    exportPolicy: model.bgpRouter?.transitRouting === true ? ACCEPT_ALL : ownRoutesOnly(`${p.name}-no-transit`),
  }));
}

/**
 * A BGP peer's LocalIPAddress that no adapter holds: an APIPA address (169.254.x.x) lives on the
 * S2S interface that routes the peer — the tunnel side, where Azure's APIPA guidance puts the
 * on-premises BGP address (inferred for RRAS: Microsoft documents the tunnel-interface address for
 * devices in general). Any other address RRAS cannot speak from.
 */
function withApipaAddresses(model: RrasModel, tunnels: TunnelSpec[], own: ReadonlySet<Ipv4Address>, findings: Findings): TunnelSpec[] {
  const extra = new Map<string, Ipv4Address[]>();
  for (const peer of model.bgpPeers) {
    const local = peer.localAddress.value;
    if (own.has(local)) continue;
    const via = isLinkLocal(local) ? model.interfaces.find((i) => i.routes.some((r) => prefixContains(r, peer.peerAddress.value))) : undefined;
    if (via === undefined) {
      findings.error('RRAS_BGP_LOCAL_ADDRESS', peer.localAddress.path, `BGP peer '${peer.name}' LocalIPAddress ${formatIpv4(local)} is none of the server's addresses${isLinkLocal(local) ? ', and no S2S interface routes its PeerIPAddress to carry it as an APIPA address' : ''}: RRAS cannot speak BGP from it, so the session never comes up`,
        `use an address of the server (its LAN adapter, ${model.adapters.filter((a) => !a.internet).map((a) => formatIpv4(a.address)).join(', ') || 'none yet'}), or an APIPA address with a route to the peer through the S2S interface`);
      continue;
    }
    extra.set(via.name, [...(extra.get(via.name) ?? []), local]);
  }
  return tunnels.map((t) => {
    const addresses = extra.get(t.connection);
    if (addresses === undefined) return t;
    return { ...t, interfaceAddresses: [...(t.interfaceAddresses ?? []), ...addresses.map((address) => ({ address, prefix: { address, length: 32 } }))] };
  });
}

export function planRrasSite(ref: ModelRef<'rras', RrasModel | undefined>, findings: Findings): SitePlan | undefined {
  const model = ref.model;
  if (model === undefined) return undefined;
  const name = model.serverName;
  const interfaces = adapterInterfaces(model, findings);
  const publicIface = interfaces.find((i) => i.attach === 'internet');
  const routes: Route[] = [];
  for (const adapter of model.adapters) {
    if (adapter.defaultGateway !== undefined) routes.push({ prefix: ANY, nextHop: adapter.defaultGateway.value, interface: adapter.name, source: 'static', origin: `${adapter.name} default gateway` });
  }
  if (publicIface !== undefined && routes.length === 0) routes.push(defaultRouteVia(publicIface.name, `${publicIface.name} (public NIC)`));
  for (const r of model.netRoutes) {
    if (r.via.target?.kind === 's2s') continue;
    routes.push({
      prefix: r.destination, interface: r.via.name, source: 'static', origin: 'New-NetRoute',
      ...(r.nextHop !== undefined ? { nextHop: r.nextHop } : {}),
      ...(r.resource.RouteMetric !== undefined ? { metric: r.resource.RouteMetric } : {}),
    });
  }
  const s2s = model.interfaces;
  if (s2s.length > 0 && model.publicAdapter === undefined) {
    findings.error('RRAS_NO_PUBLIC_ADAPTER', [...ref.at, 'Server', 'NetworkAdapters'], `RRAS '${name}' has S2S interfaces but no public adapter (Internet: true) to dial them from`,
      'mark the adapter facing the Internet with Internet: true');
  }
  const ikeAddress = publicIface?.address ?? 0;
  const interfacesOnce = uniqueByName(s2s, (i) => i.name, (i) => [...s2s[i]!.path, 'Name'], 'S2S interface', 'RRAS_DUPLICATE_NAME', findings);
  const own = new Set(model.adapters.map((a) => a.address));
  const built = model.publicAdapter === undefined ? [] : interfacesOnce.flatMap(({ item: iface }) => {
    const source = iface.ikeSource ?? ikeAddress;
    if (iface.resource.SourceIpAddress !== undefined && !own.has(source)) {
      findings.error('RRAS_SOURCE_ADDRESS', [...iface.path, 'SourceIpAddress'], `S2S interface '${iface.name}' SourceIpAddress ${iface.resource.SourceIpAddress} is none of the server's addresses: RRAS cannot send IKE from it, so the interface never connects`,
        `use the address of one of its adapters (${model.adapters.filter((a) => a.internet).map((a) => formatIpv4(a.address)).join(', ') || 'a public one'})`);
      return [];
    }
    return s2sPeer(model, iface, source, findings) ?? [];
  });
  const tunnels = withApipaAddresses(model, built.map((b) => b.tunnel), own, findings);
  const router = model.bgpRouter;
  if (router?.identifier.value === 0) {
    findings.error('RRAS_BGP_IDENTIFIER', router.identifier.path, 'Add-BgpRouter -BgpIdentifier 0.0.0.0: a BGP identifier must be a non-zero address (RFC 4271 §4.2, RFC 6286), so RRAS refuses the router',
      'use one of the server\'s own addresses, e.g. its LAN address');
  }
  const instance: InstancePlan = {
    name,
    resource: name,
    platform: 'rras',
    os: 'windows',
    interfaces,
    routes,
    ...(built.length > 0 ? { ipsec: { address: ikeAddress, peers: built.map((b) => b.peer), tunnels, delayedStarts: [] } } : {}),
    ...(router !== undefined && router.identifier.value !== 0 ? {
      bgp: {
        config: {
          localAs: router.localAsn.value, routerId: router.identifier.value, neighbors: bgpNeighbors(model, findings),
          networks: [...model.advertised], ebgpRequiresPolicy: false, holdTime: RRAS_BGP_HOLD_S,
        },
      },
    } : {}),
  };
  const hostGateways = new Map<string, number>();
  for (const i of interfaces) if (i.attach !== 'internet' && !hostGateways.has(i.attach.subnet)) hostGateways.set(i.attach.subnet, i.address);
  return { site: ref.site.name, instances: [instance], hostGateways, ends: rrasEnds(ref) };
}
