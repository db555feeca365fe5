import { z } from 'zod';
import { isIpv4 } from '../../net/address.js';
import { asn, ipv4, name, prefix, secret } from '../../config/primitives.js';

/*
 * The `azure:` block of an Azure site: the VPN gateway resources with their ARM property names
 * (Microsoft.Network/virtualNetworkGateways, localNetworkGateways, connections), camelCase as in an
 * ARM template's `properties`. The VNet itself is the site: its `addressSpace` and `subnets` (one
 * of them named `GatewaySubnet`) are the generic site fields; VMs are the site's `hosts`.
 *
 * ARM references (`{ id: "/subscriptions/…" }`) are written as names: a gateway, local network
 * gateway or NAT rule of this site by its name, a gateway of another Azure site as "site/gateway".
 * Read-only ARM properties (bgpSettings.bgpPeeringAddress, defaultBgpIpAddresses) may be given: the
 * emulator derives them and checks that they match.
 *
 * Sources: docs/platforms.md (S1 VPN Gateway FAQ, S2 IPsec/IKE parameters, S3 configure BGP,
 * S4/S5 active-active, ARM REST reference).
 */

// ---------------------------------------------------------------------------------------------
// Enumerations (ARM values)

export const gatewayType = z.enum(['Vpn', 'ExpressRoute'])
  .meta({ description: 'gatewayType. Vpn (default) | ExpressRoute. Only Vpn gateways are emulated.' });

export const vpnType = z.enum(['RouteBased', 'PolicyBased'])
  .meta({ description: 'vpnType. RouteBased (default) | PolicyBased. BGP, active-active, VNet-to-VNet and custom IPsec policies need RouteBased; PolicyBased is IKEv1-only on the Basic SKU.' });

export const gatewaySku = z.enum([
  'Basic', 'Standard', 'HighPerformance',
  'VpnGw1', 'VpnGw2', 'VpnGw3', 'VpnGw4', 'VpnGw5',
  'VpnGw1AZ', 'VpnGw2AZ', 'VpnGw3AZ', 'VpnGw4AZ', 'VpnGw5AZ',
]).meta({ description: 'sku.name (= sku.tier for VPN gateways). Basic | Standard | HighPerformance (legacy) | VpnGw1-5 | VpnGw1AZ-5AZ. ARM has no default; vpnlab assumes VpnGw1 when omitted. Basic has no BGP, no active-active, no IKEv2 custom policy.' });

export const vpnGatewayGeneration = z.enum(['Generation1', 'Generation2', 'None'])
  .meta({ description: 'vpnGatewayGeneration. Generation1 (default) | Generation2 | None. Informational in the emulator.' });

export const connectionType = z.enum(['IPsec', 'Vnet2Vnet', 'ExpressRoute'])
  .meta({ description: 'connectionType. IPsec (site-to-site, to a local network gateway) | Vnet2Vnet (to another Azure gateway) | ExpressRoute (not emulated)' });

export const connectionProtocol = z.enum(['IKEv2', 'IKEv1'])
  .meta({ description: 'connectionProtocol. IKEv2 (default) | IKEv1. IKEv1 is not available on Basic/Standard/HighPerformance route-based gateways; cannot be changed after creation.' });

export const connectionMode = z.enum(['Default', 'InitiatorOnly', 'ResponderOnly'])
  .meta({ description: 'connectionMode. Default (initiate and respond; default) | InitiatorOnly | ResponderOnly' });

export const ipsecEncryption = z.enum(['None', 'DES', 'DES3', 'AES128', 'AES192', 'AES256', 'GCMAES128', 'GCMAES192', 'GCMAES256'])
  .meta({ description: 'IPsec (phase 2) encryption: None | DES | DES3 | AES128 | AES192 | AES256 | GCMAES128 | GCMAES192 | GCMAES256' });

export const ipsecIntegrity = z.enum(['MD5', 'SHA1', 'SHA256', 'GCMAES128', 'GCMAES192', 'GCMAES256'])
  .meta({ description: 'IPsec (phase 2) integrity: MD5 | SHA1 | SHA256 | GCMAES128 | GCMAES192 | GCMAES256 (a GCM ipsecEncryption needs the same GCM value here)' });

export const ikeEncryption = z.enum(['DES', 'DES3', 'AES128', 'AES192', 'AES256', 'GCMAES128', 'GCMAES256'])
  .meta({ description: 'IKE (phase 1) encryption: DES | DES3 | AES128 | AES192 | AES256 | GCMAES128 | GCMAES256' });

export const ikeIntegrity = z.enum(['MD5', 'SHA1', 'SHA256', 'SHA384', 'GCMAES128', 'GCMAES256'])
  .meta({ description: 'IKE (phase 1) integrity: MD5 | SHA1 | SHA256 | SHA384 | GCMAES128 | GCMAES256' });

export const dhGroup = z.enum(['None', 'DHGroup1', 'DHGroup2', 'DHGroup14', 'DHGroup2048', 'ECP256', 'ECP384', 'DHGroup24'])
  .meta({ description: 'IKE DH group: None | DHGroup1 (768-bit MODP) | DHGroup2 (1024) | DHGroup14 = DHGroup2048 (2048) | ECP256 (group 19) | ECP384 (group 20) | DHGroup24 (2048, 256-bit subgroup)' });

export const pfsGroup = z.enum(['None', 'PFS1', 'PFS2', 'PFS14', 'PFS2048', 'ECP256', 'ECP384', 'PFS24', 'PFSMM'])
  .meta({ description: 'Phase 2 PFS group: None | PFS1 | PFS2 | PFS14 = PFS2048 | ECP256 | ECP384 | PFS24 | PFSMM (same as the main-mode group)' });

export const natRuleType = z.enum(['Static', 'Dynamic'])
  .meta({ description: 'NAT rule type: Static (1:1, default) | Dynamic (many-to-one with ports)' });

export const natRuleMode = z.enum(['EgressSnat', 'IngressSnat'])
  .meta({ description: 'NAT rule mode: EgressSnat (translate VNet addresses leaving through the tunnel; default) | IngressSnat (translate on-premises addresses entering)' });

// ---------------------------------------------------------------------------------------------
// Value helpers

/** A read-only `bgpPeeringAddress`: one address, or two comma-joined for active-active. */
const commaSeparatedIpv4 = z.string()
  .refine((text) => text.split(',').every((part) => isIpv4(part.trim())), {
    message: 'expected an IPv4 address, or two joined by a comma ("10.12.255.4,10.12.255.5") for an active-active gateway',
  });

/** "siteName/gatewayName": a virtual network gateway of another Azure site. */
export const gatewayReference = z.string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected "siteName/gatewayName" (a virtualNetworkGateway of another azure site)')
  .meta({ description: '"siteName/gatewayName": a virtual network gateway of another Azure site' });

// ---------------------------------------------------------------------------------------------
// Virtual network gateway

export const ipConfigurationSchema = z.strictObject({
  name: name.meta({ description: 'ipConfigurations[].name, e.g. "default" and "activeActive"; referenced by bgpPeeringAddresses[].ipconfigurationId, natRules[].ipConfigurationId and connections[].gatewayCustomBgpIpAddresses[].ipConfigurationId' }),
  subnet: name.optional().meta({ description: 'Name of the subnet of this site the instance sits in (default "GatewaySubnet"; Azure requires exactly that name, /29 minimum, /27 recommended)' }),
  publicIPAddress: ipv4.optional().meta({ description: 'The public IP address of this gateway instance itself (ARM references a Microsoft.Network/publicIPAddresses resource; here the address, a Standard static IP). Omit to let the emulator pick one; give it to match the peers\' local network gateway / customer gateway.' }),
}).meta({ description: 'ipConfigurations[]: one per gateway instance (two for activeActive)' });

export const ipConfigurationBgpPeeringAddressSchema = z.strictObject({
  ipconfigurationId: name.meta({ description: 'Name of the ipConfiguration (ARM: its resource ID; note ARM\'s lower-case "c")' }),
  customBgpIpAddresses: z.array(ipv4).optional().meta({ description: 'Custom APIPA BGP addresses of this instance, each in 169.254.21.0-169.254.22.255 (default: none)' }),
  defaultBgpIpAddresses: z.array(ipv4).optional().meta({ description: 'Read-only in Azure: the GatewaySubnet address(es) Azure assigns. Optional here; when given the emulator checks that it derives the same.' }),
}).meta({ description: 'bgpSettings.bgpPeeringAddresses[]: per-instance BGP addresses' });

export const gatewayBgpSettingsSchema = z.strictObject({
  asn: asn.optional().meta({ description: 'The gateway\'s ASN (default 65515, assigned whether or not BGP is enabled). Must differ from the on-premises ASN; 8074, 8075, 12076, 65515, 65517-65520 and IANA-reserved ASNs are rejected by Azure.' }),
  bgpPeeringAddress: commaSeparatedIpv4.optional().meta({ description: 'Read-only in Azure (BgpSettingsText.BgpPeeringAddress): the BGP address in GatewaySubnet, the last usable host for active-standby (10.3.1.254 for 10.3.1.224/27), two comma-joined addresses for active-active. Optional here; when given the emulator checks that it derives the same.' }),
  peerWeight: z.number().int().min(0).optional().meta({ description: 'Weight added to routes learned through this gateway (default 0)' }),
  bgpPeeringAddresses: z.array(ipConfigurationBgpPeeringAddressSchema).optional().meta({ description: 'Per-ipConfiguration BGP addresses (custom APIPA addresses)' }),
}).meta({ description: 'bgpSettings of the virtual network gateway' });

export const natRuleMappingSchema = z.strictObject({
  addressSpace: prefix.meta({ description: 'Address range to translate (CIDR)' }),
  portRange: z.string().regex(/^\d{1,5}(-\d{1,5})?$/, 'expected a port or a range like 1000-2000').optional().meta({ description: 'Port or port range (Dynamic rules only; default all ports)' }),
}).meta({ description: 'internalMappings[] / externalMappings[] entry' });

export const natRuleSchema = z.strictObject({
  name,
  type: natRuleType.optional(),
  mode: natRuleMode.optional(),
  internalMappings: z.array(natRuleMappingSchema).min(1).meta({ description: 'Pre-translation ranges (VNet side for EgressSnat, on-premises side for IngressSnat)' }),
  externalMappings: z.array(natRuleMappingSchema).min(1).meta({ description: 'Post-translation ranges, same sizes as internalMappings for Static rules' }),
  ipConfigurationId: name.optional().meta({ description: 'Restrict the rule to one gateway instance (ipConfiguration name); default both' }),
}).meta({ description: 'natRules[]: gateway NAT (VpnGw2 and above; not with APIPA BGP or usePolicyBasedTrafficSelectors); referenced by connections[].egressNatRules / ingressNatRules' });

export const virtualNetworkGatewaySchema = z.strictObject({
  name: name.meta({ description: 'Gateway name (New-AzVirtualNetworkGateway -Name); referenced by connections and by other sites as "site/name"' }),
  gatewayType: gatewayType.optional(),
  vpnType: vpnType.optional(),
  sku: gatewaySku.optional(),
  vpnGatewayGeneration: vpnGatewayGeneration.optional(),
  activeActive: z.boolean().optional().meta({ description: 'Active-active mode: two instances, two ipConfigurations, two public IPs, each building its own tunnel (default false)' }),
  enableBgp: z.boolean().optional().meta({ description: 'Enable BGP on the gateway (default false)' }),
  enableBgpRouteTranslationForNat: z.boolean().optional().meta({ description: 'Advertise NAT-translated prefixes over BGP (default false)' }),
  bgpSettings: gatewayBgpSettingsSchema.optional(),
  ipConfigurations: z.array(ipConfigurationSchema).min(1).max(2).meta({ description: 'One ipConfiguration per instance: one (active-standby) or two (activeActive)' }),
  natRules: z.array(natRuleSchema).optional(),
  description: z.string().optional(),
}).meta({ description: 'Microsoft.Network/virtualNetworkGateways: the VNet\'s VPN gateway' });

// ---------------------------------------------------------------------------------------------
// Local network gateway

export const localNetworkGatewayBgpSettingsSchema = z.strictObject({
  asn: asn.meta({ description: 'The ON-PREMISES device\'s ASN (not the Azure gateway\'s)' }),
  bgpPeeringAddress: ipv4.meta({ description: 'The ON-PREMISES device\'s BGP peer address (not Azure\'s); must not be its public IP nor inside the VNet; an APIPA address means Azure will not initiate the session' }),
  peerWeight: z.number().int().min(0).optional().meta({ description: 'Weight for routes learned from this peer (default 0)' }),
}).meta({ description: 'bgpSettings of the local network gateway: the on-premises BGP speaker' });

export const localNetworkGatewaySchema = z.strictObject({
  name: name.meta({ description: 'Local network gateway name; referenced by connections[].localNetworkGateway2' }),
  gatewayIpAddress: ipv4.optional().meta({ description: 'Public IP of the on-premises VPN device (give this or fqdn)' }),
  fqdn: z.string().optional().meta({ description: 'FQDN of the on-premises VPN device (give this or gatewayIpAddress); the emulator has no DNS and resolves it only against names it knows' }),
  localNetworkAddressSpace: z.strictObject({
    addressPrefixes: z.array(prefix).meta({ description: 'On-premises prefixes Azure routes into the tunnel (static routes). With BGP this may be empty or just the on-premises BGP peer\'s /32 (the seed uses 192.168.37.1/32).' }),
  }).optional().meta({ description: 'localNetworkAddressSpace (default: empty)' }),
  bgpSettings: localNetworkGatewayBgpSettingsSchema.optional(),
  description: z.string().optional(),
}).refine((g) => (g.gatewayIpAddress === undefined) !== (g.fqdn === undefined), {
  message: 'give exactly one of gatewayIpAddress and fqdn',
}).meta({ description: 'Microsoft.Network/localNetworkGateways: the on-premises (or other cloud) VPN device as Azure sees it' });

// ---------------------------------------------------------------------------------------------
// Connection

export const ipsecPolicySchema = z.strictObject({
  saLifeTimeSeconds: z.number().int().min(300).meta({ description: 'Quick-mode (IPsec SA) lifetime in seconds, at least 300 (Azure default without a policy: 27000)' }),
  saDataSizeKilobytes: z.number().int().min(1024).meta({ description: 'Quick-mode SA lifetime in KB, at least 1024 (default without a policy: 102400000)' }),
  ipsecEncryption,
  ipsecIntegrity,
  ikeEncryption,
  ikeIntegrity,
  dhGroup,
  pfsGroup,
}).meta({ description: 'Custom IPsec/IKE policy: all eight fields are required (Azure accepts no partial policy); it replaces the default proposals both as initiator and responder. The IKE SA lifetime stays 28800 s.' });

export const trafficSelectorPolicySchema = z.strictObject({
  localAddressRanges: z.array(prefix).min(1).meta({ description: 'Azure-side prefixes' }),
  remoteAddressRanges: z.array(prefix).min(1).meta({ description: 'On-premises prefixes' }),
}).meta({ description: 'trafficSelectorPolicies[]: explicit traffic selectors (with usePolicyBasedTrafficSelectors)' });

export const gatewayCustomBgpIpAddressSchema = z.strictObject({
  ipConfigurationId: name.meta({ description: 'Name of the gateway ipConfiguration (ARM: its resource ID)' }),
  customBgpIpAddress: ipv4.meta({ description: 'One of that instance\'s customBgpIpAddresses to use for this connection (169.254.21.0-169.254.22.255)' }),
}).meta({ description: 'gatewayCustomBgpIpAddresses[]: which APIPA address each instance uses on this connection' });

export const connectionSchema = z.strictObject({
  name: name.meta({ description: 'Connection name' }),
  connectionType,
  virtualNetworkGateway1: name.meta({ description: 'Name of this site\'s virtual network gateway' }),
  virtualNetworkGateway2: gatewayReference.optional().meta({ description: 'Vnet2Vnet only: the other VNet\'s gateway, "siteName/gatewayName". VNet-to-VNet needs one connection in each direction with the same sharedKey.' }),
  localNetworkGateway2: name.optional().meta({ description: 'IPsec only: name of a local network gateway of this site' }),
  sharedKey: secret(z.string().min(1), 'Pre-shared key: printable ASCII except space, "-" and "~". Azure generates a different key per connection when omitted, so set it to match the peer.').optional(),
  enableBgp: z.boolean().optional().meta({ description: 'Run BGP over this connection (default false); transit across VNet-to-VNet needs it on every hop' }),
  usePolicyBasedTrafficSelectors: z.boolean().optional().meta({ description: 'Negotiate one traffic selector per (local prefix x remote prefix) pair instead of any-to-any (default false)' }),
  trafficSelectorPolicies: z.array(trafficSelectorPolicySchema).optional(),
  ipsecPolicies: z.array(ipsecPolicySchema).max(1).optional().meta({ description: 'At most one custom IPsec/IKE policy (default: none, Azure\'s default proposal lists apply)' }),
  connectionProtocol: connectionProtocol.optional(),
  connectionMode: connectionMode.optional(),
  dpdTimeoutSeconds: z.number().int().min(9).max(3600).optional().meta({ description: 'Dead peer detection timeout, 9-3600 s (default 45; 30-45 recommended)' }),
  routingWeight: z.number().int().min(0).optional().meta({ description: 'routingWeight (default 0); not used for path selection by VPN connections' }),
  gatewayCustomBgpIpAddresses: z.array(gatewayCustomBgpIpAddressSchema).optional(),
  egressNatRules: z.array(name).optional().meta({ description: 'Names of natRules (mode EgressSnat) of virtualNetworkGateway1 applied on this connection' }),
  ingressNatRules: z.array(name).optional().meta({ description: 'Names of natRules (mode IngressSnat) of virtualNetworkGateway1 applied on this connection' }),
  description: z.string().optional(),
}).refine((c) => c.connectionType !== 'IPsec' || c.localNetworkGateway2 !== undefined, {
  message: 'an IPsec connection needs localNetworkGateway2', path: ['localNetworkGateway2'],
}).refine((c) => c.connectionType !== 'Vnet2Vnet' || c.virtualNetworkGateway2 !== undefined, {
  message: 'a Vnet2Vnet connection needs virtualNetworkGateway2 ("siteName/gatewayName")', path: ['virtualNetworkGateway2'],
}).meta({ description: 'Microsoft.Network/connections: a site-to-site (IPsec) or VNet-to-VNet connection of one of this site\'s gateways' });

// ---------------------------------------------------------------------------------------------
// The block

export const azureSiteSchema = z.strictObject({
  virtualNetworkGateways: z.array(virtualNetworkGatewaySchema).optional().meta({ description: 'The VNet\'s VPN gateway(s) (Azure allows one VPN gateway per VNet)' }),
  localNetworkGateways: z.array(localNetworkGatewaySchema).optional(),
  connections: z.array(connectionSchema).optional(),
}).meta({ description: 'Azure VPN gateway resources of this VNet, with ARM property names' });

export type AzureSite = z.infer<typeof azureSiteSchema>;
export type VirtualNetworkGateway = z.infer<typeof virtualNetworkGatewaySchema>;
export type IpConfiguration = z.infer<typeof ipConfigurationSchema>;
export type GatewayBgpSettings = z.infer<typeof gatewayBgpSettingsSchema>;
export type IpConfigurationBgpPeeringAddress = z.infer<typeof ipConfigurationBgpPeeringAddressSchema>;
export type NatRule = z.infer<typeof natRuleSchema>;
export type LocalNetworkGateway = z.infer<typeof localNetworkGatewaySchema>;
export type LocalNetworkGatewayBgpSettings = z.infer<typeof localNetworkGatewayBgpSettingsSchema>;
export type Connection = z.infer<typeof connectionSchema>;
export type IpsecPolicy = z.infer<typeof ipsecPolicySchema>;
export type TrafficSelectorPolicy = z.infer<typeof trafficSelectorPolicySchema>;
export type GatewayCustomBgpIpAddress = z.infer<typeof gatewayCustomBgpIpAddressSchema>;
