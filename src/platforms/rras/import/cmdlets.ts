/*
 * The cmdlets the RRAS reader (import.ts) reads, as tables: for each, the rras block's key it
 * fills and its parameters, named as the schema names the fields (the schema's names are the
 * cmdlets' own, src/topology/platforms/rras.ts), with how each value is read.
 */

export type FieldType = 'string' | 'number' | 'bool' | 'switch' | 'list' | 'numbers' | 'selectors';
export type Fields = Readonly<Record<string, FieldType>>;

const LIFETIMES: Fields = { SALifeTimeSeconds: 'number', MMSALifeTimeSeconds: 'number', SADataSizeForRenegotiationKilobytes: 'number', IdleDisconnectSeconds: 'number' };
const CUSTOM_POLICY: Fields = {
  CustomPolicy: 'switch', EncryptionMethod: 'string', IntegrityCheckMethod: 'string', CipherTransformConstants: 'string',
  AuthenticationTransformConstants: 'string', DHGroup: 'string', PfsGroup: 'string',
};
const S2S_INTERFACE: Fields = {
  Name: 'string', Destination: 'list', Protocol: 'string', AuthenticationMethod: 'string', ResponderAuthenticationMethod: 'string',
  SharedSecret: 'string', IPv4Subnet: 'list', SourceIpAddress: 'string', NumberOfTries: 'number', RetryIntervalSeconds: 'number',
  Persistent: 'switch', AdminStatus: 'bool', EncryptionType: 'string', NetworkOutageTimeSeconds: 'number', ...LIFETIMES, ...CUSTOM_POLICY,
  LocalVpnTrafficSelector: 'selectors', RemoteVpnTrafficSelector: 'selectors',
};
/** New-VpnTrafficSelector, whose objects -LocalVpnTrafficSelector and -RemoteVpnTrafficSelector take. */
export const TRAFFIC_SELECTOR: Fields = { Type: 'string', IPAddressRange: 'list', PortRange: 'numbers', ProtocolId: 'number', TsPayloadId: 'number' };

const BGP_ROUTER: Fields = {
  BgpIdentifier: 'string', LocalASN: 'number', TransitRouting: 'string', CompareMEDAcrossASN: 'bool', DefaultGatewayRouting: 'bool',
  RouteReflector: 'string', ClusterId: 'number', ClientToClientReflection: 'string',
};
const BGP_PEER: Fields = {
  Name: 'string', LocalIPAddress: 'string', PeerIPAddress: 'string', PeerASN: 'number', LocalASN: 'number', OperationMode: 'string',
  PeeringMode: 'string', HoldTimeSec: 'number', IdleHoldTimeSec: 'number', MaxAllowedPrefix: 'number', Weight: 'number', RouteReflectorClient: 'bool',
};
/** The server name RRAS's model takes when the topology gives none (and vpnlab export names the file after). */
export const DEFAULT_SERVER_NAME = 'RRAS';

/** Parameters every cmdlet takes that change nothing the topology holds. */
export const COMMON: Fields = {
  Force: 'switch', PassThru: 'switch', AsJob: 'switch', WhatIf: 'switch', Confirm: 'switch', CimSession: 'string', ThrottleLimit: 'number',
  Verbose: 'switch', ErrorAction: 'string', WarningAction: 'string', RoutingDomain: 'string', ComputerName: 'string',
};

/**
 * The cmdlets that fill an entry of the rras block: the block's key (a collection, or one object)
 * and the parameters read, each named as the schema names its field (the schema's names are the
 * cmdlets' own), with how its value is read.
 */
export const RRAS_CMDLETS = {
  'Add-VpnS2SInterface': { block: 'VpnS2SInterfaces', fields: S2S_INTERFACE },
  'Set-VpnS2SInterface': { block: 'VpnS2SInterfaces', fields: { ...S2S_INTERFACE, InitiateConfigPayload: 'bool' } },
  'Set-VpnServerIPsecConfiguration': { block: 'VpnServerIPsecConfiguration', fields: { EncryptionType: 'string', ...LIFETIMES, ...CUSTOM_POLICY } },
  'Add-BgpRouter': { block: 'BgpRouter', fields: BGP_ROUTER },
  'Add-BgpPeer': { block: 'BgpPeers', fields: BGP_PEER, aliases: { PeerName: 'Name' } },
  'Set-BgpRouter': { block: 'BgpRouter', fields: BGP_ROUTER },
  'Set-BgpPeer': { block: 'BgpPeers', fields: BGP_PEER, aliases: { PeerName: 'Name' } },
  'Add-BgpCustomRoute': { block: 'BgpCustomRoutes', fields: { Interface: 'list', Network: 'list' } },
  'New-NetRoute': { block: 'NetRoutes', fields: { DestinationPrefix: 'string', InterfaceAlias: 'string', NextHop: 'string', RouteMetric: 'number' } },
} as const satisfies Record<string, { block: string; fields: Fields; aliases?: Record<string, string> }>;

/** The Remove- cmdlets an idempotent script runs before adding again, and the block key each empties. */
export const REMOVES: Readonly<Record<string, string>> = {
  'remove-vpns2sinterface': 'VpnS2SInterfaces', 'remove-bgppeer': 'BgpPeers', 'remove-bgprouter': 'BgpRouter',
  'remove-bgpcustomroute': 'BgpCustomRoutes', 'remove-netroute': 'NetRoutes',
};
