import type { Artifact, ExportContext } from '../../artifacts.js';
import { headerLines, secretValue } from '../../artifacts.js';
import type { ModelRef } from '../../adapter.js';
import type { AzureModel, ModelConnection, ModelGateway, ModelLng } from '../model.js';
import type { Connection, NatRule, VirtualNetworkGateway } from '../../../topology/platforms/azure.js';
import {
  ARM_NETWORK_API, TAG_ASSUMED, TAG_BGP_PEERING_ADDRESS, TAG_DEFAULT_BGP, TAG_EMULATOR_ADDRESS,
  gatewayDefaults, identifier, publicAddressNote, publicIpName, sharedKeyParameter,
} from './names.js';

/*
 * An Azure site as an ARM deployment template (deploymentTemplate 2019-04-01) and its parameters
 * file: the virtual network with its subnets, one Standard static public IP per gateway
 * ipConfiguration, the virtual network gateways, local network gateways and connections, every
 * property with its ARM name and Microsoft.Network API version ARM_NETWORK_API. Pre-shared keys
 * are `securestring` parameters whose values are in `azuredeploy.parameters.json` only.
 *
 * A template deploys idempotently in the default incremental mode: deploying it again updates
 * the resources in place. Two things the topology holds have no ARM property and travel as tags
 * (which Azure keeps and ignores): the public address the emulator used, and the read-only BGP
 * addresses the topology repeats so `vpnlab check` can compare them. A gateway's `description`
 * is the resource's template `comments`.
 */

export const ARM_TEMPLATE_FILE = 'azuredeploy.json';
export const ARM_PARAMETERS_FILE = 'azuredeploy.parameters.json';
export const ARM_TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
export const ARM_PARAMETERS_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';
/** The bool parameter that leaves out the Vnet2Vnet connections (deploy both VNets first). */
export const VNET2VNET_PARAMETER = 'createVnet2VnetConnections';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const T = {
  vnet: 'Microsoft.Network/virtualNetworks',
  pip: 'Microsoft.Network/publicIPAddresses',
  gateway: 'Microsoft.Network/virtualNetworkGateways',
  lng: 'Microsoft.Network/localNetworkGateways',
  connection: 'Microsoft.Network/connections',
  natRule: 'Microsoft.Network/virtualNetworkGateways/natRules',
} as const;

function resourceId(type: string, ...names: string[]): string {
  return `resourceId('${type}', ${names.map((n) => `'${n}'`).join(', ')})`;
}

/** `[expression]`: an ARM template expression. */
function expr(text: string): string {
  return `[${text}]`;
}

function ipConfigurationId(gateway: string, config: string): string {
  return expr(`concat(${resourceId(T.gateway, gateway)}, '/ipConfigurations/${config}')`);
}

/** Omit undefined values, so a property the topology leaves out is not written. */
function compact(object: { [key: string]: Json | undefined }): JsonObject {
  return Object.fromEntries(Object.entries(object).filter((e): e is [string, Json] => e[1] !== undefined));
}

interface TemplateParts {
  readonly parameters: JsonObject;
  /** Parameter values for azuredeploy.parameters.json. */
  readonly values: JsonObject;
  readonly resources: JsonObject[];
  readonly outputs: JsonObject;
  /** What the template cannot express, for its metadata. */
  readonly notes: string[];
  holdsSecrets: boolean;
}

/** The template and its parameters file for the site; none when the site has no Azure resources. */
export function armArtifacts(ref: ModelRef<'azure', AzureModel>, context: ExportContext): Artifact[] {
  const { site, model } = ref;
  if (model.gateways.length === 0 && model.localNetworkGateways.length === 0 && model.connections.length === 0) return [];
  const parts: TemplateParts = {
    parameters: {
      location: {
        type: 'string',
        defaultValue: site.region ?? expr('resourceGroup().location'),
        metadata: { description: 'Azure region of every resource (the site\'s region, or the resource group\'s)' },
      },
    },
    values: {}, resources: [], outputs: {}, notes: [], holdsSecrets: false,
  };
  parts.resources.push(virtualNetwork(site));
  for (const g of model.gateways) gatewayResources(site.name, g, parts);
  for (const l of model.localNetworkGateways) parts.resources.push(localNetworkGateway(l));
  for (const c of model.connections) connectionResource(c, model, parts, context);

  const header = headerLines(context, site, 'ARM deployment template', false);
  const template: JsonObject = {
    $schema: ARM_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: {
      description: [...header,
        `Deploy: az deployment group create --resource-group <group> --template-file ${ARM_TEMPLATE_FILE} --parameters @${ARM_PARAMETERS_FILE}`,
        'Idempotent: deploying again (incremental mode) updates the resources in place.',
      ].join('\n'),
      generator: { name: 'vpnlab', version: context.provenance.vpnlabVersion, source: context.provenance.file, topology: context.topology.name, site: site.name },
      notExported: parts.notes,
    },
    parameters: parts.parameters,
    variables: {},
    resources: parts.resources,
    outputs: parts.outputs,
  };
  const parameterHeader = headerLines(context, site, 'ARM deployment parameters', parts.holdsSecrets);
  const parameterFile: JsonObject = {
    $schema: ARM_PARAMETERS_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: Object.fromEntries(Object.entries(parts.values).map(([name, value]) => [name, {
      value, metadata: { description: parameterHeader.join('\n') },
    }])),
  };
  return [
    { path: `${site.name}/${ARM_TEMPLATE_FILE}`, format: 'arm', text: `${JSON.stringify(template, null, 2)}\n`, holdsSecrets: false },
    { path: `${site.name}/${ARM_PARAMETERS_FILE}`, format: 'arm', text: `${JSON.stringify(parameterFile, null, 2)}\n`, holdsSecrets: parts.holdsSecrets },
  ];
}

function virtualNetwork(site: ModelRef<'azure', AzureModel>['site']): JsonObject {
  return {
    type: T.vnet, apiVersion: ARM_NETWORK_API, name: site.name, location: expr("parameters('location')"),
    properties: {
      addressSpace: { addressPrefixes: [...(site.addressSpace ?? [])] },
      subnets: (site.subnets ?? []).map((s) => ({ name: s.name, properties: { addressPrefix: s.prefix } })),
    },
  };
}

function gatewayResources(vnet: string, g: ModelGateway, parts: TemplateParts): void {
  const gw = g.gateway;
  const defaults = gatewayDefaults(gw);
  const pips: string[] = [];
  const tags: JsonObject = {};
  for (const config of gw.ipConfigurations) {
    const name = publicIpName(gw, config);
    pips.push(name);
    const pipTags: JsonObject = config.publicIPAddress !== undefined ? { [TAG_EMULATOR_ADDRESS]: config.publicIPAddress } : {};
    parts.resources.push(compact({
      type: T.pip, apiVersion: ARM_NETWORK_API, name, location: expr("parameters('location')"),
      ...(config.publicIPAddress !== undefined ? { comments: publicAddressNote(config.publicIPAddress) } : {}),
      sku: { name: 'Standard', tier: 'Regional' },
      // Zone-redundant gateway SKUs need zone-redundant public IPs.
      zones: defaults.sku.endsWith('AZ') ? ['1', '2', '3'] : undefined,
      properties: { publicIPAllocationMethod: 'Static', publicIPAddressVersion: 'IPv4' },
      tags: Object.keys(pipTags).length > 0 ? pipTags : undefined,
    }));
    parts.outputs[identifier(`${name}_address`)] = {
      type: 'string',
      value: expr(`reference(${resourceId(T.pip, name)}, '${ARM_NETWORK_API}').ipAddress`),
    };
  }
  if (defaults.assumed.length > 0) tags[TAG_ASSUMED] = defaults.assumed.join(',');
  if (gw.bgpSettings?.bgpPeeringAddress !== undefined) tags[TAG_BGP_PEERING_ADDRESS] = gw.bgpSettings.bgpPeeringAddress;
  for (const entry of gw.bgpSettings?.bgpPeeringAddresses ?? []) {
    if (entry.defaultBgpIpAddresses !== undefined) tags[`${TAG_DEFAULT_BGP}${entry.ipconfigurationId}`] = entry.defaultBgpIpAddresses.join(',');
  }
  const bgp = gw.bgpSettings;
  const properties = compact({
    gatewayType: defaults.gatewayType,
    vpnType: gw.gatewayType === 'ExpressRoute' ? undefined : defaults.vpnType,
    sku: { name: defaults.sku, tier: defaults.sku },
    vpnGatewayGeneration: gw.vpnGatewayGeneration,
    activeActive: gw.activeActive,
    enableBgp: gw.enableBgp,
    enableBgpRouteTranslationForNat: gw.enableBgpRouteTranslationForNat,
    bgpSettings: bgp === undefined || (bgp.asn === undefined && bgp.peerWeight === undefined && bgp.bgpPeeringAddresses === undefined) ? undefined : compact({
      asn: bgp.asn,
      peerWeight: bgp.peerWeight,
      bgpPeeringAddresses: bgp.bgpPeeringAddresses?.map((entry) => compact({
        ipconfigurationId: ipConfigurationId(gw.name, entry.ipconfigurationId),
        customBgpIpAddresses: entry.customBgpIpAddresses === undefined ? undefined : [...entry.customBgpIpAddresses],
      })),
    }),
    ipConfigurations: gw.ipConfigurations.map((config, i) => ({
      name: config.name,
      properties: {
        privateIPAllocationMethod: 'Dynamic',
        subnet: { id: expr(resourceId('Microsoft.Network/virtualNetworks/subnets', vnet, config.subnet ?? 'GatewaySubnet')) },
        publicIPAddress: { id: expr(resourceId(T.pip, pips[i]!)) },
      },
    })),
    natRules: gw.natRules?.map((rule) => natRule(gw, rule)),
  });
  parts.resources.push(compact({
    type: T.gateway, apiVersion: ARM_NETWORK_API, name: gw.name, location: expr("parameters('location')"),
    comments: gw.description,
    dependsOn: [expr(resourceId(T.vnet, vnet)), ...pips.map((p) => expr(resourceId(T.pip, p)))],
    tags: Object.keys(tags).length > 0 ? tags : undefined,
    properties,
  }));
}

function natRule(gw: VirtualNetworkGateway, rule: NatRule): JsonObject {
  const mapping = (m: { addressSpace: string; portRange?: string | undefined }): JsonObject => compact({ addressSpace: m.addressSpace, portRange: m.portRange });
  return {
    name: rule.name,
    properties: compact({
      type: rule.type,
      mode: rule.mode,
      internalMappings: rule.internalMappings.map(mapping),
      externalMappings: rule.externalMappings.map(mapping),
      ipConfigurationId: rule.ipConfigurationId === undefined ? undefined : ipConfigurationId(gw.name, rule.ipConfigurationId),
    }),
  };
}

function localNetworkGateway(l: ModelLng): JsonObject {
  const lng = l.lng;
  return compact({
    type: T.lng, apiVersion: ARM_NETWORK_API, name: lng.name, location: expr("parameters('location')"),
    comments: lng.description,
    properties: compact({
      gatewayIpAddress: lng.gatewayIpAddress,
      fqdn: lng.fqdn,
      localNetworkAddressSpace: lng.localNetworkAddressSpace === undefined ? undefined : { addressPrefixes: [...lng.localNetworkAddressSpace.addressPrefixes] },
      bgpSettings: lng.bgpSettings === undefined ? undefined : compact({
        asn: lng.bgpSettings.asn, bgpPeeringAddress: lng.bgpSettings.bgpPeeringAddress, peerWeight: lng.bgpSettings.peerWeight,
      }),
    }),
  });
}

function connectionResource(c: ModelConnection, model: AzureModel, parts: TemplateParts, context: ExportContext): void {
  const conn = c.conn;
  const dependsOn = [expr(resourceId(T.gateway, conn.virtualNetworkGateway1))];
  let peer: JsonObject | undefined;
  let lng: JsonObject | undefined;
  if (conn.connectionType === 'IPsec' && conn.localNetworkGateway2 !== undefined) {
    lng = { id: expr(resourceId(T.lng, conn.localNetworkGateway2)), properties: {} };
    dependsOn.push(expr(resourceId(T.lng, conn.localNetworkGateway2)));
  } else if (conn.connectionType === 'Vnet2Vnet' && c.peer !== undefined) {
    const parameter = `${identifier(conn.name)}_virtualNetworkGateway2`;
    parts.parameters[parameter] = {
      type: 'string',
      defaultValue: expr(resourceId(T.gateway, c.peer.gateway)),
      metadata: {
        description: `The resource ID of gateway ${c.peer.gateway} of VNet ${c.peer.site} (its own template). The default is that gateway in this resource group; give its full ID when it is elsewhere.`,
      },
    };
    peer = { id: expr(`parameters('${parameter}')`), properties: {} };
    if (!(VNET2VNET_PARAMETER in parts.parameters)) {
      parts.parameters[VNET2VNET_PARAMETER] = {
        type: 'bool', defaultValue: true,
        metadata: { description: 'Create the VNet-to-VNet connections. They need the other VNet\'s gateway: deploy every VNet once with false, then with true (or deploy twice).' },
      };
    }
  } else if (conn.connectionType === 'ExpressRoute') {
    parts.notes.push(`connection ${conn.name}: ExpressRoute connections are not exported (vpnlab does not model the circuit)`);
    return;
  }
  let sharedKey: string | undefined;
  if (conn.sharedKey !== undefined) {
    const parameter = sharedKeyParameter(conn);
    const secret = secretValue(context, conn.sharedKey, `${model.site.name}.${conn.name}`);
    parts.parameters[parameter] = { type: 'securestring', metadata: { description: `Pre-shared key of connection ${conn.name}; the same on the peer` } };
    parts.values[parameter] = secret.text;
    parts.holdsSecrets ||= secret.holdsSecret;
    sharedKey = expr(`parameters('${parameter}')`);
  } else {
    parts.notes.push(`connection ${conn.name}: no sharedKey in the topology, so Azure generates one; read it with az network vpn-connection shared-key show and give it to the peer`);
  }
  const gw = conn.virtualNetworkGateway1;
  parts.resources.push(compact({
    type: T.connection, apiVersion: ARM_NETWORK_API, name: conn.name, location: expr("parameters('location')"),
    condition: conn.connectionType === 'Vnet2Vnet' ? expr(`parameters('${VNET2VNET_PARAMETER}')`) : undefined,
    comments: conn.description,
    dependsOn,
    properties: compact({
      connectionType: conn.connectionType,
      virtualNetworkGateway1: { id: expr(resourceId(T.gateway, gw)), properties: {} },
      virtualNetworkGateway2: peer,
      localNetworkGateway2: lng,
      sharedKey,
      connectionProtocol: conn.connectionProtocol,
      connectionMode: conn.connectionMode,
      enableBgp: conn.enableBgp,
      usePolicyBasedTrafficSelectors: conn.usePolicyBasedTrafficSelectors,
      trafficSelectorPolicies: conn.trafficSelectorPolicies?.map((p) => ({ localAddressRanges: [...p.localAddressRanges], remoteAddressRanges: [...p.remoteAddressRanges] })),
      ipsecPolicies: conn.ipsecPolicies?.map((p) => ({ ...p })),
      dpdTimeoutSeconds: conn.dpdTimeoutSeconds,
      routingWeight: conn.routingWeight,
      gatewayCustomBgpIpAddresses: conn.gatewayCustomBgpIpAddresses?.map((e) => ({
        ipConfigurationId: ipConfigurationId(gw, e.ipConfigurationId), customBgpIpAddress: e.customBgpIpAddress,
      })),
      egressNatRules: natRuleRefs(gw, conn.egressNatRules),
      ingressNatRules: natRuleRefs(gw, conn.ingressNatRules),
    }),
  }));
}

function natRuleRefs(gateway: string, names: Connection['egressNatRules']): Json | undefined {
  return names?.map((name) => ({ id: expr(resourceId(T.natRule, gateway, name)) }));
}
