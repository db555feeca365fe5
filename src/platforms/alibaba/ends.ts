import { formatPath, type DocPath } from '../../config/source.js';
import { parseIpv4 } from '../../net/address.js';
import type { SiteRef } from '../adapter.js';
import { prefixesOf } from '../common.js';
import { NO_ENDS, type BgpEnd, type GatewayRef, type PublicAddress, type SiteEnds, type TunnelEnd } from '../ends.js';
import { asnValue } from './checks.js';
import { ALIBABA_BGP_ROUTE_QUOTA, ALIBABA_DEFAULT_ASN, ALIBABA_LIFETIME_S, alibabaProposals } from './defaults.js';
import { alibabaTunnels, ipsecAddresses, protectedFlows, type AlibabaTunnel } from './facts.js';
import type { CustomerGateway, VpnConnection } from '../../topology/platforms/alibaba.js';

/*
 * A VPC's tunnel and BGP ends as the pair checks meet them: one per tunnel of each IPsec
 * connection (a dual-tunnel connection's Tunnel 1 on IPsec address 1, Tunnel 2 on address 2),
 * towards its customer gateway, with Alibaba's defaults (IKEv1 for single-tunnel connections) and
 * the BGP session each tunnel runs when EnableTunnelsBgp (or BgpConfig) says so.
 */

export function alibabaEnds(ref: SiteRef<'alibaba'>): SiteEnds {
  const block = ref.site.alibaba;
  if (block === undefined) return NO_ENDS;
  const tunnels: TunnelEnd[] = [];
  const publicAddresses: PublicAddress[] = [];
  const customerGateways = block.CustomerGateways ?? [];
  (block.VpnGateways ?? []).forEach((gateway, gi) => {
    if (gateway.EnableIpsec === false) return;
    const gref: GatewayRef = { key: `${ref.site.name}/${gateway.Name}`, name: `Alibaba VPN gateway '${gateway.Name}'` };
    const addresses = ipsecAddresses(ref.index, gi, gateway);
    addresses.forEach((address, k) => publicAddresses.push({ address, platform: 'alibaba', what: `${gref.name} IPsec address ${k + 1}`, gateway: gref }));
    (block.VpnConnections ?? []).forEach((conn, ci) => {
      if (conn.VpnGatewayId !== gateway.Name) return;
      const at: DocPath = [...ref.at, 'VpnConnections', ci];
      for (const t of alibabaTunnels(conn)) {
        const cgwIndex = customerGateways.findIndex((c) => c.Name === t.customerGateway);
        const cgw = customerGateways[cgwIndex];
        const local = addresses[t.address - 1];
        if (cgw === undefined || local === undefined) continue;
        tunnels.push({ ...tunnelEnd(ref, conn, at, t, { value: cgw, index: cgwIndex }), gateway: gref, local });
      }
    });
  });
  return { tunnels, sessions: [], publicAddresses };
}

function tunnelEnd(ref: SiteRef<'alibaba'>, conn: VpnConnection, at: DocPath, t: AlibabaTunnel, cgw: { value: CustomerGateway; index: number }): Omit<TunnelEnd, 'gateway' | 'local'> {
  const dual = conn.TunnelOptionsSpecification !== undefined;
  const path: DocPath = t.specIndex === undefined ? at : [...at, 'TunnelOptionsSpecification', t.specIndex];
  const ikePath: DocPath = [...path, t.specIndex === undefined ? 'IkeConfig' : 'TunnelIkeConfig'];
  const label = `Alibaba Cloud IPsec connection '${conn.Name}'${dual ? ` Tunnel ${t.address} (${t.address === 1 ? 'master' : 'slave'})` : ''}`;
  const offer = alibabaProposals(t.ike, t.ipsec, dual);
  const flows = protectedFlows(conn);
  return {
    platform: 'alibaba',
    siteIndex: ref.index,
    path,
    label,
    resource: formatPath(path),
    remote: parseIpv4(cgw.value.IpAddress),
    psk: { value: t.ike?.Psk, path: [...ikePath, 'Psk'], name: 'Psk' },
    ikeVersion: { value: 'problem' in offer ? t.ike?.IkeVersion : offer.version, path: [...ikePath, 'IkeVersion'], name: 'IkeVersion' },
    ikeVersionFix: 'set IkeVersion: ikev2 (single-tunnel connections default to ikev1)',
    proposals: 'problem' in offer ? undefined : { ike: [offer.ike], esp: [offer.esp] },
    proposalPath: ikePath,
    childLifetimeS: t.ipsec?.IpsecLifetime ?? ALIBABA_LIFETIME_S,
    ...(flows !== undefined ? {
      selectors: {
        local: flows.local, remote: flows.remote,
        localPath: [...at, 'LocalSubnet'], remotePath: [...at, 'RemoteSubnet'], localName: 'LocalSubnet', remoteName: 'RemoteSubnet',
      },
    } : {}),
    ...(dual ? { redundancyGroup: { key: formatPath(at), name: `Alibaba Cloud IPsec connection '${conn.Name}'`, path: at } } : {}),
    bgp: bgpEnd(ref, conn, at, t, path, label, cgw),
  };
}

function bgpEnd(ref: SiteRef<'alibaba'>, conn: VpnConnection, at: DocPath, t: AlibabaTunnel, path: DocPath, label: string, cgw: { value: CustomerGateway; index: number }): BgpEnd {
  const dual = t.specIndex !== undefined;
  const config = dual ? conn.TunnelOptionsSpecification?.[t.specIndex!]?.TunnelBgpConfig : conn.BgpConfig;
  const bgpPath: DocPath = dual ? [...path, 'TunnelBgpConfig'] : [...at, 'BgpConfig'];
  const on = dual ? conn.EnableTunnelsBgp === true : conn.BgpConfig?.EnableBgp === true;
  const local = config?.LocalBgpIp === undefined ? undefined : parseIpv4(config.LocalBgpIp);
  return {
    platform: 'alibaba',
    siteIndex: ref.index,
    label,
    path,
    speaker: `Alibaba VPN gateway '${conn.VpnGatewayId}'`,
    ...(on ? {} : { off: { why: `IPsec connection '${conn.Name}' has ${dual ? 'EnableTunnelsBgp' : 'BgpConfig EnableBgp'} off`, path: dual ? [...at, 'EnableTunnelsBgp'] : bgpPath } }),
    localAsn: { value: asnValue(config?.LocalAsn ?? ALIBABA_DEFAULT_ASN), path: [...bgpPath, 'LocalAsn'], name: 'LocalAsn' },
    peerAsn: cgw.value.Asn === undefined ? undefined
      : { value: asnValue(cgw.value.Asn), path: [...ref.at, 'CustomerGateways', cgw.index, 'Asn'], name: `customer gateway '${cgw.value.Name}' Asn` },
    localAddress: local === undefined ? undefined : { value: local, path: [...bgpPath, 'LocalBgpIp'], name: 'LocalBgpIp' },
    answersOn: local === undefined ? [] : [local],
    ownAddresses: local === undefined ? [] : [local],
    behind: prefixesOf(ref.site.addressSpace),
    peerAddress: undefined,
    passive: { value: false, path: bgpPath, name: `${label} opens the session` },
    passiveFix: '',
    holdTime: undefined,
    advertises: undefined,
    accepts: {
      limit: ALIBABA_BGP_ROUTE_QUOTA, what: `Alibaba's BGP route quota of ${ALIBABA_BGP_ROUTE_QUOTA}`,
      effect: 'the routes beyond it are not learned, and the VPC cannot reach them', fix: 'raise the quota',
    },
  };
}
