import { formatIpv4, parseIpv4, parsePrefix, type Ipv4Address, type Prefix } from '../../net/address.js';
import type { DocPath } from '../../config/source.js';
import type { SiteOf, Topology } from '../../topology/schema.js';
import { assignedPublicAddress, prefixesOf } from '../common.js';
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
export function azureGatewayFacts(topology: Topology, site: AzureSiteOf, gateway: VirtualNetworkGateway): AzureGatewayFacts | undefined {
  const subnets = site.subnets ?? [];
  if (!gateway.ipConfigurations.every((c) => subnets.some((s) => s.name === (c.subnet ?? 'GatewaySubnet')))) return undefined;
  const siteIndex = topology.sites.indexOf(site);
  const gatewayIndex = (azureBlock(site).virtualNetworkGateways ?? []).indexOf(gateway);
  const activeActive = gateway.activeActive === true;
  const custom = gateway.bgpSettings?.bgpPeeringAddresses ?? [];
  const instances = gateway.ipConfigurations.map((config, i): AzureInstanceFacts => {
    const subnetName = config.subnet ?? 'GatewaySubnet';
    const subnet = subnets.find((s) => s.name === subnetName)!;
    const prefix = parsePrefix(subnet.prefix);
    return {
      nodeName: azureInstanceName(gateway, i),
      ipConfiguration: config.name,
      publicAddress: config.publicIPAddress !== undefined ? parseIpv4(config.publicIPAddress) : assignedPublicAddress(siteIndex, gatewayIndex * 2 + i),
      bgpAddress: defaultBgpAddress(prefix, activeActive, i),
      gatewaySubnet: subnetName,
      gatewaySubnetPrefix: prefix,
      customBgpAddresses: (custom.find((c) => c.ipconfigurationId === config.name)?.customBgpIpAddresses ?? []).map((a) => parseIpv4(a)),
    };
  });
  return {
    site: site.name,
    name: gateway.name,
    gateway,
    asn: gateway.bgpSettings?.asn ?? AZURE_DEFAULT_ASN,
    bgpEnabled: gateway.enableBgp === true,
    activeActive,
    instances: activeActive ? instances : instances.slice(0, 1),
    vnetPrefixes: prefixesOf(site.addressSpace),
  };
}

/** The gateway a Vnet2Vnet connection names as "site/gateway", or undefined. */
export function findAzureGateway(topology: Topology, reference: string): AzureGatewayFacts | undefined {
  const [siteName, gatewayName] = reference.split('/');
  const site = topology.sites.find((s) => s.name === siteName);
  if (site === undefined || site.platform !== 'azure') return undefined;
  const gateway = (azureBlock(site).virtualNetworkGateways ?? []).find((g) => g.name === gatewayName);
  return gateway === undefined ? undefined : azureGatewayFacts(topology, site, gateway);
}

/** `BgpSettingsText` as `Get-AzVirtualNetworkGateway` prints it. */
export function bgpSettingsText(facts: AzureGatewayFacts): string {
  const addresses = facts.instances.map((i) => formatIpv4(i.bgpAddress)).join(',');
  return `{\n  "Asn": ${facts.asn},\n  "BgpPeeringAddress": "${addresses}",\n  "PeerWeight": ${facts.gateway.bgpSettings?.peerWeight ?? 0}\n}`;
}

/** A gateway of a VNet whose facts Azure can derive, with where it is in the file. */
export interface SiteGateway {
  readonly site: AzureSiteOf;
  readonly gateway: VirtualNetworkGateway;
  readonly facts: AzureGatewayFacts;
  readonly path: DocPath;
}

/** The VPN gateways of a VNet whose facts can be derived (ExpressRoute gateways and those missing their subnet left out). */
export function siteGateways(topology: Topology, site: AzureSiteOf, at: DocPath): SiteGateway[] {
  return (azureBlock(site).virtualNetworkGateways ?? []).flatMap((gateway, gi) => {
    if (gateway.gatewayType === 'ExpressRoute') return [];
    const facts = azureGatewayFacts(topology, site, gateway);
    return facts === undefined ? [] : [{ site, gateway, facts, path: [...at, 'virtualNetworkGateways', gi] }];
  });
}

/** The gateway a Vnet2Vnet connection names as "site/gateway", with where it is; undefined when unknown or underivable. */
export function findSiteGateway(topology: Topology, reference: string): SiteGateway | undefined {
  const [siteName, gatewayName] = reference.split('/');
  const index = topology.sites.findIndex((s) => s.name === siteName);
  const site = topology.sites[index];
  if (site === undefined || site.platform !== 'azure') return undefined;
  return siteGateways(topology, site, ['sites', index, 'azure']).find((g) => g.gateway.name === gatewayName);
}
