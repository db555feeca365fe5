import { basename, dirname } from 'node:path';
import { z } from 'zod';
import type { ImportSource, Origin, SourceReader, TopologyDraft } from '../../imports.js';
import {
  connectionSchema, gatewayBgpSettingsSchema, ipConfigurationBgpPeeringAddressSchema, ipConfigurationSchema, localNetworkGatewayBgpSettingsSchema,
  localNetworkGatewaySchema, natRuleSchema, virtualNetworkGatewaySchema,
} from '../../../topology/platforms/azure.js';
import { prefix as prefixSchema } from '../../../config/primitives.js';
import { TAG_ASSUMED, TAG_BGP_PEERING_ADDRESS, TAG_DEFAULT_BGP, TAG_EMULATOR_ADDRESS } from '../export/names.js';
import {
  evaluateNode, isArray, isObject, items, member, members, parseJson, resourceName, scalarValue,
  type Evaluated, type JNode, type JsonFile, type Scope,
} from './arm-json.js';
import { AzureSiteWriter, nestedEntry, putChecked, schemaProblem, type Entry } from './common.js';

/*
 * The ARM reader of `vpnlab import`: a deployment template (azuredeploy.json) and its parameters
 * file (azuredeploy.parameters.json, which alone holds a securestring key's value) read into the
 * azure site its virtual network is: the VNet's addressSpace and subnets, and each virtual network
 * gateway, local network gateway and connection with the properties of the `azure:` block (the
 * same ARM names). References (`{ "id": "[resourceId(...)]" }`) become the names the block uses;
 * a gateway's public IP address is what the vpnlab-emulator-address tag (or a portal export's
 * ipAddress) says, else left to the emulator, as Azure assigns it. The tags vpnlab's exporter
 * writes (src/platforms/azure/export/arm.ts) restore the rest: values it assumed, read-only BGP
 * addresses. Expressions: parameters, variables, resourceId, concat; anything else, and every
 * value of the wrong kind, is a problem at its line. Resources vpnlab does not model are notes.
 */

const T = {
  vnet: 'microsoft.network/virtualnetworks',
  subnet: 'microsoft.network/virtualnetworks/subnets',
  pip: 'microsoft.network/publicipaddresses',
  gateway: 'microsoft.network/virtualnetworkgateways',
  natRule: 'microsoft.network/virtualnetworkgateways/natrules',
  lng: 'microsoft.network/localnetworkgateways',
  connection: 'microsoft.network/connections',
} as const;

/** Resource members vpnlab reads or that change nothing the topology holds. */
const RESOURCE_KEYS = new Set(['type', 'apiversion', 'name', 'location', 'properties', 'tags', 'comments', 'dependson', 'sku', 'zones', 'condition', 'resources', 'metadata', 'scope', 'etag', 'id']);

export const armReader: SourceReader = {
  format: 'arm',
  accepts: (source) => /\.json$/i.test(source.path) && (/deployment(Template|Parameters)\.json/i.test(source.text.slice(0, 4096)) || /"(resources|parameters)"\s*:/.test(source.text)),
  read(source, draft) {
    try {
      readArm(source, draft);
    } catch (e) {
      // A reader never throws (hostile input ends in problems); this says where vpnlab gave up.
      draft.problem({ file: source.path, line: 1, column: 1 }, 'IMPORT_ARM_UNREADABLE', `vpnlab could not read this file: ${e instanceof Error ? e.message : String(e)}`);
    }
  },
};

// -------------------------------------------------------------------------------------------------
// Templates and parameters files of one draft

interface ParameterValue {
  readonly file: JsonFile;
  readonly node: JNode | undefined;
  /** A Key Vault reference instead of a value. */
  readonly reference: boolean;
}

interface ArmState {
  /** Parameters files by folder: a template takes the values of the parameters file beside it. */
  readonly parameters: Map<string, Map<string, ParameterValue>>;
  /** Fields waiting for a parameter's value from a parameters file: run again when one is read, and once at the end. */
  pending: { dir: string; run: (final: boolean) => void }[];
}

const states = new WeakMap<TopologyDraft, ArmState>();

function stateOf(draft: TopologyDraft): ArmState {
  let state = states.get(draft);
  if (state === undefined) {
    const created: ArmState = { parameters: new Map(), pending: [] };
    states.set(draft, created);
    draft.afterAll(() => {
      const pending = created.pending.splice(0);
      for (const p of pending) p.run(true);
    });
    state = created;
  }
  return state;
}

function readArm(source: ImportSource, draft: TopologyDraft): void {
  const { file, errors } = parseJson(source.path, source.text);
  for (const error of errors) draft.problem(error.origin, 'IMPORT_ARM_SYNTAX', error.message, 'ARM refuses a file that is not JSON too');
  if (errors.length > 0) return;
  if (!isObject(file.root)) {
    draft.problem(file.origin(file.root), 'IMPORT_ARM_SYNTAX', 'not a JSON object');
    return;
  }
  const state = stateOf(draft);
  const dir = dirname(source.path);
  if (member(file.root, 'resources') === undefined) readParameters(file, dir, state, draft);
  else new TemplateReader(file, dir, source, state, draft).read();
}

function readParameters(file: JsonFile, dir: string, state: ArmState, draft: TopologyDraft): void {
  const parameters = member(file.root, 'parameters');
  if (!isObject(parameters)) {
    draft.problem(file.origin(file.root), 'IMPORT_ARM_NOT_ARM', 'neither an ARM template (no resources) nor a parameters file (no parameters object)');
    return;
  }
  const values = state.parameters.get(dir) ?? new Map<string, ParameterValue>();
  state.parameters.set(dir, values);
  for (const [name, node] of members(parameters)) {
    const value = member(node, 'value');
    const reference = value === undefined && member(node, 'reference') !== undefined;
    if (value === undefined && !reference) {
      draft.problem(file.origin(node), 'IMPORT_ARM_PARAMETER', `parameter ${name} has no "value"`);
      continue;
    }
    values.set(name.toLowerCase(), { file, node: value, reference });
  }
  const pending = state.pending.filter((p) => p.dir === dir);
  state.pending = state.pending.filter((p) => p.dir !== dir);
  for (const p of pending) p.run(false);
}

/** A resource of the template, nested ones flattened ("Microsoft.Network/virtualNetworks/subnets", "vnet/subnet"). */
interface Resource {
  readonly node: JNode;
  readonly type: string;
  readonly name: string;
  readonly nameNode: JNode | undefined;
}


class TemplateReader {
  private readonly scope: Scope;
  private readonly resources: Resource[] = [];

  constructor(private readonly file: JsonFile, private readonly dir: string, private readonly source: ImportSource, private readonly state: ArmState, private readonly draft: TopologyDraft) {
    const declared = member(file.root, 'parameters');
    const variables = member(file.root, 'variables');
    this.scope = {
      parameter: (name, depth): Evaluated => {
        const origin = file.origin(declared);
        const declaration = members(declared).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
        if (declaration === undefined) return { ok: false, why: `no parameter ${name} is declared`, origin };
        const given = this.state.parameters.get(this.dir)?.get(name.toLowerCase());
        if (given?.reference) return { ok: false, why: `parameter ${name} is a Key Vault reference in the parameters file; vpnlab cannot read the secret`, origin: given.file.origin(given.node) };
        if (given !== undefined) {
          const plain = given.node === undefined ? undefined : (given.node as { toJSON(): unknown }).toJSON();
          return { ok: true, value: plain, origin: given.file.origin(given.node) };
        }
        const fallback = member(declaration, 'defaultValue');
        if (fallback !== undefined) return evaluateNode(file, fallback, this.scope, depth);
        return { ok: false, why: `parameter ${name} has no value here and no defaultValue`, origin: file.origin(declaration), missingParameter: name };
      },
      variable: (name, depth): Evaluated => {
        const node = members(variables).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
        if (node === undefined) return { ok: false, why: `no variable ${name} is declared`, origin: file.origin(variables) };
        return evaluateNode(file, node, this.scope, depth);
      },
    };
  }

  private problem(node: JNode | undefined, code: string, message: string, fix?: string): void {
    this.draft.problem(this.file.origin(node), code, message, fix);
  }

  private origin(node: JNode | undefined): Origin {
    return this.file.origin(node);
  }

  /** A value that must be a plain string (names, types): evaluated, or a problem. */
  private text(node: JNode | undefined, what: string): string | undefined {
    if (node === undefined) return undefined;
    const r = evaluateNode(this.file, node, this.scope);
    if (!r.ok) {
      this.draft.problem(r.origin, 'IMPORT_ARM_EXPRESSION', `${what}: ${r.why}`, 'write the value, or give the parameters file');
      return undefined;
    }
    if (typeof r.value !== 'string') {
      this.problem(node, 'IMPORT_AZURE_VALUE', `${what}: expected a string, not ${JSON.stringify(r.value)}`);
      return undefined;
    }
    return r.value;
  }

  /** The last name of the resource an `{ "id": … }` reference names, checked to be of `type`. */
  private reference(node: JNode | undefined, type: string, what: string): { names: string[]; origin: Origin } | undefined {
    const idNode = isObject(node) ? member(node, 'id') : node;
    const id = this.text(idNode, `${what} id`);
    if (id === undefined) return undefined;
    const named = resourceName(id);
    if (named === undefined || named.type.toLowerCase() !== type) {
      this.problem(idNode, 'IMPORT_ARM_REFERENCE', `${what}: ${id} is not the ID of a ${type}`);
      return undefined;
    }
    return { names: named.names, origin: this.origin(idNode) };
  }

  read(): void {
    this.collect(member(this.file.root, 'resources'), undefined);
    const vnets = this.resources.filter((r) => r.type === T.vnet);
    const siteOf = this.assignSites(vnets);
    const publicAddresses = this.publicAddresses();
    for (const resource of this.resources) {
      const condition = member(resource.node, 'condition');
      if (condition !== undefined) {
        const r = evaluateNode(this.file, condition, this.scope);
        if (!r.ok) {
          this.draft.problem(r.origin, 'IMPORT_ARM_EXPRESSION', `${resource.name}: condition ${r.why}`);
          continue;
        }
        if (r.value === false) {
          this.draft.note(this.origin(condition), 'IMPORT_ARM_CONDITION', `${resource.name} is not deployed: its condition is false`);
          continue;
        }
      }
      const site = siteOf(resource);
      switch (resource.type) {
        case T.vnet: this.virtualNetwork(resource, site); break;
        case T.subnet: this.childSubnet(resource, site); break;
        case T.gateway: this.gateway(resource, site, publicAddresses); break;
        case T.lng: this.localNetworkGateway(resource, site); break;
        case T.connection: this.connection(resource, site); break;
        case T.pip: case T.natRule: break; // read with their gateway
        default:
          this.draft.note(this.origin(resource.node), 'IMPORT_ARM_NOT_MODELLED', `${resource.type} ${resource.name} is not imported: vpnlab does not model it`);
      }
    }
  }

  private collect(list: JNode | undefined, parent: Resource | undefined): void {
    // languageVersion 2.0 templates give resources as an object of symbolic names.
    const nodes = isArray(list) ? items(list) : members(list).map(([, node]) => node);
    if (list !== undefined && !isArray(list) && !isObject(list)) {
      this.problem(list, 'IMPORT_AZURE_VALUE', 'resources: expected an array');
      return;
    }
    for (const node of nodes) {
      if (!isObject(node)) {
        this.problem(node, 'IMPORT_AZURE_VALUE', 'a resource must be an object');
        continue;
      }
      const copy = member(node, 'copy');
      if (copy !== undefined) {
        this.problem(copy, 'IMPORT_ARM_COPY', 'a copy loop: vpnlab reads each resource written out', 'write the resources out one by one');
        continue;
      }
      const typeText = scalarValue(member(node, 'type'));
      const nameNode = member(node, 'name');
      const name = this.text(nameNode, 'resource name');
      if (typeof typeText !== 'string' || name === undefined) {
        if (typeof typeText !== 'string') this.problem(node, 'IMPORT_AZURE_VALUE', 'a resource without a type');
        continue;
      }
      const type = (parent !== undefined && !typeText.includes('/') ? `${parent.type}/${typeText}` : typeText).toLowerCase();
      const fullName = parent !== undefined && !name.includes('/') ? `${parent.name}/${name}` : name;
      const resource: Resource = { node, type, name: fullName, nameNode };
      this.resources.push(resource);
      if (member(node, 'resources') !== undefined) this.collect(member(node, 'resources'), resource);
    }
  }

  /**
   * Which site each resource goes to: the VNet it is or is in; a gateway by the subnet of its
   * first ipConfiguration; a connection by its gateway; a local network gateway by the first
   * connection to it. One VNet (or none: the manifest's site, or the VNet the subnets name) takes all.
   */
  private assignSites(vnets: readonly Resource[]): (resource: Resource) => string {
    const fallback = this.source.site ?? vnets[0]?.name ?? this.gatewayVnets().values().next().value ?? basename(this.source.path).replace(/\.json$/i, '').replace(/[^A-Za-z0-9_.-]/g, '-');
    if (vnets.length <= 1 && this.gatewayVnets().size <= 1) return () => fallback;
    const gatewaySite = this.gatewayVnets();
    const connectionSite = new Map<string, string>();
    const lngSite = new Map<string, string>();
    for (const c of this.resources.filter((r) => r.type === T.connection)) {
      const props = member(c.node, 'properties');
      const gw = this.quietName(member(member(props, 'virtualNetworkGateway1'), 'id'));
      const site = (gw !== undefined ? gatewaySite.get(gw) : undefined) ?? fallback;
      connectionSite.set(c.name, site);
      const lng = this.quietName(member(member(props, 'localNetworkGateway2'), 'id'));
      if (lng !== undefined && !lngSite.has(lng)) lngSite.set(lng, site);
    }
    return (r) => {
      if (r.type === T.vnet) return r.name;
      if (r.type === T.subnet) return r.name.split('/')[0]!;
      if (r.type === T.gateway) return gatewaySite.get(r.name) ?? fallback;
      if (r.type === T.connection) return connectionSite.get(r.name) ?? fallback;
      if (r.type === T.lng) return lngSite.get(r.name) ?? fallback;
      return fallback;
    };
  }

  private gatewayVnetCache: Map<string, string> | undefined;

  /** Gateway name → the VNet its first ipConfiguration's subnet is in. */
  private gatewayVnets(): Map<string, string> {
    if (this.gatewayVnetCache !== undefined) return this.gatewayVnetCache;
    const out = new Map<string, string>();
    for (const g of this.resources.filter((r) => r.type === T.gateway)) {
      const first = items(member(member(g.node, 'properties'), 'ipConfigurations'))[0];
      const id = this.quietValue(member(member(member(first, 'properties'), 'subnet'), 'id'));
      const named = typeof id === 'string' ? resourceName(id) : undefined;
      if (named?.type.toLowerCase() === T.subnet) out.set(g.name, named.names[0]!);
    }
    this.gatewayVnetCache = out;
    return out;
  }

  private quietValue(node: JNode | undefined): unknown {
    if (node === undefined) return undefined;
    const r = evaluateNode(this.file, node, this.scope);
    return r.ok ? r.value : undefined;
  }

  private quietName(node: JNode | undefined): string | undefined {
    const id = this.quietValue(node);
    const named = typeof id === 'string' ? resourceName(id) : undefined;
    return named?.names[named.names.length - 1];
  }

  /** Public IP name → its address and where it is said (the vpnlab tag, or a portal export's ipAddress). */
  private publicAddresses(): Map<string, { value: unknown; origin: Origin }> {
    const out = new Map<string, { value: unknown; origin: Origin }>();
    for (const pip of this.resources.filter((r) => r.type === T.pip)) {
      const node = member(member(pip.node, 'tags'), TAG_EMULATOR_ADDRESS) ?? member(member(pip.node, 'properties'), 'ipAddress');
      if (node === undefined) continue;
      const r = evaluateNode(this.file, node, this.scope);
      if (r.ok) out.set(pip.name, { value: r.value, origin: r.origin });
      else this.draft.problem(r.origin, 'IMPORT_ARM_EXPRESSION', `public IP ${pip.name}: ${r.why}`);
    }
    return out;
  }

  private writer(site: string, resource: Resource): AzureSiteWriter {
    return AzureSiteWriter.of(this.draft, site, this.origin(resource.node));
  }

  /**
   * One field: the node evaluated, checked against the block's schema for it, written and cited.
   * A parameter whose value a parameters file may still give waits for it.
   */
  private field(at: Entry, key: string, node: JNode | undefined, schema: z.ZodType, convert: (value: unknown) => unknown = (v) => v, final = false): void {
    if (node === undefined) return;
    const r = evaluateNode(this.file, node, this.scope);
    if (!r.ok) {
      if (r.missingParameter !== undefined && !final) {
        if (!(key in at.entry)) at.entry[key] = undefined;
        this.state.pending.push({ dir: this.dir, run: (last) => this.field(at, key, node, schema, convert, last) });
        return;
      }
      const secure = r.missingParameter !== undefined;
      if (secure) delete at.entry[key];
      this.draft.problem(secure ? this.origin(node) : r.origin, secure ? 'IMPORT_ARM_NO_VALUE' : 'IMPORT_ARM_EXPRESSION', `${String(at.entry['name'])}.${key}: ${r.why}`,
        secure ? `import the parameters file (${basename(this.source.path).replace(/\.json$/i, '.parameters.json')}) with the template: a securestring's value is only there` : 'write the value, or one of parameters(), variables(), resourceId(), concat()');
      return;
    }
    putChecked(this.draft, at, key, schema, convert(r.value), r.origin);
  }


  /** The members of `props` not in `known`: one note naming them. */
  private unread(resource: Resource, props: JNode | undefined, known: readonly string[]): void {
    const lower = new Set(known.map((k) => k.toLowerCase()));
    const extra = members(props).filter(([k]) => !lower.has(k.toLowerCase())).map(([k]) => k);
    extra.push(...members(resource.node).filter(([k]) => !RESOURCE_KEYS.has(k.toLowerCase())).map(([k]) => k));
    if (extra.length > 0) {
      this.draft.note(this.origin(resource.node), 'IMPORT_ARM_NOT_MODELLED', `${resource.name}: ${extra.join(', ')} not imported (vpnlab does not model ${extra.length === 1 ? 'it' : 'them'})`);
    }
  }

  private region(writer: AzureSiteWriter, resource: Resource): void {
    const location = member(resource.node, 'location');
    if (location === undefined) return;
    const r = evaluateNode(this.file, location, this.scope);
    // The resource group's location (the usual default) is Azure's to say: no region then.
    if (r.ok && typeof r.value === 'string' && /^[a-z0-9]+$/i.test(r.value)) writer.siteField('region', r.value, r.origin);
  }

  // -----------------------------------------------------------------------------------------------

  private virtualNetwork(resource: Resource, site: string): void {
    const writer = this.writer(site, resource);
    this.region(writer, resource);
    const props = member(resource.node, 'properties');
    const prefixesNode = member(member(props, 'addressSpace'), 'addressPrefixes');
    if (prefixesNode !== undefined) {
      const r = evaluateNode(this.file, prefixesNode, this.scope);
      const problem = r.ok ? schemaProblem(z.array(prefixSchema), r.value) : r.why;
      if (!r.ok || problem !== undefined) this.draft.problem(r.origin, r.ok ? 'IMPORT_AZURE_VALUE' : 'IMPORT_ARM_EXPRESSION', `VNet ${resource.name} addressSpace.addressPrefixes: ${problem}`);
      else writer.siteField('addressSpace', r.value, r.origin);
    } else {
      this.problem(resource.node, 'IMPORT_AZURE_MISSING', `VNet ${resource.name} has no addressSpace.addressPrefixes`);
    }
    const subnets: { name: string; prefix: string }[] = [];
    for (const node of items(member(props, 'subnets'))) {
      const subnet = this.subnet(node, member(node, 'name'), resource.name);
      if (subnet !== undefined) subnets.push(subnet);
    }
    subnets.push(...this.resources.filter((r) => r.type === T.subnet && r.name.split('/')[0] === resource.name)
      .flatMap((r) => this.subnet(r.node, r.nameNode, resource.name, r.name.split('/')[1]) ?? []));
    if (subnets.length > 0) writer.siteField('subnets', subnets, this.origin(member(props, 'subnets') ?? resource.node));
    this.unread(resource, props, ['addressSpace', 'subnets']);
  }

  private subnet(node: JNode, nameNode: JNode | undefined, vnet: string, name = this.text(nameNode, `a subnet of ${vnet}`)): { name: string; prefix: string } | undefined {
    const props = member(node, 'properties');
    const prefixNode = member(props, 'addressPrefix') ?? items(member(props, 'addressPrefixes'))[0];
    const prefix = this.text(prefixNode, `subnet ${String(name)} addressPrefix`);
    if (name === undefined || prefix === undefined) {
      if (prefixNode === undefined) this.problem(node, 'IMPORT_AZURE_MISSING', `subnet ${String(name)} of ${vnet} has no addressPrefix`);
      return undefined;
    }
    const problem = schemaProblem(prefixSchema, prefix);
    if (problem !== undefined) {
      this.problem(prefixNode, 'IMPORT_AZURE_VALUE', `subnet ${name} addressPrefix: ${problem}`);
      return undefined;
    }
    return { name, prefix };
  }

  /** A subnet written as its own resource: read with its VNet; alone (the VNet is elsewhere) it says so. */
  private childSubnet(resource: Resource, site: string): void {
    const vnet = resource.name.split('/')[0]!;
    if (this.resources.some((r) => r.type === T.vnet && r.name === vnet)) return;
    const subnet = this.subnet(resource.node, resource.nameNode, vnet, resource.name.split('/')[1]);
    if (subnet !== undefined) this.writer(site, resource).siteField('subnets', [subnet], this.origin(resource.node));
  }

  private gateway(resource: Resource, site: string, publicAddresses: Map<string, { value: unknown; origin: Origin }>): void {
    const writer = this.writer(site, resource);
    const added = writer.add('virtualNetworkGateways', resource.name, this.origin(resource.nameNode));
    if (added === undefined) return;
    const at: Entry = { ...added, writer };
    const S = virtualNetworkGatewaySchema.shape;
    const props = member(resource.node, 'properties');
    const tags = member(resource.node, 'tags');
    const assumed = new Set((this.text(member(tags, TAG_ASSUMED), 'tag vpnlab-assumed') ?? '').split(',').filter(Boolean));
    for (const key of ['gatewayType', 'vpnType'] as const) if (!assumed.has(key)) this.field(at, key, member(props, key), S[key]);
    if (!assumed.has('sku')) this.field(at, 'sku', member(member(props, 'sku'), 'name'), S.sku);
    for (const key of ['vpnGatewayGeneration', 'activeActive', 'enableBgp', 'enableBgpRouteTranslationForNat'] as const) this.field(at, key, member(props, key), S[key]);

    const bgp = member(props, 'bgpSettings');
    const peeringTag = member(tags, TAG_BGP_PEERING_ADDRESS);
    const defaultTags = members(tags).filter(([k]) => k.toLowerCase().startsWith(TAG_DEFAULT_BGP.toLowerCase()));
    if (bgp !== undefined || peeringTag !== undefined || defaultTags.length > 0) {
      const b = nestedEntry(at, 'bgpSettings');
      const B = gatewayBgpSettingsSchema.shape;
      this.field(b, 'asn', member(bgp, 'asn'), B.asn);
      this.field(b, 'bgpPeeringAddress', peeringTag ?? member(bgp, 'bgpPeeringAddress'), B.bgpPeeringAddress);
      this.field(b, 'peerWeight', member(bgp, 'peerWeight'), B.peerWeight);
      const entries = items(member(bgp, 'bgpPeeringAddresses'));
      const P = ipConfigurationBgpPeeringAddressSchema.shape;
      entries.forEach((node, index) => {
        const e = nestedEntry(b, 'bgpPeeringAddresses', index);
        const config = this.reference(member(node, 'ipconfigurationId'), `${T.gateway}/ipconfigurations`, 'bgpPeeringAddresses ipconfigurationId');
        const configName = config?.names[config.names.length - 1];
        if (config !== undefined) this.field(e, 'ipconfigurationId', member(node, 'ipconfigurationId'), P.ipconfigurationId, () => configName);
        this.field(e, 'customBgpIpAddresses', member(node, 'customBgpIpAddresses'), P.customBgpIpAddresses);
        const tag = defaultTags.find(([k]) => k.slice(TAG_DEFAULT_BGP.length) === configName);
        if (tag !== undefined) this.field(e, 'defaultBgpIpAddresses', tag[1], P.defaultBgpIpAddresses, (v) => (typeof v === 'string' ? v.split(',') : v));
        else this.field(e, 'defaultBgpIpAddresses', member(node, 'defaultBgpIpAddresses'), P.defaultBgpIpAddresses);
      });
      this.unread({ ...resource, node: undefined as unknown as JNode }, bgp, ['asn', 'bgpPeeringAddress', 'peerWeight', 'bgpPeeringAddresses']);
    }

    const configs = items(member(props, 'ipConfigurations'));
    if (configs.length === 0) this.problem(props ?? resource.node, 'IMPORT_AZURE_MISSING', `gateway ${resource.name} has no ipConfigurations`);
    const C = ipConfigurationSchema.shape;
    configs.forEach((node, index) => {
      const c = nestedEntry(at, 'ipConfigurations', index);
      this.field(c, 'name', member(node, 'name'), C.name);
      const cprops = member(node, 'properties');
      const subnet = this.reference(member(cprops, 'subnet'), T.subnet, `ipConfiguration ${String(c.entry['name'])} subnet`);
      if (subnet !== undefined) c.writer.put(c.entry, c.path, 'subnet', subnet.names[1], subnet.origin);
      const pip = this.reference(member(cprops, 'publicIPAddress'), T.pip, `ipConfiguration ${String(c.entry['name'])} publicIPAddress`);
      if (pip === undefined) return;
      const address = publicAddresses.get(pip.names[0]!);
      if (address === undefined) {
        this.draft.note(pip.origin, 'IMPORT_AZURE_PUBLIC_IP', `gateway ${resource.name} ${String(c.entry['name'])}: Azure assigns public IP ${pip.names[0]!}'s address; the template does not say it, so the emulator picks one`);
        return;
      }
      const problem = schemaProblem(C.publicIPAddress, address.value);
      if (problem !== undefined) this.draft.problem(address.origin, 'IMPORT_AZURE_VALUE', `public IP ${pip.names[0]!}: ${problem}`);
      else c.writer.put(c.entry, c.path, 'publicIPAddress', address.value, address.origin);
    });

    const rules = [
      ...items(member(props, 'natRules')).map((node) => ({ node, nameNode: member(node, 'name') })),
      ...this.resources.filter((r) => r.type === T.natRule && r.name.split('/')[0] === resource.name).map((r) => ({ node: r.node, nameNode: r.nameNode, name: r.name.split('/')[1] })),
    ];
    const N = natRuleSchema.shape;
    rules.forEach((rule, index) => {
      const n = nestedEntry(at, 'natRules', index);
      if ('name' in rule) n.writer.put(n.entry, n.path, 'name', rule.name, this.origin(rule.nameNode));
      else this.field(n, 'name', rule.nameNode, N.name);
      const rprops = member(rule.node, 'properties');
      this.field(n, 'type', member(rprops, 'type'), N.type);
      this.field(n, 'mode', member(rprops, 'mode'), N.mode);
      this.field(n, 'internalMappings', member(rprops, 'internalMappings'), N.internalMappings);
      this.field(n, 'externalMappings', member(rprops, 'externalMappings'), N.externalMappings);
      const config = member(rprops, 'ipConfigurationId');
      if (config !== undefined) {
        const ref = this.reference(config, `${T.gateway}/ipconfigurations`, 'natRule ipConfigurationId');
        if (ref !== undefined) n.writer.put(n.entry, n.path, 'ipConfigurationId', ref.names[1], ref.origin);
      }
    });
    this.field(at, 'description', member(resource.node, 'comments'), S.description);
    this.unread(resource, props, ['gatewayType', 'vpnType', 'sku', 'vpnGatewayGeneration', 'activeActive', 'enableBgp', 'enableBgpRouteTranslationForNat', 'bgpSettings', 'ipConfigurations', 'natRules']);
  }

  private localNetworkGateway(resource: Resource, site: string): void {
    const writer = this.writer(site, resource);
    const added = writer.add('localNetworkGateways', resource.name, this.origin(resource.nameNode));
    if (added === undefined) return;
    const at: Entry = { ...added, writer };
    const S = localNetworkGatewaySchema.shape;
    const props = member(resource.node, 'properties');
    this.field(at, 'gatewayIpAddress', member(props, 'gatewayIpAddress'), S.gatewayIpAddress);
    this.field(at, 'fqdn', member(props, 'fqdn'), S.fqdn);
    if (at.entry['gatewayIpAddress'] === undefined && at.entry['fqdn'] === undefined && !('gatewayIpAddress' in at.entry) && !('fqdn' in at.entry)) {
      this.problem(props ?? resource.node, 'IMPORT_AZURE_MISSING', `local network gateway ${resource.name} has neither gatewayIpAddress nor fqdn`);
    }
    const space = member(props, 'localNetworkAddressSpace');
    if (space !== undefined) {
      const s = nestedEntry(at, 'localNetworkAddressSpace');
      const prefixes = member(space, 'addressPrefixes');
      if (prefixes === undefined) s.entry['addressPrefixes'] = [];
      this.field(s, 'addressPrefixes', prefixes, z.array(prefixSchema));
    }
    const bgp = member(props, 'bgpSettings');
    if (bgp !== undefined) {
      const b = nestedEntry(at, 'bgpSettings');
      const B = localNetworkGatewayBgpSettingsSchema.shape;
      this.field(b, 'asn', member(bgp, 'asn'), B.asn);
      this.field(b, 'bgpPeeringAddress', member(bgp, 'bgpPeeringAddress'), B.bgpPeeringAddress);
      this.field(b, 'peerWeight', member(bgp, 'peerWeight'), B.peerWeight);
    }
    this.field(at, 'description', member(resource.node, 'comments'), S.description);
    this.unread(resource, props, ['gatewayIpAddress', 'fqdn', 'localNetworkAddressSpace', 'bgpSettings']);
  }

  private connection(resource: Resource, site: string): void {
    const writer = this.writer(site, resource);
    const added = writer.add('connections', resource.name, this.origin(resource.nameNode));
    if (added === undefined) return;
    const at: Entry = { ...added, writer };
    const S = connectionSchema.shape;
    const props = member(resource.node, 'properties');
    this.field(at, 'connectionType', member(props, 'connectionType'), S.connectionType);
    const gateway1 = this.reference(member(props, 'virtualNetworkGateway1'), T.gateway, 'virtualNetworkGateway1');
    if (gateway1 !== undefined) writer.put(at.entry, at.path, 'virtualNetworkGateway1', gateway1.names[0], gateway1.origin);
    const peerNode = member(props, 'virtualNetworkGateway2');
    if (peerNode !== undefined) {
      const peer = this.reference(peerNode, T.gateway, 'virtualNetworkGateway2');
      if (peer !== undefined) writer.peer(at.entry, at.path, peer.names[0]!, this.peerHint(member(peerNode, 'id')), peer.origin);
    }
    const lng = member(props, 'localNetworkGateway2');
    if (lng !== undefined) {
      const ref = this.reference(lng, T.lng, 'localNetworkGateway2');
      if (ref !== undefined) writer.put(at.entry, at.path, 'localNetworkGateway2', ref.names[0], ref.origin);
    }
    this.field(at, 'sharedKey', member(props, 'sharedKey'), S.sharedKey);
    for (const key of ['enableBgp', 'usePolicyBasedTrafficSelectors', 'trafficSelectorPolicies', 'ipsecPolicies', 'connectionProtocol', 'connectionMode', 'dpdTimeoutSeconds', 'routingWeight'] as const) {
      this.field(at, key, member(props, key), S[key]);
    }
    const custom = items(member(props, 'gatewayCustomBgpIpAddresses'));
    custom.forEach((node, index) => {
      const e = nestedEntry(at, 'gatewayCustomBgpIpAddresses', index);
      const ref = this.reference(member(node, 'ipConfigurationId'), `${T.gateway}/ipconfigurations`, 'gatewayCustomBgpIpAddresses ipConfigurationId');
      if (ref !== undefined) e.writer.put(e.entry, e.path, 'ipConfigurationId', ref.names[1], ref.origin);
      this.field(e, 'customBgpIpAddress', member(node, 'customBgpIpAddress'), z.string());
    });
    for (const key of ['egressNatRules', 'ingressNatRules'] as const) {
      const list = member(props, key);
      if (list === undefined) continue;
      const names = items(list).map((node) => this.reference(node, T.natRule, key)?.names[1]);
      if (names.every((n) => n !== undefined)) writer.put(at.entry, at.path, key, names, this.origin(list));
    }
    this.field(at, 'description', member(resource.node, 'comments'), S.description);
    this.unread(resource, props, ['connectionType', 'virtualNetworkGateway1', 'virtualNetworkGateway2', 'localNetworkGateway2', 'sharedKey', 'enableBgp',
      'usePolicyBasedTrafficSelectors', 'trafficSelectorPolicies', 'ipsecPolicies', 'connectionProtocol', 'connectionMode', 'dpdTimeoutSeconds', 'routingWeight',
      'gatewayCustomBgpIpAddresses', 'egressNatRules', 'ingressNatRules']);
  }

  /** The other VNet, as vpnlab's export names it in the description of the parameter that holds the peer gateway's ID. */
  private peerHint(idNode: JNode | undefined): string | undefined {
    const text = scalarValue(idNode);
    const parameter = typeof text === 'string' ? /^\[parameters\('([^']+)'\)\]$/.exec(text)?.[1] : undefined;
    if (parameter === undefined) return undefined;
    const declaration = member(member(this.file.root, 'parameters'), parameter);
    const description = scalarValue(member(member(declaration, 'metadata'), 'description'));
    return typeof description === 'string' ? /^The resource ID of gateway \S+ of VNet (\S+) /.exec(description)?.[1] : undefined;
  }
}
