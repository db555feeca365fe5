import type { DocPath } from '../../config/source.js';
import { parseIpv4, type Ipv4Address, type Prefix } from '../../net/address.js';
import type { SiteRef } from '../adapter.js';
import { prefixesOf } from '../common.js';
import { azureBlock, azureGatewayFacts, type AzureGatewayFacts, type AzureSiteOf } from './facts.js';
import type { Connection, LocalNetworkGateway, VirtualNetworkGateway } from '../../topology/platforms/azure.js';

/*
 * An Azure VNet resolved once per run: each resource with its path, what Azure derives for each
 * gateway (instances, public and BGP addresses, ASN), the local network gateways' addresses and
 * prefixes parsed, and every connection's references followed to the gateway and local network
 * gateway they name. A Vnet2Vnet connection's other gateway lives in another site's model; the
 * planner and the checks follow it with `peerGateway` once every site is resolved.
 */

export interface ModelGateway {
  readonly gateway: VirtualNetworkGateway;
  readonly path: DocPath;
  /** What Azure derives for it; undefined when an ipConfiguration's subnet is missing (AZURE_GATEWAY_SUBNET). */
  readonly facts: AzureGatewayFacts | undefined;
}

/** A gateway whose facts Azure derives. */
export type DerivedGateway = ModelGateway & { readonly facts: AzureGatewayFacts };

export interface ModelLng {
  readonly lng: LocalNetworkGateway;
  readonly index: number;
  readonly path: DocPath;
  /** gatewayIpAddress; undefined when the device is given by fqdn. */
  readonly gatewayAddress: Ipv4Address | undefined;
  readonly prefixes: readonly Prefix[];
  readonly bgp: { readonly asn: number; readonly address: Ipv4Address; readonly weight?: number } | undefined;
}

/** An APIPA address a connection picks for one gateway instance (gatewayCustomBgpIpAddresses). */
export interface CustomBgpChoice {
  readonly ipConfiguration: string;
  readonly address: Ipv4Address;
  /** The customBgpIpAddress field. */
  readonly path: DocPath;
}

export interface ModelConnection {
  readonly conn: Connection;
  readonly path: DocPath;
  readonly customBgpAddresses: readonly CustomBgpChoice[];
  /** virtualNetworkGateway1; undefined when the VNet has no gateway of that name. */
  readonly gateway: ModelGateway | undefined;
  /** localNetworkGateway2 (IPsec connections); undefined when it names none of the VNet's. */
  readonly lng: ModelLng | undefined;
  /** virtualNetworkGateway2 (Vnet2Vnet connections), as site and gateway names. */
  readonly peer: { readonly site: string; readonly gateway: string } | undefined;
}

export interface AzureModel {
  readonly platform: 'azure';
  readonly site: AzureSiteOf;
  readonly vnetPrefixes: readonly Prefix[];
  readonly gateways: readonly ModelGateway[];
  readonly localNetworkGateways: readonly ModelLng[];
  readonly connections: readonly ModelConnection[];
}

export function resolveAzureSite(ref: SiteRef<'azure'>): AzureModel {
  const block = azureBlock(ref.site);
  const gateways = (block.virtualNetworkGateways ?? []).map((gateway, gi): ModelGateway => ({
    gateway,
    path: [...ref.at, 'virtualNetworkGateways', gi],
    facts: gateway.gatewayType === 'ExpressRoute' ? undefined : azureGatewayFacts(ref.layout, gi, gateway),
  }));
  const localNetworkGateways = (block.localNetworkGateways ?? []).map((lng, index): ModelLng => ({
    lng, index,
    path: [...ref.at, 'localNetworkGateways', index],
    gatewayAddress: lng.gatewayIpAddress === undefined ? undefined : parseIpv4(lng.gatewayIpAddress),
    prefixes: prefixesOf(lng.localNetworkAddressSpace?.addressPrefixes),
    bgp: lng.bgpSettings === undefined ? undefined : {
      asn: lng.bgpSettings.asn, address: parseIpv4(lng.bgpSettings.bgpPeeringAddress),
      ...(lng.bgpSettings.peerWeight !== undefined ? { weight: lng.bgpSettings.peerWeight } : {}),
    },
  }));
  const connections = (block.connections ?? []).map((conn, ci): ModelConnection => {
    const [site, gateway] = conn.virtualNetworkGateway2?.split('/') ?? [];
    const path: DocPath = [...ref.at, 'connections', ci];
    return {
      conn,
      path,
      customBgpAddresses: (conn.gatewayCustomBgpIpAddresses ?? []).map((entry, ei) => ({
        ipConfiguration: entry.ipConfigurationId, address: parseIpv4(entry.customBgpIpAddress), path: [...path, 'gatewayCustomBgpIpAddresses', ei, 'customBgpIpAddress'],
      })),
      gateway: gateways.find((g) => g.gateway.name === conn.virtualNetworkGateway1),
      lng: conn.connectionType === 'IPsec' ? localNetworkGateways.find((l) => l.lng.name === conn.localNetworkGateway2) : undefined,
      peer: conn.connectionType === 'Vnet2Vnet' && site !== undefined && gateway !== undefined ? { site, gateway } : undefined,
    };
  });
  return { platform: 'azure', site: ref.site, vnetPrefixes: ref.layout.addressSpace, gateways, localNetworkGateways, connections };
}

/** The gateways of the model whose facts Azure derives. */
export function derivedGateways(model: AzureModel): DerivedGateway[] {
  return model.gateways.filter((g): g is DerivedGateway => g.facts !== undefined);
}

function isAzureModel(model: unknown): model is AzureModel {
  return typeof model === 'object' && model !== null && 'platform' in model && model.platform === 'azure';
}

/** The gateway a Vnet2Vnet connection names, in its site's model; undefined when unknown or its facts cannot be derived. */
export function peerGateway(modelOf: (site: string) => unknown, c: ModelConnection): { readonly model: AzureModel; readonly gateway: DerivedGateway } | undefined {
  if (c.peer === undefined) return undefined;
  const model = modelOf(c.peer.site);
  if (!isAzureModel(model)) return undefined;
  const gateway = derivedGateways(model).find((g) => g.gateway.name === c.peer!.gateway);
  return gateway === undefined ? undefined : { model, gateway };
}
