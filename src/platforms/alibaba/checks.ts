import { suggest } from '../../config/issues.js';
import type { DocPath } from '../../config/source.js';
import { broadcastOf, parseIpv4, parsePrefix, prefixContains, prefixCovers, prefixEquals, type Prefix } from '../../net/address.js';
import type { Findings, SiteRef } from '../adapter.js';
import { ALIBABA_DEFAULT_ASN, ALIBABA_FORBIDDEN_CGW_RANGES, alibabaPskProblem } from './defaults.js';
import { isProtectedDataFlows } from './facts.js';
import type { AlibabaSite, VpnConnection } from '../../topology/platforms/alibaba.js';

/*
 * Alibaba Cloud's own rules, per VPC: customer gateway addresses and ASNs, tunnel BGP /30s,
 * pre-shared keys (an omitted one is generated), references between the resources, and routes
 * that exist but are not published to the VPC (L1-L6 in shared/reference/platform-behaviours.md §A.2).
 */

const LINK_LOCAL = parsePrefix('169.254.0.0/16');
/**
 * TunnelCidr may not be "169.254.0.0/30 - 169.254.6.0/30" nor 169.254.169.252/30 (L2), read as the
 * seven /30s 169.254.N.0/30, N = 0-6 (the same reserved list as AWS's tunnel inside CIDRs).
 */
const EXCLUDED_TUNNEL_CIDRS: readonly Prefix[] = [0, 1, 2, 3, 4, 5, 6].map((n) => parsePrefix(`169.254.${n}.0/30`)).concat(parsePrefix('169.254.169.252/30'));
/** "123.456" (asdot) → 123 × 65536 + 456. */
export function asnValue(asn: number | string): number {
  if (typeof asn === 'number') return asn;
  const [high, low] = asn.split('.').map(Number);
  return high! * 65536 + low!;
}

export function checkAlibabaSite({ site, at }: SiteRef<'alibaba'>, report: Findings): void {
  if (site.alibaba === undefined) return;
  checkCustomerGateways(site.alibaba, at, report);
  (site.alibaba.VpnConnections ?? []).forEach((c, i) => checkConnection(site.alibaba!, c, [...at, 'VpnConnections', i], report));
  checkRoutes(site.alibaba, at, report);
}

function checkCustomerGateways(alibaba: AlibabaSite, at: DocPath, report: Findings): void {
  (alibaba.CustomerGateways ?? []).forEach((cgw, i) => {
    const cp = [...at, 'CustomerGateways', i];
    const forbidden = ALIBABA_FORBIDDEN_CGW_RANGES.find((r) => prefixContains(parsePrefix(r), parseIpv4(cgw.IpAddress)));
    if (forbidden !== undefined) {
      report.error('ALIBABA_CUSTOMER_GATEWAY_ADDRESS', [...cp, 'IpAddress'], `customer gateway '${cgw.Name}' IpAddress ${cgw.IpAddress} is in ${forbidden}: Alibaba refuses the customer gateway, so no tunnel to it exists`,
        'give the peer device\'s static public address');
    }
    if (cgw.Asn !== undefined && asnValue(cgw.Asn) === ALIBABA_DEFAULT_ASN) {
      report.error('ALIBABA_RESERVED_ASN', [...cp, 'Asn'], `customer gateway '${cgw.Name}' Asn ${cgw.Asn} is Alibaba Cloud's own ASN (45104): Alibaba refuses the customer gateway, so no BGP session with it comes up`,
        'give the peer device\'s ASN (for an Azure gateway, its bgpSettings.asn)');
    }
  });
}

function checkConnection(alibaba: AlibabaSite, conn: VpnConnection, cp: DocPath, report: Findings): void {
  const label = `IPsec connection '${conn.Name}'`;
  const gateways = (alibaba.VpnGateways ?? []).map((g) => g.Name);
  const cgws = alibaba.CustomerGateways ?? [];
  const gateway = alibaba.VpnGateways?.find((g) => g.Name === conn.VpnGatewayId);
  if (gateway === undefined) {
    report.error('ALIBABA_UNKNOWN_REFERENCE', [...cp, 'VpnGatewayId'], `${label} is bound to VPN gateway '${conn.VpnGatewayId}', which this VPC does not have: Alibaba refuses the connection`, suggest(conn.VpnGatewayId, gateways));
  } else if (conn.TunnelOptionsSpecification !== undefined && gateway.DisasterRecoveryVSwitchId === undefined) {
    report.error('ALIBABA_NOT_DUAL_TUNNEL', [...cp, 'TunnelOptionsSpecification'], `${label} is dual-tunnel but VPN gateway '${gateway.Name}' has one IPsec address (no DisasterRecoveryVSwitchId): Alibaba refuses the connection`,
      'give the gateway a DisasterRecoveryVSwitchId (a second vSwitch), or use a single-tunnel connection');
  }
  const tunnels = conn.TunnelOptionsSpecification !== undefined
    ? conn.TunnelOptionsSpecification.map((t, i) => ({ name: `Tunnel ${t.Role === 'master' ? 1 : 2}`, path: [...cp, 'TunnelOptionsSpecification', i], cgw: t.CustomerGatewayId, ike: t.TunnelIkeConfig, ikeKey: 'TunnelIkeConfig', bgp: t.TunnelBgpConfig, bgpKey: 'TunnelBgpConfig' }))
    : [{ name: 'the tunnel', path: cp, cgw: conn.CustomerGatewayId!, ike: conn.IkeConfig, ikeKey: 'IkeConfig', bgp: conn.BgpConfig, bgpKey: 'BgpConfig' }];
  const bgpOn = conn.EnableTunnelsBgp === true || conn.BgpConfig?.EnableBgp === true;
  const cidrs: { cidr: Prefix; name: string }[] = [];
  for (const t of tunnels) {
    const cgw = cgws.find((c) => c.Name === t.cgw);
    if (cgw === undefined) {
      report.error('ALIBABA_UNKNOWN_REFERENCE', [...t.path, 'CustomerGatewayId'], `${label} ${t.name} names customer gateway '${t.cgw}', which this VPC does not have: Alibaba refuses the connection`, suggest(t.cgw, cgws.map((c) => c.Name)));
    }
    const psk = t.ike?.Psk;
    if (psk === undefined) {
      report.error('ALIBABA_PSK_GENERATED', t.ike === undefined ? t.path : [...t.path, t.ikeKey], `${label} ${t.name} has no Psk: Alibaba generates a random 16-character key the peer cannot know, so IKE_AUTH fails with AUTHENTICATION_FAILED`,
        'set Psk to the key configured on the peer (for Azure, the connection\'s sharedKey)');
    } else {
      const problem = alibabaPskProblem(psk);
      if (problem !== undefined) report.error('ALIBABA_PSK_INVALID', [...t.path, t.ikeKey, 'Psk'], `${label} ${t.name} Psk ${problem}: Alibaba refuses the connection`, 'use 1-100 letters, digits and ~`!@#$%^&*()_-+={}[]\\|;:\',.<>/? (no spaces)');
    }
    if (!bgpOn) continue;
    if (cgw !== undefined && cgw.Asn === undefined) {
      report.error('ALIBABA_BGP_NO_ASN', [...t.path, 'CustomerGatewayId'], `${label} runs BGP on ${t.name}, but customer gateway '${cgw.Name}' has no Asn: Alibaba refuses BGP on the tunnel`, 'give the customer gateway the peer device\'s Asn');
    }
    if (t.bgp?.TunnelCidr === undefined || t.bgp.LocalBgpIp === undefined) {
      report.error('ALIBABA_TUNNEL_CIDR', [...t.path, t.bgpKey], `${label} runs BGP but ${t.name} has no TunnelCidr and LocalBgpIp: Alibaba refuses the connection`, 'give a /30 in 169.254.0.0/16 and the Alibaba-side address in it');
      continue;
    }
    const bp = [...t.path, t.bgpKey];
    const cidr = parsePrefix(t.bgp.TunnelCidr);
    const problem = cidr.length !== 30 ? 'is not a /30'
      : !prefixCovers(LINK_LOCAL, cidr) ? 'is not inside 169.254.0.0/16'
        : EXCLUDED_TUNNEL_CIDRS.some((x) => prefixCovers(x, cidr)) ? 'is one of the reserved blocks 169.254.0.0/30-169.254.6.0/30 and 169.254.169.252/30'
          : undefined;
    const twin = cidrs.find((c) => prefixEquals(c.cidr, cidr));
    if (problem !== undefined) {
      report.error('ALIBABA_TUNNEL_CIDR', [...bp, 'TunnelCidr'], `${label} ${t.name} TunnelCidr ${t.bgp.TunnelCidr} ${problem}: Alibaba refuses it, so BGP on the tunnel never starts`, 'choose a /30 inside 169.254.0.0/16 outside the excluded blocks');
    } else if (twin !== undefined) {
      report.error('ALIBABA_TUNNEL_CIDR', [...bp, 'TunnelCidr'], `${label} ${t.name} TunnelCidr ${t.bgp.TunnelCidr} is also the one of ${twin.name}: Alibaba refuses the connection (each tunnel needs its own /30)`, 'give the two tunnels different /30s');
    }
    cidrs.push({ cidr, name: t.name });
    const ip = parseIpv4(t.bgp.LocalBgpIp);
    if (!prefixContains(cidr, ip) || ip === cidr.address || ip === broadcastOf(cidr)) {
      report.error('ALIBABA_TUNNEL_CIDR', [...bp, 'LocalBgpIp'], `${label} ${t.name} LocalBgpIp ${t.bgp.LocalBgpIp} is not a host address of TunnelCidr ${t.bgp.TunnelCidr}: Alibaba refuses it, so BGP on the tunnel never starts`, 'use one of the two host addresses of the /30');
    }
  }
}

/**
 * Routes the VPC does not use: entries with PublishVpc false, and protected-data-flow connections
 * whose RemoteSubnet has no published route (AutoConfigRoute creates them Unpublished, L1).
 */
function checkRoutes(alibaba: AlibabaSite, at: DocPath, report: Findings): void {
  const connections = alibaba.VpnConnections ?? [];
  const names = connections.map((c) => c.Name);
  const entries = [
    ...(alibaba.VpnPbrRouteEntries ?? []).map((e, i) => ({ ...e, path: [...at, 'VpnPbrRouteEntries', i], kind: 'policy route' })),
    ...(alibaba.VpnRouteEntries ?? []).map((e, i) => ({ ...e, path: [...at, 'VpnRouteEntries', i], kind: 'destination route' })),
  ];
  for (const e of entries) {
    if (!names.includes(e.NextHop)) {
      report.error('ALIBABA_UNKNOWN_REFERENCE', [...e.path, 'NextHop'], `${e.kind} to ${e.RouteDest} goes to IPsec connection '${e.NextHop}', which this VPC does not have: Alibaba refuses the route`, suggest(e.NextHop, names));
    }
    if (e.kind === 'destination route' && e.RouteDest === '0.0.0.0/0') {
      report.error('ALIBABA_DEFAULT_ROUTE', [...e.path, 'RouteDest'], `destination route to 0.0.0.0/0 via '${e.NextHop}': Alibaba does not accept a default destination route`, 'list the peer\'s prefixes, or use a policy route');
    }
    if (!e.PublishVpc) {
      report.warning('ALIBABA_ROUTE_UNPUBLISHED', [...e.path, 'PublishVpc'], `${e.kind} to ${e.RouteDest} via IPsec connection '${e.NextHop}' is not published to the VPC: ping times out: the VPC route table has no route to ${e.RouteDest}, so replies never reach the VPN gateway`,
        'publish it (PublishVpc: true; the console\'s "Publish")');
    }
  }
  connections.forEach((conn, ci) => {
    if (!isProtectedDataFlows(conn)) return;
    const mine = entries.filter((e) => e.NextHop === conn.Name && e.VpnGatewayId === conn.VpnGatewayId);
    (conn.RemoteSubnet ?? []).forEach((text, ri) => {
      const remote = parsePrefix(text);
      const covering = mine.filter((e) => prefixCovers(parsePrefix(e.RouteDest), remote));
      if (covering.length > 0) return;
      const auto = conn.AutoConfigRoute !== false;
      report.warning('ALIBABA_ROUTE_UNPUBLISHED', [...at, 'VpnConnections', ci, 'RemoteSubnet', ri],
        `IPsec connection '${conn.Name}' RemoteSubnet ${text} has ${auto ? 'only the policy route AutoConfigRoute creates, Unpublished' : 'no route (AutoConfigRoute is false)'}: ping times out: the VPC route table has no route to ${text}`,
        auto ? 'publish it (PublishVpc: true): list it in VpnPbrRouteEntries with PublishVpc: true' : `add a VpnPbrRouteEntries entry to ${text} with NextHop '${conn.Name}' and PublishVpc: true`);
    });
  });
}
