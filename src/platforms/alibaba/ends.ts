import { formatPath } from '../../config/source.js';
import type { ModelRef } from '../adapter.js';
import { NO_ENDS, type BgpEnd, type GatewayRef, type PublicAddress, type SiteEnds, type TunnelEnd } from '../ends.js';
import { ALIBABA_BGP_ROUTE_QUOTA, ALIBABA_LIFETIME_S } from './defaults.js';
import { advertisedPrefixes } from './bgp.js';
import type { AlibabaConnection, AlibabaCustomerGateway, AlibabaModel, AlibabaTunnel } from './model.js';

/*
 * A VPC's tunnel and BGP ends as the pair checks meet them: one per tunnel of each IPsec
 * connection (a dual-tunnel connection's Tunnel 1 on IPsec address 1, Tunnel 2 on address 2),
 * towards its customer gateway, with Alibaba's defaults (IKEv1 for single-tunnel connections) and
 * the BGP session each tunnel runs when EnableTunnelsBgp (or BgpConfig) says so.
 */

type AlibabaRef = ModelRef<'alibaba', AlibabaModel>;

export function alibabaEnds(ref: AlibabaRef): SiteEnds {
  const model = ref.model;
  if (model.block === undefined) return NO_ENDS;
  const tunnels: TunnelEnd[] = [];
  const publicAddresses: PublicAddress[] = [];
  for (const gateway of model.gateways) {
    if (gateway.resource.EnableIpsec === false) continue;
    const gref: GatewayRef = { key: `${ref.site.name}/${gateway.name}`, name: `Alibaba VPN gateway '${gateway.name}'` };
    const addresses = gateway.ipsecAddresses;
    addresses.forEach((address, k) => publicAddresses.push({ address, platform: 'alibaba', what: `${gref.name} IPsec address ${k + 1}`, gateway: gref }));
    for (const conn of gateway.connections) {
      for (const t of conn.tunnels) {
        const cgw = t.customerGateway.target;
        const local = addresses[t.address - 1];
        if (cgw === undefined || local === undefined) continue;
        tunnels.push({ ...tunnelEnd(ref, conn, t, cgw), gateway: gref, local });
      }
    }
  }
  return { tunnels, sessions: [], publicAddresses };
}

function tunnelEnd(ref: AlibabaRef, conn: AlibabaConnection, t: AlibabaTunnel, cgw: AlibabaCustomerGateway): Omit<TunnelEnd, 'gateway' | 'local'> {
  const at = conn.path;
  const path = t.path;
  const ikePath = t.ikePath;
  const label = `Alibaba Cloud IPsec connection '${conn.name}'${conn.dual ? ` Tunnel ${t.address} (${t.address === 1 ? 'master' : 'slave'})` : ''}`;
  const offer = t.offer;
  const flows = conn.flows;
  return {
    platform: 'alibaba',
    siteIndex: ref.index,
    path,
    label,
    resource: formatPath(path),
    remote: cgw.address,
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
    ...(conn.dual ? { redundancyGroup: { key: formatPath(at), name: `Alibaba Cloud IPsec connection '${conn.name}'`, path: at } } : {}),
    bgp: bgpEnd(ref, conn, t, label, cgw),
  };
}

function bgpEnd(ref: AlibabaRef, conn: AlibabaConnection, t: AlibabaTunnel, label: string, cgw: AlibabaCustomerGateway): BgpEnd {
  const bgp = t.bgp;
  const local = bgp.localBgpIp;
  return {
    platform: 'alibaba',
    siteIndex: ref.index,
    label,
    path: t.path,
    speaker: `Alibaba VPN gateway '${conn.gateway.name}'`,
    ...(bgp.on ? {} : { off: { why: `IPsec connection '${conn.name}' has ${conn.dual ? 'EnableTunnelsBgp' : 'BgpConfig EnableBgp'} off`, path: conn.dual ? [...conn.path, 'EnableTunnelsBgp'] : bgp.path } }),
    localAsn: { value: bgp.localAsn, path: [...bgp.path, 'LocalAsn'], name: 'LocalAsn' },
    peerAsn: cgw.asn === undefined ? undefined : { value: cgw.asn, path: [...cgw.path, 'Asn'], name: `customer gateway '${cgw.name}' Asn` },
    localAddress: local === undefined ? undefined : { value: local, path: [...bgp.path, 'LocalBgpIp'], name: 'LocalBgpIp' },
    answersOn: local === undefined ? [] : [local],
    ownAddresses: local === undefined ? [] : [local],
    behind: ref.model.vpc,
    peerAddress: bgp.peerBgpIp === undefined ? undefined : { value: bgp.peerBgpIp, path: [...bgp.path, 'TunnelCidr'], name: `PeerBgpIp (the other host of TunnelCidr ${bgp.config?.TunnelCidr ?? ''})` },
    passive: { value: false, path: bgp.path, name: `${label} opens the session` },
    passiveFix: '',
    holdTime: undefined,
    advertises: {
      speaker: `${ref.site.name}/${conn.gateway.target?.instanceNames[t.address - 1] ?? conn.gateway.name}`, originates: advertisedPrefixes(ref.model), transit: false, withheld: [],
      path: ['sites', ref.index, 'subnets'], fix: 'advertise fewer prefixes: Alibaba advertises one route per vSwitch',
    },
    accepts: {
      limit: ALIBABA_BGP_ROUTE_QUOTA, what: `Alibaba's BGP route quota of ${ALIBABA_BGP_ROUTE_QUOTA}`,
      effect: 'the routes beyond it are not learned, and the VPC cannot reach them', fix: 'raise the quota',
    },
  };
}
