import { z } from 'zod';
import { asn, ipv4, name, prefix, secret } from '../../config/primitives.js';

/*
 * The `alibaba:` block of an Alibaba Cloud site: the VPN Gateway resources with the OpenAPI
 * (VPC 2016-04-28) parameter names, PascalCase: CreateVpnGateway, CreateCustomerGateway,
 * CreateVpnConnection, CreateVpnPbrRouteEntry, CreateVpnRouteEntry. The VPC is the site: its
 * `addressSpace` is the VPC CIDR, its `subnets` are the vSwitches (with `zone`), ECS instances are
 * its `hosts`.
 *
 * IDs become names: VpnGatewayId, CustomerGatewayId, VSwitchId and NextHop refer to resources of
 * this site by Name. Values the API takes as JSON strings (IkeConfig, IpsecConfig, BgpConfig,
 * HealthCheckConfig) are YAML objects with the same keys; comma-separated CIDR lists
 * (LocalSubnet, RemoteSubnet) are YAML lists.
 *
 * Sources: docs/platforms.md (L1 Azure interop guide, L2 CreateVpnConnection / CreateVpnGateway
 * API reference, L3 customer gateway, L4 routes, L5 BGP, L6 dual-tunnel mode).
 */

// ---------------------------------------------------------------------------------------------
// Enumerations and value types (API values)

export const ikeVersion = z.enum(['ikev1', 'ikev2'])
  .meta({ description: 'IkeVersion: ikev1 | ikev2. Default: ikev2 for dual-tunnel connections per the console guide, ikev1 per the CreateVpnConnection API reference (the sources disagree); ikev1 for single-tunnel.' });

export const ikeMode = z.enum(['main', 'aggressive'])
  .meta({ description: 'IkeMode (IKEv1 negotiation mode): main (default) | aggressive' });

export const encAlg = z.enum(['aes', 'aes192', 'aes256', 'des', '3des'])
  .meta({ description: 'Encryption algorithm: aes (default; AES-128-CBC) | aes192 | aes256 | des | 3des. No GCM.' });

export const authAlg = z.enum(['md5', 'sha1', 'sha256', 'sha384', 'sha512'])
  .meta({ description: 'Authentication (integrity) algorithm: md5 | sha1 | sha256 | sha384 | sha512. Default sha1 for dual-tunnel per the console guide; md5 per the current API reference (the sources disagree).' });

export const ikePfs = z.enum(['group1', 'group2', 'group5', 'group14'])
  .meta({ description: 'IkePfs (phase-1 DH group): group1 | group2 (default) | group5 | group14' });

export const ipsecPfs = z.enum(['disabled', 'group1', 'group2', 'group5', 'group14'])
  .meta({ description: 'IpsecPfs (phase-2 PFS DH group): disabled | group1 | group2 (default) | group5 | group14' });

const lifetime = z.number().int().min(0).max(86400);

/** 1-4294967295, or asdot "123.456" (= 123 x 65536 + 456) as the API accepts. */
export const asnOrAsdot = z.union([
  asn,
  z.string().regex(/^\d{1,5}\.\d{1,5}$/, 'expected an ASN number or asdot "high.low" like "123.456"')
    .refine((text) => text.split('.').every((part) => Number(part) <= 65535), { message: 'each asdot half must be 0-65535' }),
]).meta({ description: 'ASN: 1-4294967295, or asdot "high.low" (e.g. "123.456" = 123 x 65536 + 456)' });

/** Pre-shared key: 1-100 characters; the character set is checked later, with a helpful message. */
const psk = secret(z.string().min(1).max(100),
  'Pre-shared key, 1-100 characters: digits, letters and ~`!@#$%^&*()_-+={}[]\\|;:\',.<>/? (no spaces). Omitted: the system generates a random 16-character key, which the peer cannot know. Must equal the peer\'s key.');

// ---------------------------------------------------------------------------------------------
// VPN gateway

export const vpnGatewaySchema = z.strictObject({
  Name: name.meta({ description: 'Name of the VPN gateway; referenced by VpnGatewayId' }),
  VpcId: z.string().optional().meta({ description: 'The VPC: always this site; optional, informational (e.g. the real vpc-... ID)' }),
  VSwitchId: name.optional().meta({ description: 'vSwitch (a subnet of this site) holding the ENI of IPsec address 1 / Tunnel 1. Required in dual-tunnel regions; otherwise the system picks one.' }),
  DisasterRecoveryVSwitchId: name.optional().meta({ description: 'Second vSwitch (ENI of IPsec address 2 / Tunnel 2). Given: the gateway supports dual-tunnel connections. Should be in a different zone from VSwitchId (may be the same vSwitch in single-zone regions). Cannot be changed after creation.' }),
  NetworkType: z.enum(['public', 'private']).optional().meta({ description: 'NetworkType: public (default; IPsec addresses are public IPs) | private' }),
  VpnType: z.enum(['Normal', 'NationalStandard']).optional().meta({ description: 'VpnType (the console\'s "gateway type"): Normal (default, standard) | NationalStandard (ShangMi, China only; not emulated)' }),
  Bandwidth: z.literal([5, 10, 20, 50, 100, 200, 500, 1000]).optional().meta({ description: 'Bandwidth specification in Mbit/s (the API\'s Spec). Public: 10 | 100 | 200 | 500 | 1000 (also 5 | 20 | 50 on the China site); private: 200 | 1000. Required by the API; omitted here: no cap in the emulator.' }),
  EnableIpsec: z.boolean().optional().meta({ description: 'Enable IPsec-VPN (default true)' }),
  EnableSsl: z.boolean().optional().meta({ description: 'Enable SSL-VPN (default false; SSL-VPN is not emulated)' }),
  SslConnections: z.literal([5, 10, 20, 50, 100, 200, 500, 1000]).optional().meta({ description: 'Maximum SSL-VPN clients: 5 (default) | 10 | 20 | 50 | 100 | 200 | 500 | 1000' }),
  AutoPropagate: z.boolean().optional().meta({ description: 'Automatically advertise BGP-learned routes to the VPC system route table (ModifyVpnGatewayAttribute / DescribeVpnGateway AutoPropagate; the platform default is not documented in the sources read)' }),
  InternetIp: ipv4.optional().meta({ description: 'IPsec address 1 (primary tunnel), assigned by the platform (DescribeVpnGateway InternetIp). Optional; give it to match the peers\' configuration (Azure local network gateways).' }),
  DisasterRecoveryInternetIp: ipv4.optional().meta({ description: 'IPsec address 2 (backup tunnel; dual-tunnel gateways only), assigned by the platform (DescribeVpnGateway DisasterRecoveryInternetIp). Optional; give it to match the peers.' }),
  Description: z.string().optional(),
}).meta({ description: 'VPN gateway (CreateVpnGateway)' });

// ---------------------------------------------------------------------------------------------
// Customer gateway

export const customerGatewaySchema = z.strictObject({
  Name: name.meta({ description: 'Name of the customer gateway; referenced by CustomerGatewayId' }),
  IpAddress: ipv4.meta({ description: 'Static IP of the peer gateway device (public for a public VPN gateway). Not allowed: 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4, 255.0.0.0/8.' }),
  Asn: asnOrAsdot.optional().meta({ description: 'ASN of the peer device, needed for BGP: 1-4294967295 or asdot "123.456"; 45104 (Alibaba Cloud) is not allowed' }),
  AuthKey: secret(z.string().min(1).max(64), 'BGP MD5 authentication key, 1-64 ASCII characters, no spaces or "?"').optional(),
  Description: z.string().optional(),
}).meta({ description: 'Customer gateway (CreateCustomerGateway): the peer VPN device' });

// ---------------------------------------------------------------------------------------------
// IPsec connection

export const ikeConfigSchema = z.strictObject({
  Psk: psk.optional(),
  IkeVersion: ikeVersion.optional(),
  IkeMode: ikeMode.optional(),
  IkeEncAlg: encAlg.optional(),
  IkeAuthAlg: authAlg.optional(),
  IkePfs: ikePfs.optional(),
  IkeLifetime: lifetime.optional().meta({ description: 'Phase-1 SA lifetime in seconds, 0-86400 (default 86400)' }),
  LocalId: z.string().max(100).optional().meta({ description: 'IKE identity of the Alibaba side (default: the tunnel\'s IPsec address); an FQDN works best with aggressive mode' }),
  RemoteId: z.string().max(100).optional().meta({ description: 'IKE identity of the peer (default: the customer gateway\'s IP address)' }),
}).meta({ description: 'Phase-1 (IKE) configuration; every field defaults as documented' });

export const ipsecConfigSchema = z.strictObject({
  IpsecEncAlg: encAlg.optional(),
  IpsecAuthAlg: authAlg.optional(),
  IpsecPfs: ipsecPfs.optional(),
  IpsecLifetime: lifetime.optional().meta({ description: 'Phase-2 SA lifetime in seconds, 0-86400 (default 86400)' }),
}).meta({ description: 'Phase-2 (IPsec) configuration; every field defaults as documented' });

export const tunnelBgpConfigSchema = z.strictObject({
  LocalAsn: asn.optional().meta({ description: 'Alibaba-side ASN, 1-4294967295 (default 45104); required when EnableTunnelsBgp is true' }),
  TunnelCidr: prefix.meta({ description: 'The tunnel\'s BGP /30 inside 169.254.0.0/16, not 169.254.0.0/30-169.254.6.0/30 nor 169.254.169.252/30; the two tunnels use different /30s' }),
  LocalBgpIp: ipv4.meta({ description: 'Alibaba-side BGP address, inside TunnelCidr' }),
}).meta({ description: 'TunnelBgpConfig: BGP over this tunnel (with EnableTunnelsBgp)' });

export const singleTunnelBgpConfigSchema = z.strictObject({
  EnableBgp: z.boolean().optional().meta({ description: 'Enable BGP (default false)' }),
  LocalAsn: asnOrAsdot.optional().meta({ description: 'Alibaba-side ASN, number or asdot (default 45104)' }),
  TunnelCidr: prefix.optional().meta({ description: 'BGP /30 inside 169.254.0.0/16, unique per connection of the gateway' }),
  LocalBgpIp: ipv4.optional().meta({ description: 'Alibaba-side BGP address inside TunnelCidr' }),
}).meta({ description: 'BgpConfig (single-tunnel connections)' });

export const healthCheckConfigSchema = z.strictObject({
  enable: z.boolean().optional().meta({ description: 'Enable the health check (default false)' }),
  dip: ipv4.optional().meta({ description: 'Destination IP probed (a peer-side address)' }),
  sip: ipv4.optional().meta({ description: 'Source IP of the probes (a VPC address)' }),
  interval: z.number().int().min(1).optional().meta({ description: 'Seconds between probes (default 3)' }),
  retry: z.number().int().min(1).optional().meta({ description: 'Failed probes before the link is declared down (default 3)' }),
  policy: z.enum(['revoke_route', 'reserve_route']).optional().meta({ description: 'On failure: revoke_route (withdraw the routes; default) | reserve_route' }),
}).meta({ description: 'HealthCheckConfig (single-tunnel connections; the API\'s lower-case keys): ICMP probes through the tunnel' });

export const tunnelOptionsSchema = z.strictObject({
  Role: z.enum(['master', 'slave']).meta({ description: 'master: Tunnel 1, active, on IPsec address 1 | slave: Tunnel 2, standby, on IPsec address 2. Fixed; traffic fails back to master when it recovers.' }),
  CustomerGatewayId: name.meta({ description: 'Name of the customer gateway this tunnel connects to' }),
  EnableDpd: z.boolean().optional().meta({ description: 'Dead peer detection (default true): on timeout the IKE SA, IPsec SA and tunnel are deleted' }),
  EnableNatTraversal: z.boolean().optional().meta({ description: 'NAT traversal (default true)' }),
  TunnelIkeConfig: ikeConfigSchema.optional(),
  TunnelIpsecConfig: ipsecConfigSchema.optional(),
  TunnelBgpConfig: tunnelBgpConfigSchema.optional(),
}).meta({ description: 'TunnelOptionsSpecification[]: one tunnel of a dual-tunnel connection. The pre-shared key is TunnelIkeConfig.Psk.' });

export const routingMode = z.enum(['DestinationRouting', 'ProtectedDataFlows'])
  .meta({ description: 'The console\'s routing mode (not an API parameter; the API expresses it through LocalSubnet/RemoteSubnet). DestinationRouting (default): LocalSubnet = RemoteSubnet = 0.0.0.0/0, traffic follows destination routes. ProtectedDataFlows ("interest flow"): specific LocalSubnet/RemoteSubnet used as phase-2 traffic selectors, and the system creates policy-based routes, unpublished.' });

function isAnyAny(list: readonly string[] | undefined): boolean {
  return list !== undefined && list.length === 1 && list[0] === '0.0.0.0/0';
}

export const vpnConnectionSchema = z.strictObject({
  Name: name.meta({ description: 'Name of the IPsec connection; referenced by route entries\' NextHop' }),
  VpnGatewayId: name.meta({ description: 'Name of the VPN gateway the connection is bound to' }),
  RoutingMode: routingMode.optional(),
  LocalSubnet: z.array(prefix).min(1).optional().meta({ description: 'LocalSubnet (the API\'s comma-separated string, as a list): VPC-side CIDRs, phase-2 local traffic selectors. [0.0.0.0/0] = destination routing mode. Required unless RoutingMode is DestinationRouting.' }),
  RemoteSubnet: z.array(prefix).min(1).optional().meta({ description: 'RemoteSubnet (comma-separated in the API, a list here): peer-side CIDRs, phase-2 remote traffic selectors. [0.0.0.0/0] = destination routing mode. Required unless RoutingMode is DestinationRouting.' }),
  EffectImmediately: z.boolean().optional().meta({ description: 'true: negotiate as soon as configured (and renegotiate on change) | false (default): negotiate only when traffic arrives' }),
  AutoConfigRoute: z.boolean().optional().meta({ description: 'Create routes automatically (default true): policy-based routes in protected-data-flow mode (unpublished), destination routes otherwise' }),
  EnableTunnelsBgp: z.boolean().optional().meta({ description: 'Dual-tunnel: run BGP on the tunnels (default false); needs TunnelBgpConfig on each tunnel and an Asn on each customer gateway' }),
  TunnelOptionsSpecification: z.array(tunnelOptionsSchema).length(2).optional().meta({ description: 'Dual-tunnel mode: exactly two tunnels, one master (Tunnel 1) and one slave (Tunnel 2), both given at creation' }),
  CustomerGatewayId: name.optional().meta({ description: 'Single-tunnel mode only: name of the customer gateway' }),
  EnableDpd: z.boolean().optional().meta({ description: 'Single-tunnel mode: dead peer detection (default true)' }),
  EnableNatTraversal: z.boolean().optional().meta({ description: 'Single-tunnel mode: NAT traversal (default true)' }),
  IkeConfig: ikeConfigSchema.optional().meta({ description: 'Single-tunnel mode: phase-1 configuration (IkeVersion default ikev1)' }),
  IpsecConfig: ipsecConfigSchema.optional().meta({ description: 'Single-tunnel mode: phase-2 configuration' }),
  BgpConfig: singleTunnelBgpConfigSchema.optional(),
  HealthCheckConfig: healthCheckConfigSchema.optional(),
  Description: z.string().optional(),
}).refine((c) => (c.TunnelOptionsSpecification === undefined) !== (c.CustomerGatewayId === undefined), {
  message: 'give TunnelOptionsSpecification (dual tunnel) or CustomerGatewayId (single tunnel), not both, not neither',
}).refine((c) => c.TunnelOptionsSpecification === undefined || new Set(c.TunnelOptionsSpecification.map((t) => t.Role)).size === 2, {
  message: 'the two tunnels must be one master and one slave', path: ['TunnelOptionsSpecification'],
}).refine((c) => c.RoutingMode === 'DestinationRouting' || (c.LocalSubnet !== undefined && c.RemoteSubnet !== undefined), {
  message: 'LocalSubnet and RemoteSubnet are required (use [0.0.0.0/0] for both, or RoutingMode: DestinationRouting, for destination routing)',
}).refine((c) => {
  if (c.RoutingMode === undefined || c.LocalSubnet === undefined || c.RemoteSubnet === undefined) return true;
  const anyAny = isAnyAny(c.LocalSubnet) && isAnyAny(c.RemoteSubnet);
  return (c.RoutingMode === 'DestinationRouting') === anyAny;
}, {
  message: 'RoutingMode disagrees with LocalSubnet/RemoteSubnet: DestinationRouting means both are [0.0.0.0/0]; ProtectedDataFlows means specific CIDRs',
  path: ['RoutingMode'],
}).meta({ description: 'IPsec connection (CreateVpnConnection) bound to a VPN gateway: dual-tunnel (TunnelOptionsSpecification) or single-tunnel (CustomerGatewayId + IkeConfig/IpsecConfig/BgpConfig)' });

// ---------------------------------------------------------------------------------------------
// Routes

const routeWeight = z.literal([0, 100]);

export const vpnPbrRouteEntrySchema = z.strictObject({
  VpnGatewayId: name.meta({ description: 'Name of the VPN gateway' }),
  RouteSource: prefix.meta({ description: 'Source CIDR (VPC side)' }),
  RouteDest: prefix.meta({ description: 'Destination CIDR (peer side)' }),
  NextHop: name.meta({ description: 'Name of the IPsec connection (the API takes its ID)' }),
  Weight: routeWeight.optional().meta({ description: '100: active link | 0: standby link. Required by the API; ignored for dual-tunnel connections (the tunnels are active/standby already).' }),
  Priority: z.number().int().min(1).max(100).optional().meta({ description: 'Policy priority 1-100, smaller wins (default 10). Policy routes are matched by priority, not longest prefix, before destination routes.' }),
  PublishVpc: z.boolean().meta({ description: 'Publish the route to the VPC system route table. false = "Unpublished": ECS traffic does not reach the gateway until it is published (the seed\'s "發布" step). Required.' }),
  Description: z.string().optional(),
}).meta({ description: 'Policy-based route (CreateVpnPbrRouteEntry). In protected-data-flow mode the system creates one per (LocalSubnet, RemoteSubnet) pair, unpublished; list it here to state its publish status.' });

export const vpnRouteEntrySchema = z.strictObject({
  VpnGatewayId: name.meta({ description: 'Name of the VPN gateway' }),
  RouteDest: prefix.meta({ description: 'Destination CIDR (not 0.0.0.0/0; avoid 100.64.0.0/10)' }),
  NextHop: name.meta({ description: 'Name of the IPsec connection' }),
  Weight: routeWeight.optional().meta({ description: '100: active | 0: standby (required by the API; ignored for dual-tunnel connections)' }),
  PublishVpc: z.boolean().meta({ description: 'Publish the route to the VPC system route table (required)' }),
  Description: z.string().optional(),
}).meta({ description: 'Destination-based route (CreateVpnRouteEntry), looked up by longest prefix after the policy-based routes' });

// ---------------------------------------------------------------------------------------------
// The block

export const alibabaSiteSchema = z.strictObject({
  VpnGateways: z.array(vpnGatewaySchema).optional(),
  CustomerGateways: z.array(customerGatewaySchema).optional(),
  VpnConnections: z.array(vpnConnectionSchema).optional(),
  VpnPbrRouteEntries: z.array(vpnPbrRouteEntrySchema).optional().meta({ description: 'Policy-based routes of the VPN gateways' }),
  VpnRouteEntries: z.array(vpnRouteEntrySchema).optional().meta({ description: 'Destination-based routes of the VPN gateways' }),
}).meta({ description: 'Alibaba Cloud VPN Gateway resources of this VPC, with OpenAPI parameter names' });

export type AlibabaSite = z.infer<typeof alibabaSiteSchema>;
export type VpnGateway = z.infer<typeof vpnGatewaySchema>;
export type CustomerGateway = z.infer<typeof customerGatewaySchema>;
export type VpnConnection = z.infer<typeof vpnConnectionSchema>;
export type TunnelOptions = z.infer<typeof tunnelOptionsSchema>;
export type IkeConfig = z.infer<typeof ikeConfigSchema>;
export type IpsecConfig = z.infer<typeof ipsecConfigSchema>;
export type TunnelBgpConfig = z.infer<typeof tunnelBgpConfigSchema>;
export type SingleTunnelBgpConfig = z.infer<typeof singleTunnelBgpConfigSchema>;
export type HealthCheckConfig = z.infer<typeof healthCheckConfigSchema>;
export type VpnPbrRouteEntry = z.infer<typeof vpnPbrRouteEntrySchema>;
export type VpnRouteEntry = z.infer<typeof vpnRouteEntrySchema>;
export type RoutingMode = z.infer<typeof routingMode>;
