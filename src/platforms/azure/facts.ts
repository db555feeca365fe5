import { formatIpv4, parseIpv4, type Ipv4Address, type Prefix } from '../../net/address.js';
import type { SiteLayout } from '../../topology/layout.js';
import type { SiteOf } from '../../topology/schema.js';
import { assignedPublicAddress } from '../common.js';
import { AZURE_DEFAULT_ASN } from './defaults.js';
import type { AzureSite, VirtualNetworkGateway } from '../../topology/platforms/azure.js';

/*
 * What Azure derives for a virtual network gateway: its instances, their public and BGP addresses,
 * its ASN. Read-only ARM properties the file may repeat (bgpPeeringAddress, defaultBgpIpAddresses)
 * are derived here; `vpnlab check` compares them.
 */

export interface AzureInstanceFacts {
  /** Node name: the gateway's name, or `<name>_IN_0` / `_IN_1` for active-active. */
  readonly nodeName: string;
  readonly ipConfiguration: string;
  readonly publicAddress: Ipv4Address;
  /** The instance's default BGP address in GatewaySubnet (BgpSettingsText.BgpPeeringAddress). */
  readonly bgpAddress: Ipv4Address;
  readonly gatewaySubnet: string;
  readonly gatewaySubnetPrefix: Prefix;
  readonly customBgpAddresses: readonly Ipv4Address[];
}

export interface AzureGatewayFacts {
  readonly site: string;
  readonly name: string;
  readonly gateway: VirtualNetworkGateway;
  readonly asn: number;
  readonly bgpEnabled: boolean;
  readonly activeActive: boolean;
  readonly instances: readonly AzureInstanceFacts[];
  readonly vnetPrefixes: readonly Prefix[];
}

export type AzureSiteOf = SiteOf<'azure'>;

export function azureBlock(site: AzureSiteOf): AzureSite {
  return site.azure ?? {};
}

/**
 * Azure's default BGP address: the last usable host of GatewaySubnet for one instance
 * (10.12.255.30 for 10.12.255.0/27), the first two after Azure's reserved three for active-active
 * (10.12.255.4, 10.12.255.5), in ipConfiguration order (S3, S5).
 */
export function defaultBgpAddress(subnet: Prefix, activeActive: boolean, index: number): Ipv4Address {
  if (!activeActive) return (subnet.address + (2 ** (32 - subnet.length)) - 2) >>> 0;
  return (subnet.address + 4 + index) >>> 0;
}

/** An instance's node name: the gateway's name, or `<name>_IN_0` / `_IN_1` when active-active. */
export function azureInstanceName(gateway: VirtualNetworkGateway, index: number): string {
  return gateway.activeActive === true ? `${gateway.name}_IN_${index}` : gateway.name;
}

/** What Azure derives for the gateway; undefined when an ipConfiguration's subnet is missing (AZURE_GATEWAY_SUBNET). */
export function azureGatewayFacts(layout: SiteLayout, gatewayIndex: number, gateway: VirtualNetworkGateway): AzureGatewayFacts | undefined {
  if (!gateway.ipConfigurations.every((c) => layout.subnet(c.subnet ?? 'GatewaySubnet') !== undefined)) return undefined;
  const activeActive = gateway.activeActive === true;
  const custom = gateway.bgpSettings?.bgpPeeringAddresses ?? [];
  const instances = gateway.ipConfigurations.map((config, i): AzureInstanceFacts => {
    const subnetName = config.subnet ?? 'GatewaySubnet';
    const prefix = layout.subnet(subnetName)!.prefix;
    return {
      nodeName: azureInstanceName(gateway, i),
      ipConfiguration: config.name,
      publicAddress: config.publicIPAddress !== undefined ? parseIpv4(config.publicIPAddress) : assignedPublicAddress(layout.index, gatewayIndex * 2 + i),
      bgpAddress: defaultBgpAddress(prefix, activeActive, i),
      gatewaySubnet: subnetName,
      gatewaySubnetPrefix: prefix,
      customBgpAddresses: (custom.find((c) => c.ipconfigurationId === config.name)?.customBgpIpAddresses ?? []).map((a) => parseIpv4(a)),
    };
  });
  return {
    site: layout.site.name,
    name: gateway.name,
    gateway,
    asn: gateway.bgpSettings?.asn ?? AZURE_DEFAULT_ASN,
    bgpEnabled: gateway.enableBgp === true,
    activeActive,
    instances: activeActive ? instances : instances.slice(0, 1),
    vnetPrefixes: layout.addressSpace,
  };
}

/** `BgpSettingsText` as `Get-AzVirtualNetworkGateway` prints it. */
export function bgpSettingsText(facts: AzureGatewayFacts): string {
  const addresses = facts.instances.map((i) => formatIpv4(i.bgpAddress)).join(',');
  return `{\n  "Asn": ${facts.asn},\n  "BgpPeeringAddress": "${addresses}",\n  "PeerWeight": ${facts.gateway.bgpSettings?.peerWeight ?? 0}\n}`;
}

