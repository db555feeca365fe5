import { formatPath, type DocPath } from '../../config/source.js';
import { formatIpv4, formatPrefix, type Prefix } from '../../net/address.js';
import type { ModelRef } from '../adapter.js';
import type { BgpEnd, PublicAddress, SiteEnds, TunnelEnd } from '../ends.js';
import { azureOffer, bgpStance, connectionRemotes, policySelectors, type RemoteEnd } from './connection.js';
import { AZURE_BGP_HOLD_S, AZURE_BGP_KEEPALIVE_S, AZURE_CHILD_LIFETIME_S, AZURE_MAX_PREFIXES, AZURE_TCP_MSS, AZURE_TUNNEL_MTU } from './defaults.js';
import type { AzureInstanceFacts } from './facts.js';
import { derivedGateways, peerGateway, type AzureModel, type DerivedGateway, type ModelConnection } from './model.js';

/*
 * A VNet's tunnel and BGP ends as the pair checks meet them: one per connection, gateway instance
 * and remote address (an active-active gateway dials the device from both instances; a Vnet2Vnet
 * connection faces every instance of the other gateway), with Azure's proposals (S2), selectors,
 * fixed BGP timers, the 4,000-prefix limit and the address it speaks BGP from (S1, S3).
 */

type AzureRef = ModelRef<'azure', AzureModel>;

export function azureEnds(ref: AzureRef, modelOf: (site: string) => unknown): SiteEnds {
  const tunnels: TunnelEnd[] = [];
  const publicAddresses: PublicAddress[] = [];
  for (const g of derivedGateways(ref.model)) {
    const gateway = { key: `${ref.site.name}/${g.facts.name}`, name: `Azure gateway '${g.facts.name}'` };
    g.facts.instances.forEach((instance, i) => publicAddresses.push({
      address: instance.publicAddress, platform: 'azure', what: `${gateway.name}${g.facts.activeActive ? ` instance ${i}` : ''}`, gateway,
    }));
    for (const c of ref.model.connections) {
      if (c.gateway !== g) continue;
      const remotes = connectionRemotes(c, g.facts, peerGateway(modelOf, c)?.gateway.facts);
      if (!Array.isArray(remotes)) continue;
      g.facts.instances.forEach((instance, i) => {
        for (const remote of remotes) tunnels.push(tunnelEnd(ref, g, c, instance, i, remote, gateway));
      });
    }
  }
  return { tunnels, sessions: [], publicAddresses };
}

function tunnelEnd(ref: AzureRef, g: DerivedGateway, c: ModelConnection, instance: AzureInstanceFacts, i: number, remote: RemoteEnd, gateway: TunnelEnd['gateway']): TunnelEnd {
  const { conn, path } = c;
  const facts = g.facts;
  const policy = conn.ipsecPolicies?.[0];
  const offer = azureOffer(conn);
  const narrow = policySelectors(conn, facts, remote);
  const remoteName = remote.lng !== undefined ? `local network gateway '${remote.lng.lng.name}' addressPrefixes` : `VNet '${remote.peerGateway?.site ?? '?'}' address space`;
  const flagPath = [...path, 'usePolicyBasedTrafficSelectors'];
  const bgpRoutes = conn.enableBgp === true && facts.bgpEnabled;
  const label = `Azure connection '${conn.name}'${facts.activeActive ? ` (instance ${i})` : ''}`;
  return {
    platform: 'azure',
    siteIndex: ref.index,
    path,
    label,
    gateway,
    resource: formatPath(path),
    local: instance.publicAddress,
    remote: remote.address,
    psk: { value: conn.sharedKey, path: [...path, 'sharedKey'], name: 'sharedKey' },
    ikeVersion: { value: g.gateway.vpnType === 'PolicyBased' || conn.connectionProtocol === 'IKEv1' ? 'ikev1' : 'ikev2', path: [...path, 'connectionProtocol'], name: 'connectionProtocol' },
    ikeVersionFix: 'use IKEv2 on both ends',
    proposals: 'problem' in offer ? undefined : { ike: offer.ike, esp: offer.esp, espAccepted: offer.espAccepted },
    proposalPath: policy === undefined ? path : [...path, 'ipsecPolicies', 0],
    childLifetimeS: policy?.saLifeTimeSeconds ?? AZURE_CHILD_LIFETIME_S,
    ...(narrow !== undefined ? {
      selectors: {
        local: narrow.local, remote: narrow.remote,
        localPath: narrow.fromPolicies ? [...path, 'trafficSelectorPolicies'] : flagPath,
        remotePath: narrow.fromPolicies ? [...path, 'trafficSelectorPolicies'] : flagPath,
        localName: narrow.fromPolicies ? 'trafficSelectorPolicies localAddressRanges' : `VNet '${ref.site.name}' address space (usePolicyBasedTrafficSelectors)`,
        remoteName: narrow.fromPolicies ? 'trafficSelectorPolicies remoteAddressRanges' : `${remoteName} (usePolicyBasedTrafficSelectors)`,
      },
      selectorsRequireMirror: {
        fix: 'turn usePolicyBasedTrafficSelectors off (the peer is route-based), or give the peer every VNet prefix × on-premises prefix pair as its selectors',
      },
    } : {}),
    routed: { local: facts.vnetPrefixes, remote: bgpRoutes ? undefined : remote.remotePrefixes, localName: `VNet '${ref.site.name}' address space`, remoteName },
    mtu: { mtu: AZURE_TUNNEL_MTU, mss: AZURE_TCP_MSS },
    ...bgpOf(ref, g, c, instance, remote, label),
  };
}

/**
 * What Azure originates towards the peer behind `c` (S1): the VNet, and the prefixes of its other
 * local network gateways — not the peer's own. What it learns over BGP it passes on too, except
 * routes overlapping the VNet and the default route.
 */
function originated(model: AzureModel, g: DerivedGateway, c: ModelConnection): Prefix[] {
  const own = new Set((c.lng?.prefixes ?? []).map(formatPrefix));
  const others = model.connections.filter((x) => x.gateway === g && x.lng !== undefined).flatMap((x) => x.lng!.prefixes).filter((p) => !own.has(formatPrefix(p)));
  return [...g.facts.vnetPrefixes, ...others];
}

function bgpOf(ref: AzureRef, g: DerivedGateway, c: ModelConnection, instance: AzureInstanceFacts, remote: RemoteEnd, label: string): { bgp?: BgpEnd } {
  const { conn, path } = c;
  const facts = g.facts;
  const lng = remote.lng;
  // A Vnet2Vnet link runs BGP when both gateways and both connections do; with both gateways on
  // and this connection off, its peer's session goes unanswered (and that peer routes nothing
  // statically to this VNet): this end is declared off for the pair checks. Otherwise it is static.
  const other = remote.peerGateway;
  const v2vOff = other !== undefined && facts.bgpEnabled && other.bgpEnabled && conn.enableBgp !== true;
  if (lng === undefined && remote.bgp === undefined && !v2vOff) return {};
  const peer = lng?.bgp;
  const lngPath: DocPath = lng === undefined ? path : lng.path;
  const lngName = `local network gateway '${lng?.lng.name ?? ''}'`;
  const peerAddress = peer !== undefined ? peer.address : remote.bgp?.address ?? other?.instances.find((i) => i.publicAddress === remote.address)?.bgpAddress;
  const stance = peerAddress === undefined ? undefined : bgpStance(c, instance, peerAddress);
  const local = stance?.local;
  const off = !facts.bgpEnabled ? `gateway '${facts.name}' has BGP off`
    : conn.enableBgp !== true ? `connection '${conn.name}' has enableBgp off`
      : lng !== undefined && peer === undefined ? `${lngName} has no bgpSettings` : undefined;
  return {
    bgp: {
      platform: 'azure',
      siteIndex: ref.index,
      label,
      path,
      speaker: `Azure gateway '${facts.name}'`,
      ...(off !== undefined ? { off: { why: off, path } } : {}),
      localAsn: { value: facts.asn, path: [...g.path, 'bgpSettings', 'asn'], name: `gateway '${facts.name}' bgpSettings.asn` },
      peerAsn: peer === undefined ? undefined : { value: peer.asn, path: [...lngPath, 'bgpSettings', 'asn'], name: `${lngName} bgpSettings.asn` },
      localAddress: local === undefined ? undefined : { value: local, path: g.path, name: 'BGP address' },
      answersOn: local === undefined ? [] : [local],
      ownAddresses: [instance.bgpAddress, ...instance.customBgpAddresses],
      behind: facts.vnetPrefixes,
      peerAddress: peer === undefined ? undefined : { value: peer.address, path: [...lngPath, 'bgpSettings', 'bgpPeeringAddress'], name: `${lngName} bgpPeeringAddress` },
      passive: { value: stance?.passive ?? false, path, name: `${lngName} peers from APIPA address ${peer === undefined ? '' : formatIpv4(peer.address)}, which Azure never calls` },
      passiveFix: 'use a non-APIPA bgpPeeringAddress',
      holdTime: { value: AZURE_BGP_HOLD_S, path: g.path, name: 'hold time' },
      fixedTimers: { keepalive: AZURE_BGP_KEEPALIVE_S, hold: AZURE_BGP_HOLD_S },
      advertises: {
        speaker: `${ref.site.name}/${instance.nodeName}`, originates: originated(ref.model, g, c), transit: true, withheld: facts.vnetPrefixes,
        path: [...g.path, 'enableBgp'], fix: 'advertise fewer (aggregated) prefixes',
      },
      accepts: { limit: AZURE_MAX_PREFIXES, what: `the ${AZURE_MAX_PREFIXES} Azure accepts from one peer`, effect: 'Azure drops the BGP session' },
    },
  };
}
