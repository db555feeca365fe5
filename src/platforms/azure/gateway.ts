import type { NeighborConfig } from '../../bgp/neighbor.js';
import type { Policy } from '../../bgp/policy/types.js';
import type { ChildConfig, PeerConfig, TunnelSpec } from '../../ike/config.js';
import { ipv4Identity } from '../../ike/payloads/id.js';
import { parseProposals } from '../../ike/proposal.js';
import { formatIpv4, parseIpv4, parsePrefix, prefixContains, type Ipv4Address, type Prefix } from '../../net/address.js';
import type { Topology } from '../../topology/schema.js';
import {
  addPrefix, ANY_SELECTOR, defaultRouteVia, OWN_ROUTES, hostPrefix, lifetimesFor, pickAddress, PlatformError, prefixesOf, pskBytes, rejectExactly,
  retransmitWithin, selectors, takenAddresses,
} from '../common.js';
import type { FabricPlan, InstancePlan, InterfacePlan, PlanContext, SitePlan } from '../plan.js';
import {
  AZURE_BGP_HOLD_S, AZURE_BGP_KEEPALIVE_S, AZURE_PROVISIONING_MS, AZURE_CHILD_LIFETIME_KB, AZURE_CHILD_LIFETIME_S, AZURE_DPD_TIMEOUT_S, AZURE_ESP_INITIATOR,
  AZURE_ESP_RESPONDER_EXTRA, AZURE_IKE_LIFETIME_S, AZURE_IKE_PROPOSALS, AZURE_MAX_PREFIXES, customPolicyProposals,
} from './defaults.js';
import { azureBlock, azureGatewayFacts, findAzureGateway, type AzureGatewayFacts, type AzureInstanceFacts, type AzureSiteOf } from './facts.js';
import type { Connection } from './schema.js';

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

/** One remote end of a connection: an LNG device, or one instance of the other VNet's gateway. */
interface RemoteEnd {
  readonly peerName: string;
  readonly address: Ipv4Address;
  /** Prefixes routed into the tunnel statically (LNG address space, or the other VNet without BGP). */
  readonly staticPrefixes: readonly Prefix[];
  readonly bgp?: { readonly address: Ipv4Address; readonly asn: number; readonly weight?: number };
  /** Prefixes Azure holds for this end and advertises to its other BGP peers, not back to it. */
  readonly ownPrefixes: readonly Prefix[];
}

function isApipa(address: Ipv4Address): boolean {
  return prefixContains(parsePrefix('169.254.0.0/16'), address);
}

function remoteEnds(topology: Topology, site: AzureSiteOf, facts: AzureGatewayFacts, conn: Connection): RemoteEnd[] {
  const where = `site '${site.name}' connection '${conn.name}'`;
  const bgpOn = conn.enableBgp === true && facts.bgpEnabled;
  if (conn.connectionType === 'IPsec') {
    const lng = (azureBlock(site).localNetworkGateways ?? []).find((l) => l.name === conn.localNetworkGateway2);
    if (lng === undefined) throw new PlatformError('ERR_PLATFORM_CONFIG', where, `no local network gateway '${conn.localNetworkGateway2}'`);
    if (lng.gatewayIpAddress === undefined) throw new PlatformError('ERR_PLATFORM_UNSUPPORTED', where, `local network gateway '${lng.name}' gives an fqdn; the emulator has no DNS: give gatewayIpAddress`);
    const prefixes = prefixesOf(lng.localNetworkAddressSpace?.addressPrefixes);
    const bgp = bgpOn && lng.bgpSettings !== undefined
      ? { address: parseIpv4(lng.bgpSettings.bgpPeeringAddress), asn: lng.bgpSettings.asn, ...(lng.bgpSettings.peerWeight !== undefined ? { weight: lng.bgpSettings.peerWeight } : {}) }
      : undefined;
    return [{ peerName: conn.name, address: parseIpv4(lng.gatewayIpAddress), staticPrefixes: prefixes, ...(bgp !== undefined ? { bgp } : {}), ownPrefixes: prefixes }];
  }
  if (conn.connectionType === 'Vnet2Vnet') {
    const other = findAzureGateway(topology, conn.virtualNetworkGateway2!);
    if (other === undefined) throw new PlatformError('ERR_PLATFORM_CONFIG', where, `no Azure gateway '${conn.virtualNetworkGateway2}'`);
    const withBgp = bgpOn && other.bgpEnabled;
    return other.instances.map((instance, j) => {
      const own = withBgp ? [hostPrefix(instance.bgpAddress)] : [];
      return {
        peerName: other.instances.length > 1 ? `${conn.name}_${j}` : conn.name,
        address: instance.publicAddress,
        staticPrefixes: withBgp ? [] : other.vnetPrefixes,
        ...(withBgp ? { bgp: { address: instance.bgpAddress, asn: other.asn } } : {}),
        ownPrefixes: own,
      };
    });
  }
  throw new PlatformError('ERR_PLATFORM_UNSUPPORTED', where, 'ExpressRoute connections are not emulated');
}

function proposals(conn: Connection, where: string): { ike: string[]; esp: string[]; espAccepted: string[]; childSeconds: number; childKb: number } {
  const policy = conn.ipsecPolicies?.[0];
  if (policy === undefined) {
    return { ike: [...AZURE_IKE_PROPOSALS], esp: [...AZURE_ESP_INITIATOR], espAccepted: [...AZURE_ESP_RESPONDER_EXTRA], childSeconds: AZURE_CHILD_LIFETIME_S, childKb: AZURE_CHILD_LIFETIME_KB };
  }
  const custom = customPolicyProposals(policy);
  if ('problem' in custom) throw new PlatformError('ERR_PLATFORM_UNSUPPORTED', `${where} ipsecPolicies[0]`, custom.problem);
  return { ike: [custom.ike], esp: [custom.esp], espAccepted: [], childSeconds: policy.saLifeTimeSeconds, childKb: policy.saDataSizeKilobytes };
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

function connectionParts(topology: Topology, site: AzureSiteOf, facts: AzureGatewayFacts, instance: AzureInstanceFacts, conn: Connection, parts: InstanceParts): void {
  const where = `site '${site.name}' connection '${conn.name}'`;
  if (conn.connectionProtocol === 'IKEv1') throw new PlatformError('ERR_PLATFORM_UNSUPPORTED', where, 'IKEv1 is not emulated (vpnlab speaks IKEv2)');
  if ((conn.egressNatRules?.length ?? 0) + (conn.ingressNatRules?.length ?? 0) > 0) throw new PlatformError('ERR_PLATFORM_UNSUPPORTED', where, 'gateway NAT rules are not emulated yet');
  if (conn.sharedKey === undefined) {
    throw new PlatformError('ERR_PLATFORM_CONFIG', where, 'no sharedKey: Azure would generate a random one the peer cannot know; set it to the peer\'s key');
  }
  const offer = proposals(conn, where);
  const policySelectors = conn.usePolicyBasedTrafficSelectors === true;
  const dpdTimeout = conn.dpdTimeoutSeconds ?? AZURE_DPD_TIMEOUT_S;
  for (const end of remoteEnds(topology, site, facts, conn)) {
    const localSelectors = policySelectors
      ? selectors(conn.trafficSelectorPolicies?.flatMap((p) => prefixesOf(p.localAddressRanges)) ?? facts.vnetPrefixes)
      : [ANY_SELECTOR];
    const remoteSelectors = policySelectors
      ? selectors(conn.trafficSelectorPolicies?.flatMap((p) => prefixesOf(p.remoteAddressRanges)) ?? end.staticPrefixes)
      : [ANY_SELECTOR];
    const child: ChildConfig = {
      name: end.peerName,
      espProposals: parseProposals(offer.esp, 'esp'),
      ...(offer.espAccepted.length > 0 ? { espAcceptedProposals: parseProposals(offer.espAccepted, 'esp') } : {}),
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
      ikeProposals: parseProposals(offer.ike, 'ike'),
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
      const apipa = isApipa(end.bgp.address);
      const chosen = conn.gatewayCustomBgpIpAddresses?.find((c) => c.ipConfigurationId === instance.ipConfiguration)?.customBgpIpAddress;
      bgpLocal = apipa ? (chosen !== undefined ? parseIpv4(chosen) : instance.customBgpAddresses[0]) : instance.bgpAddress;
      if (bgpLocal === undefined) {
        throw new PlatformError('ERR_PLATFORM_CONFIG', where, `the peer's BGP address ${formatIpv4(end.bgp.address)} is APIPA, but ipConfiguration '${instance.ipConfiguration}' has no customBgpIpAddresses`);
      }
      parts.neighbors.push({
        name: end.peerName,
        address: end.bgp.address,
        asn: end.bgp.asn,
        localAddress: bgpLocal,
        passive: apipa,
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
      ...(bgpLocal !== undefined && isApipa(bgpLocal) ? { interfaceAddresses: [{ address: bgpLocal, prefix: hostPrefix(bgpLocal) }] } : {}),
    });
    if (end.bgp === undefined) for (const p of end.staticPrefixes) addPrefix(parts.originated, p);
  }
}

function fabricPlan(site: AzureSiteOf): FabricPlan {
  const interfaces: InterfacePlan[] = [];
  for (const subnet of site.subnets ?? []) {
    const prefix = parsePrefix(subnet.prefix);
    // Azure's default gateway is x.x.x.1; .2 and .3 are reserved too. A host the file put on .1
    // (the Alibaba seed's VM) moves the fabric to the next reserved address.
    const address = pickAddress(prefix, [1, 2, 3], takenAddresses(site, subnet.name));
    if (address === undefined) continue;
    interfaces.push({ name: subnet.name, address, prefix, attach: { subnet: subnet.name } });
  }
  return { name: AZURE_FABRIC, interfaces, routes: [], propagateFrom: [] };
}

export function planAzureSite(site: AzureSiteOf, context: PlanContext): SitePlan {
  const topology = context.topology;
  const block = azureBlock(site);
  const fabric = fabricPlan(site);
  const instances: InstancePlan[] = [];
  const gatewayIndex = topology.sites.filter((s) => s.platform === 'azure').indexOf(site);
  for (const gateway of block.virtualNetworkGateways ?? []) {
    const where = `site '${site.name}' gateway '${gateway.name}'`;
    if (gateway.gatewayType === 'ExpressRoute') throw new PlatformError('ERR_PLATFORM_UNSUPPORTED', where, 'ExpressRoute gateways are not emulated');
    if (gateway.vpnType === 'PolicyBased') throw new PlatformError('ERR_PLATFORM_UNSUPPORTED', where, 'PolicyBased gateways speak IKEv1 only, which vpnlab does not; use RouteBased (with usePolicyBasedTrafficSelectors for narrow selectors)');
    if ((gateway.natRules?.length ?? 0) > 0) throw new PlatformError('ERR_PLATFORM_UNSUPPORTED', where, 'gateway NAT rules are not emulated yet');
    const facts = azureGatewayFacts(topology, site, gateway);
    const [shortest, longest] = AZURE_PROVISIONING_MS;
    const provisioning = context.fromScratch === true ? shortest + context.rng(`azure:${site.name}/${gateway.name}:provisioning`).int(longest - shortest) : 0;
    const connections = (block.connections ?? []).filter((c) => c.virtualNetworkGateway1 === gateway.name);
    for (const instance of facts.instances) {
      const parts: InstanceParts = { peers: [], tunnels: [], neighbors: [], originated: [...facts.vnetPrefixes] };
      for (const conn of connections) connectionParts(topology, site, facts, instance, conn, parts);
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
  };
}
