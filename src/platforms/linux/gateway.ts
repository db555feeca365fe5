import type { NeighborConfig } from '../../bgp/neighbor.js';
import type { ChildConfig, PeerConfig, TunnelSpec } from '../../ike/config.js';
import { parseIdentity } from '../../ike/payloads/id.js';
import { parseProposals } from '../../ike/proposal.js';
import { formatIpv4, prefixContains, type Prefix } from '../../net/address.js';
import type { Route } from '../../router/route-table.js';
import type { Findings, ModelRef } from '../adapter.js';
import { defaultRouteVia, lifetimesFor, pskBytes, selectors, UNIMPLEMENTED_ALGORITHM_FIX, unimplementedDhGroup } from '../common.js';
import type { InstancePlan, InterfacePlan, SitePlan } from '../plan.js';
import { LINUX_DEFAULTS } from './defaults.js';
import { linuxEnds } from './ends.js';
import { connectedCheckFails, holdsRoute, type LinuxChild, type LinuxConnection, type LinuxGatewayModel, type LinuxModel } from './model.js';

/*
 * A Linux gateway as the emulator runs it: one node with its NICs and `ip route`s; each swanctl
 * connection an IKE peer, each child with an if_id a route-based tunnel carried by the XFRM
 * interface of that if_id (the routes whose dev it is lead into it), each child without one a
 * policy-based tunnel matching local_ts ⇄ remote_ts; FRR's `router bgp` a speaker with FRR's
 * defaults (hold 180 s, RFC 8212 on, eBGP peers that must be directly connected).
 */

/** strongSwan's charon.retransmit_timeout / _base / _tries. */
const STRONGSWAN_RETRANSMIT = { timeoutMs: 4000, base: 1.8, tries: 5 } as const;

function nicInterfaces(gateway: LinuxGatewayModel, findings: Findings): InterfacePlan[] {
  return gateway.nics.flatMap((nic) => {
    if (nic.prefix === undefined) {
      findings.error('LINUX_INTERFACE_ADDRESS', [...nic.path, 'address'], `interface '${nic.name}' address ${nic.resource.address} has no prefix length and no subnet: \`ip address add\` needs the length`,
        'write the address with its length (192.168.37.1/24), or give subnet');
      return [];
    }
    if (nic.attach === undefined) {
      findings.error('LINUX_INTERFACE_UNATTACHED', nic.path, `interface '${nic.name}' is cabled to nothing: it has neither subnet nor internet, so no packet reaches it`,
        'give subnet (the LAN it is on), or internet: true for the public NIC');
      return [];
    }
    return [{ name: nic.name, address: nic.address, prefix: nic.prefix, attach: nic.attach, ...(nic.resource.mtu !== undefined ? { mtu: nic.resource.mtu } : {}) }];
  });
}

function staticRoutes(gateway: LinuxGatewayModel, planned: readonly InterfacePlan[], findings: Findings): Route[] {
  const routes: Route[] = [];
  for (const r of gateway.routes) {
    if (r.dev !== undefined && r.dev.target === undefined) {
      findings.error('LINUX_UNKNOWN_DEVICE', r.dev.path, `route ${r.resource.to} goes out of dev '${r.dev.name}', which the machine does not have: \`ip route add\` fails with "Cannot find device" and the route does not exist`,
        `use one of ${[...gateway.nics, ...gateway.xfrm].map((d) => d.name).join(', ')}`);
      continue;
    }
    if (r.dev?.target?.kind === 'xfrm') continue; // carried by the tunnel of that interface
    const iface = r.dev?.name ?? planned.find((p) => r.via !== undefined && prefixContains(p.prefix, r.via))?.name;
    routes.push({
      prefix: r.prefix, source: 'static', origin: 'ip route',
      ...(iface !== undefined ? { interface: iface } : {}),
      ...(r.via !== undefined ? { nextHop: r.via } : {}),
      ...(r.resource.metric !== undefined ? { metric: r.resource.metric } : {}),
    });
  }
  const publicNic = planned.find((i) => i.attach === 'internet');
  if (publicNic !== undefined && !routes.some((r) => r.prefix.length === 0)) routes.push(defaultRouteVia(publicNic.name, `${publicNic.name} (public NIC)`));
  return routes;
}

/** What strongSwan would refuse or vpnlab cannot run in a connection; true when it can be built. */
function connectionBuildable(gateway: LinuxGatewayModel, c: LinuxConnection, findings: Findings): boolean {
  const label = `swanctl connection '${c.name}'`;
  const { resource } = c;
  if (resource.version === 1) {
    findings.error('LINUX_NOT_EMULATED', [...c.path, 'version'], `${label} is IKEv1 (version = 1): vpnlab emulates IKEv2 only`, 'set version = 2 (both Azure and Alibaba\'s dual-tunnel connections speak IKEv2)');
    return false;
  }
  for (const side of ['local', 'remote'] as const) {
    const auth = resource[side]?.auth;
    if (auth !== undefined && auth !== 'psk') {
      findings.error('LINUX_NOT_EMULATED', [...c.path, side, 'auth'], `${label} ${side}.auth = ${auth}: vpnlab emulates pre-shared keys only`, 'use auth = psk with a secrets entry');
      return false;
    }
  }
  for (const [texts, kind, path] of [[c.ikeProposals, 'ike', [...c.path, 'proposals']], ...c.children.map((ch) => [ch.espProposals, 'esp', [...ch.path, 'esp_proposals']] as const)] as const) {
    const group = unimplementedDhGroup(texts, kind);
    if (group !== undefined) {
      findings.error('LINUX_NOT_EMULATED', path, `${label} offers DH group ${group}, which vpnlab does not implement`, UNIMPLEMENTED_ALGORITHM_FIX);
      return false;
    }
  }
  if (!gateway.addresses.includes(c.local.value)) {
    findings.warning('LINUX_LOCAL_ADDRS', c.local.path, `${label} local_addrs ${formatIpv4(c.local.value)} is none of the machine's addresses: charon cannot send IKE from it, so the connection never comes up`,
      `use the public NIC's address (${gateway.nics.filter((n) => n.attach === 'internet').map((n) => formatIpv4(n.address)).join(', ') || 'none yet'})`);
    return false;
  }
  if (c.psk === undefined) {
    findings.warning('LINUX_NO_SECRET', c.path, `${label} has no pre-shared key: no secrets entry names ${c.remoteId} or ${c.localId} (or none without id), so IKE_AUTH fails and the tunnel never comes up`,
      `add secrets: { ike-${c.name}: { id: ${c.remoteId}, secret: "<the peer's key>" } }`);
    return false;
  }
  return true;
}

function childConfig(ch: LinuxChild): ChildConfig {
  return {
    name: ch.name,
    espProposals: parseProposals(ch.espProposals, 'esp'),
    localSelectors: selectors(ch.localTs.value),
    remoteSelectors: selectors(ch.remoteTs.value),
    lifetimes: ch.resource.life_time !== undefined && ch.resource.life_time > ch.rekeyTime
      ? { rekeySeconds: ch.rekeyTime, lifeSeconds: ch.resource.life_time }
      : lifetimesFor(ch.rekeyTime),
    startAction: ch.resource.start_action ?? 'none',
  };
}

function peerConfig(c: LinuxConnection, children: readonly LinuxChild[]): PeerConfig {
  const restart = children.some((ch) => ch.resource.dpd_action === 'restart' || ch.resource.dpd_action === 'trap');
  return {
    name: c.name,
    localAddress: c.local.value,
    remoteAddress: c.remote.value,
    localIdentity: parseIdentity(c.localId),
    remoteIdentity: c.remoteId === '%any' ? undefined : parseIdentity(c.remoteId),
    psk: pskBytes(c.psk!.value),
    ikeProposals: parseProposals(c.ikeProposals, 'ike'),
    ikeRekeySeconds: c.resource.rekey_time ?? LINUX_DEFAULTS.ikeRekeyS,
    dpdDelaySeconds: c.resource.dpd_delay ?? 0,
    dpdAction: restart ? 'restart' : 'clear',
    forceEncapsulation: c.encap,
    responderOnly: false,
    children: children.map(childConfig),
    retransmit: STRONGSWAN_RETRANSMIT,
  };
}

/** The tunnels of a connection's children: route-based on their XFRM interface, else policy-based. */
function tunnelsOf(gateway: LinuxGatewayModel, c: LinuxConnection, children: readonly LinuxChild[], used: Map<number, string>, findings: Findings): { child: LinuxChild; tunnel: TunnelSpec }[] {
  return children.flatMap((ch): { child: LinuxChild; tunnel: TunnelSpec }[] => {
    if (ch.ifId === undefined) {
      return [{ child: ch, tunnel: { connection: c.name, child: ch.name, kind: 'policy' as const, routes: [...ch.remoteTs.value] } }];
    }
    const id = ch.ifId.value;
    const holder = used.get(id);
    if (holder !== undefined) {
      findings.error('LINUX_NOT_EMULATED', ch.ifId.path, `child '${ch.name}' shares if_id ${id} with child '${holder}': vpnlab carries one CHILD_SA per XFRM interface`, 'give each child its own XFRM interface (if_id)');
      return [];
    }
    used.set(id, ch.name);
    const x = ch.xfrm;
    const routes: Prefix[] = x === undefined ? [] : gateway.routes.filter((r) => r.dev?.target === x).map((r) => r.prefix);
    return [{
      child: ch,
      tunnel: {
        connection: c.name, child: ch.name, kind: 'route' as const, routes,
        interfaceName: x?.name ?? `xfrm-if-${id}`,
        ...(x !== undefined && x.addresses.length > 0 ? { interfaceAddresses: x.addresses.map((a) => ({ ...a })) } : {}),
      },
    }];
  });
}

function bgpNeighbors(gateway: LinuxGatewayModel, findings: Findings): NeighborConfig[] {
  const bgp = gateway.bgp!;
  const asn = bgp.asn.value;
  return bgp.neighbors.flatMap((n): NeighborConfig[] => {
    if (n.remoteAs === 'external') {
      findings.error('LINUX_NOT_EMULATED', [...n.path, 'remote-as'], `neighbor ${formatIpv4(n.address.value)} remote-as external: vpnlab needs the peer's ASN`, 'write the peer\'s ASN (neighbor X remote-as ASN)');
      return [];
    }
    const [keepalive, hold] = n.resource.timers ?? [LINUX_DEFAULTS.bgpKeepaliveS, LINUX_DEFAULTS.bgpHoldS];
    const blocked = connectedCheckFails(gateway, asn, n);
    return [{
      address: n.address.value,
      asn: n.remoteAs === 'internal' ? asn : n.remoteAs,
      ...(n.updateSource !== undefined ? { localAddress: n.updateSource.value } : {}),
      holdTime: hold,
      ...(keepalive > 0 ? { keepaliveTime: keepalive } : {}),
      ...(n.resource.passive === true || blocked ? { passive: true } : {}),
      ...(blocked ? { acceptIncoming: false } : {}),
      ...(n.resource['maximum-prefix'] !== undefined ? { maxPrefix: { limit: n.resource['maximum-prefix'], action: 'teardown' as const } } : {}),
    }];
  });
}

function planGateway(gateway: LinuxGatewayModel, findings: Findings): { instance: InstancePlan; hostGateways: [string, number][] } {
  const interfaces = nicInterfaces(gateway, findings);
  const routes = staticRoutes(gateway, interfaces, findings);
  const used = new Map<number, string>();
  const peers: PeerConfig[] = [];
  const tunnels: TunnelSpec[] = [];
  const childNames = new Set<string>();
  for (const c of gateway.connections) {
    if (!connectionBuildable(gateway, c, findings)) continue;
    const children = c.children.filter((ch) => {
      if (!childNames.has(ch.name)) return childNames.add(ch.name);
      findings.error('LINUX_DUPLICATE_NAME', ch.path, `a second child named '${ch.name}': \`swanctl --initiate --child ${ch.name}\` could not tell them apart, and vpnlab knows a CHILD_SA by its name`, 'rename it');
      return false;
    });
    const built = tunnelsOf(gateway, c, children, used, findings);
    if (built.length === 0) continue;
    peers.push(peerConfig(c, built.map((b) => b.child)));
    tunnels.push(...built.map((b) => b.tunnel));
  }
  const publicNic = interfaces.find((i) => i.attach === 'internet');
  const bgp = gateway.bgp;
  const instance: InstancePlan = {
    name: gateway.name,
    resource: gateway.name,
    platform: 'linux',
    os: 'linux',
    interfaces,
    routes,
    ...(peers.length > 0 ? { ipsec: { address: publicNic?.address ?? peers[0]!.localAddress, peers, tunnels, delayedStarts: [] } } : {}),
    ...(bgp !== undefined ? {
      bgp: {
        config: {
          localAs: bgp.asn.value, routerId: bgp.routerId, neighbors: bgpNeighbors(gateway, findings),
          networks: bgp.networks.filter((n) => holdsRoute(gateway, n.value)).map((n) => n.value), ebgpRequiresPolicy: bgp.requiresPolicy, holdTime: LINUX_DEFAULTS.bgpHoldS,
        },
      },
    } : {}),
  };
  const hostGateways: [string, number][] = interfaces.flatMap((i) => (i.attach === 'internet' ? [] : [[i.attach.subnet, i.address] as [string, number]]));
  return { instance, hostGateways };
}

export function planLinuxSite(ref: ModelRef<'linux', LinuxModel | undefined>, findings: Findings): SitePlan | undefined {
  const model = ref.model;
  if (model === undefined) return undefined;
  const planned = model.gateways.map((g) => planGateway(g, findings));
  const hostGateways = new Map<string, number>();
  for (const { hostGateways: pairs } of planned) for (const [subnet, address] of pairs) if (!hostGateways.has(subnet)) hostGateways.set(subnet, address);
  return { site: ref.site.name, instances: planned.map((p) => p.instance), hostGateways, ends: linuxEnds(ref) };
}
