import type { NeighborConfig } from '../../bgp/neighbor.js';
import type { Policy } from '../../bgp/policy/types.js';
import type { ChildConfig, PeerConfig, TunnelSpec } from '../../ike/config.js';
import { ipv4Identity } from '../../ike/payloads/id.js';
import { parseProposals } from '../../ike/proposal.js';
import { formatIpv4, isLinkLocal, type Ipv4Address, type Prefix } from '../../net/address.js';
import type { DocPath } from '../../config/source.js';
import type { Findings, ModelRef } from '../adapter.js';
import type { SiteLayout } from '../../topology/layout.js';
import {
  addPrefix, ANY_SELECTOR, defaultRouteVia, OWN_ROUTES, hostPrefix, lifetimesFor, pickAddress, pskBytes, rejectExactly,
  NOT_EMULATED_FIX, retransmitWithin, selectors, takenAddresses, UNIMPLEMENTED_ALGORITHM_FIX, uniqueByName, unimplementedDhGroup,
} from '../common.js';
import type { FabricPlan, InstancePlan, InterfacePlan, PlanContext, SitePlan } from '../plan.js';
import { azureEnds } from './ends.js';
import { azureOffer, bgpStance, connectionRemotes, policySelectors, type AzureOffer, type RemoteEnd } from './connection.js';
import { AZURE_BGP_HOLD_S, AZURE_BGP_KEEPALIVE_S, AZURE_DPD_TIMEOUT_S, AZURE_IKE_LIFETIME_S, AZURE_MAX_PREFIXES, AZURE_PROVISIONING_MS } from './defaults.js';
import type { AzureGatewayFacts, AzureInstanceFacts, AzureSiteOf } from './facts.js';
import { peerGateway, type AzureModel, type ModelConnection } from './model.js';
import type { Connection, VirtualNetworkGateway } from '../../topology/platforms/azure.js';

/*
 * An Azure VNet as the emulator runs it: one node per gateway instance (two for active-active),
 * each with its public IP on the Internet and its BGP address in GatewaySubnet, one route-based
 * tunnel per connection and remote endpoint, a BGP speaker with Azure's fixed timers, limits and
 * advertisement rules; and the VNet's routing ("vnet-router"), which takes the routes of the
 * gateway instances (system routes with next hop type "Virtual network gateway").
 */

export const AZURE_FABRIC = 'vnet-router';
/** Seconds after start at which Azure dials its connections; the peers have usually dialled first. */
const AZURE_DIAL_DELAY_MS = 5000;
const DPD_DELAY_S = 10;

/** A connection, where its refusals are reported, and whom it dials. */
interface ConnectionRef {
  readonly conn: Connection;
  readonly path: DocPath;
  readonly findings: Findings;
  readonly model: ModelConnection;
  readonly peer: AzureGatewayFacts | undefined;
}

function remoteEnds(site: AzureSiteOf, facts: AzureGatewayFacts, { conn, path, findings, model, peer }: ConnectionRef): RemoteEnd[] {
  const remotes = connectionRemotes(model, facts, peer);
  if (Array.isArray(remotes)) return remotes;
  switch (remotes.kind) {
    case 'unknown-lng':
      findings.error('AZURE_UNKNOWN_REFERENCE', [...path, 'localNetworkGateway2'], `connection '${conn.name}' names no local network gateway of VNet '${site.name}' (localNetworkGateway2 ${conn.localNetworkGateway2 ?? 'missing'}): Azure refuses the connection`,
        'name one of the VNet\'s localNetworkGateways');
      break;
    case 'lng-fqdn':
      findings.error('AZURE_NOT_EMULATED', path, `connection '${conn.name}': local network gateway '${remotes.lng}' gives an fqdn, and the emulator has no DNS`, 'give gatewayIpAddress');
      break;
    case 'no-vnet-gateway':
      findings.error('AZURE_UNKNOWN_REFERENCE', path, `Vnet2Vnet connection '${conn.name}' names no virtualNetworkGateway2: Azure refuses the connection`, 'set virtualNetworkGateway2: "site/gateway"');
      break;
    case 'unknown-vnet-gateway':
      break; // AZURE_UNKNOWN_REFERENCE in checks.ts, with the names it could have meant
    case 'express-route':
      findings.error('AZURE_NOT_EMULATED', [...path, 'connectionType'], `connection '${conn.name}' is ExpressRoute, which vpnlab does not emulate`, NOT_EMULATED_FIX);
      break;
  }
  return [];
}

function proposals({ conn, path, findings }: ConnectionRef): AzureOffer | undefined {
  const offer = azureOffer(conn);
  if ('problem' in offer) {
    findings.error('AZURE_NOT_EMULATED', [...path, 'ipsecPolicies', 0], `connection '${conn.name}' IPsec policy: ${offer.problem}`, UNIMPLEMENTED_ALGORITHM_FIX);
    return undefined;
  }
  const dh = unimplementedDhGroup(offer.ike, 'ike') ?? unimplementedDhGroup(offer.esp, 'esp');
  if (dh !== undefined) {
    findings.error('AZURE_NOT_EMULATED', [...path, 'ipsecPolicies', 0], `connection '${conn.name}' IPsec policy uses DH group ${dh}, which vpnlab does not implement`, 'choose DHGroup2/PFS2 or a stronger group on both ends');
    return undefined;
  }
  return offer;
}

/** Azure's export rules for one BGP peer (S1): no default route, not its own prefixes back, no learned route overlapping the VNet. */
function exportPolicy(name: string, vnet: readonly Prefix[], own: readonly Prefix[]): Policy {
  const ownRoute = OWN_ROUTES;
  return {
    name,
    statements: [
      { name: 'no-default', conditions: [{ type: 'prefix', entries: [{ prefix: { address: 0, length: 0 } }] }], result: 'reject' },
      ...(own.length > 0 ? [{ name: 'not-back-to-its-owner', conditions: [ownRoute, { type: 'prefix' as const, entries: own.map((prefix) => ({ prefix })) }], result: 'reject' as const }] : []),
      ...(vnet.length > 0 ? [{ name: 'no-learned-vnet-overlap', conditions: [{ type: 'not' as const, condition: ownRoute }, { type: 'prefix-overlaps' as const, prefixes: [...vnet] }], result: 'reject' as const }] : []),
    ],
    default: 'accept',
  };
}

interface InstanceParts {
  peers: PeerConfig[];
  tunnels: TunnelSpec[];
  neighbors: NeighborConfig[];
  originated: Prefix[];
}

function connectionParts(site: AzureSiteOf, facts: AzureGatewayFacts, instance: AzureInstanceFacts, ref: ConnectionRef, parts: InstanceParts): void {
  const { conn, path, findings } = ref;
  if (conn.connectionProtocol === 'IKEv1') {
    findings.error('AZURE_NOT_EMULATED', [...path, 'connectionProtocol'], `connection '${conn.name}' uses IKEv1, which vpnlab does not emulate (it speaks IKEv2)`, 'set connectionProtocol: IKEv2 (the peer must speak it too)');
    return;
  }
  if ((conn.egressNatRules?.length ?? 0) + (conn.ingressNatRules?.length ?? 0) > 0) {
    findings.error('AZURE_NOT_EMULATED', [...path, conn.egressNatRules !== undefined ? 'egressNatRules' : 'ingressNatRules'], `connection '${conn.name}' uses gateway NAT rules, which vpnlab does not emulate yet`, NOT_EMULATED_FIX);
    return;
  }
  if (conn.sharedKey === undefined) {
    findings.error('AZURE_SHARED_KEY_MISSING', path, `connection '${conn.name}' has no sharedKey: Azure generates a random key the peer cannot know, so IKE_AUTH fails with AUTHENTICATION_FAILED`, 'set sharedKey to the key configured on the peer');
    return;
  }
  const offer = proposals(ref);
  if (offer === undefined) return;
  const dpdTimeout = conn.dpdTimeoutSeconds ?? AZURE_DPD_TIMEOUT_S;
  for (const end of remoteEnds(site, facts, ref)) {
    const narrow = policySelectors(conn, facts, end);
    const localSelectors = narrow !== undefined ? selectors(narrow.local) : [ANY_SELECTOR];
    const remoteSelectors = narrow !== undefined ? selectors(narrow.remote) : [ANY_SELECTOR];
    const child: ChildConfig = {
      name: end.peerName,
      espProposals: parseProposals([...offer.esp], 'esp'),
      ...(offer.espAccepted.length > 0 ? { espAcceptedProposals: parseProposals([...offer.espAccepted], 'esp') } : {}),
      localSelectors, remoteSelectors,
      lifetimes: lifetimesFor(offer.childSeconds, offer.childKb),
      startAction: 'none',
    };
    parts.peers.push({
      name: end.peerName,
      localAddress: instance.publicAddress,
      remoteAddress: end.address,
      localIdentity: ipv4Identity(instance.publicAddress),
      remoteIdentity: ipv4Identity(end.address),
      psk: pskBytes(conn.sharedKey),
      ikeProposals: parseProposals([...offer.ike], 'ike'),
      ikeRekeySeconds: AZURE_IKE_LIFETIME_S,
      dpdDelaySeconds: DPD_DELAY_S,
      dpdAction: 'restart',
      forceEncapsulation: false,
      responderOnly: conn.connectionMode === 'ResponderOnly',
      children: [child],
      retransmit: retransmitWithin(dpdTimeout),
    });
    let bgpLocal: Ipv4Address | undefined;
    if (end.bgp !== undefined) {
      // Towards an APIPA peer Azure speaks from its own APIPA address and waits to be called (S1, S3).
      const stance = bgpStance(ref.model, instance, end.bgp.address);
      bgpLocal = stance.local;
      if (bgpLocal === undefined) {
        findings.warning('AZURE_APIPA_NO_CUSTOM', [...path, 'enableBgp'], `connection '${conn.name}': its peer's BGP address ${formatIpv4(end.bgp.address)} is APIPA, but gateway '${facts.name}' ipConfiguration '${instance.ipConfiguration}' has no customBgpIpAddresses: Azure has no APIPA address to peer from, and the BGP session never comes up`,
          `give ipConfiguration '${instance.ipConfiguration}' customBgpIpAddresses in 169.254.21.0-169.254.22.255 (bgpSettings.bgpPeeringAddresses), or peer from a non-APIPA address`);
      } else parts.neighbors.push({
        name: end.peerName,
        address: end.bgp.address,
        asn: end.bgp.asn,
        localAddress: bgpLocal,
        passive: stance.passive,
        holdTime: AZURE_BGP_HOLD_S,
        keepaliveTime: AZURE_BGP_KEEPALIVE_S,
        fixedKeepalive: true,
        maxPrefix: { limit: AZURE_MAX_PREFIXES, action: 'teardown' },
        importPolicy: rejectExactly(`${end.peerName}-in`, facts.vnetPrefixes),
        exportPolicy: exportPolicy(`${end.peerName}-out`, facts.vnetPrefixes, end.ownPrefixes),
        ...(end.bgp.weight !== undefined ? { weight: end.bgp.weight } : {}),
      });
      for (const p of end.ownPrefixes) addPrefix(parts.originated, p);
    }
    const routes = [...end.staticPrefixes];
    if (end.bgp !== undefined) addPrefix(routes, hostPrefix(end.bgp.address));
    parts.tunnels.push({
      connection: end.peerName, child: end.peerName, kind: 'route', routes,
      // What the instance itself sends into the tunnel (a traceroute's answer) comes from its GatewaySubnet address.
      sourceAddress: instance.bgpAddress,
      ...(bgpLocal !== undefined && isLinkLocal(bgpLocal) ? { interfaceAddresses: [{ address: bgpLocal, prefix: hostPrefix(bgpLocal) }] } : {}),
    });
    if (end.bgp === undefined) for (const p of end.staticPrefixes) addPrefix(parts.originated, p);
  }
}

function fabricPlan(layout: SiteLayout): FabricPlan {
  const interfaces: InterfacePlan[] = [];
  for (const { subnet, prefix } of layout.subnets) {
    // Azure's default gateway is x.x.x.1; .2 and .3 are reserved too. A host the file put on .1
    // (the Alibaba seed's VM) moves the fabric to the next reserved address.
    const address = pickAddress(prefix, [1, 2, 3], takenAddresses(layout, subnet.name));
    if (address === undefined) continue;
    interfaces.push({ name: subnet.name, address, prefix, attach: { subnet: subnet.name } });
  }
  return { name: AZURE_FABRIC, interfaces, routes: [], propagateFrom: [] };
}

/**
 * Why Azure (or vpnlab) cannot build the gateway as written, reported; false then. PolicyBased
 * gateways speak IKEv1 only (and Azure offers BGP, active-active and VNet-to-VNet on RouteBased
 * gateways only), which vpnlab does not emulate.
 */
function gatewayBuildable(model: AzureModel, gateway: VirtualNetworkGateway, gp: DocPath, findings: Findings): boolean {
  const label = `gateway '${gateway.name}'`;
  if (gateway.gatewayType === 'ExpressRoute') {
    findings.error('AZURE_NOT_EMULATED', [...gp, 'gatewayType'], `${label} is an ExpressRoute gateway, which vpnlab does not emulate`, NOT_EMULATED_FIX);
    return false;
  }
  if (gateway.vpnType === 'PolicyBased') {
    const v2v = model.connections.some((c) => c.gateway?.gateway === gateway && c.conn.connectionType === 'Vnet2Vnet');
    const features = [gateway.enableBgp === true && 'BGP', gateway.activeActive === true && 'active-active', v2v && 'VNet-to-VNet connections'].filter((f): f is string => f !== false);
    const why = features.length > 0
      ? `is PolicyBased but uses ${features.join(', ')}: Azure offers those only on RouteBased gateways and refuses the configuration`
      : 'is PolicyBased: such a gateway speaks IKEv1 only, which vpnlab does not emulate (it speaks IKEv2)';
    findings.error('AZURE_POLICY_BASED', [...gp, 'vpnType'], `${label} ${why}`,
      'use vpnType: RouteBased (with usePolicyBasedTrafficSelectors on a connection whose peer needs narrow selectors)');
    return false;
  }
  if ((gateway.natRules?.length ?? 0) > 0) {
    findings.error('AZURE_NOT_EMULATED', [...gp, 'natRules'], `${label} has NAT rules, which vpnlab does not emulate yet`, NOT_EMULATED_FIX);
    return false;
  }
  return true;
}

export function planAzureSite(ref: ModelRef<'azure', AzureModel>, context: PlanContext, findings: Findings): SitePlan {
  const { site, model } = ref;
  const topology = context.topology;
  const fabric = fabricPlan(ref.layout);
  const instances: InstancePlan[] = [];
  const gatewayIndex = topology.sites.filter((s) => s.platform === 'azure').indexOf(site);
  const at = ref.at;
  const gateways = uniqueByName(model.gateways, (g) => g.gateway.name, (i) => [...at, 'virtualNetworkGateways', i, 'name'], 'virtual network gateway', 'AZURE_DUPLICATE_NAME', findings);
  const unique = uniqueByName(model.connections, (c) => c.conn.name, (i) => [...at, 'connections', i, 'name'], 'connection', 'AZURE_DUPLICATE_NAME', findings);
  uniqueByName(model.localNetworkGateways, (l) => l.lng.name, (i) => [...at, 'localNetworkGateways', i, 'name'], 'local network gateway', 'AZURE_DUPLICATE_NAME', findings);
  for (const { item: g } of gateways) {
    const gateway = g.gateway;
    if (!gatewayBuildable(model, gateway, g.path, findings)) continue;
    // A gateway whose subnet is missing is AZURE_GATEWAY_SUBNET in checks.ts.
    const facts = g.facts;
    if (facts === undefined) continue;
    const [shortest, longest] = AZURE_PROVISIONING_MS;
    const provisioning = context.fromScratch === true ? shortest + context.rng(`azure:${site.name}/${gateway.name}:provisioning`).int(longest - shortest) : 0;
    const connections = unique.flatMap(({ item: c }): ConnectionRef[] => (c.gateway === g
      ? [{ conn: c.conn, path: c.path, findings, model: c, peer: peerGateway(context.modelOf, c)?.gateway.facts }] : []));
    for (const instance of facts.instances) {
      const parts: InstanceParts = { peers: [], tunnels: [], neighbors: [], originated: [...facts.vnetPrefixes] };
      for (const conn of connections) connectionParts(site, facts, instance, conn, parts);
      const fabricAddress = fabric.interfaces.find((f) => f.name === instance.gatewaySubnet)?.address;
      const interfaces: InterfacePlan[] = [
        { name: 'public', address: instance.publicAddress, prefix: hostPrefix(instance.publicAddress), attach: 'internet' },
        { name: instance.gatewaySubnet, address: instance.bgpAddress, prefix: instance.gatewaySubnetPrefix, attach: { subnet: instance.gatewaySubnet } },
      ];
      instances.push({
        name: instance.nodeName,
        resource: gateway.name,
        platform: 'azure',
        os: 'linux',
        interfaces,
        routes: [
          defaultRouteVia('public', 'public IP'),
          ...(fabricAddress === undefined ? [] : facts.vnetPrefixes.map((prefix) => ({ prefix, nextHop: fabricAddress, interface: instance.gatewaySubnet, source: 'static' as const, origin: 'VNet address space' }))),
        ],
        ...(provisioning > 0 ? { readyAfterMs: provisioning, readyStates: ['ProvisioningState Updating', 'ProvisioningState Succeeded'] as const } : {}),
        ipsec: {
          address: instance.publicAddress, peers: parts.peers, tunnels: parts.tunnels,
          delayedStarts: parts.peers.filter((p) => !p.responderOnly).map((p) => ({ peer: p.name, afterMs: AZURE_DIAL_DELAY_MS + 1000 * gatewayIndex })),
        },
        ...(facts.bgpEnabled ? {
          bgp: {
            config: {
              localAs: facts.asn, routerId: instance.bgpAddress, neighbors: parts.neighbors, networks: parts.originated,
              ebgpRequiresPolicy: false, holdTime: AZURE_BGP_HOLD_S, maxPaths: 8, // ECMP over equal eBGP paths (S4: both tunnels at once); no documented limit
            },
          },
        } : {}),
      });
    }
  }
  const hostGateways = new Map(fabric.interfaces.map((f) => [(f.attach as { subnet: string }).subnet, f.address] as const));
  return {
    site: site.name,
    instances,
    fabric: { ...fabric, propagateFrom: instances.map((i) => i.name) },
    hostGateways,
    ends: azureEnds(ref, context.modelOf),
  };
}
