import type { Artifact, ExportContext } from '../../artifacts.js';
import { headerLines, secretValue } from '../../artifacts.js';
import type { ModelRef } from '../../adapter.js';
import type { AzureModel, ModelConnection, ModelGateway, ModelLng } from '../model.js';
import { TAG_EMULATOR_ADDRESS, gatewayDefaults, identifier, publicAddressNote, publicIpName } from './names.js';

/*
 * An Azure site as a bash script of `az network …` commands: the same resources, names and
 * properties as the ARM template (arm.ts). `az … create` on a resource that exists updates it in
 * place, so the script runs again without harm; the IPsec policy of a connection is cleared and
 * added again (`ipsec-policy add` alone would append a second one). What `az … create` has no
 * option for is set with the generic `update --set` on the ARM property.
 */

export const AZURE_CLI_FILE = 'azure-cli.sh';

/** A word for bash: single-quoted unless it is plainly safe. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

const RG = '-g "$RESOURCE_GROUP"';
const LOC = '-l "$LOCATION"';

export function azureCliArtifacts(ref: ModelRef<'azure', AzureModel>, context: ExportContext): Artifact[] {
  const { site, model } = ref;
  if (model.gateways.length === 0 && model.localNetworkGateways.length === 0 && model.connections.length === 0) return [];
  const keys: string[] = [];
  const body: string[] = [];
  let holdsSecrets = false;

  body.push('', `# Virtual network ${site.name}`,
    `az network vnet create ${RG} ${LOC} -n ${shellWord(site.name)} --address-prefixes ${(site.addressSpace ?? []).map(shellWord).join(' ')} --output none`);
  for (const subnet of site.subnets ?? []) {
    body.push(`az network vnet subnet create ${RG} --vnet-name ${shellWord(site.name)} -n ${shellWord(subnet.name)} --address-prefixes ${shellWord(subnet.prefix)} --output none`);
  }
  for (const g of model.gateways) body.push(...gateway(site.name, g));
  for (const l of model.localNetworkGateways) body.push(...localGateway(l));
  for (const c of model.connections) {
    const written = connection(c, model, context);
    body.push(...written.lines);
    if (written.key !== undefined) keys.push(written.key.line);
    holdsSecrets ||= written.key?.holdsSecret ?? false;
  }

  const header = headerLines(context, site, 'Azure CLI script', holdsSecrets);
  const text = [
    '#!/usr/bin/env bash',
    ...header.map((l) => `# ${l}`),
    '# Idempotent: az … create on an existing resource updates it in place; creating a VPN gateway takes 30-45 minutes.',
    '# A Vnet2Vnet connection needs the other VNet\'s gateway: run the other VNet\'s script first (same resource group).',
    'set -euo pipefail',
    '',
    `RESOURCE_GROUP="\${RESOURCE_GROUP:-${identifier(context.topology.name)}}"`,
    site.region !== undefined ? `LOCATION="\${LOCATION:-${site.region}}"` : 'LOCATION="${LOCATION:?set LOCATION to the Azure region}"',
    ...keys,
    '',
    'az group create -n "$RESOURCE_GROUP" -l "$LOCATION" --output none',
    ...body,
    '',
  ].join('\n');
  return [{ path: `${site.name}/${AZURE_CLI_FILE}`, format: 'azure-cli', text, holdsSecrets }];
}

function gateway(vnet: string, g: ModelGateway): string[] {
  const gw = g.gateway;
  const defaults = gatewayDefaults(gw);
  const lines = ['', `# Virtual network gateway ${gw.name}`];
  const pips = gw.ipConfigurations.map((config) => publicIpName(gw, config));
  for (const [i, config] of gw.ipConfigurations.entries()) {
    if (config.publicIPAddress !== undefined) lines.push(`# ${publicAddressNote(config.publicIPAddress)}.`);
    lines.push(`az network public-ip create ${RG} ${LOC} -n ${shellWord(pips[i]!)} --sku Standard --allocation-method Static --version IPv4${defaults.sku.endsWith('AZ') ? ' --zone 1 2 3' : ''}` +
      `${config.publicIPAddress !== undefined ? ` --tags ${TAG_EMULATOR_ADDRESS}=${config.publicIPAddress}` : ''} --output none`);
    if ((config.subnet ?? 'GatewaySubnet') !== 'GatewaySubnet') lines.push(`# ipConfiguration ${config.name} names subnet ${config.subnet}: az vnet-gateway create always uses GatewaySubnet.`);
  }
  const options = [
    `--vnet ${shellWord(vnet)}`, `--public-ip-addresses ${pips.map(shellWord).join(' ')}`,
    `--gateway-type ${defaults.gatewayType}`, `--vpn-type ${defaults.vpnType}`, `--sku ${defaults.sku}`,
    ...(gw.vpnGatewayGeneration !== undefined ? [`--vpn-gateway-generation ${gw.vpnGatewayGeneration}`] : []),
    ...(gw.enableBgp === true ? [`--asn ${gw.bgpSettings?.asn ?? 65515}`] : []),
    ...(gw.enableBgp === true && gw.bgpSettings?.peerWeight !== undefined ? [`--peer-weight ${gw.bgpSettings.peerWeight}`] : []),
  ];
  lines.push(`az network vnet-gateway create ${RG} ${LOC} -n ${shellWord(gw.name)} ${options.join(' ')} --output none`);
  if (gw.enableBgp !== true && gw.bgpSettings?.asn !== undefined) lines.push(`# bgpSettings.asn ${gw.bgpSettings.asn} is not written: BGP is off on this gateway (az sets an ASN only with BGP).`);
  const sets: string[] = [];
  for (const entry of gw.bgpSettings?.bgpPeeringAddresses ?? []) {
    const index = gw.ipConfigurations.findIndex((c) => c.name === entry.ipconfigurationId);
    if (index >= 0 && entry.customBgpIpAddresses !== undefined) sets.push(shellWord(`bgpSettings.bgpPeeringAddresses[${index}].customBgpIpAddresses=${JSON.stringify(entry.customBgpIpAddresses)}`));
  }
  if (gw.enableBgpRouteTranslationForNat !== undefined) sets.push(`enableBgpRouteTranslationForNat=${gw.enableBgpRouteTranslationForNat}`);
  if (sets.length > 0) lines.push(`az network vnet-gateway update ${RG} -n ${shellWord(gw.name)} --set ${sets.join(' ')} --output none`);
  for (const rule of gw.natRules ?? []) {
    lines.push(`az network vnet-gateway nat-rule add ${RG} --gateway-name ${shellWord(gw.name)} -n ${shellWord(rule.name)} --type ${rule.type ?? 'Static'} --mode ${rule.mode ?? 'EgressSnat'}` +
      ` --internal-mappings ${rule.internalMappings.map((m) => shellWord(m.addressSpace)).join(' ')} --external-mappings ${rule.externalMappings.map((m) => shellWord(m.addressSpace)).join(' ')}` +
      `${rule.ipConfigurationId !== undefined ? ` --ip-config-id "$(az network vnet-gateway show ${RG} -n ${shellWord(gw.name)} --query id -o tsv)/ipConfigurations/${rule.ipConfigurationId}"` : ''} --output none`);
    if ([...rule.internalMappings, ...rule.externalMappings].some((m) => m.portRange !== undefined)) {
      lines.push(`# NAT rule ${rule.name} has port ranges: az nat-rule add takes none; deploy the ARM template for them.`);
    }
  }
  return lines;
}

function localGateway(l: ModelLng): string[] {
  const lng = l.lng;
  const options = [
    lng.gatewayIpAddress !== undefined ? `--gateway-ip-address ${lng.gatewayIpAddress}` : `--fqdn ${shellWord(lng.fqdn ?? '')}`,
    ...((lng.localNetworkAddressSpace?.addressPrefixes ?? []).length > 0 ? [`--local-address-prefixes ${lng.localNetworkAddressSpace!.addressPrefixes.map(shellWord).join(' ')}`] : []),
    ...(lng.bgpSettings !== undefined ? [`--asn ${lng.bgpSettings.asn}`, `--bgp-peering-address ${lng.bgpSettings.bgpPeeringAddress}`] : []),
    ...(lng.bgpSettings?.peerWeight !== undefined ? [`--peer-weight ${lng.bgpSettings.peerWeight}`] : []),
  ];
  return ['', `# Local network gateway ${lng.name}`, `az network local-gateway create ${RG} ${LOC} -n ${shellWord(lng.name)} ${options.join(' ')} --output none`];
}

function connection(c: ModelConnection, model: AzureModel, context: ExportContext): { lines: string[]; key?: { line: string; holdsSecret: boolean } } {
  const conn = c.conn;
  const lines = ['', `# Connection ${conn.name} (${conn.connectionType})`];
  if (conn.connectionType === 'ExpressRoute') return { lines: [...lines, '# ExpressRoute connections are not exported (vpnlab does not model the circuit).'] };
  const variable = `SHARED_KEY_${identifier(conn.name).toUpperCase()}`;
  let key: { line: string; holdsSecret: boolean } | undefined;
  if (conn.sharedKey !== undefined) {
    const secret = secretValue(context, conn.sharedKey, `${model.site.name}.${conn.name}`);
    key = { line: `${variable}="\${${variable}:-}"; [ -n "$${variable}" ] || ${variable}=${shellWord(secret.text)}`, holdsSecret: secret.holdsSecret };
  }
  const gw = shellWord(conn.virtualNetworkGateway1);
  const options = [`--vnet-gateway1 ${gw}`];
  if (conn.connectionType === 'IPsec' && conn.localNetworkGateway2 !== undefined) options.push(`--local-gateway2 ${shellWord(conn.localNetworkGateway2)}`);
  if (conn.connectionType === 'Vnet2Vnet' && c.peer !== undefined) {
    options.push(`--vnet-gateway2 "$(az network vnet-gateway show ${RG} -n ${shellWord(c.peer.gateway)} --query id -o tsv)"`);
  }
  if (conn.sharedKey !== undefined) options.push(`--shared-key "$${variable}"`);
  if (conn.enableBgp === true) options.push('--enable-bgp');
  if (conn.routingWeight !== undefined) options.push(`--routing-weight ${conn.routingWeight}`);
  if (conn.usePolicyBasedTrafficSelectors !== undefined) options.push(`--use-policy-based-traffic-selectors ${conn.usePolicyBasedTrafficSelectors}`);
  for (const rule of conn.ingressNatRules ?? []) options.push(`--ingress-nat-rule "$(az network vnet-gateway show ${RG} -n ${gw} --query id -o tsv)/natRules/${rule}"`);
  for (const rule of conn.egressNatRules ?? []) options.push(`--egress-nat-rule "$(az network vnet-gateway show ${RG} -n ${gw} --query id -o tsv)/natRules/${rule}"`);
  if (conn.connectionProtocol === 'IKEv1') lines.push('# connectionProtocol IKEv1: az vpn-connection create has no option for it and Azure cannot change it later; deploy the ARM template for this connection.');
  if (conn.sharedKey === undefined) lines.push('# No sharedKey in the topology: Azure generates one; read it with az network vpn-connection shared-key show.');
  lines.push(`az network vpn-connection create ${RG} ${LOC} -n ${shellWord(conn.name)} ${options.join(' ')} --output none`);
  const sets: string[] = [];
  if (conn.connectionMode !== undefined) sets.push(`connectionMode=${conn.connectionMode}`);
  if (conn.dpdTimeoutSeconds !== undefined) sets.push(`dpdTimeoutSeconds=${conn.dpdTimeoutSeconds}`);
  if (conn.trafficSelectorPolicies !== undefined) sets.push(shellWord(`trafficSelectorPolicies=${JSON.stringify(conn.trafficSelectorPolicies)}`));
  if (conn.gatewayCustomBgpIpAddresses !== undefined) {
    const entries = conn.gatewayCustomBgpIpAddresses.map((e) => `{"ipConfigurationId":"'"$GW_ID"'/ipConfigurations/${e.ipConfigurationId}","customBgpIpAddress":"${e.customBgpIpAddress}"}`);
    lines.push(`GW_ID="$(az network vnet-gateway show ${RG} -n ${gw} --query id -o tsv)"`);
    sets.push(`'gatewayCustomBgpIpAddresses=[${entries.join(',')}]'`);
  }
  if (sets.length > 0) lines.push(`az network vpn-connection update ${RG} -n ${shellWord(conn.name)} --set ${sets.join(' ')} --output none`);
  if (conn.ipsecPolicies !== undefined && conn.ipsecPolicies.length > 0) {
    lines.push(`az network vpn-connection ipsec-policy clear ${RG} --connection-name ${shellWord(conn.name)} --output none`);
    for (const p of conn.ipsecPolicies) {
      lines.push(`az network vpn-connection ipsec-policy add ${RG} --connection-name ${shellWord(conn.name)} --ike-encryption ${p.ikeEncryption} --ike-integrity ${p.ikeIntegrity} --dh-group ${p.dhGroup}` +
        ` --ipsec-encryption ${p.ipsecEncryption} --ipsec-integrity ${p.ipsecIntegrity} --pfs-group ${p.pfsGroup} --sa-lifetime ${p.saLifeTimeSeconds} --sa-max-size ${p.saDataSizeKilobytes} --output none`);
    }
  }
  return key === undefined ? { lines } : { lines, key };
}
