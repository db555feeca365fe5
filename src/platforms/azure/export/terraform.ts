import type { Artifact, ExportContext } from '../../artifacts.js';
import { headerLines, secretValue } from '../../artifacts.js';
import type { ModelRef } from '../../adapter.js';
import type { AzureModel, ModelConnection, ModelGateway, ModelLng } from '../model.js';
import { TAG_EMULATOR_ADDRESS, gatewayDefaults, identifier, publicAddressNote, publicIpName } from './names.js';

/*
 * An Azure site as Terraform for the azurerm provider (5.x): the same resources and names as the
 * ARM template. The resource group is a variable (it must exist); a Vnet2Vnet peer gateway is
 * read with a data source (same resource group). `terraform apply` is idempotent.
 */

export const TERRAFORM_FILE = 'main.tf';

function str(text: string): string {
  return JSON.stringify(text).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

function list(items: readonly string[]): string {
  return `[${items.map(str).join(', ')}]`;
}

export function terraformArtifacts(ref: ModelRef<'azure', AzureModel>, context: ExportContext): Artifact[] {
  const { site, model } = ref;
  if (model.gateways.length === 0 && model.localNetworkGateways.length === 0 && model.connections.length === 0) return [];
  const out: string[] = [];
  const variables: string[] = [];
  let holdsSecrets = false;
  const vnet = identifier(site.name);
  out.push(`resource "azurerm_virtual_network" ${str(vnet)} {`, `  name                = ${str(site.name)}`, '  resource_group_name = var.resource_group_name',
    '  location            = var.location', `  address_space       = ${list(site.addressSpace ?? [])}`, '}');
  for (const subnet of site.subnets ?? []) {
    out.push('', `resource "azurerm_subnet" ${str(identifier(subnet.name))} {`, `  name                 = ${str(subnet.name)}`, '  resource_group_name  = var.resource_group_name',
      `  virtual_network_name = azurerm_virtual_network.${vnet}.name`, `  address_prefixes     = ${list([subnet.prefix])}`, '}');
  }
  for (const g of model.gateways) out.push(...gateway(g));
  for (const l of model.localNetworkGateways) out.push(...localGateway(l));
  const peers = new Set<string>();
  for (const c of model.connections) {
    const written = connection(c, model, context, peers);
    out.push(...written.lines);
    variables.push(...written.variables);
    holdsSecrets ||= written.holdsSecret;
  }
  const header = headerLines(context, site, 'Terraform (azurerm)', holdsSecrets);
  const text = [
    ...header.map((l) => `# ${l}`),
    '# Apply: terraform init && terraform apply (idempotent). The resource group must exist.',
    '',
    'terraform {',
    '  required_providers {',
    '    azurerm = {',
    '      source  = "hashicorp/azurerm"',
    '      version = "~> 5.2"',
    '    }',
    '  }',
    '}',
    '',
    'provider "azurerm" {',
    '  features {}',
    '}',
    '',
    'variable "resource_group_name" {',
    '  type    = string',
    `  default = ${str(identifier(context.topology.name))}`,
    '}',
    '',
    'variable "location" {',
    '  type    = string',
    ...(site.region !== undefined ? [`  default = ${str(site.region)}`] : []),
    '}',
    ...variables,
    '',
    ...out,
    '',
  ].join('\n');
  return [{ path: `${site.name}/${TERRAFORM_FILE}`, format: 'terraform', text, holdsSecrets }];
}

function gateway(g: ModelGateway): string[] {
  const gw = g.gateway;
  const defaults = gatewayDefaults(gw);
  const label = identifier(gw.name);
  const lines: string[] = [];
  for (const config of gw.ipConfigurations) {
    const name = publicIpName(gw, config);
    lines.push('', ...(config.publicIPAddress !== undefined ? [`# ${publicAddressNote(config.publicIPAddress)}.`] : []),
      `resource "azurerm_public_ip" ${str(identifier(name))} {`, `  name                = ${str(name)}`, '  resource_group_name = var.resource_group_name',
      '  location            = var.location', '  allocation_method   = "Static"', '  sku                 = "Standard"',
      ...(defaults.sku.endsWith('AZ') ? ['  zones               = ["1", "2", "3"]'] : []),
      ...(config.publicIPAddress !== undefined ? [`  tags                = { ${str(TAG_EMULATOR_ADDRESS)} = ${str(config.publicIPAddress)} }`] : []),
      '}');
  }
  lines.push('', `resource "azurerm_virtual_network_gateway" ${str(label)} {`, `  name                = ${str(gw.name)}`, '  resource_group_name = var.resource_group_name',
    '  location            = var.location', `  type                = ${str(defaults.gatewayType)}`, `  vpn_type            = ${str(defaults.vpnType)}`, `  sku                 = ${str(defaults.sku)}`);
  if (gw.activeActive !== undefined) lines.push(`  active_active       = ${gw.activeActive}`);
  if (gw.enableBgp !== undefined) lines.push(`  bgp_enabled         = ${gw.enableBgp}`);
  if (gw.vpnGatewayGeneration !== undefined) lines.push(`  generation          = ${str(gw.vpnGatewayGeneration)}`);
  if (gw.enableBgpRouteTranslationForNat !== undefined) lines.push(`  bgp_route_translation_for_nat_enabled = ${gw.enableBgpRouteTranslationForNat}`);
  for (const config of gw.ipConfigurations) {
    lines.push('  ip_configuration {', `    name                          = ${str(config.name)}`, `    public_ip_address_id          = azurerm_public_ip.${identifier(publicIpName(gw, config))}.id`,
      '    private_ip_address_allocation = "Dynamic"', `    subnet_id                     = azurerm_subnet.${identifier(config.subnet ?? 'GatewaySubnet')}.id`, '  }');
  }
  const bgp = gw.bgpSettings;
  if (bgp !== undefined && (bgp.asn !== undefined || bgp.peerWeight !== undefined || bgp.bgpPeeringAddresses !== undefined)) {
    lines.push('  bgp_settings {');
    if (bgp.asn !== undefined) lines.push(`    asn         = ${bgp.asn}`);
    if (bgp.peerWeight !== undefined) lines.push(`    peer_weight = ${bgp.peerWeight}`);
    for (const entry of bgp.bgpPeeringAddresses ?? []) {
      lines.push('    peering_addresses {', `      ip_configuration_name = ${str(entry.ipconfigurationId)}`,
        ...(entry.customBgpIpAddresses !== undefined ? [`      apipa_addresses       = ${list(entry.customBgpIpAddresses)}`] : []), '    }');
    }
    lines.push('  }');
  }
  if (bgp?.bgpPeeringAddress !== undefined) lines.push(`  # bgpSettings.bgpPeeringAddress ${bgp.bgpPeeringAddress} is read-only: Azure derives it.`);
  lines.push('}');
  for (const rule of gw.natRules ?? []) {
    lines.push('', `resource "azurerm_virtual_network_gateway_nat_rule" ${str(identifier(`${gw.name}_${rule.name}`))} {`, `  name                       = ${str(rule.name)}`,
      '  resource_group_name        = var.resource_group_name', `  virtual_network_gateway_id = azurerm_virtual_network_gateway.${label}.id`,
      ...(rule.mode !== undefined ? [`  mode                       = ${str(rule.mode)}`] : []), ...(rule.type !== undefined ? [`  type                       = ${str(rule.type)}`] : []),
      ...(rule.ipConfigurationId !== undefined ? [`  ip_configuration_id        = "\${azurerm_virtual_network_gateway.${label}.id}/ipConfigurations/${rule.ipConfigurationId}"`] : []));
    for (const [block, mappings] of [['internal_mapping', rule.internalMappings], ['external_mapping', rule.externalMappings]] as const) {
      for (const m of mappings) lines.push(`  ${block} {`, `    address_space = ${str(m.addressSpace)}`, ...(m.portRange !== undefined ? [`    port_range    = ${str(m.portRange)}`] : []), '  }');
    }
    lines.push('}');
  }
  return lines;
}

function localGateway(l: ModelLng): string[] {
  const lng = l.lng;
  const lines = ['', `resource "azurerm_local_network_gateway" ${str(identifier(lng.name))} {`, `  name                = ${str(lng.name)}`,
    '  resource_group_name = var.resource_group_name', '  location            = var.location',
    lng.gatewayIpAddress !== undefined ? `  gateway_address     = ${str(lng.gatewayIpAddress)}` : `  gateway_fqdn        = ${str(lng.fqdn ?? '')}`];
  if (lng.localNetworkAddressSpace !== undefined) lines.push(`  address_space       = ${list(lng.localNetworkAddressSpace.addressPrefixes)}`);
  if (lng.bgpSettings !== undefined) {
    lines.push('  bgp_settings {', `    asn                 = ${lng.bgpSettings.asn}`, `    bgp_peering_address = ${str(lng.bgpSettings.bgpPeeringAddress)}`,
      ...(lng.bgpSettings.peerWeight !== undefined ? [`    peer_weight         = ${lng.bgpSettings.peerWeight}`] : []), '  }');
  }
  lines.push('}');
  return lines;
}

function connection(c: ModelConnection, model: AzureModel, context: ExportContext, peers: Set<string>): { lines: string[]; variables: string[]; holdsSecret: boolean } {
  const conn = c.conn;
  if (conn.connectionType === 'ExpressRoute') return { lines: ['', `# Connection ${conn.name}: ExpressRoute connections are not exported.`], variables: [], holdsSecret: false };
  const lines: string[] = [''];
  const variables: string[] = [];
  let holdsSecret = false;
  const gw = `azurerm_virtual_network_gateway.${identifier(conn.virtualNetworkGateway1)}`;
  if (c.peer !== undefined && !peers.has(c.peer.gateway)) {
    peers.add(c.peer.gateway);
    lines.push(`# ${c.peer.gateway} is built by VNet ${c.peer.site}'s own configuration, in the same resource group.`,
      `data "azurerm_virtual_network_gateway" ${str(identifier(c.peer.gateway))} {`, `  name                = ${str(c.peer.gateway)}`, '  resource_group_name = var.resource_group_name', '}', '');
  }
  lines.push(`resource "azurerm_virtual_network_gateway_connection" ${str(identifier(conn.name))} {`, `  name                       = ${str(conn.name)}`,
    '  resource_group_name        = var.resource_group_name', '  location                   = var.location', `  type                       = ${str(conn.connectionType)}`,
    `  virtual_network_gateway_id = ${gw}.id`);
  if (conn.localNetworkGateway2 !== undefined && conn.connectionType === 'IPsec') lines.push(`  local_network_gateway_id   = azurerm_local_network_gateway.${identifier(conn.localNetworkGateway2)}.id`);
  if (c.peer !== undefined) lines.push(`  peer_virtual_network_gateway_id = data.azurerm_virtual_network_gateway.${identifier(c.peer.gateway)}.id`);
  if (conn.sharedKey !== undefined) {
    const variable = `shared_key_${identifier(conn.name)}`;
    const secret = secretValue(context, conn.sharedKey, `${model.site.name}.${conn.name}`);
    holdsSecret = secret.holdsSecret;
    variables.push('', `variable ${str(variable)} {`, '  type      = string', '  sensitive = true', `  default   = ${str(secret.text)}`, '}');
    lines.push(`  shared_key                 = var.${variable}`);
  }
  const scalar = (name: string, value: string | number | boolean | undefined): void => {
    if (value !== undefined) lines.push(`  ${name} = ${typeof value === 'string' ? str(value) : String(value)}`);
  };
  scalar('bgp_enabled', conn.enableBgp);
  scalar('connection_protocol', conn.connectionProtocol);
  scalar('connection_mode', conn.connectionMode);
  scalar('dpd_timeout_seconds', conn.dpdTimeoutSeconds);
  scalar('routing_weight', conn.routingWeight);
  scalar('use_policy_based_traffic_selectors', conn.usePolicyBasedTrafficSelectors);
  const natIds = (names: readonly string[]): string => `[${names.map((n) => `azurerm_virtual_network_gateway_nat_rule.${identifier(`${conn.virtualNetworkGateway1}_${n}`)}.id`).join(', ')}]`;
  if (conn.egressNatRules !== undefined) lines.push(`  egress_nat_rule_ids = ${natIds(conn.egressNatRules)}`);
  if (conn.ingressNatRules !== undefined) lines.push(`  ingress_nat_rule_ids = ${natIds(conn.ingressNatRules)}`);
  for (const p of conn.ipsecPolicies ?? []) {
    lines.push('  ipsec_policy {', `    dh_group         = ${str(p.dhGroup)}`, `    ike_encryption   = ${str(p.ikeEncryption)}`, `    ike_integrity    = ${str(p.ikeIntegrity)}`,
      `    ipsec_encryption = ${str(p.ipsecEncryption)}`, `    ipsec_integrity  = ${str(p.ipsecIntegrity)}`, `    pfs_group        = ${str(p.pfsGroup)}`,
      `    sa_lifetime      = ${p.saLifeTimeSeconds}`, `    sa_datasize      = ${p.saDataSizeKilobytes}`, '  }');
  }
  for (const t of conn.trafficSelectorPolicies ?? []) {
    lines.push('  traffic_selector_policy {', `    local_address_cidrs  = ${list(t.localAddressRanges)}`, `    remote_address_cidrs = ${list(t.remoteAddressRanges)}`, '  }');
  }
  if (conn.gatewayCustomBgpIpAddresses !== undefined && c.gateway !== undefined) {
    // azurerm names the addresses by ipConfiguration order: primary (the first), secondary (the second).
    const byOrder = c.gateway.gateway.ipConfigurations.map((config) => conn.gatewayCustomBgpIpAddresses!.find((e) => e.ipConfigurationId === config.name)?.customBgpIpAddress);
    if (byOrder[0] !== undefined) {
      lines.push('  custom_bgp_addresses {', `    primary   = ${str(byOrder[0])}`, ...(byOrder[1] !== undefined ? [`    secondary = ${str(byOrder[1])}`] : []), '  }');
    }
  }
  lines.push('}');
  return { lines, variables, holdsSecret };
}
