import type { DocPath } from '../config/source.js';
import { rangeToPrefixes } from '../ike/payloads/ts.js';
import { parseIpv4, type Prefix } from '../net/address.js';
import { ANY, prefixesOf } from './common.js';
import { isProtectedDataFlows } from './alibaba/checks.js';
import { ALIBABA_LIFETIME_S, alibabaPskProblem, alibabaProposals } from './alibaba/defaults.js';
import {
  AZURE_CHILD_LIFETIME_S, AZURE_ESP_INITIATOR, AZURE_ESP_RESPONDER_EXTRA, AZURE_IKE_PROPOSALS, azureSharedKeyProblem, customPolicyProposals,
} from './azure/defaults.js';
import { RRAS_CHILD_LIFETIME_S, rrasProposals } from './rras/defaults.js';
import type { AlibabaEnd, AzureEnd, RrasEnd, TunnelEnd } from './pairing.js';
import type { ProposalSet } from './proposals.js';
import type { VpnTrafficSelector } from '../topology/platforms/rras.js';

/*
 * One tunnel end as the other end meets it: its pre-shared key, IKE version, proposal lists,
 * CHILD_SA lifetime and traffic selectors, each with the path of the field that sets it, in the
 * same terms for every platform so that the pair checks compare like with like.
 */

export interface Selectors {
  readonly local: readonly Prefix[];
  readonly remote: readonly Prefix[];
  readonly localPath: DocPath;
  readonly remotePath: DocPath;
  /** How messages name the fields: "LocalSubnet", "the VNet address space"… */
  readonly localName: string;
  readonly remoteName: string;
}

export interface Routed {
  readonly local: readonly Prefix[];
  readonly remote: readonly Prefix[] | undefined;
  readonly localName: string;
  readonly remoteName: string;
}

export interface TunnelProfile {
  readonly platform: 'Azure' | 'Alibaba Cloud' | 'RRAS';
  readonly psk: string | undefined;
  readonly pskPath: DocPath;
  /** Why this platform would refuse `key`, if it would. */
  readonly pskProblem: (key: string) => string | undefined;
  readonly ikeVersion: 'ikev1' | 'ikev2' | undefined;
  readonly versionPath: DocPath;
  /** undefined when the end's algorithms are not ones vpnlab can compare (reported elsewhere). */
  readonly proposals: ProposalSet | undefined;
  readonly proposalPath: DocPath;
  readonly childLifetimeS: number;
  /** Narrow (policy-based) traffic selectors; undefined means 0.0.0.0/0 ⇄ 0.0.0.0/0. */
  readonly selectors: Selectors | undefined;
  /**
   * What a route-based end routes through the tunnel, to compare a narrow peer's selectors with;
   * `remote` is unknown (undefined) when BGP teaches it.
   */
  readonly routed: Routed | undefined;
}

export function profileOf(end: TunnelEnd): TunnelProfile {
  switch (end.platform) {
    case 'azure': return azureProfile(end);
    case 'alibaba': return alibabaProfile(end);
    case 'rras': return rrasProfile(end);
  }
}

/** Azure's lists (S2): it offers six phase-2 proposals without PFS and accepts more, with PFS, as responder. */
function azureProfile(end: AzureEnd): TunnelProfile {
  const conn = end.connection;
  const policy = conn.ipsecPolicies?.[0];
  const custom = policy === undefined ? undefined : customPolicyProposals(policy);
  const proposals = custom === undefined
    ? { ike: AZURE_IKE_PROPOSALS, esp: AZURE_ESP_INITIATOR, espAccepted: AZURE_ESP_RESPONDER_EXTRA }
    : 'problem' in custom ? undefined : { ike: [custom.ike], esp: [custom.esp] };
  const local = end.gateway.facts.vnetPrefixes;
  const remote = end.lng !== undefined ? prefixesOf(end.lng.value.localNetworkAddressSpace?.addressPrefixes) : end.peerGateway?.facts.vnetPrefixes ?? [];
  const policies = conn.trafficSelectorPolicies;
  const policyBased = conn.usePolicyBasedTrafficSelectors === true;
  const bgp = conn.enableBgp === true && end.gateway.facts.bgpEnabled;
  const flagPath = [...end.path, 'usePolicyBasedTrafficSelectors'];
  const lngName = end.lng !== undefined ? `local network gateway '${end.lng.value.name}' addressPrefixes` : `VNet '${end.peerGateway?.site.name ?? '?'}' address space`;
  return {
    platform: 'Azure',
    psk: conn.sharedKey,
    pskPath: [...end.path, 'sharedKey'],
    pskProblem: azureSharedKeyProblem,
    ikeVersion: end.gateway.gateway.vpnType === 'PolicyBased' || conn.connectionProtocol === 'IKEv1' ? 'ikev1' : 'ikev2',
    versionPath: [...end.path, 'connectionProtocol'],
    proposals,
    proposalPath: policy === undefined ? end.path : [...end.path, 'ipsecPolicies', 0],
    childLifetimeS: policy?.saLifeTimeSeconds ?? AZURE_CHILD_LIFETIME_S,
    selectors: !policyBased ? undefined : {
      local: policies !== undefined ? policies.flatMap((p) => prefixesOf(p.localAddressRanges)) : local,
      remote: policies !== undefined ? policies.flatMap((p) => prefixesOf(p.remoteAddressRanges)) : remote,
      localPath: policies !== undefined ? [...end.path, 'trafficSelectorPolicies'] : flagPath,
      remotePath: policies !== undefined ? [...end.path, 'trafficSelectorPolicies'] : flagPath,
      localName: policies !== undefined ? 'trafficSelectorPolicies localAddressRanges' : `VNet '${end.site.name}' address space (usePolicyBasedTrafficSelectors)`,
      remoteName: policies !== undefined ? 'trafficSelectorPolicies remoteAddressRanges' : `${lngName} (usePolicyBasedTrafficSelectors)`,
    },
    routed: { local, remote: bgp ? undefined : remote, localName: `VNet '${end.site.name}' address space`, remoteName: lngName },
  };
}

function alibabaProfile(end: AlibabaEnd): TunnelProfile {
  const offer = alibabaProposals(end.ike, end.ipsec, end.dualTunnel);
  const conn = end.connection;
  const at: DocPath = ['sites', end.siteIndex, 'alibaba', 'VpnConnections', end.connectionIndex];
  return {
    platform: 'Alibaba Cloud',
    psk: end.ike?.Psk,
    pskPath: [...end.ikePath, 'Psk'],
    pskProblem: alibabaPskProblem,
    ikeVersion: 'problem' in offer ? end.ike?.IkeVersion : offer.version,
    versionPath: [...end.ikePath, 'IkeVersion'],
    proposals: 'problem' in offer ? undefined : { ike: [offer.ike], esp: [offer.esp] },
    proposalPath: end.ikePath,
    childLifetimeS: end.ipsec?.IpsecLifetime ?? ALIBABA_LIFETIME_S,
    selectors: !isProtectedDataFlows(conn) ? undefined : {
      local: prefixesOf(conn.LocalSubnet), remote: prefixesOf(conn.RemoteSubnet),
      localPath: [...at, 'LocalSubnet'], remotePath: [...at, 'RemoteSubnet'], localName: 'LocalSubnet', remoteName: 'RemoteSubnet',
    },
    routed: undefined,
  };
}

/** An RRAS selector list as prefixes; none given means any. */
function rangesOf(list: readonly VpnTrafficSelector[] | undefined): Prefix[] {
  if (list === undefined || list.length === 0) return [ANY];
  return list.flatMap((ts) => rangeToPrefixes(parseIpv4(ts.IPAddressRange[0]), parseIpv4(ts.IPAddressRange[1])));
}

function rrasProfile(end: RrasEnd): TunnelProfile {
  const iface = end.iface;
  const server = end.rras.VpnServerIPsecConfiguration;
  const offer = rrasProposals(iface, server);
  const narrow = (iface.LocalVpnTrafficSelector?.length ?? 0) + (iface.RemoteVpnTrafficSelector?.length ?? 0) > 0;
  const ownPolicy = iface.CustomPolicy === true || iface.EncryptionType !== undefined;
  return {
    platform: 'RRAS',
    psk: iface.SharedSecret,
    pskPath: [...end.path, 'SharedSecret'],
    pskProblem: () => undefined,
    ikeVersion: iface.Protocol === undefined || iface.Protocol === 'IKEv2' || iface.Protocol === 'Automatic' ? 'ikev2' : undefined,
    versionPath: [...end.path, 'Protocol'],
    proposals: 'problem' in offer ? undefined : offer,
    proposalPath: ownPolicy || server === undefined ? end.path : ['sites', end.siteIndex, 'rras', 'VpnServerIPsecConfiguration'],
    childLifetimeS: iface.SALifeTimeSeconds ?? server?.SALifeTimeSeconds ?? RRAS_CHILD_LIFETIME_S,
    selectors: !narrow ? undefined : {
      local: rangesOf(iface.LocalVpnTrafficSelector), remote: rangesOf(iface.RemoteVpnTrafficSelector),
      localPath: [...end.path, 'LocalVpnTrafficSelector'], remotePath: [...end.path, 'RemoteVpnTrafficSelector'],
      localName: 'LocalVpnTrafficSelector', remoteName: 'RemoteVpnTrafficSelector',
    },
    routed: undefined,
  };
}
