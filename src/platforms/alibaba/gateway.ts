import type { Rng } from '../../core/rng.js';
import type { NeighborConfig } from '../../bgp/neighbor.js';
import type { ChildConfig, PeerConfig, TunnelSpec } from '../../ike/config.js';
import { ipv4Identity } from '../../ike/payloads/id.js';
import { parseProposals } from '../../ike/proposal.js';
import type { Prefix } from '../../net/address.js';
import type { Findings, ModelRef } from '../adapter.js';
import {
  addPrefix, ANY_SELECTOR, defaultRouteVia, hostPrefix, lifetimesFor, pickAddress, pskBytes,
  NOT_EMULATED_FIX, retransmitWithin, selectors, takenAddresses, UNIMPLEMENTED_ALGORITHM_FIX, uniqueByName, unimplementedDhGroup,
} from '../common.js';
import type { BgpPlan, FabricRoute, InstancePlan, InterfacePlan, PlanContext, SitePlan } from '../plan.js';
import { advertisedPrefixes, tunnelNeighbor, tunnelSession } from './bgp.js';
import { ALIBABA_LIFETIME_S, ALIBABA_PREPARING_MS, ALIBABA_PSK_CHARACTERS } from './defaults.js';
import { alibabaEnds } from './ends.js';
import type { AlibabaConnection, AlibabaModel } from './model.js';

/*
 * An Alibaba Cloud VPC as the emulator runs it: a VPN gateway is one node per IPsec address (two
 * for a dual-tunnel gateway: address 1 carries every connection's Tunnel 1, address 2 its Tunnel 2),
 * each with its ENI in its vSwitch; the VPC's vRouter sends published routes to the gateway node
 * whose tunnel is up, Tunnel 1 first (active/standby, with automatic switch-back), and takes the
 * routes a tunnel's BGP session learned from its gateway node the same way (bgp.ts). Gateways are
 * "Preparing" for a simulated 1-5 minutes before they do anything.
 */

export const ALIBABA_FABRIC = 'vRouter';
const DPD_DELAY_S = 10;
const DPD_TIMEOUT_S = 30;

/** The key Alibaba generates when none is given: 16 characters of its allowed set. */
function generatedPsk(rng: Rng): string {
  const alphabet = `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789${ALIBABA_PSK_CHARACTERS}`;
  let key = '';
  for (let i = 0; i < 16; i++) key += alphabet[rng.int(alphabet.length)];
  return key;
}

/** Routes of a connection: explicit route entries, plus the unpublished policy routes protected-data-flow mode creates. */
function connectionRoutes(conn: AlibabaConnection): { all: Prefix[]; published: Prefix[] } {
  const all: Prefix[] = [];
  const published: Prefix[] = [];
  for (const e of conn.routes) {
    addPrefix(all, e.dest);
    if (e.published) addPrefix(published, e.dest);
  }
  // AutoConfigRoute adds a route per remote flow; a remote side of any adds none (never a default route into the tunnel).
  if (conn.flows !== undefined && conn.autoConfigRoute) for (const p of conn.flows.remote) if (p.length > 0) addPrefix(all, p);
  return { all, published };
}

export function planAlibabaSite(ref: ModelRef<'alibaba', AlibabaModel>, context: PlanContext, findings: Findings): SitePlan | undefined {
  const site = ref.site;
  const model = ref.model;
  if (model.block === undefined) return undefined;
  const fabricInterfaces: InterfacePlan[] = [];
  for (const subnet of model.subnets) {
    // A vSwitch's gateway is its fourth-last address (x.x.x.253 in a /24).
    const address = pickAddress(subnet.prefix, [-2], takenAddresses(ref.layout, subnet.name));
    if (address !== undefined) fabricInterfaces.push({ name: subnet.name, address, prefix: subnet.prefix, attach: { subnet: subnet.name } });
  }
  const instances: InstancePlan[] = [];
  const fabricRoutes: FabricRoute[] = [];
  const gateways = uniqueByName(model.gateways, (g) => g.name, (i) => [...model.gateways[i]!.path, 'Name'], 'VPN gateway', 'ALIBABA_DUPLICATE_NAME', findings);
  const unique = new Set(uniqueByName(model.connections, (c) => c.name, (i) => [...model.connections[i]!.path, 'Name'], 'IPsec connection', 'ALIBABA_DUPLICATE_NAME', findings).map((c) => c.item));
  uniqueByName(model.customerGateways, (c) => c.name, (i) => [...model.customerGateways[i]!.path, 'Name'], 'customer gateway', 'ALIBABA_DUPLICATE_NAME', findings);
  gateways.forEach(({ item: gateway }) => {
    const gp = gateway.path;
    const label = `VPN gateway '${gateway.name}'`;
    if (gateway.resource.VpnType === 'NationalStandard') {
      findings.error('ALIBABA_NOT_EMULATED', [...gp, 'VpnType'], `${label} is NationalStandard (ShangMi), which vpnlab does not emulate`, NOT_EMULATED_FIX);
      return;
    }
    if (gateway.resource.NetworkType === 'private') {
      findings.error('ALIBABA_NOT_EMULATED', [...gp, 'NetworkType'], `${label} is a private-network gateway, which vpnlab does not emulate yet`, NOT_EMULATED_FIX);
      return;
    }
    if (gateway.resource.EnableIpsec === false) return;
    const connections = gateway.connections.filter((c) => unique.has(c));
    const preparing = ALIBABA_PREPARING_MS[0] + context.rng(`alibaba:${site.name}/${gateway.name}:preparing`).int(ALIBABA_PREPARING_MS[1] - ALIBABA_PREPARING_MS[0]);
    const names = gateway.instanceNames;
    for (let k = 0; k < names.length; k++) {
      const vswitch = gateway.vswitches[k]!;
      const subnet = vswitch.target;
      if (subnet === undefined) {
        findings.error('ALIBABA_UNKNOWN_REFERENCE', vswitch.path, `${label} sits in vSwitch '${vswitch.name ?? '(none)'}', which VPC '${site.name}' does not have: Alibaba refuses the gateway`,
          `name one of the VPC's subnets (${model.subnets.map((x) => x.name).join(', ') || 'none yet'})`);
        return;
      }
      const prefix = subnet.prefix;
      const fabricAddress = fabricInterfaces.find((f) => f.name === subnet.name)?.address;
      const taken = new Set(takenAddresses(ref.layout, subnet.name));
      if (fabricAddress !== undefined) taken.add(fabricAddress);
      for (const other of instances) for (const i of other.interfaces) taken.add(i.address);
      const eni = pickAddress(prefix, [-3, -4, -5, -6, -7, -8], taken);
      if (eni === undefined) {
        findings.error('ALIBABA_VSWITCH_FULL', vswitch.path, `vSwitch '${subnet.name}' has no free address for ${label}'s ENI: Alibaba refuses the gateway`, 'free addresses in the vSwitch, or give the gateway a larger one');
        return;
      }
      const publicAddress = gateway.ipsecAddresses[k]!;
      const peers: PeerConfig[] = [];
      const tunnels: TunnelSpec[] = [];
      const generated = new Map<string, string>();
      const neighbors: NeighborConfig[] = [];
      let speaker: { localAs: number; routerId: number; neighbors: NeighborConfig[] } | undefined;
      for (const conn of connections) {
        const path = conn.path;
        const clabel = `IPsec connection '${conn.name}'`;
        if (conn.resource.HealthCheckConfig?.enable === true) {
          findings.error('ALIBABA_NOT_EMULATED', [...path, 'HealthCheckConfig'], `${clabel} has the health check on, which vpnlab does not emulate yet`, NOT_EMULATED_FIX);
          continue;
        }
        // A dual-tunnel connection on a single-tunnel gateway is ALIBABA_NOT_DUAL_TUNNEL in checks.ts.
        if (conn.dual && !gateway.dual) continue;
        const tunnel = conn.tunnels.find((t) => t.address === k + 1);
        if (tunnel === undefined) continue;
        // An unknown customer gateway is ALIBABA_UNKNOWN_REFERENCE in checks.ts.
        const cgw = tunnel.customerGateway.target;
        if (cgw === undefined) continue;
        const tunnelPath = tunnel.ikePath;
        const offer = tunnel.offer;
        if ('problem' in offer) {
          findings.error('ALIBABA_NOT_EMULATED', tunnelPath, `${clabel}: ${offer.problem}`, UNIMPLEMENTED_ALGORITHM_FIX);
          continue;
        }
        if (offer.version === 'ikev1') {
          findings.error('ALIBABA_NOT_EMULATED', [...tunnelPath, 'IkeVersion'], `${clabel} uses IKEv1, which vpnlab does not emulate (it speaks IKEv2)`, 'set IkeVersion: ikev2 (the peer must speak it too)');
          continue;
        }
        const dh = unimplementedDhGroup([offer.ike], 'ike') ?? unimplementedDhGroup([offer.esp], 'esp');
        if (dh !== undefined) {
          findings.error('ALIBABA_NOT_EMULATED', tunnelPath, `${clabel} uses DH group ${dh}, which vpnlab does not implement`, 'choose group2 or a stronger group on both ends');
          continue;
        }
        const psk = tunnel.ike?.Psk ?? generatedPsk(context.rng(`alibaba:${site.name}/${conn.name}/${k + 1}:psk`));
        if (tunnel.ike?.Psk === undefined) generated.set(`${conn.name} tunnel ${k + 1} pre-shared key`, psk);
        const immediate = conn.effectImmediately;
        const flows = conn.flows;
        const remote = cgw.address;
        const child: ChildConfig = {
          name: conn.name,
          espProposals: parseProposals([offer.esp], 'esp'),
          localSelectors: flows === undefined ? [ANY_SELECTOR] : selectors(flows.local),
          remoteSelectors: flows === undefined ? [ANY_SELECTOR] : selectors(flows.remote),
          lifetimes: lifetimesFor(tunnel.ipsec?.IpsecLifetime ?? ALIBABA_LIFETIME_S),
          startAction: immediate ? 'start' : 'trap',
        };
        peers.push({
          name: conn.name,
          localAddress: publicAddress,
          remoteAddress: remote,
          localIdentity: tunnel.localId ?? ipv4Identity(publicAddress),
          remoteIdentity: tunnel.remoteId ?? ipv4Identity(remote),
          psk: pskBytes(psk),
          ikeProposals: parseProposals([offer.ike], 'ike'),
          ikeRekeySeconds: tunnel.ike?.IkeLifetime ?? ALIBABA_LIFETIME_S,
          dpdDelaySeconds: tunnel.dpd ? DPD_DELAY_S : 0,
          dpdAction: immediate ? 'restart' : 'clear',
          forceEncapsulation: false,
          responderOnly: false,
          children: [child],
          retransmit: retransmitWithin(DPD_TIMEOUT_S),
        });
        const routes = connectionRoutes(conn);
        const session = tunnelSession(tunnel);
        if (session !== undefined) {
          if (speaker === undefined) speaker = { localAs: session.localAsn, routerId: session.local, neighbors };
          if (session.localAsn !== speaker.localAs) {
            findings.error('ALIBABA_NOT_EMULATED', [...tunnel.bgp.path, 'LocalAsn'], `${clabel} Tunnel ${k + 1} LocalAsn ${session.localAsn} differs from the LocalAsn ${speaker.localAs} of another tunnel on IPsec address ${k + 1}: vpnlab runs one BGP speaker per IPsec address`,
              'give the tunnels of one IPsec address the same LocalAsn');
          } else neighbors.push(tunnelNeighbor(conn, gateway, session));
          addPrefix(routes.all, hostPrefix(session.peer));
        }
        tunnels.push({
          connection: conn.name, child: conn.name, kind: 'route', routes: routes.all,
          ...(session !== undefined ? { interfaceAddresses: [{ address: session.local, prefix: hostPrefix(session.local) }] } : {}),
        });
        if (k === 0) {
          for (const p of routes.published) {
            fabricRoutes.push({ prefix: p, via: conn.tunnels.map((t) => names[t.address - 1]!), mode: 'failover', origin: `VPN gateway ${gateway.name} route to ${conn.name} (published)` });
          }
        }
      }
      instances.push({
        name: names[k]!,
        resource: gateway.name,
        platform: 'alibaba',
        os: 'linux',
        interfaces: [
          { name: `ipsec${k + 1}`, address: publicAddress, prefix: hostPrefix(publicAddress), attach: 'internet' },
          { name: `eni${k + 1}`, address: eni, prefix, attach: { subnet: subnet.name } },
        ],
        routes: [
          defaultRouteVia(`ipsec${k + 1}`, `IPsec address ${k + 1}`),
          ...(fabricAddress === undefined ? [] : model.vpc.map((p) => ({ prefix: p, nextHop: fabricAddress, interface: `eni${k + 1}`, source: 'static' as const, origin: 'VPC CIDR' }))),
        ],
        ipsec: { address: publicAddress, peers, tunnels, delayedStarts: [] },
        readyAfterMs: preparing,
        ...(speaker !== undefined ? { bgp: bgpPlan(speaker, model) } : {}),
        ...(generated.size > 0 ? { generated } : {}),
      });
    }
  });
  const hostGateways = new Map(fabricInterfaces.map((f) => [f.name, f.address] as const));
  // BGP-learned routes reach the VPC system route table (AutoPropagate, L5), Tunnel 1's first.
  const propagateFrom = gateways.filter(({ item: g }) => g.resource.AutoPropagate !== false).flatMap(({ item: g }) => g.instanceNames)
    .filter((name) => instances.some((i) => i.name === name && i.bgp !== undefined));
  return {
    site: site.name,
    instances,
    fabric: {
      name: ALIBABA_FABRIC, interfaces: fabricInterfaces, routes: fabricRoutes, propagateFrom,
      ...(propagateFrom.length > 0 ? { propagation: { only: 'bgp', mode: 'failover', origin: 'VPN gateway BGP route' } as const } : {}),
    },
    hostGateways,
    ends: alibabaEnds(ref),
  };
}

function bgpPlan(speaker: { localAs: number; routerId: number; neighbors: NeighborConfig[] }, model: AlibabaModel): BgpPlan {
  return { config: { ...speaker, networks: advertisedPrefixes(model), ebgpRequiresPolicy: false } };
}
