import { basename } from 'node:path';
import type { DraftSite, ImportSource, Origin, SourceReader, TopologyDraft } from '../../imports.js';
import { NOT_IN_TOPOLOGY } from '../export/common.js';
import { scanHclLines, type HclBlockLines } from './hcl-lines.js';
import { blocksOf, HclValues, isRecord, type HclJson } from './hcl-values.js';

/*
 * The Alibaba reader of `vpnlab import` for Terraform (the alicloud provider): one VPC, its
 * vSwitches and VPN gateway resources read into one alibaba site, each argument into the field of
 * the `alibaba:` block the API names it (src/topology/platforms/alibaba.ts), references between
 * resources (`alicloud_vswitch.a.id`) into the Names the block refers by. The file is parsed by
 * @cdktf/hcl2json, which gives values but no lines nor comments; hcl-lines.ts finds those. The
 * comments vpnlab's own export writes (src/platforms/alibaba/export/terraform.ts) restore what
 * the provider cannot hold: `# vpnlab: Field = <JSON>` is that field; an argument whose comment
 * is `# vpnlab: not in the topology…` was a value the format required and the topology did not
 * have (read as absent); the resource after `# vpnlab: system route (AutoConfigRoute)` is one the
 * platform creates by itself, not a topology route. What cannot be read is a problem at its line;
 * what carries nothing for the block (outputs, other resources) is a note.
 */

type Path = readonly (string | number)[];

/** How an argument's value becomes a field's. */
type Kind = 'string' | 'number' | 'bool' | 'prefixes' | 'asn' | 'asnNumber' | { readonly ref: string };

/** argument name → [field name, kind]. */
type Fields = Readonly<Record<string, readonly [string, Kind]>>;

const VSWITCH = { ref: 'alicloud_vswitch' } as const;
const GATEWAY = { ref: 'alicloud_vpn_gateway' } as const;
const CUSTOMER_GATEWAY = { ref: 'alicloud_vpn_customer_gateway' } as const;
const CONNECTION = { ref: 'alicloud_vpn_connection' } as const;

/** The arguments read, per resource type and nested block; each resource's name argument first. */
export const ALICLOUD_FIELDS = {
  alicloud_vpn_gateway: {
    vpn_gateway_name: ['Name', 'string'], vswitch_id: ['VSwitchId', VSWITCH], disaster_recovery_vswitch_id: ['DisasterRecoveryVSwitchId', VSWITCH],
    bandwidth: ['Bandwidth', 'number'], network_type: ['NetworkType', 'string'], vpn_type: ['VpnType', 'string'], enable_ipsec: ['EnableIpsec', 'bool'],
    enable_ssl: ['EnableSsl', 'bool'], ssl_connections: ['SslConnections', 'number'], auto_propagate: ['AutoPropagate', 'bool'], description: ['Description', 'string'],
  },
  alicloud_vpn_customer_gateway: {
    customer_gateway_name: ['Name', 'string'], ip_address: ['IpAddress', 'string'], asn: ['Asn', 'asn'], description: ['Description', 'string'],
  },
  alicloud_vpn_connection: {
    vpn_connection_name: ['Name', 'string'], vpn_gateway_id: ['VpnGatewayId', GATEWAY], local_subnet: ['LocalSubnet', 'prefixes'], remote_subnet: ['RemoteSubnet', 'prefixes'],
    effect_immediately: ['EffectImmediately', 'bool'], auto_config_route: ['AutoConfigRoute', 'bool'], enable_tunnels_bgp: ['EnableTunnelsBgp', 'bool'],
    customer_gateway_id: ['CustomerGatewayId', CUSTOMER_GATEWAY], enable_dpd: ['EnableDpd', 'bool'], enable_nat_traversal: ['EnableNatTraversal', 'bool'],
  },
  tunnel_options_specification: {
    role: ['Role', 'string'], customer_gateway_id: ['CustomerGatewayId', CUSTOMER_GATEWAY], enable_dpd: ['EnableDpd', 'bool'], enable_nat_traversal: ['EnableNatTraversal', 'bool'],
  },
  tunnel_ike_config: {
    psk: ['Psk', 'string'], ike_version: ['IkeVersion', 'string'], ike_mode: ['IkeMode', 'string'], ike_enc_alg: ['IkeEncAlg', 'string'], ike_auth_alg: ['IkeAuthAlg', 'string'],
    ike_pfs: ['IkePfs', 'string'], ike_lifetime: ['IkeLifetime', 'number'], local_id: ['LocalId', 'string'], remote_id: ['RemoteId', 'string'],
  },
  ike_config: {
    psk: ['Psk', 'string'], ike_version: ['IkeVersion', 'string'], ike_mode: ['IkeMode', 'string'], ike_enc_alg: ['IkeEncAlg', 'string'], ike_auth_alg: ['IkeAuthAlg', 'string'],
    ike_pfs: ['IkePfs', 'string'], ike_lifetime: ['IkeLifetime', 'number'], ike_local_id: ['LocalId', 'string'], ike_remote_id: ['RemoteId', 'string'],
  },
  ipsec_config: { ipsec_enc_alg: ['IpsecEncAlg', 'string'], ipsec_auth_alg: ['IpsecAuthAlg', 'string'], ipsec_pfs: ['IpsecPfs', 'string'], ipsec_lifetime: ['IpsecLifetime', 'number'] },
  tunnel_bgp_config: { local_asn: ['LocalAsn', 'asnNumber'], tunnel_cidr: ['TunnelCidr', 'string'], local_bgp_ip: ['LocalBgpIp', 'string'] },
  bgp_config: { enable: ['EnableBgp', 'bool'], local_asn: ['LocalAsn', 'asn'], tunnel_cidr: ['TunnelCidr', 'string'], local_bgp_ip: ['LocalBgpIp', 'string'] },
  health_check_config: { enable: ['enable', 'bool'], dip: ['dip', 'string'], sip: ['sip', 'string'], interval: ['interval', 'number'], retry: ['retry', 'number'] },
  alicloud_vpn_pbr_route_entry: {
    vpn_gateway_id: ['VpnGatewayId', GATEWAY], route_source: ['RouteSource', 'string'], route_dest: ['RouteDest', 'string'], next_hop: ['NextHop', CONNECTION],
    weight: ['Weight', 'number'], publish_vpc: ['PublishVpc', 'bool'],
  },
  alicloud_vpn_route_entry: {
    vpn_gateway_id: ['VpnGatewayId', GATEWAY], route_dest: ['RouteDest', 'string'], next_hop: ['NextHop', CONNECTION], weight: ['Weight', 'number'], publish_vpc: ['PublishVpc', 'bool'],
  },
} as const satisfies Record<string, Fields>;

/** The nested blocks of a connection: block name → the field it fills. */
const SINGLE_TUNNEL_BLOCKS = { ike_config: 'IkeConfig', ipsec_config: 'IpsecConfig', bgp_config: 'BgpConfig', health_check_config: 'HealthCheckConfig' } as const;
const TUNNEL_BLOCKS = { tunnel_ike_config: 'TunnelIkeConfig', tunnel_ipsec_config: 'TunnelIpsecConfig', tunnel_bgp_config: 'TunnelBgpConfig' } as const;

/** The `# vpnlab: Field = <JSON>` comments each resource may carry (the fields the provider has no argument for). */
const KEPT: Readonly<Record<string, readonly string[]>> = {
  alicloud_vpn_gateway: ['InternetIp', 'DisasterRecoveryInternetIp'],
  alicloud_vpn_customer_gateway: ['AuthKey'],
  alicloud_vpn_connection: ['RoutingMode', 'AutoConfigRoute', 'Description', 'HealthCheckConfig.policy'],
  alicloud_vpn_pbr_route_entry: ['Priority', 'Description'],
  alicloud_vpn_route_entry: ['Description'],
};

/** The block's collection each resource type fills, in the order the block lists them. */
const COLLECTIONS = {
  alicloud_vpn_gateway: 'VpnGateways',
  alicloud_vpn_customer_gateway: 'CustomerGateways',
  alicloud_vpn_connection: 'VpnConnections',
  alicloud_vpn_pbr_route_entry: 'VpnPbrRouteEntries',
  alicloud_vpn_route_entry: 'VpnRouteEntries',
} as const;

/** Arguments that set nothing the topology holds (billing, tags, lifecycle, the VPC the site is). */
const NOTHING_TO_READ = new Set(['payment_type', 'instance_charge_type', 'period', 'auto_pay', 'tags', 'resource_group_id', 'depends_on', 'lifecycle', 'provider', 'vpc_id', 'status', 'timeouts']);

/** The provider's deprecated name arguments, read as the current ones. */
const DEPRECATED_NAMES: Readonly<Record<string, string>> = { name: 'Name', vpc_name: 'Name', vswitch_name: 'Name' };

/** Text bigger than this is refused before parsing (a real main.tf is a few kB). */
const MAX_TEXT = 4 * 1024 * 1024;

const TF_FILE = 'main.tf';

export const alibabaTerraformReader: SourceReader = {
  format: 'terraform (alicloud)',
  accepts: (source) => /\.tf$/i.test(source.path) && /(resource|provider)\s+"alicloud/.test(source.text),
  read: (source, draft) => readAlibabaTerraform(source, draft),
};

interface Resource {
  readonly type: string;
  readonly label: string;
  readonly body: HclJson;
  readonly lines: HclBlockLines | undefined;
  readonly origin: Origin;
}

async function readAlibabaTerraform(source: ImportSource, draft: TopologyDraft): Promise<void> {
  const at = (line: number, column = 1): Origin => ({ file: source.path, line, column });
  if (source.text.length > MAX_TEXT) {
    draft.problem(at(1), 'IMPORT_TF_TOO_LARGE', `the file is ${source.text.length} characters; vpnlab reads Terraform files up to ${MAX_TEXT}`, 'split it, or import the file that holds the VPN resources');
    return;
  }
  let json: unknown;
  try {
    // Loaded here, not at the top: only `vpnlab import` reads Terraform.
    const { parse } = await import('@cdktf/hcl2json');
    json = await parse(TF_FILE, source.text);
  } catch (error) {
    syntaxProblems(String(error), at, draft);
    return;
  }
  if (!isRecord(json)) {
    draft.problem(at(1), 'IMPORT_TF_SYNTAX', 'the HCL parser gave no configuration');
    return;
  }
  new TerraformReader(source, draft, json, scanHclLines(source.text)).read();
}

/** hcl2json's `main.tf:2,7-3,1: Summary; Detail.` messages as problems at their lines. */
function syntaxProblems(message: string, at: (line: number, column?: number) => Origin, draft: TopologyDraft): void {
  const found = [...message.matchAll(/main\.tf:(\d+),(\d+)(?:-\d+(?:,\d+)?)?: ([^;\]]+)(?:; ([^\]]*?))?(?=, main\.tf:|\]|$)/g)];
  if (found.length === 0) {
    draft.problem(at(1), 'IMPORT_TF_SYNTAX', message.replace(/^Error: /, '').slice(0, 300), 'terraform validate shows the same error');
    return;
  }
  for (const m of found) {
    draft.problem(at(Number(m[1]), Number(m[2])), 'IMPORT_TF_SYNTAX', `${m[3]!.trim()}${m[4] ? `: ${m[4].trim()}` : ''}`, 'terraform validate shows the same error; fix the file');
  }
}

class TerraformReader {
  private readonly values: HclValues;
  private readonly resources: Resource[] = [];
  /** Topology names by `type.label`. */
  private readonly names = new Map<string, string>();
  private site!: DraftSite;
  private block!: Record<string, unknown>;

  constructor(private readonly source: ImportSource, private readonly draft: TopologyDraft, private readonly json: HclJson, private readonly lines: HclBlockLines[]) {
    this.values = new HclValues(json);
  }

  private at(line: number, column = 1): Origin {
    return { file: this.source.path, line, column };
  }

  read(): void {
    this.collect();
    for (const r of this.resources) {
      const nameArg = r.type === 'alicloud_vpc' ? 'vpc_name' : r.type === 'alicloud_vswitch' ? 'vswitch_name' : Object.keys((ALICLOUD_FIELDS as Record<string, Fields>)[r.type] ?? {}).find((k) => k.endsWith('_name'));
      const written = nameArg === undefined ? undefined : (r.body[nameArg] ?? r.body['name']);
      const read = written === undefined ? undefined : this.values.read(written);
      this.names.set(`${r.type}.${r.label}`, read?.kind === 'literal' && typeof read.value === 'string' ? read.value : r.label);
    }
    const vpcs = this.resources.filter((r) => r.type === 'alicloud_vpc');
    for (const extra of vpcs.slice(1)) {
      this.draft.problem(extra.origin, 'IMPORT_TF_SECOND_VPC', `a second VPC (${extra.label}): vpnlab reads one VPC, one site, per Terraform file`, 'put each VPC in a file of its own');
    }
    const vpc = vpcs[0];
    const name = this.source.site ?? (vpc === undefined ? siteNameOf(this.source.path) : this.names.get(`alicloud_vpc.${vpc.label}`)!);
    this.site = this.draft.site('alibaba', name, vpc?.origin ?? this.at(1));
    const existing = this.site.data['alibaba'];
    this.block = isRecord(existing) ? existing : {};
    this.site.data['alibaba'] = this.block;
    this.readProvider();
    if (vpc !== undefined) this.readVpc(vpc);
    for (const r of this.resources) {
      if (r.type === 'alicloud_vpc' || r.type === 'alicloud_vpc_ipv4_cidr_block' || r.type === 'alicloud_vswitch') continue;
      if (Object.hasOwn(COLLECTIONS, r.type)) this.readResource(r);
      else this.draft.note(r.origin, 'IMPORT_TF_IGNORED', `resource ${r.type}.${r.label} is not part of a site's alibaba block: not imported`);
    }
    for (const key of Object.keys(this.block)) if (Array.isArray(this.block[key]) && (this.block[key] as unknown[]).length === 0) delete this.block[key];
    if (Object.keys(this.block).length === 0) delete this.site.data['alibaba'];
  }

  /** Every resource block, in file order, with its lines; those the scanner missed at the line its header is on. */
  private collect(): void {
    const resources = this.json['resource'];
    if (!isRecord(resources)) return;
    const scanned = this.lines.filter((b) => b.type === 'resource' && b.labels.length === 2);
    const seen = new Map<string, number>();
    const found: Resource[] = [];
    for (const [type, byLabel] of Object.entries(resources)) {
      if (!isRecord(byLabel)) continue;
      for (const [label, bodies] of Object.entries(byLabel)) {
        for (const body of Array.isArray(bodies) ? bodies : []) {
          if (!isRecord(body)) continue;
          const key = `${type}.${label}`;
          const n = seen.get(key) ?? 0;
          seen.set(key, n + 1);
          const lines = scanned.filter((b) => b.labels[0] === type && b.labels[1] === label)[n];
          const origin = lines !== undefined ? this.at(lines.line, lines.column) : this.headerLine(type, label);
          if (n > 0) this.draft.problem(origin, 'IMPORT_TF_DUPLICATE', `a second resource ${key}: Terraform refuses duplicate resource names`, 'rename one of them');
          else found.push({ type, label, body, lines, origin });
        }
      }
    }
    found.sort((a, b) => a.origin.line - b.origin.line);
    this.resources.push(...found);
  }

  private headerLine(type: string, label: string): Origin {
    const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`^\\s*resource\\s+"${escaped(type)}"\\s+"${escaped(label)}"`, 'm').exec(this.source.text);
    if (m === null) return this.at(1);
    return this.at(this.source.text.slice(0, m.index).split('\n').length);
  }

  // -----------------------------------------------------------------------------------------------
  // Where things are

  /** The lines of the nested block at `path` (block name, index, …) inside `lines`. */
  private nested(lines: HclBlockLines | undefined, path: readonly (string | number)[]): HclBlockLines | undefined {
    let current = lines;
    for (let i = 0; i + 1 < path.length && current !== undefined; i += 2) {
      current = current.blocks.filter((b) => b.type === path[i])[path[i + 1] as number];
    }
    return current;
  }

  private argumentOrigin(lines: HclBlockLines | undefined, argument: string, fallback: Origin): Origin {
    const found = lines?.arguments.get(argument);
    return found === undefined ? (lines === undefined ? fallback : this.at(lines.line, lines.column)) : this.at(found.line, found.column);
  }

  /** Whether the argument is marked as a value the topology did not have. */
  private notInTopology(lines: HclBlockLines | undefined, argument: string): boolean {
    return lines?.arguments.get(argument)?.trailing?.startsWith(NOT_IN_TOPOLOGY) === true;
  }

  // -----------------------------------------------------------------------------------------------
  // Values

  /** An argument's value as a field of `kind`; undefined with a problem where it cannot be read. */
  private value(raw: unknown, kind: Kind, what: string, origin: Origin): unknown {
    const read = this.values.read(raw);
    if (read.kind === 'invalid') {
      this.draft.problem(origin, 'IMPORT_TF_NOT_LITERAL', `${what}: ${read.why}`, 'write the value itself in the file');
      return undefined;
    }
    if (typeof kind === 'object') {
      if (read.kind === 'literal') {
        if (typeof read.value === 'string') return read.value;
        this.draft.problem(origin, 'IMPORT_TF_VALUE', `${what}: expected a reference to an ${kind.ref} or its name`);
        return undefined;
      }
      const m = /^([a-z_]+)\.([A-Za-z_][A-Za-z0-9_-]*)\.id$/.exec(read.text);
      const name = m !== null && m[1] === kind.ref ? this.names.get(`${m[1]}.${m[2]}`) : undefined;
      if (name === undefined) {
        this.draft.problem(origin, 'IMPORT_TF_REFERENCE', `${what}: ${read.text} is not the id of an ${kind.ref} this file creates`, `refer to an ${kind.ref} of the file (${kind.ref}.<name>.id)`);
      }
      return name;
    }
    if (read.kind === 'expression') {
      this.draft.problem(origin, 'IMPORT_TF_NOT_LITERAL', `${what}: ${read.text} is an expression; vpnlab does not evaluate Terraform`, 'write the value itself in the file');
      return undefined;
    }
    const v = read.value;
    let out: unknown;
    switch (kind) {
      case 'string': out = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined; break;
      case 'number': out = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined; break;
      case 'bool': out = typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined; break;
      case 'asnNumber': out = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined; break;
      case 'asn': out = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : typeof v === 'string' && /^\d+\.\d+$/.test(v) ? v : undefined; break;
      case 'prefixes':
        out = Array.isArray(v) && v.every((p) => typeof p === 'string') ? v
          : typeof v === 'string' ? v.split(',').map((p) => p.trim()).filter((p) => p !== '') : undefined;
        break;
    }
    if (out === undefined) this.draft.problem(origin, 'IMPORT_TF_VALUE', `${what}: ${JSON.stringify(v)} is not ${kind === 'prefixes' ? 'a list of CIDR blocks' : kind === 'asn' || kind === 'asnNumber' ? 'an ASN' : `a ${kind}`}`);
    return out;
  }

  /**
   * Reads the arguments of `body` named in `fields` into `target`, citing each at `path` + field;
   * arguments marked "not in the topology" stay absent, unknown ones are a note.
   */
  private fill(what: string, body: HclJson, lines: HclBlockLines | undefined, fields: Fields, target: Record<string, unknown>, path: Path, fallback: Origin, blocks: readonly string[] = []): void {
    // In the order the fields are listed (the block's own order, its name first), not the parser's.
    const order = (argument: string): number => (Object.hasOwn(DEPRECATED_NAMES, argument) ? -1 : Object.hasOwn(fields, argument) ? Object.keys(fields).indexOf(argument) : Infinity);
    const entries = Object.entries(body).sort(([a], [b]) => order(a) - order(b));
    for (const [argument, raw] of entries) {
      const origin = this.argumentOrigin(lines, argument, fallback);
      const field = Object.hasOwn(fields, argument) ? fields[argument]! : Object.hasOwn(DEPRECATED_NAMES, argument) && Object.values(fields)[0]?.[0] === 'Name' ? (['Name', 'string'] as const) : undefined;
      if (field === undefined) {
        if (blocks.includes(argument)) continue;
        if (argument === 'count' || argument === 'for_each') {
          this.draft.problem(origin, 'IMPORT_TF_COUNT', `${what}: ${argument} makes several resources; vpnlab reads each resource written out`, 'write one resource block per resource');
        } else if (!NOTHING_TO_READ.has(argument)) {
          this.draft.note(origin, 'IMPORT_TF_IGNORED', `${what}.${argument} has no field in the alibaba block: not imported`);
        }
        continue;
      }
      if (this.notInTopology(lines, argument)) continue;
      if (field[0] === 'Name' && target['Name'] !== undefined) continue;
      const value = this.value(raw, field[1], `${what}.${argument}`, origin);
      if (value === undefined) continue;
      target[field[0]] = value;
      this.site.from([...path, field[0]], origin);
    }
  }

  /** The `# vpnlab: Field = <JSON>` comments of a resource, and the fields marked `Field: vpnlab: not in the topology`. */
  private kept(r: Resource): { values: Map<string, { value: unknown; origin: Origin }>; absent: Set<string> } {
    const values = new Map<string, { value: unknown; origin: Origin }>();
    const absent = new Set<string>();
    const allowed = KEPT[r.type] ?? [];
    for (const comment of r.lines?.comments ?? []) {
      const origin = this.at(comment.line);
      const marked = /^([A-Za-z][A-Za-z.]*): vpnlab: not in the topology/.exec(comment.text);
      if (marked) absent.add(marked[1]!);
      const m = /^vpnlab: ([A-Za-z][A-Za-z.]*) = (.*)$/.exec(comment.text);
      if (m === null) continue;
      if (!allowed.includes(m[1]!)) {
        this.draft.problem(origin, 'IMPORT_TF_KEPT_FIELD', `# vpnlab: ${m[1]} on a ${r.type}: vpnlab writes ${allowed.length === 0 ? 'no such comment there' : allowed.join(', ')} there`, 'remove the comment or name a field the resource keeps');
        continue;
      }
      try {
        values.set(m[1]!, { value: JSON.parse(m[2]!) as unknown, origin });
      } catch {
        this.draft.problem(origin, 'IMPORT_TF_KEPT_VALUE', `# vpnlab: ${m[1]} = ${m[2]}: the value is not JSON`, 'write it as vpnlab does: a JSON string, number or boolean');
      }
    }
    return { values, absent };
  }

  // -----------------------------------------------------------------------------------------------
  // The site

  private readProvider(): void {
    const providers = this.json['provider'];
    const bodies = isRecord(providers) ? blocksOf(providers, 'alicloud') : [];
    const body = bodies.find((b) => b['alias'] === undefined) ?? bodies[0];
    if (body === undefined || body['region'] === undefined || this.site.data['region'] !== undefined) return;
    const lines = this.lines.find((b) => b.type === 'provider' && b.labels[0] === 'alicloud');
    if (this.notInTopology(lines, 'region')) return;
    const origin = this.argumentOrigin(lines, 'region', this.at(1));
    const region = this.value(body['region'], 'string', 'provider "alicloud".region', origin);
    if (typeof region !== 'string') return;
    this.site.data['region'] = region;
    this.site.from(['region'], origin);
  }

  private readVpc(vpc: Resource): void {
    const data = this.site.data;
    const cidrs: { value: string; origin: Origin }[] = [];
    const cidr = vpc.body['cidr_block'];
    if (cidr !== undefined) {
      const origin = this.argumentOrigin(vpc.lines, 'cidr_block', vpc.origin);
      const value = this.value(cidr, 'string', `alicloud_vpc.${vpc.label}.cidr_block`, origin);
      if (typeof value === 'string') cidrs.push({ value, origin });
    }
    for (const r of this.resources.filter((x) => x.type === 'alicloud_vpc_ipv4_cidr_block')) {
      const origin = this.argumentOrigin(r.lines, 'secondary_cidr_block', r.origin);
      const value = this.value(r.body['secondary_cidr_block'], 'string', `alicloud_vpc_ipv4_cidr_block.${r.label}.secondary_cidr_block`, origin);
      if (typeof value === 'string') cidrs.push({ value, origin });
    }
    if (data['addressSpace'] === undefined && cidrs.length > 0) {
      data['addressSpace'] = cidrs.map((c) => c.value);
      cidrs.forEach((c, i) => this.site.from(['addressSpace', i], c.origin));
    }
    const description = vpc.body['description'];
    if (description !== undefined && data['description'] === undefined) {
      const origin = this.argumentOrigin(vpc.lines, 'description', vpc.origin);
      const value = this.value(description, 'string', `alicloud_vpc.${vpc.label}.description`, origin);
      if (typeof value === 'string') {
        data['description'] = value;
        this.site.from(['description'], origin);
      }
    }
    const subnets: Record<string, unknown>[] = [];
    const cites: { path: Path; origin: Origin }[] = [];
    const vswitches = this.resources.filter((x) => x.type === 'alicloud_vswitch');
    vswitches.forEach((r, i) => {
      const what = `alicloud_vswitch.${r.label}`;
      const subnet: Record<string, unknown> = { name: this.names.get(`alicloud_vswitch.${r.label}`)! };
      const path = ['subnets', i];
      cites.push({ path: [...path, 'name'], origin: this.argumentOrigin(r.lines, 'vswitch_name', r.origin) });
      for (const [argument, field] of [['cidr_block', 'prefix'], ['zone_id', 'zone'], ['description', 'description']] as const) {
        const raw = r.body[argument];
        if (raw === undefined || this.notInTopology(r.lines, argument)) continue;
        const origin = this.argumentOrigin(r.lines, argument, r.origin);
        const read = this.values.read(raw);
        if (argument === 'zone_id' && read.kind === 'expression') {
          this.draft.note(origin, 'IMPORT_TF_ZONE', `${what}.zone_id is ${read.text}, known only when Terraform runs: the subnet has no zone`);
          continue;
        }
        const value = this.value(raw, 'string', `${what}.${argument}`, origin);
        if (typeof value !== 'string') continue;
        subnet[field] = value;
        cites.push({ path: [...path, field], origin });
      }
      subnets.push(subnet);
    });
    if (data['subnets'] !== undefined || subnets.length === 0) return;
    data['subnets'] = subnets;
    for (const { path, origin } of cites) this.site.from(path, origin);
  }

  // -----------------------------------------------------------------------------------------------
  // The alibaba block

  private collection(key: string): Record<string, unknown>[] {
    const list = (this.block[key] ??= []) as Record<string, unknown>[];
    return list;
  }

  private readResource(r: Resource): void {
    if (r.lines?.before.some((c) => c.text.startsWith('vpnlab: system route (AutoConfigRoute)')) === true) return;
    const type = r.type as keyof typeof COLLECTIONS;
    const list = this.collection(COLLECTIONS[type]);
    const index = list.length;
    const path = ['alibaba', COLLECTIONS[type], index];
    const entry: Record<string, unknown> = {};
    const what = `${r.type}.${r.label}`;
    const nestedNames = type === 'alicloud_vpn_connection' ? ['tunnel_options_specification', ...Object.keys(SINGLE_TUNNEL_BLOCKS)] : [];
    this.fill(what, r.body, r.lines, ALICLOUD_FIELDS[type], entry, path, r.origin, nestedNames);
    if (entry['Name'] === undefined && (type === 'alicloud_vpn_gateway' || type === 'alicloud_vpn_customer_gateway' || type === 'alicloud_vpn_connection')) {
      entry['Name'] = this.names.get(`${r.type}.${r.label}`);
      this.site.assumed([...path, 'Name'], r.origin, `the resource's Terraform name ${r.label} (it sets no name)`);
    }
    if (type === 'alicloud_vpn_gateway') this.gatewayVpc(r, entry, path);
    if (type === 'alicloud_vpn_connection') this.connection(r, entry, path);
    const kept = this.kept(r);
    if (kept.absent.has('AutoConfigRoute') && !kept.values.has('AutoConfigRoute')) delete entry['AutoConfigRoute'];
    for (const [field, { value, origin }] of kept.values) {
      const parts = field.split('.');
      let target = entry;
      for (const part of parts.slice(0, -1)) {
        const next = target[part];
        target = isRecord(next) ? next : (target[part] = {}) as Record<string, unknown>;
      }
      target[parts[parts.length - 1]!] = value;
      this.site.from([...path, ...parts], origin);
    }
    list.push(entry);
  }

  /** VpcId: a literal vpc_id, or the id of an `import` block that adopts this file's VPC. */
  private gatewayVpc(r: Resource, entry: Record<string, unknown>, path: Path): void {
    const raw = r.body['vpc_id'];
    if (raw === undefined) return;
    const origin = this.argumentOrigin(r.lines, 'vpc_id', r.origin);
    const read = this.values.read(raw);
    if (read.kind === 'literal' && typeof read.value === 'string') {
      entry['VpcId'] = read.value;
      this.site.from([...path, 'VpcId'], origin);
      return;
    }
    if (read.kind !== 'expression') return;
    const vpc = /^alicloud_vpc\.([A-Za-z_][A-Za-z0-9_-]*)\.id$/.exec(read.text)?.[1];
    const imports = Array.isArray(this.json['import']) ? this.json['import'].filter(isRecord) : [];
    const adopted = imports.find((i) => i['to'] === `\${alicloud_vpc.${vpc}}`);
    if (vpc === undefined || adopted === undefined) return;
    const id = this.values.read(adopted['id']);
    if (id.kind !== 'literal' || typeof id.value !== 'string') return;
    entry['VpcId'] = id.value;
    const importLines = this.lines.filter((b) => b.type === 'import')[imports.indexOf(adopted)];
    this.site.from([...path, 'VpcId'], this.argumentOrigin(importLines, 'id', origin));
  }

  /** A connection's tunnels (dual tunnel) or its single tunnel's nested blocks. */
  private connection(r: Resource, entry: Record<string, unknown>, path: Path): void {
    const what = `${r.type}.${r.label}`;
    const tunnels = blocksOf(r.body, 'tunnel_options_specification');
    if (tunnels.length > 0) {
      entry['TunnelOptionsSpecification'] = tunnels.map((body, t) => {
        const lines = this.nested(r.lines, ['tunnel_options_specification', t]);
        const tunnelPath = [...path, 'TunnelOptionsSpecification', t];
        const tunnel: Record<string, unknown> = {};
        const tunnelWhat = `${what}.tunnel_options_specification[${t}]`;
        this.fill(tunnelWhat, body, lines, ALICLOUD_FIELDS.tunnel_options_specification, tunnel, tunnelPath, r.origin, Object.keys(TUNNEL_BLOCKS));
        this.nestedBlocks(tunnelWhat, body, lines, TUNNEL_BLOCKS, tunnel, tunnelPath, r.origin);
        return tunnel;
      });
    }
    this.nestedBlocks(what, r.body, r.lines, SINGLE_TUNNEL_BLOCKS, entry, path, r.origin);
  }

  private nestedBlocks(what: string, body: HclJson, lines: HclBlockLines | undefined, names: Readonly<Record<string, string>>, target: Record<string, unknown>, path: Path, fallback: Origin): void {
    for (const [name, field] of Object.entries(names)) {
      const bodies = blocksOf(body, name);
      if (bodies.length === 0) continue;
      const nestedLines = this.nested(lines, [name, 0]);
      const origin = nestedLines === undefined ? fallback : this.at(nestedLines.line, nestedLines.column);
      if (bodies.length > 1) this.draft.problem(this.at(this.nested(lines, [name, 1])?.line ?? origin.line), 'IMPORT_TF_DUPLICATE', `${what}: a second ${name} block; the provider takes one`);
      const fields = name === 'tunnel_ipsec_config' ? ALICLOUD_FIELDS.ipsec_config : (ALICLOUD_FIELDS as Record<string, Fields>)[name]!;
      const config: Record<string, unknown> = {};
      this.fill(`${what}.${name}`, bodies[0]!, nestedLines, fields, config, [...path, field], origin);
      target[field] = config;
      this.site.from([...path, field], origin);
    }
  }
}

/** The file's name without extension, made a valid site name. */
function siteNameOf(path: string): string {
  const stem = basename(path).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return stem === '' || stem === 'main' ? 'AlibabaVPC' : stem;
}
