import { z } from 'zod';
import { parsePrefix } from '../../net/address.js';
import { asn, interfaceAddress, ipv4, name, prefix, secret } from '../../config/primitives.js';

/*
 * The `rras:` block of an on-premises site: a Windows Server 2016 RRAS gateway, configured with the
 * RemoteAccess / NetTCPIP PowerShell cmdlets. Each collection is one cmdlet and its entries use the
 * cmdlet's parameter names: Add-VpnS2SInterface (+ Set-VpnS2SInterface, + the router.pbk keys the
 * seed writes), Set-VpnServerIPsecConfiguration, Add-BgpRouter, Add-BgpPeer, Add-BgpCustomRoute,
 * New-NetRoute. `Server` describes the machine itself: its network adapters (InterfaceAlias names
 * such as "Internet" and "LAN") and their addresses.
 *
 * Switch parameters (-Persistent, -CustomPolicy) are booleans. Enumerations are the cmdlets'
 * "Accepted values".
 *
 * Sources: docs/platforms.md (W1 RemoteAccess cmdlet reference for Windows Server 2016, W2 Azure's
 * RRAS device template, W3 MS-RRASM, W4 RRAS BGP best-practice note).
 */

// ---------------------------------------------------------------------------------------------
// Enumerations (cmdlet "Accepted values")

export const s2sProtocol = z.enum(['IKEv2', 'L2TP', 'Automatic', 'SSTP'])
  .meta({ description: '-Protocol: IKEv2 | L2TP | Automatic | SSTP. Only IKEv2 is emulated (Azure requires IKEv2 route-based).' });

export const authenticationMethod = z.enum(['PSKOnly', 'MachineCertificates', 'EAP', 'MSCHAPv2'])
  .meta({ description: '-AuthenticationMethod: PSKOnly | MachineCertificates | EAP | MSCHAPv2. With PSKOnly only one interface may exist per destination IP. Only PSKOnly is emulated.' });

export const responderAuthenticationMethod = z.enum(['PSKOnly', 'MachineCertificates'])
  .meta({ description: '-ResponderAuthenticationMethod: PSKOnly | MachineCertificates' });

export const encryptionType = z.enum(['NoEncryption', 'RequireEncryption', 'OptionalEncryption', 'MaximumEncryption'])
  .meta({ description: '-EncryptionType: NoEncryption | RequireEncryption | OptionalEncryption | MaximumEncryption (MPR_ET_RequireMax: require maximum-strength encryption). Not combinable with -CustomPolicy.' });

export const encryptionMethod = z.enum(['DES', 'DES3', 'AES128', 'AES192', 'AES256'])
  .meta({ description: '-EncryptionMethod (IKE phase 1 cipher): DES | DES3 | AES128 | AES192 | AES256' });

export const integrityCheckMethod = z.enum(['MD5', 'SHA1', 'SHA256', 'SHA384'])
  .meta({ description: '-IntegrityCheckMethod (IKE phase 1 integrity): MD5 | SHA1 | SHA256 | SHA384' });

export const cipherTransformConstants = z.enum(['DES', 'DES3', 'AES128', 'AES192', 'AES256', 'GCMAES128', 'GCMAES192', 'GCMAES256', 'None'])
  .meta({ description: '-CipherTransformConstants (ESP cipher): DES | DES3 | AES128 | AES192 | AES256 | GCMAES128 | GCMAES192 | GCMAES256 | None' });

export const authenticationTransformConstants = z.enum(['MD596', 'SHA196', 'SHA256128', 'GCMAES128', 'GCMAES192', 'GCMAES256', 'None'])
  .meta({ description: '-AuthenticationTransformConstants (ESP integrity): MD596 | SHA196 | SHA256128 | GCMAES128 | GCMAES192 | GCMAES256 | None' });

export const dhGroup = z.enum(['None', 'Group1', 'Group2', 'Group14', 'ECP256', 'ECP384', 'Group24'])
  .meta({ description: '-DHGroup (IKE key exchange): None | Group1 | Group2 | Group14 | ECP256 | ECP384 | Group24' });

export const pfsGroup = z.enum(['None', 'PFS1', 'PFS2', 'PFS2048', 'ECP256', 'ECP384', 'PFSMM', 'PFS24'])
  .meta({ description: '-PfsGroup (quick-mode PFS): None | PFS1 | PFS2 | PFS2048 | ECP256 | ECP384 | PFSMM (same as main mode) | PFS24' });

const enabledDisabled = z.enum(['Enabled', 'Disabled']);

// ---------------------------------------------------------------------------------------------
// Value helpers

const uint16 = z.number().int().min(0).max(65535);
const uint32 = z.number().int().min(0).max(4294967295);

function validRouteWithMetric(text: string): boolean {
  const colon = text.lastIndexOf(':');
  if (colon < 0 || !/^\d{1,10}$/.test(text.slice(colon + 1))) return false;
  try {
    parsePrefix(text.slice(0, colon));
    return true;
  } catch {
    return false;
  }
}

/** -IPv4Subnet entry: "prefix:metric", e.g. "10.2.0.0/24:100". */
export const ipv4SubnetWithMetric = z.string()
  .refine(validRouteWithMetric, { message: 'expected "prefix:metric" like 10.3.1.254/32:100' })
  .meta({ description: '"prefix:metric", e.g. "10.3.1.254/32:100"', examples: ['10.3.1.254/32:100'] });

/** router.pbk writes "0"/"1"; accept that or a boolean. */
const pbkFlag = z.union([z.boolean(), z.literal([0, 1])]);

const customPolicyFields = {
  CustomPolicy: z.boolean().optional().meta({ description: '-CustomPolicy switch: use the custom IKE/IPsec policy given by EncryptionMethod, IntegrityCheckMethod, CipherTransformConstants, AuthenticationTransformConstants, DHGroup and PfsGroup (default false)' }),
  EncryptionMethod: encryptionMethod.optional(),
  IntegrityCheckMethod: integrityCheckMethod.optional(),
  CipherTransformConstants: cipherTransformConstants.optional(),
  AuthenticationTransformConstants: authenticationTransformConstants.optional(),
  DHGroup: dhGroup.optional(),
  PfsGroup: pfsGroup.optional(),
};

const CUSTOM_POLICY_KEYS = ['EncryptionMethod', 'IntegrityCheckMethod', 'CipherTransformConstants', 'AuthenticationTransformConstants', 'DHGroup', 'PfsGroup'] as const;

type CustomPolicyInput = { CustomPolicy?: boolean | undefined; EncryptionType?: string | undefined } & Partial<Record<(typeof CUSTOM_POLICY_KEYS)[number], string>>;

function customPolicyConsistent(value: CustomPolicyInput): boolean {
  const anyCustomField = CUSTOM_POLICY_KEYS.some((key) => value[key] !== undefined);
  if (anyCustomField && value.CustomPolicy !== true) return false;
  return !(value.CustomPolicy === true && value.EncryptionType !== undefined);
}

const customPolicyMessage = 'the custom-policy parameters (EncryptionMethod, IntegrityCheckMethod, CipherTransformConstants, AuthenticationTransformConstants, DHGroup, PfsGroup) need CustomPolicy: true, and CustomPolicy cannot be combined with EncryptionType (different parameter sets)';

const lifetimeFields = {
  SALifeTimeSeconds: uint32.optional().meta({ description: '-SALifeTimeSeconds: quick-mode (IPsec) SA lifetime (default 3600)' }),
  MMSALifeTimeSeconds: uint32.optional().meta({ description: '-MMSALifeTimeSeconds: main-mode (IKE) SA lifetime (default 28800)' }),
  SADataSizeForRenegotiationKilobytes: uint32.optional().meta({ description: '-SADataSizeForRenegotiationKilobytes: rekey after this many KB (default 33553408)' }),
  IdleDisconnectSeconds: uint32.optional().meta({ description: 'Idle time after which the connection is torn down; 0 = never (Add/Set-VpnS2SInterface -IdleDisconnectSeconds, or router.pbk IdleDisconnectSeconds as the seed sets it; default 500 in Get-VpnS2SInterface output)' }),
};

// ---------------------------------------------------------------------------------------------
// The server and its adapters

export const networkAdapterSchema = z.strictObject({
  Name: name.meta({ description: 'InterfaceAlias of the adapter, e.g. "Internet" or "LAN"; referenced by Add-BgpCustomRoute -Interface and New-NetRoute -InterfaceAlias' }),
  IPAddress: interfaceAddress.meta({ description: 'a.b.c.d/len (New-NetIPAddress -IPAddress/-PrefixLength), or a.b.c.d when Subnet is given' }),
  Subnet: name.optional().meta({ description: 'Name of a subnet of this site the adapter is attached to (e.g. the LAN)' }),
  Internet: z.boolean().optional().meta({ description: 'Attach this adapter to the emulated Internet (the public NIC; it must not sit behind NAT). Default false.' }),
  DefaultGateway: ipv4.optional().meta({ description: 'New-NetIPAddress -DefaultGateway (default: none; an Internet adapter reaches every public address)' }),
}).meta({ description: 'A network adapter of the RRAS server' });

export const serverSchema = z.strictObject({
  Name: name.optional().meta({ description: 'Computer name (default "RRAS"); the gateway node is "site/Name"' }),
  NetworkAdapters: z.array(networkAdapterSchema).min(1).meta({ description: 'The adapters; the seed has two: one public ("Internet"), one on the LAN ("LAN")' }),
}).meta({ description: 'The Windows Server 2016 machine running RRAS (Install-RemoteAccess -VpnType VpnS2S)' });

// ---------------------------------------------------------------------------------------------
// Add-VpnS2SInterface

export const vpnTrafficSelectorSchema = z.strictObject({
  Type: z.enum(['IPv4', 'IPv6']).optional().meta({ description: '-Type: IPv4 (default here) | IPv6 (not emulated)' }),
  IPAddressRange: z.tuple([ipv4, ipv4]).meta({ description: '-IPAddressRange: first and last address, e.g. [10.10.0.0, 10.10.255.255]' }),
  PortRange: z.tuple([uint16, uint16]).optional().meta({ description: '-PortRange: first and last port (default all: [0, 65535])' }),
  ProtocolId: z.number().int().min(0).max(255).optional().meta({ description: '-ProtocolId: IP protocol number, 0 = any (default 0)' }),
  TsPayloadId: uint16.optional().meta({ description: '-TsPayloadId' }),
}).meta({ description: 'A traffic selector (New-VpnTrafficSelector)' });

export const vpnS2SInterfaceSchema = z.strictObject({
  Name: name.meta({ description: '-Name: the demand-dial interface name (the seed uses the Azure gateway\'s IP); usable as an InterfaceAlias in NetRoutes' }),
  Destination: z.array(ipv4).min(1).meta({ description: '-Destination: the peer gateway\'s address(es); incoming PSK connections bind to the interface whose Destination matches the source IP' }),
  Protocol: s2sProtocol.optional(),
  AuthenticationMethod: authenticationMethod.optional(),
  ResponderAuthenticationMethod: responderAuthenticationMethod.optional(),
  SharedSecret: secret(z.string().min(1), '-SharedSecret: the pre-shared key (PSKOnly); must equal the peer\'s').optional(),
  IPv4Subnet: z.array(ipv4SubnetWithMetric).optional().meta({ description: '-IPv4Subnet: routes through this interface, each "prefix:metric"; they also trigger demand dial. The seed passes @() (empty) and adds the BGP peer route as a static route instead.' }),
  SourceIpAddress: ipv4.optional().meta({ description: '-SourceIpAddress: local address to dial from (default: chosen by routing)' }),
  NumberOfTries: uint32.optional().meta({ description: '-NumberOfTries: dial attempts, 0 = retry forever (default 3)' }),
  RetryIntervalSeconds: uint32.optional().meta({ description: '-RetryIntervalSeconds: between dial attempts (default 60)' }),
  Persistent: z.boolean().optional().meta({ description: '-Persistent switch: keep the connection up across service restarts and reboots (default false)' }),
  AdminStatus: z.boolean().optional().meta({ description: '-AdminStatus: interface enabled (default true)' }),
  EncryptionType: encryptionType.optional(),
  InitiateConfigPayload: z.boolean().optional().meta({ description: 'Set-VpnS2SInterface -InitiateConfigPayload: request an IKEv2 configuration payload (default true; Azure needs $false)' }),
  RedialOnLinkFailure: pbkFlag.optional().meta({ description: 'router.pbk RedialOnLinkFailure: redial when the link fails, 1/true or 0/false (the seed sets 1; a demand-dial interface otherwise stays down)' }),
  NetworkOutageTimeSeconds: z.literal([3, 6, 9, 12, 15, 30, 60, 120, 240, 360, 720, 900]).optional().meta({ description: '-NetworkOutageTimeSeconds: liveness timeout: 3 | 6 | 9 | 12 | 15 (default) | 30 | 60 | 120 | 240 | 360 | 720 | 900' }),
  ...lifetimeFields,
  ...customPolicyFields,
  LocalVpnTrafficSelector: z.array(vpnTrafficSelectorSchema).optional().meta({ description: '-LocalVpnTrafficSelector: initiator traffic selectors (default any)' }),
  RemoteVpnTrafficSelector: z.array(vpnTrafficSelectorSchema).optional().meta({ description: '-RemoteVpnTrafficSelector: responder traffic selectors (default any)' }),
  Description: z.string().optional(),
}).refine(customPolicyConsistent, { message: customPolicyMessage })
  .meta({ description: 'A site-to-site interface (Add-VpnS2SInterface, then Set-VpnS2SInterface and the router.pbk entries)' });

export const vpnServerIPsecConfigurationSchema = z.strictObject({
  EncryptionType: encryptionType.optional(),
  ...lifetimeFields,
  ...customPolicyFields,
}).refine(customPolicyConsistent, { message: customPolicyMessage })
  .meta({ description: 'Set-VpnServerIPsecConfiguration: server-wide IPsec settings for incoming S2S connections' });

// ---------------------------------------------------------------------------------------------
// BGP

export const bgpRouterSchema = z.strictObject({
  BgpIdentifier: ipv4.meta({ description: '-BgpIdentifier: BGP router ID, an IPv4 address (required)' }),
  LocalASN: asn.meta({ description: '-LocalASN: the router\'s ASN (required); must equal the Azure local network gateway\'s bgpSettings.asn' }),
  TransitRouting: enabledDisabled.optional().meta({ description: '-TransitRouting: Enabled | Disabled (default)' }),
  CompareMEDAcrossASN: z.boolean().optional().meta({ description: '-CompareMEDAcrossASN (default false)' }),
  DefaultGatewayRouting: z.boolean().optional().meta({ description: '-DefaultGatewayRouting: route unresolvable routes to the default gateway (default false)' }),
  RouteReflector: enabledDisabled.optional().meta({ description: '-RouteReflector: Enabled | Disabled (default)' }),
  ClusterId: uint32.optional().meta({ description: '-ClusterId: route reflector cluster ID' }),
  ClientToClientReflection: enabledDisabled.optional().meta({ description: '-ClientToClientReflection: Enabled | Disabled' }),
}).meta({ description: 'Add-BgpRouter: the BGP speaker' });

export const bgpPeerSchema = z.strictObject({
  Name: name.meta({ description: '-Name (alias -PeerName): unique name of the peering, e.g. AzureS2S' }),
  LocalIPAddress: ipv4.meta({ description: '-LocalIPAddress: this router\'s peering address (required)' }),
  PeerIPAddress: ipv4.meta({ description: '-PeerIPAddress: the neighbour\'s peering address (required), e.g. the Azure gateway\'s bgpPeeringAddress' }),
  PeerASN: asn.meta({ description: '-PeerASN: the neighbour\'s ASN (required)' }),
  LocalASN: asn.optional().meta({ description: '-LocalASN: override the router\'s ASN for this peer (default: BgpRouter LocalASN)' }),
  OperationMode: z.enum(['Mixed', 'Server']).optional().meta({ description: '-OperationMode: Mixed (initiate and accept; default) | Server (accept only)' }),
  PeeringMode: z.enum(['Automatic', 'Manual']).optional().meta({ description: '-PeeringMode: Automatic (start at once; default) | Manual (only after Start-BgpPeer)' }),
  HoldTimeSec: uint16.optional().meta({ description: '-HoldTimeSec (default 180; keep it well above 20 s; Azure uses 180 fixed)' }),
  IdleHoldTimeSec: uint16.optional().meta({ description: '-IdleHoldTimeSec: wait in Idle before reconnecting' }),
  MaxAllowedPrefix: uint32.optional().meta({ description: '-MaxAllowedPrefix: most prefixes accepted from this peer (default unlimited)' }),
  Weight: uint16.optional().meta({ description: '-Weight: administrative preference for routes from this peer' }),
  RouteReflectorClient: z.boolean().optional().meta({ description: '-RouteReflectorClient (default false)' }),
}).meta({ description: 'Add-BgpPeer: a BGP neighbour' });

export const bgpCustomRouteSchema = z.strictObject({
  Interface: z.array(name).optional().meta({ description: '-Interface: adapter names whose prefixes (and static routes) are advertised, e.g. [LAN]' }),
  Network: z.array(prefix).optional().meta({ description: '-Network: prefixes to advertise' }),
}).refine((r) => (r.Interface?.length ?? 0) + (r.Network?.length ?? 0) > 0, { message: 'give Interface or Network' })
  .meta({ description: 'Add-BgpCustomRoute: prefixes injected into BGP' });

// ---------------------------------------------------------------------------------------------
// Static routes

export const netRouteSchema = z.strictObject({
  DestinationPrefix: prefix.meta({ description: '-DestinationPrefix, e.g. 10.3.1.254/32 (the Azure BGP peer)' }),
  InterfaceAlias: name.meta({ description: '-InterfaceAlias: a NetworkAdapters Name or a VpnS2SInterfaces Name (demand-dial interface)' }),
  NextHop: ipv4.optional().meta({ description: '-NextHop (default 0.0.0.0: on-link / through the interface)' }),
  RouteMetric: uint16.optional().meta({ description: '-RouteMetric (default 256 in New-NetRoute; the RRAS console\'s static route metric)' }),
}).meta({ description: 'A static route (New-NetRoute, or the RRAS console\'s "New Static Route")' });

// ---------------------------------------------------------------------------------------------
// The block

export const rrasSiteSchema = z.strictObject({
  Server: serverSchema,
  VpnS2SInterfaces: z.array(vpnS2SInterfaceSchema).optional(),
  VpnServerIPsecConfiguration: vpnServerIPsecConfigurationSchema.optional(),
  BgpRouter: bgpRouterSchema.optional(),
  BgpPeers: z.array(bgpPeerSchema).optional(),
  BgpCustomRoutes: z.array(bgpCustomRouteSchema).optional().meta({ description: 'One entry per Add-BgpCustomRoute call' }),
  NetRoutes: z.array(netRouteSchema).optional(),
}).meta({ description: 'Windows Server 2016 RRAS gateway, configured with the RemoteAccess cmdlets\' parameter names' });

export type RrasSite = z.infer<typeof rrasSiteSchema>;
export type RrasServer = z.infer<typeof serverSchema>;
export type NetworkAdapter = z.infer<typeof networkAdapterSchema>;
export type VpnS2SInterface = z.infer<typeof vpnS2SInterfaceSchema>;
export type VpnTrafficSelector = z.infer<typeof vpnTrafficSelectorSchema>;
export type VpnServerIPsecConfiguration = z.infer<typeof vpnServerIPsecConfigurationSchema>;
export type BgpRouter = z.infer<typeof bgpRouterSchema>;
export type BgpPeer = z.infer<typeof bgpPeerSchema>;
export type BgpCustomRoute = z.infer<typeof bgpCustomRouteSchema>;
export type NetRoute = z.infer<typeof netRouteSchema>;
