import { suggest } from '../../config/issues.js';
import { broadcastOf, parsePrefix, prefixContains, prefixCovers, prefixEquals, type Prefix } from '../../net/address.js';
import type { Findings, ModelRef } from '../adapter.js';
import { ALIBABA_DEFAULT_ASN, ALIBABA_FORBIDDEN_CGW_RANGES, alibabaPskProblem } from './defaults.js';
import type { AlibabaConnection, AlibabaModel } from './model.js';

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
export function checkAlibabaSite({ model }: ModelRef<'alibaba', AlibabaModel>, report: Findings): void {
  if (model.block === undefined) return;
  checkCustomerGateways(model, report);
  for (const conn of model.connections) checkConnection(model, conn, report);
  checkRoutes(model, report);
}

function checkCustomerGateways(model: AlibabaModel, report: Findings): void {
  for (const cgw of model.customerGateways) {
    const { Name: name, IpAddress: address, Asn: asn } = cgw.resource;
    const forbidden = ALIBABA_FORBIDDEN_CGW_RANGES.find((r) => prefixContains(parsePrefix(r), cgw.address));
    if (forbidden !== undefined) {
      report.error('ALIBABA_CUSTOMER_GATEWAY_ADDRESS', [...cgw.path, 'IpAddress'], `customer gateway '${name}' IpAddress ${address} is in ${forbidden}: Alibaba refuses the customer gateway, so no tunnel to it exists`,
        'give the peer device\'s static public address');
    }
    if (cgw.asn === ALIBABA_DEFAULT_ASN) {
      report.error('ALIBABA_RESERVED_ASN', [...cgw.path, 'Asn'], `customer gateway '${name}' Asn ${asn} is Alibaba Cloud's own ASN (45104): Alibaba refuses the customer gateway, so no BGP session with it comes up`,
        'give the peer device\'s ASN (for an Azure gateway, its bgpSettings.asn)');
    }
  }
}

function checkConnection(model: AlibabaModel, conn: AlibabaConnection, report: Findings): void {
  const label = `IPsec connection '${conn.name}'`;
  const gateway = conn.gateway.target;
  if (gateway === undefined) {
    report.error('ALIBABA_UNKNOWN_REFERENCE', conn.gateway.path, `${label} is bound to VPN gateway '${conn.gateway.name}', which this VPC does not have: Alibaba refuses the connection`, suggest(conn.gateway.name, model.gateways.map((g) => g.name)));
  } else if (conn.dual && !gateway.dual) {
    report.error('ALIBABA_NOT_DUAL_TUNNEL', [...conn.path, 'TunnelOptionsSpecification'], `${label} is dual-tunnel but VPN gateway '${gateway.name}' has one IPsec address (no DisasterRecoveryVSwitchId): Alibaba refuses the connection`,
      'give the gateway a DisasterRecoveryVSwitchId (a second vSwitch), or use a single-tunnel connection');
  }
  const cidrs: { cidr: Prefix; name: string }[] = [];
  for (const t of conn.tunnels) {
    const name = conn.dual ? `Tunnel ${t.address}` : 'the tunnel';
    const cgw = t.customerGateway.target;
    if (cgw === undefined) {
      report.error('ALIBABA_UNKNOWN_REFERENCE', t.customerGateway.path, `${label} ${name} names customer gateway '${t.customerGateway.name}', which this VPC does not have: Alibaba refuses the connection`,
        suggest(t.customerGateway.name, model.customerGateways.map((c) => c.name)));
    }
    const psk = t.ike?.Psk;
    if (psk === undefined) {
      report.warning('ALIBABA_PSK_GENERATED', t.ike === undefined ? t.path : t.ikePath, `${label} ${name} has no Psk: Alibaba generates a random 16-character key the peer cannot know, so IKE_AUTH fails with AUTHENTICATION_FAILED`,
        'set Psk to the key configured on the peer (for Azure, the connection\'s sharedKey)');
    } else {
      const problem = alibabaPskProblem(psk);
      if (problem !== undefined) report.error('ALIBABA_PSK_INVALID', [...t.ikePath, 'Psk'], `${label} ${name} Psk ${problem}: Alibaba refuses the connection`, 'use 1-100 letters, digits and ~`!@#$%^&*()_-+={}[]\\|;:\',.<>/? (no spaces)');
    }
    if (!conn.bgpRequested) continue;
    if (cgw !== undefined && cgw.asn === undefined) {
      report.error('ALIBABA_BGP_NO_ASN', t.customerGateway.path, `${label} runs BGP on ${name}, but customer gateway '${cgw.name}' has no Asn: Alibaba refuses BGP on the tunnel`, 'give the customer gateway the peer device\'s Asn');
    }
    const bp = t.bgp.path;
    const cidr = t.bgp.tunnelCidr;
    const ip = t.bgp.localBgpIp;
    if (cidr === undefined || ip === undefined) {
      report.error('ALIBABA_TUNNEL_CIDR', bp, `${label} runs BGP but ${name} has no TunnelCidr and LocalBgpIp: Alibaba refuses the connection`, 'give a /30 in 169.254.0.0/16 and the Alibaba-side address in it');
      continue;
    }
    const cidrText = t.bgp.config?.TunnelCidr;
    const problem = cidr.length !== 30 ? 'is not a /30'
      : !prefixCovers(LINK_LOCAL, cidr) ? 'is not inside 169.254.0.0/16'
        : EXCLUDED_TUNNEL_CIDRS.some((x) => prefixCovers(x, cidr)) ? 'is one of the reserved blocks 169.254.0.0/30-169.254.6.0/30 and 169.254.169.252/30'
          : undefined;
    const twin = cidrs.find((c) => prefixEquals(c.cidr, cidr));
    if (problem !== undefined) {
      report.error('ALIBABA_TUNNEL_CIDR', [...bp, 'TunnelCidr'], `${label} ${name} TunnelCidr ${cidrText} ${problem}: Alibaba refuses it, so BGP on the tunnel never starts`, 'choose a /30 inside 169.254.0.0/16 outside the excluded blocks');
    } else if (twin !== undefined) {
      report.error('ALIBABA_TUNNEL_CIDR', [...bp, 'TunnelCidr'], `${label} ${name} TunnelCidr ${cidrText} is also the one of ${twin.name}: Alibaba refuses the connection (each tunnel needs its own /30)`, 'give the two tunnels different /30s');
    }
    cidrs.push({ cidr, name });
    if (!prefixContains(cidr, ip) || ip === cidr.address || ip === broadcastOf(cidr)) {
      report.error('ALIBABA_TUNNEL_CIDR', [...bp, 'LocalBgpIp'], `${label} ${name} LocalBgpIp ${t.bgp.config?.LocalBgpIp} is not a host address of TunnelCidr ${cidrText}: Alibaba refuses it, so BGP on the tunnel never starts`, 'use one of the two host addresses of the /30');
    }
  }
}

/**
 * Routes the VPC does not use: entries with PublishVpc false, and protected-data-flow connections
 * whose RemoteSubnet has no published route (AutoConfigRoute creates them Unpublished, L1).
 */
function checkRoutes(model: AlibabaModel, report: Findings): void {
  for (const e of model.routes) {
    const kind = e.kind === 'policy' ? 'policy route' : 'destination route';
    const { RouteDest: dest, NextHop: nextHop } = e.resource;
    if (e.nextHop.target === undefined) {
      report.error('ALIBABA_UNKNOWN_REFERENCE', e.nextHop.path, `${kind} to ${dest} goes to IPsec connection '${nextHop}', which this VPC does not have: Alibaba refuses the route`, suggest(nextHop, model.connections.map((c) => c.name)));
    }
    if (e.kind === 'destination' && e.dest.length === 0) {
      report.error('ALIBABA_DEFAULT_ROUTE', [...e.path, 'RouteDest'], `destination route to 0.0.0.0/0 via '${nextHop}': Alibaba does not accept a default destination route`, 'list the peer\'s prefixes, or use a policy route');
    }
    if (!e.published) {
      report.warning('ALIBABA_ROUTE_UNPUBLISHED', [...e.path, 'PublishVpc'], `${kind} to ${dest} via IPsec connection '${nextHop}' is not published to the VPC: ping times out: the VPC route table has no route to ${dest}, so replies never reach the VPN gateway`,
        'publish it (PublishVpc: true; the console\'s "Publish")');
    }
  }
  for (const conn of model.connections) {
    if (conn.flows === undefined) continue;
    (conn.remoteSubnet ?? []).forEach((remote, ri) => {
      if (conn.routes.some((e) => prefixCovers(e.dest, remote))) return;
      const text = conn.resource.RemoteSubnet![ri];
      report.warning('ALIBABA_ROUTE_UNPUBLISHED', [...conn.path, 'RemoteSubnet', ri],
        `IPsec connection '${conn.name}' RemoteSubnet ${text} has ${conn.autoConfigRoute ? 'only the policy route AutoConfigRoute creates, Unpublished' : 'no route (AutoConfigRoute is false)'}: ping times out: the VPC route table has no route to ${text}`,
        conn.autoConfigRoute ? 'publish it (PublishVpc: true): list it in VpnPbrRouteEntries with PublishVpc: true' : `add a VpnPbrRouteEntries entry to ${text} with NextHop '${conn.name}' and PublishVpc: true`);
    });
  }
}
