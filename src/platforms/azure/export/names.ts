import type { Connection, IpConfiguration, VirtualNetworkGateway } from '../../../topology/platforms/azure.js';
import { AZURE_DEFAULT_SKU } from '../defaults.js';

/*
 * What every Azure format names the same way: the VNet is the site, a gateway's public IP is
 * `<gateway>-<ipConfiguration>-pip`, each connection's key is one parameter or variable. The ARM
 * template, the az script and the Terraform configuration agree on these names, so a resource
 * built by one is found by the others (`az … create` on an existing name updates it in place).
 */

/** The Microsoft.Network REST API version every ARM resource is written with: it has every property used. */
export const ARM_NETWORK_API = '2023-09-01';

/** The name of the public IP address of one gateway instance. */
export function publicIpName(gateway: VirtualNetworkGateway, config: IpConfiguration): string {
  return `${gateway.name}-${config.name}-pip`;
}

/** A name as an identifier (ARM parameter, shell variable, Terraform label): letters, digits and `_`. */
export function identifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}

/** The ARM parameter (and shell variable) that carries a connection's pre-shared key. */
export function sharedKeyParameter(conn: Connection): string {
  return `sharedKey_${identifier(conn.name)}`;
}

/** What ARM needs and the topology may leave out: the values vpnlab assumes, as Azure's portal does. */
export function gatewayDefaults(gateway: VirtualNetworkGateway): { gatewayType: string; vpnType: string; sku: string; assumed: string[] } {
  const assumed: string[] = [];
  if (gateway.gatewayType === undefined) assumed.push('gatewayType');
  if (gateway.vpnType === undefined) assumed.push('vpnType');
  if (gateway.sku === undefined) assumed.push('sku');
  return { gatewayType: gateway.gatewayType ?? 'Vpn', vpnType: gateway.vpnType ?? 'RouteBased', sku: gateway.sku ?? AZURE_DEFAULT_SKU, assumed };
}

/** The note a file carries for a public IP whose address the topology gives. */
export function publicAddressNote(address: string): string {
  return `Azure assigns this public IP's address; ${address} is the emulator's stand-in: give the peers the address Azure assigns`;
}

/**
 * Tags vpnlab writes on resources, to keep what the topology says that has no property in the
 * platform (the emulator's stand-in address, read-only values the topology repeats for check).
 */
export const TAG_EMULATOR_ADDRESS = 'vpnlab-emulator-address';
export const TAG_BGP_PEERING_ADDRESS = 'vpnlab-bgpPeeringAddress';
export const TAG_DEFAULT_BGP = 'vpnlab-defaultBgpIpAddresses-';
export const TAG_ASSUMED = 'vpnlab-assumed';
