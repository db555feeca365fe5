import { basename } from 'node:path';
import { z } from 'zod';
import type { ImportSource, Origin, SourceReader, TopologyDraft } from '../../imports.js';
import {
  connectionSchema, gatewayBgpSettingsSchema, ipConfigurationBgpPeeringAddressSchema, ipConfigurationSchema, localNetworkGatewayBgpSettingsSchema,
  localNetworkGatewaySchema, natRuleMappingSchema, natRuleSchema, virtualNetworkGatewaySchema,
} from '../../../topology/platforms/azure.js';
import { prefix as prefixSchema } from '../../../config/primitives.js';
import { TAG_EMULATOR_ADDRESS } from '../export/names.js';
import { AzureSiteWriter, nestedEntry, putChecked, schemaProblem, type Entry } from './common.js';

/*
 * The Terraform (azurerm) reader of `vpnlab import`: a main.tf with one azurerm_virtual_network
 * read into the azure site that VNet is, its subnets, gateways (public addresses from the
 * vpnlab-emulator-address tag of their azurerm_public_ip), NAT rules, local network gateways and
 * connections, argument by argument into the `azure:` block's ARM names. The file is parsed by
 * @cdktf/hcl2json, which gives no positions: each field is cited at the line of its argument,
 * found in the text after its block's `resource "<type>" "<name>"`. Values are literals, `var.x`
 * with a default, and references to the file's own resources; anything else is a problem at its
 * line. Terraform cannot say what vpnlab's ARM tags say: a gateway's type, vpn_type and sku are
 * always written (an assumed default comes back as a value) and its description is not written.
 */

type Body = Record<string, unknown>;

export const terraformReader: SourceReader = {
  format: 'terraform (azurerm)',
  accepts: (source) => /\.tf$/i.test(source.path) && /\bresource\s+"azurerm_/.test(source.text),
  async read(source, draft) {
    let json: Record<string, unknown>;
    try {
      // Loaded here, not at the top: only `vpnlab import` reads Terraform.
      const { parse: parseHcl } = await import('@cdktf/hcl2json');
      json = await parseHcl(source.path, source.text) as Record<string, unknown>;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const m = /:(\d+),(\d+)(?:-\d+)?: ([^\]]*)/.exec(message);
      draft.problem({ file: source.path, line: m ? Number(m[1]) : 1, column: m ? Number(m[2]) : 1 }, 'IMPORT_TF_SYNTAX', m ? m[3]!.trim() : message, 'terraform refuses it too');
      return;
    }
    try {
      new TerraformReader(source, draft, json).read();
    } catch (e) {
      draft.problem({ file: source.path, line: 1, column: 1 }, 'IMPORT_TF_UNREADABLE', `vpnlab could not read this file: ${e instanceof Error ? e.message : String(e)}`);
    }
  },
};

/** Arguments that change nothing the topology holds. */
const IGNORED = new Set(['resource_group_name', 'location', 'private_ip_address_allocation', 'allocation_method', 'zones', 'depends_on', 'lifecycle', 'provider', 'count', 'for_each']);

class TerraformReader {
  private readonly lines: string[];
  private readonly resources: Record<string, Record<string, Body>>;
  private readonly variables: Record<string, Body>;
  private readonly data: Record<string, Record<string, Body>>;
  private site: string;

  constructor(private readonly source: ImportSource, private readonly draft: TopologyDraft, json: Record<string, unknown>) {
    this.lines = source.text.split(/\r?\n/);
    this.resources = this.blocks(json['resource'], 2) as Record<string, Record<string, Body>>;
    this.data = this.blocks(json['data'], 2) as Record<string, Record<string, Body>>;
    this.variables = this.blocks(json['variable'], 1) as Record<string, Body>;
    this.site = source.site ?? basename(source.path).replace(/\.tf$/i, '');
  }

  /** hcl2json gives each block as a one-item list under its labels: the item. */
  private blocks(value: unknown, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    if (typeof value !== 'object' || value === null) return out;
    for (const [key, inner] of Object.entries(value)) {
      if (depth === 1) out[key] = Array.isArray(inner) ? inner[0] : inner;
      else out[key] = this.blocks(inner, depth - 1);
    }
    return out;
  }

  /** The resources of a type in the file's order (hcl2json sorts the labels). */
  private of(type: string): [string, Body][] {
    return Object.entries(this.resources[type] ?? {})
      .map(([label, body]) => ({ label, body, line: this.blockLine('resource', type, label) }))
      .sort((a, b) => a.line - b.line)
      .map(({ label, body }) => [label, body]);
  }

  // -----------------------------------------------------------------------------------------------
  // Lines

  /** The line of `resource "type" "label"` (or `data`, `variable`), 1 when not found. */
  private blockLine(kind: string, type: string, label?: string): number {
    const q = (s: string): string => `"?${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?`;
    const pattern = new RegExp(`^\\s*${kind}\\s+${q(type)}${label === undefined ? '' : `\\s+${q(label)}`}\\s*\\{`);
    const index = this.lines.findIndex((l) => pattern.test(l));
    return index + 1 || 1;
  }

  /** The line of the `occurrence`th `name =` or `name {` after `from` inside its block. */
  private argLine(from: number, name: string, occurrence = 0): Origin {
    const pattern = new RegExp(`^(\\s*)${name}\\s*(=|\\{)`);
    let seen = 0;
    for (let i = from; i < this.lines.length; i++) {
      if (/^(resource|data|variable|output|locals|module)\b/.test(this.lines[i]!)) break;
      const m = pattern.exec(this.lines[i]!);
      if (m && seen++ === occurrence) return { file: this.source.path, line: i + 1, column: m[1]!.length + 1 };
    }
    return { file: this.source.path, line: from, column: 1 };
  }

  private at(line: number): Origin {
    return { file: this.source.path, line, column: 1 };
  }

  // -----------------------------------------------------------------------------------------------
  // Values

  /** A literal (escapes undone), a variable's default, or why not. */
  private value(raw: unknown, origin: Origin, what: string): { ok: true; value: unknown; origin: Origin } | { ok: false } {
    if (typeof raw === 'string') {
      const variable = /^\$\{var\.([A-Za-z0-9_-]+)\}$/.exec(raw);
      if (variable) {
        const declared = this.variables[variable[1]!];
        if (declared === undefined || declared['default'] === undefined) {
          this.draft.problem(origin, 'IMPORT_TF_NO_VALUE', `${what}: var.${variable[1]!} has no default`, 'give the variable a default (a terraform.tfvars is not read)');
          return { ok: false };
        }
        const line = this.blockLine('variable', variable[1]!);
        return this.value(declared['default'], this.argLine(line, 'default'), what);
      }
      if (/(^|[^$])\$\{|(^|[^%])%\{/.test(raw)) {
        this.draft.problem(origin, 'IMPORT_TF_EXPRESSION', `${what}: ${raw} is an expression; vpnlab reads literals, var.x with a default and references to this file's resources`, 'write the value');
        return { ok: false };
      }
      return { ok: true, value: raw.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{'), origin };
    }
    if (Array.isArray(raw)) {
      const out: unknown[] = [];
      for (const item of raw) {
        const r = this.value(item, origin, what);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return { ok: true, value: out, origin };
    }
    return { ok: true, value: raw, origin };
  }

  /** The label of the `type` resource (or data source) a `${type.label.attr}` reference names. */
  private reference(raw: unknown, types: readonly string[], origin: Origin, what: string): { label: string; rest: string; data: boolean } | undefined {
    const m = typeof raw === 'string' ? /^\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}(.*)$/.exec(raw) : null;
    if (!m || !types.includes(m[2]!)) {
      this.draft.problem(origin, 'IMPORT_TF_REFERENCE', `${what}: ${JSON.stringify(raw)} is not a reference to ${types.join(' or ')}`, 'refer to the resource in this file');
      return undefined;
    }
    const data = m[1] !== undefined;
    const known = data ? this.data[m[2]!]?.[m[3]!] : this.resources[m[2]!]?.[m[3]!];
    if (known === undefined) {
      this.draft.problem(origin, 'IMPORT_TF_REFERENCE', `${what}: ${data ? 'data.' : ''}${m[2]!}.${m[3]!} is not in this file`);
      return undefined;
    }
    return { label: m[3]!, rest: m[4]!, data };
  }

  private nameOf(type: string, label: string, data = false): string {
    const body = data ? this.data[type]?.[label] : this.resources[type]?.[label];
    const name = body?.['name'];
    return typeof name === 'string' ? name : label;
  }

  /** One field, checked against the block's schema and cited. */
  private field(at: Entry, key: string, raw: unknown, origin: Origin, schema: z.ZodType, convert: (v: unknown) => unknown = (v) => v): void {
    if (raw === undefined) return;
    const r = this.value(raw, origin, `${String(at.entry['name'])}.${key}`);
    if (!r.ok) return;
    putChecked(this.draft, at, key, schema, convert(r.value), r.origin);
  }


  private unread(what: string, body: Body, known: readonly string[], line: number): void {
    const extra = Object.keys(body).filter((k) => !known.includes(k) && !IGNORED.has(k) && k !== 'name');
    if (extra.length > 0) this.draft.note(this.at(line), 'IMPORT_TF_NOT_MODELLED', `${what}: ${extra.join(', ')} not imported (vpnlab does not model ${extra.length === 1 ? 'it' : 'them'})`);
  }

  private blocksOf(body: Body, key: string): Body[] {
    const value = body[key];
    return Array.isArray(value) ? value.filter((v): v is Body => typeof v === 'object' && v !== null) : [];
  }

  // -----------------------------------------------------------------------------------------------

  read(): void {
    const vnets = this.of('azurerm_virtual_network');
    if (vnets.length > 1) {
      for (const [label] of vnets.slice(1)) {
        this.draft.problem(this.at(this.blockLine('resource', 'azurerm_virtual_network', label)), 'IMPORT_TF_SEVERAL_VNETS', 'vpnlab reads one azurerm_virtual_network per file (one site)', 'put each VNet in its own file');
      }
    }
    const [vnetLabel, vnet] = vnets[0] ?? [];
    if (this.source.site === undefined && typeof vnet?.['name'] === 'string') this.site = vnet['name'];
    const line = vnetLabel === undefined ? 1 : this.blockLine('resource', 'azurerm_virtual_network', vnetLabel);
    const writer = AzureSiteWriter.of(this.draft, this.site, this.at(line));
    if (vnet !== undefined) this.virtualNetwork(writer, vnet, line);
    for (const [label, body] of this.of('azurerm_virtual_network_gateway')) this.gateway(writer, label, body);
    for (const [label, body] of this.of('azurerm_local_network_gateway')) this.localNetworkGateway(writer, label, body);
    for (const [label, body] of this.of('azurerm_virtual_network_gateway_connection')) this.connection(writer, label, body);
    const modelled = new Set(['azurerm_virtual_network', 'azurerm_subnet', 'azurerm_public_ip', 'azurerm_virtual_network_gateway', 'azurerm_virtual_network_gateway_nat_rule',
      'azurerm_local_network_gateway', 'azurerm_virtual_network_gateway_connection']);
    for (const [type, labels] of Object.entries(this.resources)) {
      if (modelled.has(type)) continue;
      for (const label of Object.keys(labels)) this.draft.note(this.at(this.blockLine('resource', type, label)), 'IMPORT_TF_NOT_MODELLED', `${type}.${label} is not imported: vpnlab does not model it`);
    }
  }

  private virtualNetwork(writer: AzureSiteWriter, vnet: Body, line: number): void {
    // The region: a literal, or var.location's default; without one Terraform asks at apply time.
    const location = vnet['location'];
    const variable = typeof location === 'string' ? /^\$\{var\.([A-Za-z0-9_-]+)\}$/.exec(location)?.[1] : undefined;
    const region = variable !== undefined ? this.variables[variable]?.['default'] : location;
    const regionOrigin = variable !== undefined ? this.argLine(this.blockLine('variable', variable), 'default') : this.argLine(line, 'location');
    if (typeof region === 'string' && /^[a-z0-9]+$/i.test(region)) writer.siteField('region', region, regionOrigin);
    const space = this.value(vnet['address_space'], this.argLine(line, 'address_space'), 'address_space');
    if (space.ok) {
      const problem = schemaProblem(z.array(prefixSchema).min(1), space.value);
      if (problem !== undefined) this.draft.problem(space.origin, 'IMPORT_AZURE_VALUE', `address_space: ${problem}`);
      else writer.siteField('addressSpace', space.value, space.origin);
    }
    const subnets: { name: string; prefix: string }[] = [];
    let first: Origin | undefined;
    for (const [label, body] of this.of('azurerm_subnet')) {
      const subnetLine = this.blockLine('resource', 'azurerm_subnet', label);
      first ??= this.at(subnetLine);
      const prefixes = this.value(body['address_prefixes'], this.argLine(subnetLine, 'address_prefixes'), `subnet ${label} address_prefixes`);
      if (!prefixes.ok) continue;
      const list = prefixes.value;
      if (!Array.isArray(list) || list.length !== 1 || schemaProblem(prefixSchema, list[0]) !== undefined || typeof body['name'] !== 'string') {
        this.draft.problem(prefixes.origin, 'IMPORT_AZURE_VALUE', `subnet ${label}: expected a name and one IPv4 prefix in address_prefixes`);
        continue;
      }
      subnets.push({ name: body['name'], prefix: list[0] as string });
    }
    if (subnets.length > 0) writer.siteField('subnets', subnets, first!);
    this.unread(`azurerm_virtual_network ${this.site}`, vnet, ['address_space'], line);
  }

  private gateway(writer: AzureSiteWriter, label: string, body: Body): void {
    const line = this.blockLine('resource', 'azurerm_virtual_network_gateway', label);
    const name = typeof body['name'] === 'string' ? body['name'] : label;
    const added = writer.add('virtualNetworkGateways', name, this.argLine(line, 'name'));
    if (added === undefined) return;
    const at: Entry = { ...added, writer };
    const S = virtualNetworkGatewaySchema.shape;
    const arg = (key: string, n = 0): Origin => this.argLine(line, key, n);
    this.field(at, 'gatewayType', body['type'], arg('type'), S.gatewayType);
    this.field(at, 'vpnType', body['vpn_type'], arg('vpn_type'), S.vpnType);
    this.field(at, 'sku', body['sku'], arg('sku'), S.sku);
    this.field(at, 'vpnGatewayGeneration', body['generation'], arg('generation'), S.vpnGatewayGeneration);
    this.field(at, 'activeActive', body['active_active'], arg('active_active'), S.activeActive);
    this.field(at, 'enableBgp', body['bgp_enabled'] ?? body['enable_bgp'], arg(body['bgp_enabled'] !== undefined ? 'bgp_enabled' : 'enable_bgp'), S.enableBgp);
    this.field(at, 'enableBgpRouteTranslationForNat', body['bgp_route_translation_for_nat_enabled'], arg('bgp_route_translation_for_nat_enabled'), S.enableBgpRouteTranslationForNat);

    const bgp = this.blocksOf(body, 'bgp_settings')[0];
    const end = this.blockEnd(line);
    const readOnly = this.lines.slice(line, end).map((l, i) => ({ m: /#\s*bgpSettings\.bgpPeeringAddress (\S+) is read-only/.exec(l), i })).find((x) => x.m);
    if (bgp !== undefined || readOnly !== undefined) {
      const b = nestedEntry(at, 'bgpSettings');
      const B = gatewayBgpSettingsSchema.shape;
      this.field(b, 'asn', bgp?.['asn'], arg('asn'), B.asn);
      if (readOnly !== undefined) this.field(b, 'bgpPeeringAddress', readOnly.m![1], this.at(line + readOnly.i + 1), B.bgpPeeringAddress);
      this.field(b, 'peerWeight', bgp?.['peer_weight'], arg('peer_weight'), B.peerWeight);
      const P = ipConfigurationBgpPeeringAddressSchema.shape;
      this.blocksOf(bgp ?? {}, 'peering_addresses').forEach((entry, index) => {
        const e = nestedEntry(b, 'bgpPeeringAddresses', index);
        this.field(e, 'ipconfigurationId', entry['ip_configuration_name'], arg('ip_configuration_name', index), P.ipconfigurationId);
        this.field(e, 'customBgpIpAddresses', entry['apipa_addresses'], arg('apipa_addresses', index), P.customBgpIpAddresses);
      });
    }

    const C = ipConfigurationSchema.shape;
    this.blocksOf(body, 'ip_configuration').forEach((config, index) => {
      const c = nestedEntry(at, 'ipConfigurations', index);
      this.field(c, 'name', config['name'] ?? 'vnetGatewayConfig', arg('ip_configuration', index), C.name);
      const subnetOrigin = this.argLine(line, 'subnet_id', index);
      const subnet = this.reference(config['subnet_id'], ['azurerm_subnet'], subnetOrigin, `${name} ip_configuration subnet_id`);
      if (subnet !== undefined) writer.put(c.entry, c.path, 'subnet', this.nameOf('azurerm_subnet', subnet.label), subnetOrigin);
      const pipOrigin = this.argLine(line, 'public_ip_address_id', index);
      const pip = this.reference(config['public_ip_address_id'], ['azurerm_public_ip'], pipOrigin, `${name} ip_configuration public_ip_address_id`);
      if (pip === undefined) return;
      const tags = this.resources['azurerm_public_ip']?.[pip.label]?.['tags'];
      const address = typeof tags === 'object' && tags !== null ? (tags as Record<string, unknown>)[TAG_EMULATOR_ADDRESS] : undefined;
      const pipLine = this.blockLine('resource', 'azurerm_public_ip', pip.label);
      if (address === undefined) {
        this.draft.note(pipOrigin, 'IMPORT_AZURE_PUBLIC_IP', `gateway ${name} ${String(c.entry['name'])}: Azure assigns azurerm_public_ip.${pip.label}'s address; the file does not say it, so the emulator picks one`);
        return;
      }
      this.field(c, 'publicIPAddress', address, this.argLine(pipLine, 'tags'), C.publicIPAddress);
    });
    if (this.blocksOf(body, 'ip_configuration').length === 0) this.draft.problem(this.at(line), 'IMPORT_AZURE_MISSING', `gateway ${name} has no ip_configuration`);

    const rules = this.of('azurerm_virtual_network_gateway_nat_rule').filter(([, r]) => r['virtual_network_gateway_id'] === `\${azurerm_virtual_network_gateway.${label}.id}`);
    const N = natRuleSchema.shape;
    rules.forEach(([ruleLabel, rule], index) => {
      const ruleLine = this.blockLine('resource', 'azurerm_virtual_network_gateway_nat_rule', ruleLabel);
      const n = nestedEntry(at, 'natRules', index);
      this.field(n, 'name', rule['name'], this.argLine(ruleLine, 'name'), N.name);
      this.field(n, 'type', rule['type'], this.argLine(ruleLine, 'type'), N.type);
      this.field(n, 'mode', rule['mode'], this.argLine(ruleLine, 'mode'), N.mode);
      const mapping = (m: Body): Record<string, unknown> => ({ addressSpace: m['address_space'], ...(m['port_range'] === undefined ? {} : { portRange: m['port_range'] }) });
      this.field(n, 'internalMappings', this.blocksOf(rule, 'internal_mapping').map(mapping), this.argLine(ruleLine, 'internal_mapping'), z.array(natRuleMappingSchema).min(1));
      this.field(n, 'externalMappings', this.blocksOf(rule, 'external_mapping').map(mapping), this.argLine(ruleLine, 'external_mapping'), z.array(natRuleMappingSchema).min(1));
      const config = rule['ip_configuration_id'];
      if (config !== undefined) {
        const m = typeof config === 'string' ? /\/ipConfigurations\/([^/]+)$/i.exec(config) : null;
        const origin = this.argLine(ruleLine, 'ip_configuration_id');
        if (m) writer.put(n.entry, n.path, 'ipConfigurationId', m[1], origin);
        else this.draft.problem(origin, 'IMPORT_TF_REFERENCE', `NAT rule ${String(n.entry['name'])}: ip_configuration_id names no ipConfiguration`);
      }
      this.unread(`azurerm_virtual_network_gateway_nat_rule ${ruleLabel}`, rule, ['type', 'mode', 'internal_mapping', 'external_mapping', 'ip_configuration_id', 'virtual_network_gateway_id'], ruleLine);
    });
    this.unread(`azurerm_virtual_network_gateway ${label}`, body, ['type', 'vpn_type', 'sku', 'generation', 'active_active', 'bgp_enabled', 'enable_bgp',
      'bgp_route_translation_for_nat_enabled', 'bgp_settings', 'ip_configuration'], line);
  }

  /** The index of the line after the block that opens at `line` (1-based): the next top-level block. */
  private blockEnd(line: number): number {
    for (let i = line; i < this.lines.length; i++) if (/^(resource|data|variable|output|locals|module)\b/.test(this.lines[i]!)) return i;
    return this.lines.length;
  }

  private localNetworkGateway(writer: AzureSiteWriter, label: string, body: Body): void {
    const line = this.blockLine('resource', 'azurerm_local_network_gateway', label);
    const name = typeof body['name'] === 'string' ? body['name'] : label;
    const added = writer.add('localNetworkGateways', name, this.argLine(line, 'name'));
    if (added === undefined) return;
    const at: Entry = { ...added, writer };
    const S = localNetworkGatewaySchema.shape;
    const arg = (key: string): Origin => this.argLine(line, key);
    this.field(at, 'gatewayIpAddress', body['gateway_address'], arg('gateway_address'), S.gatewayIpAddress);
    this.field(at, 'fqdn', body['gateway_fqdn'], arg('gateway_fqdn'), S.fqdn);
    if (body['gateway_address'] === undefined && body['gateway_fqdn'] === undefined) {
      this.draft.problem(this.at(line), 'IMPORT_AZURE_MISSING', `local network gateway ${name} has neither gateway_address nor gateway_fqdn`);
    }
    if (body['address_space'] !== undefined) {
      const s = nestedEntry(at, 'localNetworkAddressSpace');
      this.field(s, 'addressPrefixes', body['address_space'], arg('address_space'), z.array(prefixSchema));
    }
    const bgp = this.blocksOf(body, 'bgp_settings')[0];
    if (bgp !== undefined) {
      const b = nestedEntry(at, 'bgpSettings');
      const B = localNetworkGatewayBgpSettingsSchema.shape;
      this.field(b, 'asn', bgp['asn'], arg('asn'), B.asn);
      this.field(b, 'bgpPeeringAddress', bgp['bgp_peering_address'], arg('bgp_peering_address'), B.bgpPeeringAddress);
      this.field(b, 'peerWeight', bgp['peer_weight'], arg('peer_weight'), B.peerWeight);
    }
    this.unread(`azurerm_local_network_gateway ${label}`, body, ['gateway_address', 'gateway_fqdn', 'address_space', 'bgp_settings'], line);
  }

  private connection(writer: AzureSiteWriter, label: string, body: Body): void {
    const line = this.blockLine('resource', 'azurerm_virtual_network_gateway_connection', label);
    const name = typeof body['name'] === 'string' ? body['name'] : label;
    const added = writer.add('connections', name, this.argLine(line, 'name'));
    if (added === undefined) return;
    const at: Entry = { ...added, writer };
    const S = connectionSchema.shape;
    const arg = (key: string, n = 0): Origin => this.argLine(line, key, n);
    this.field(at, 'connectionType', body['type'], arg('type'), S.connectionType);
    const gw = this.reference(body['virtual_network_gateway_id'], ['azurerm_virtual_network_gateway'], arg('virtual_network_gateway_id'), `${name} virtual_network_gateway_id`);
    if (gw !== undefined) writer.put(at.entry, at.path, 'virtualNetworkGateway1', this.nameOf('azurerm_virtual_network_gateway', gw.label), arg('virtual_network_gateway_id'));
    if (body['peer_virtual_network_gateway_id'] !== undefined) {
      const origin = arg('peer_virtual_network_gateway_id');
      const peer = this.reference(body['peer_virtual_network_gateway_id'], ['azurerm_virtual_network_gateway'], origin, `${name} peer_virtual_network_gateway_id`);
      if (peer !== undefined) {
        const peerName = this.nameOf('azurerm_virtual_network_gateway', peer.label, peer.data);
        const hint = this.lines.map((l) => new RegExp(`^#\\s*${peerName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is built by VNet (\\S+)'s own configuration`).exec(l)?.[1]).find((h) => h !== undefined);
        writer.peer(at.entry, at.path, peerName, peer.data ? hint : this.site, origin);
      }
    }
    if (body['local_network_gateway_id'] !== undefined) {
      const lng = this.reference(body['local_network_gateway_id'], ['azurerm_local_network_gateway'], arg('local_network_gateway_id'), `${name} local_network_gateway_id`);
      if (lng !== undefined) writer.put(at.entry, at.path, 'localNetworkGateway2', this.nameOf('azurerm_local_network_gateway', lng.label), arg('local_network_gateway_id'));
    }
    this.field(at, 'sharedKey', body['shared_key'], arg('shared_key'), S.sharedKey);
    this.field(at, 'enableBgp', body['bgp_enabled'] ?? body['enable_bgp'], arg(body['bgp_enabled'] !== undefined ? 'bgp_enabled' : 'enable_bgp'), S.enableBgp);
    this.field(at, 'connectionProtocol', body['connection_protocol'], arg('connection_protocol'), S.connectionProtocol);
    this.field(at, 'connectionMode', body['connection_mode'], arg('connection_mode'), S.connectionMode);
    this.field(at, 'dpdTimeoutSeconds', body['dpd_timeout_seconds'], arg('dpd_timeout_seconds'), S.dpdTimeoutSeconds);
    this.field(at, 'routingWeight', body['routing_weight'], arg('routing_weight'), S.routingWeight);
    this.field(at, 'usePolicyBasedTrafficSelectors', body['use_policy_based_traffic_selectors'], arg('use_policy_based_traffic_selectors'), S.usePolicyBasedTrafficSelectors);
    for (const [key, arm] of [['egress_nat_rule_ids', 'egressNatRules'], ['ingress_nat_rule_ids', 'ingressNatRules']] as const) {
      const list = body[key];
      if (list === undefined) continue;
      const origin = arg(key);
      const names = (Array.isArray(list) ? list : [list]).map((id) => {
        const ref = this.reference(id, ['azurerm_virtual_network_gateway_nat_rule'], origin, `${name} ${key}`);
        return ref === undefined ? undefined : this.nameOf('azurerm_virtual_network_gateway_nat_rule', ref.label);
      });
      if (names.every((n) => n !== undefined)) writer.put(at.entry, at.path, arm, names, origin);
    }
    const policies = this.blocksOf(body, 'ipsec_policy').map((p) => ({
      saLifeTimeSeconds: p['sa_lifetime'], saDataSizeKilobytes: p['sa_datasize'], ipsecEncryption: p['ipsec_encryption'], ipsecIntegrity: p['ipsec_integrity'],
      ikeEncryption: p['ike_encryption'], ikeIntegrity: p['ike_integrity'], dhGroup: p['dh_group'], pfsGroup: p['pfs_group'],
    }));
    if (policies.length > 0) this.field(at, 'ipsecPolicies', policies, arg('ipsec_policy'), S.ipsecPolicies);
    const selectors = this.blocksOf(body, 'traffic_selector_policy').map((t) => ({ localAddressRanges: t['local_address_cidrs'], remoteAddressRanges: t['remote_address_cidrs'] }));
    if (selectors.length > 0) this.field(at, 'trafficSelectorPolicies', selectors, arg('traffic_selector_policy'), S.trafficSelectorPolicies);
    const custom = this.blocksOf(body, 'custom_bgp_addresses')[0];
    if (custom !== undefined && gw !== undefined) {
      // azurerm names the addresses by the gateway's ipConfiguration order: primary, secondary.
      const configs = this.blocksOf(this.resources['azurerm_virtual_network_gateway']?.[gw.label] ?? {}, 'ip_configuration');
      const entries = (['primary', 'secondary'] as const).flatMap((slot, i) => (custom[slot] === undefined ? [] : [{ ipConfigurationId: configs[i]?.['name'] ?? `ipConfiguration ${i + 1}`, customBgpIpAddress: custom[slot] }]));
      this.field(at, 'gatewayCustomBgpIpAddresses', entries, arg('custom_bgp_addresses'), S.gatewayCustomBgpIpAddresses);
    }
    this.unread(`azurerm_virtual_network_gateway_connection ${label}`, body, ['type', 'virtual_network_gateway_id', 'peer_virtual_network_gateway_id', 'local_network_gateway_id',
      'shared_key', 'bgp_enabled', 'enable_bgp', 'connection_protocol', 'connection_mode', 'dpd_timeout_seconds', 'routing_weight', 'use_policy_based_traffic_selectors',
      'egress_nat_rule_ids', 'ingress_nat_rule_ids', 'ipsec_policy', 'traffic_selector_policy', 'custom_bgp_addresses'], line);
  }
}
