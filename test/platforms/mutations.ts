import { parse, stringify } from 'yaml';
import { SeededRng } from '../../src/core/rng.js';
import { formatIpv4, formatPrefix, isIpv4, parseIpv4, parsePrefix, type Prefix } from '../../src/net/address.js';

/*
 * Mutations of topology files for the check ⇒ up property test. A mutation works on the parsed
 * YAML (comments play no part), changes one thing the schema knows about — a field removed or
 * blanked, a boolean flipped, an enumeration switched, an ASN, address, prefix or key replaced
 * by another valid or edge value, a list item dropped or duplicated, a reference pointed
 * elsewhere, a resource renamed, a known structure added — and the document is stringified
 * again. Everything is drawn from one SeededRng, so a seed gives the same mutants on every run.
 */

export type MutationKind =
  | 'remove-field' | 'blank' | 'flip-boolean' | 'set-option' | 'asn' | 'address' | 'prefix' | 'psk'
  | 'reference' | 'rename' | 'drop-item' | 'duplicate-item' | 'structure';

export type Path = (string | number)[];

export interface Mutation {
  kind: MutationKind;
  /** Where in the document, as check prints paths: sites[0].rras.Server.NetworkAdapters[1]. */
  path: string;
  /** What changed, e.g. "true → false" or "(absent) → PolicyBased". */
  what: string;
}

export interface SeedDocument { file: string; text: string }

export interface Mutant {
  id: number;
  seedFile: string;
  mutations: Mutation[];
  text: string;
}

type Obj = Record<string, unknown>;

interface Candidate extends Mutation {
  apply: () => void;
}

export function formatDocPath(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

export function describeMutant(m: Mutant): string {
  return `#${m.id} of ${m.seedFile}: ${m.mutations.map((x) => `${x.kind} at ${x.path}: ${x.what}`).join('; ')}`;
}

// ---------------------------------------------------------------------------------------------
// What the schema knows: src/platforms/*/schema.ts and src/topology/schema.ts

/** The object kind of a path: its keys without the indices, e.g. sites.rras.Server.NetworkAdapters. */
const kindOf = (path: Path): string => path.filter((p) => typeof p === 'string').join('.');

const ON_OFF = [true, false];
const ALIBABA_ENC = ['aes', 'aes192', 'aes256', 'des', '3des'];
const ALIBABA_AUTH = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'];
const RRAS_ENCRYPTION_TYPE = ['NoEncryption', 'RequireEncryption', 'OptionalEncryption', 'MaximumEncryption'];

/** IkeConfig/IpsecConfig (single tunnel) or TunnelIkeConfig/TunnelIpsecConfig fields: every enum value. */
const alibabaCrypto = (ike: string, ipsec: string): Record<string, readonly unknown[]> => ({
  [`${ike}.IkeVersion`]: ['ikev1', 'ikev2'], [`${ike}.IkeMode`]: ['main', 'aggressive'], [`${ike}.IkeEncAlg`]: ALIBABA_ENC,
  [`${ike}.IkeAuthAlg`]: ALIBABA_AUTH, [`${ike}.IkePfs`]: ['group1', 'group2', 'group5', 'group14'], [`${ike}.IkeLifetime`]: [0, 86400],
  [`${ike}.LocalId`]: ['alibaba.example'], [`${ike}.RemoteId`]: ['peer.example'], [`${ipsec}.IpsecEncAlg`]: ALIBABA_ENC,
  [`${ipsec}.IpsecAuthAlg`]: ALIBABA_AUTH, [`${ipsec}.IpsecPfs`]: ['disabled', 'group1', 'group2', 'group5', 'group14'], [`${ipsec}.IpsecLifetime`]: [0, 86400],
});

/** Optional fields each object kind takes, with the values worth trying (enums: all of them). */
const OPTIONS: Record<string, Record<string, readonly unknown[]>> = {
  'sites.hosts': { os: ['windows', 'linux'], answersPing: ON_OFF, mtu: [68, 1400, 9000] },
  'sites.subnets': { loss: [0, 1] },
  'sites.rras.Server.NetworkAdapters': { Internet: ON_OFF },
  'sites.rras.VpnS2SInterfaces': {
    Protocol: ['IKEv2', 'L2TP', 'Automatic', 'SSTP'],
    AuthenticationMethod: ['PSKOnly', 'MachineCertificates', 'EAP', 'MSCHAPv2'],
    ResponderAuthenticationMethod: ['PSKOnly', 'MachineCertificates'],
    EncryptionType: RRAS_ENCRYPTION_TYPE, AdminStatus: ON_OFF, Persistent: ON_OFF, InitiateConfigPayload: ON_OFF,
    RedialOnLinkFailure: [0, 1, true, false], NumberOfTries: [0, 1], RetryIntervalSeconds: [0, 5],
    NetworkOutageTimeSeconds: [3, 900], IdleDisconnectSeconds: [0, 5], SALifeTimeSeconds: [0, 300, 4294967295],
    MMSALifeTimeSeconds: [0, 300], IPv4Subnet: [[], ['10.3.0.0/16:100'], ['0.0.0.0/0:1']],
  },
  'sites.rras.VpnServerIPsecConfiguration': { EncryptionType: RRAS_ENCRYPTION_TYPE, SALifeTimeSeconds: [0, 300] },
  'sites.rras.BgpRouter': {
    TransitRouting: ['Enabled', 'Disabled'], RouteReflector: ['Enabled', 'Disabled'], DefaultGatewayRouting: ON_OFF,
    CompareMEDAcrossASN: ON_OFF, ClusterId: [0, 1],
  },
  'sites.rras.BgpPeers': {
    OperationMode: ['Mixed', 'Server'], PeeringMode: ['Automatic', 'Manual'], HoldTimeSec: [0, 3, 9, 65535],
    IdleHoldTimeSec: [0, 3600], MaxAllowedPrefix: [0, 1], Weight: [0, 65535], RouteReflectorClient: ON_OFF,
  },
  'sites.rras.NetRoutes': { NextHop: ['0.0.0.0'], RouteMetric: [0, 65535] },
  'sites.azure.virtualNetworkGateways': {
    gatewayType: ['Vpn', 'ExpressRoute'], vpnType: ['RouteBased', 'PolicyBased'],
    sku: ['Basic', 'Standard', 'HighPerformance', 'VpnGw1', 'VpnGw3', 'VpnGw5AZ'],
    vpnGatewayGeneration: ['Generation1', 'Generation2', 'None'], activeActive: ON_OFF, enableBgp: ON_OFF,
    enableBgpRouteTranslationForNat: ON_OFF, 'bgpSettings.peerWeight': [0, 100],
  },
  'sites.azure.connections': {
    connectionType: ['IPsec', 'Vnet2Vnet', 'ExpressRoute'], connectionProtocol: ['IKEv2', 'IKEv1'],
    connectionMode: ['Default', 'InitiatorOnly', 'ResponderOnly'], enableBgp: ON_OFF,
    usePolicyBasedTrafficSelectors: ON_OFF, dpdTimeoutSeconds: [9, 3600], routingWeight: [0, 10],
  },
  'sites.azure.localNetworkGateways': { 'bgpSettings.peerWeight': [0, 100] },
  'sites.alibaba.VpnGateways': {
    NetworkType: ['public', 'private'], VpnType: ['Normal', 'NationalStandard'], Bandwidth: [5, 1000],
    EnableIpsec: ON_OFF, EnableSsl: ON_OFF, SslConnections: [5, 1000], AutoPropagate: ON_OFF,
  },
  'sites.alibaba.CustomerGateways': { Asn: [65515, 45104, 65010, '123.456'] },
  'sites.alibaba.VpnConnections': {
    RoutingMode: ['DestinationRouting', 'ProtectedDataFlows'], EffectImmediately: ON_OFF, AutoConfigRoute: ON_OFF,
    EnableTunnelsBgp: ON_OFF, EnableDpd: ON_OFF, EnableNatTraversal: ON_OFF,
    ...alibabaCrypto('IkeConfig', 'IpsecConfig'),
  },
  'sites.alibaba.VpnConnections.TunnelOptionsSpecification': {
    Role: ['master', 'slave'], EnableDpd: ON_OFF, EnableNatTraversal: ON_OFF,
    ...alibabaCrypto('TunnelIkeConfig', 'TunnelIpsecConfig'),
  },
  'sites.alibaba.VpnPbrRouteEntries': { PublishVpc: ON_OFF, Weight: [0, 100], Priority: [1, 100] },
  'sites.alibaba.VpnRouteEntries': { PublishVpc: ON_OFF, Weight: [0, 100] },
};

/** Fields the schema requires, by object kind (removing them only exercises the schema). */
const REQUIRED = new Set(Object.entries({
  'sites': 'name platform', 'sites.subnets': 'name prefix', 'sites.hosts': 'name os subnet address',
  'sites.routers': 'name interfaces', 'sites.routers.interfaces': 'name', 'sites.routers.staticRoutes': 'prefix',
  'sites.rras': 'Server', 'sites.rras.Server': 'NetworkAdapters', 'sites.rras.Server.NetworkAdapters': 'Name IPAddress',
  'sites.rras.VpnS2SInterfaces': 'Name Destination', 'sites.rras.BgpRouter': 'BgpIdentifier LocalASN',
  'sites.rras.BgpPeers': 'Name LocalIPAddress PeerIPAddress PeerASN', 'sites.rras.NetRoutes': 'DestinationPrefix InterfaceAlias',
  'sites.azure.virtualNetworkGateways': 'name ipConfigurations', 'sites.azure.virtualNetworkGateways.ipConfigurations': 'name',
  'sites.azure.localNetworkGateways': 'name', 'sites.azure.localNetworkGateways.bgpSettings': 'asn bgpPeeringAddress',
  'sites.azure.localNetworkGateways.localNetworkAddressSpace': 'addressPrefixes',
  'sites.azure.connections': 'name connectionType virtualNetworkGateway1',
  'sites.alibaba.VpnGateways': 'Name', 'sites.alibaba.CustomerGateways': 'Name IpAddress', 'sites.alibaba.VpnConnections': 'Name VpnGatewayId',
  'sites.alibaba.VpnConnections.TunnelOptionsSpecification': 'Role CustomerGatewayId',
  'sites.alibaba.VpnPbrRouteEntries': 'VpnGatewayId RouteSource RouteDest NextHop PublishVpc',
}).flatMap(([kind, keys]) => keys.split(' ').map((key) => `${kind}.${key}`)));

const ASN_FIELDS = new Set(['asn', 'LocalASN', 'PeerASN', 'Asn', 'LocalAsn']);
const ADDRESS_FIELDS = new Set([
  'IPAddress', 'address', 'gatewayIpAddress', 'publicIPAddress', 'bgpPeeringAddress', 'PeerIPAddress', 'LocalIPAddress',
  'BgpIdentifier', 'IpAddress', 'InternetIp', 'DisasterRecoveryInternetIp', 'Destination', 'customBgpIpAddresses',
  'defaultBgpIpAddresses', 'LocalBgpIp', 'DefaultGateway', 'nextHop', 'gateway', 'SourceIpAddress', 'customBgpIpAddress',
]);
const PREFIX_FIELDS = new Set([
  'prefix', 'addressSpace', 'addressPrefixes', 'LocalSubnet', 'RemoteSubnet', 'RouteSource', 'RouteDest',
  'DestinationPrefix', 'TunnelCidr', 'Network', 'localAddressRanges', 'remoteAddressRanges',
]);
const PSK_FIELDS = new Set(['sharedKey', 'SharedSecret', 'Psk']);

/** Reference fields (object kind + field) → the kinds of resource of the same site they name. */
const REFERENCES: Record<string, string[]> = {
  'sites.hosts.subnet': ['sites.subnets'],
  'sites.routers.interfaces.subnet': ['sites.subnets'],
  'sites.rras.Server.NetworkAdapters.Subnet': ['sites.subnets'],
  'sites.rras.NetRoutes.InterfaceAlias': ['sites.rras.Server.NetworkAdapters', 'sites.rras.VpnS2SInterfaces'],
  'sites.rras.BgpCustomRoutes.Interface': ['sites.rras.Server.NetworkAdapters'],
  'sites.azure.virtualNetworkGateways.ipConfigurations.subnet': ['sites.subnets'],
  'sites.azure.virtualNetworkGateways.bgpSettings.bgpPeeringAddresses.ipconfigurationId': ['sites.azure.virtualNetworkGateways.ipConfigurations'],
  'sites.azure.connections.virtualNetworkGateway1': ['sites.azure.virtualNetworkGateways'],
  'sites.azure.connections.localNetworkGateway2': ['sites.azure.localNetworkGateways'],
  'sites.azure.connections.gatewayCustomBgpIpAddresses.ipConfigurationId': ['sites.azure.virtualNetworkGateways.ipConfigurations'],
  'sites.alibaba.VpnGateways.VSwitchId': ['sites.subnets'],
  'sites.alibaba.VpnGateways.DisasterRecoveryVSwitchId': ['sites.subnets'],
  'sites.alibaba.VpnConnections.VpnGatewayId': ['sites.alibaba.VpnGateways'],
  'sites.alibaba.VpnConnections.CustomerGatewayId': ['sites.alibaba.CustomerGateways'],
  'sites.alibaba.VpnConnections.TunnelOptionsSpecification.CustomerGatewayId': ['sites.alibaba.CustomerGateways'],
  'sites.alibaba.VpnPbrRouteEntries.VpnGatewayId': ['sites.alibaba.VpnGateways'],
  'sites.alibaba.VpnPbrRouteEntries.NextHop': ['sites.alibaba.VpnConnections'],
  'sites.alibaba.VpnRouteEntries.VpnGatewayId': ['sites.alibaba.VpnGateways'],
  'sites.alibaba.VpnRouteEntries.NextHop': ['sites.alibaba.VpnConnections'],
};
/** "site/gateway" references across Azure sites. */
const GATEWAY_REFERENCE = 'sites.azure.connections.virtualNetworkGateway2';

/** Fields that become node names (site/Name): pointing them at a host's name makes two nodes one. */
const NODE_NAMES = new Set(['sites.rras.Server.Name', 'sites.azure.virtualNetworkGateways.name', 'sites.alibaba.VpnGateways.Name']);

const EDGE_ADDRESSES = ['169.254.21.1', '169.254.22.9', '169.254.0.1', '0.0.0.0', '255.255.255.255', '127.0.0.1', '100.64.0.1', '224.0.0.5', '10.3.1.254', '192.168.37.1'];
const EDGE_PREFIXES = ['0.0.0.0/0', '172.31.0.0/16', '10.0.0.0/8', '169.254.21.0/30', '169.254.0.0/30', '192.168.37.1/32', '100.64.0.0/10'];
const EDGE_ASNS = [65515, 65010, 65011, 65023, 65032, 45104, 64512, 65534, 1, 23456, 12076, 65517, 4200000000, 4294967295];
const EDGE_PSKS = ['Wrong-Key~1', 'k', 'has space', 'A'.repeat(100), 'A'.repeat(101), 'Azure?Key'];

// ---------------------------------------------------------------------------------------------
// Walking the document

/** A key of an object; `slot` is the object kind + key: sites.rras.Server.NetworkAdapters.Internet. */
interface Field { owner: Obj; key: string; path: Path; slot: string }
/** An object in a list; `kind` is the list's kind: sites.azure.connections. */
interface Item { list: unknown[]; index: number; path: Path; kind: string }
interface Walk { fields: Field[]; objects: { value: Obj; path: Path; kind: string }[]; items: Item[] }

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(doc: Obj): Walk {
  const out: Walk = { fields: [], objects: [], items: [] };
  const visit = (value: unknown, path: Path): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (isObj(item)) out.items.push({ list: value, index, path: [...path, index], kind: kindOf(path) });
        visit(item, [...path, index]);
      });
    } else if (isObj(value)) {
      out.objects.push({ value, path, kind: kindOf(path) });
      for (const key of Object.keys(value)) {
        const at = [...path, key];
        out.fields.push({ owner: value, key, path: at, slot: kindOf(at) });
        visit(value[key], at);
      }
    }
  };
  visit(doc, []);
  return out;
}

function siteOf(doc: Obj, path: Path): Obj | undefined {
  const sites = doc.sites;
  return path[0] === 'sites' && typeof path[1] === 'number' && Array.isArray(sites) ? (sites[path[1]] as Obj) : undefined;
}

function nameKey(o: Obj): 'name' | 'Name' | undefined {
  return typeof o.name === 'string' ? 'name' : typeof o.Name === 'string' ? 'Name' : undefined;
}

/** Names of the resources of `kind` inside one site. */
function namesIn(site: Obj | undefined, kind: string): string[] {
  if (site === undefined) return [];
  const keys = kind.split('.').slice(1);
  let level: unknown[] = [site];
  for (const key of keys) level = level.flatMap((o) => (isObj(o) ? ([] as unknown[]).concat(o[key] ?? []) : []));
  return level.flatMap((o) => {
    const k = isObj(o) ? nameKey(o) : undefined;
    return k === undefined ? [] : [(o as Obj)[k] as string];
  });
}

function collect<T>(doc: Obj, pick: (key: string, v: unknown) => T[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const f of walk(doc).fields) {
    for (const v of pick(f.key, f.owner[f.key])) {
      const id = JSON.stringify(v);
      if (!seen.has(id)) { seen.add(id); out.push(v); }
    }
  }
  return out;
}

const scalars = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// ---------------------------------------------------------------------------------------------
// Candidate mutations of one document

function setDotted(owner: Obj, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let o = owner;
  for (const key of keys.slice(0, -1)) {
    if (!isObj(o[key])) o[key] = {};
    o = o[key] as Obj;
  }
  o[keys.at(-1)!] = value;
}

function getDotted(owner: Obj, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, key) => (isObj(o) ? o[key] : undefined), owner);
}

/** Replaces a scalar field, or one element of a list field (each element is a candidate). */
function valueCandidates(kind: MutationKind, f: Field, values: readonly unknown[], out: Candidate[]): void {
  const current = f.owner[f.key];
  if (Array.isArray(current)) {
    current.forEach((old, i) => {
      for (const v of values) {
        if (v !== old) out.push({ kind, path: formatDocPath([...f.path, i]), what: `${show(old)} → ${show(v)}`, apply: () => { current[i] = v; } });
      }
    });
    return;
  }
  for (const v of values) {
    if (v !== current) out.push({ kind, path: formatDocPath(f.path), what: `${show(current)} → ${show(v)}`, apply: () => { f.owner[f.key] = v; } });
  }
}

function addressValues(doc: Obj, current: unknown): string[] {
  const text = typeof current === 'string' ? current : '';
  const slash = text.indexOf('/');
  const suffix = slash < 0 ? '' : text.slice(slash);
  const bare = slash < 0 ? text : text.slice(0, slash);
  const others = collect(doc, (k, v) => (ADDRESS_FIELDS.has(k) ? scalars(v).filter((x): x is string => typeof x === 'string').map((x) => x.split('/')[0]!) : []));
  const out = [...others, ...EDGE_ADDRESSES].map((a) => a + suffix);
  if (isIpv4(bare)) {
    out.push(formatIpv4((parseIpv4(bare) + 1) >>> 0) + suffix);
    out.push(suffix === '' ? `${bare}/24` : bare);
  }
  return out;
}

function prefixValues(doc: Obj, current: unknown): string[] {
  const others = collect(doc, (k, v) => (PREFIX_FIELDS.has(k) ? scalars(v).filter((x): x is string => typeof x === 'string') : []));
  const out = [...others, ...EDGE_PREFIXES];
  let p: Prefix | undefined;
  try { p = parsePrefix(String(current), false); } catch { p = undefined; }
  if (p !== undefined) {
    if (p.length <= 28) out.push(formatPrefix({ address: p.address, length: p.length + 4 }));
    if (p.length >= 4) {
      const length = p.length - 4;
      const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
      out.push(formatPrefix({ address: (p.address & mask) >>> 0, length }));
    }
  }
  return out;
}

function fieldCandidates(doc: Obj, w: Walk, out: Candidate[]): void {
  const asns = collect(doc, (k, v) => (ASN_FIELDS.has(k) ? [v] : []));
  const psks = collect(doc, (k, v) => (PSK_FIELDS.has(k) ? [v] : []));
  for (const f of w.fields) {
    const value = f.owner[f.key];
    const inSite = f.path[0] === 'sites' && f.path.length > 2;
    if (inSite && !REQUIRED.has(f.slot)) {
      out.push({ kind: 'remove-field', path: formatDocPath(f.path), what: `${show(value)} → (absent)`, apply: () => { delete f.owner[f.key]; } });
    }
    if (inSite && Array.isArray(value) && value.length > 0) {
      out.push({ kind: 'blank', path: formatDocPath(f.path), what: `${show(value)} → []`, apply: () => { f.owner[f.key] = []; } });
    }
    if (inSite && typeof value === 'string' && !REQUIRED.has(f.slot)) {
      out.push({ kind: 'blank', path: formatDocPath(f.path), what: `${show(value)} → ""`, apply: () => { f.owner[f.key] = ''; } });
    }
    if (typeof value === 'boolean') {
      out.push({ kind: 'flip-boolean', path: formatDocPath(f.path), what: `${value} → ${!value}`, apply: () => { f.owner[f.key] = !value; } });
    }
    if (ASN_FIELDS.has(f.key)) {
      valueCandidates('asn', f, [...asns, ...EDGE_ASNS], out);
      everywhere('asn', doc, f, value, [...asns, ...EDGE_ASNS], out);
    }
    if (PSK_FIELDS.has(f.key)) {
      valueCandidates('psk', f, [...psks, ...EDGE_PSKS], out);
      everywhere('psk', doc, f, value, EDGE_PSKS, out);
    }
    if (ADDRESS_FIELDS.has(f.key) || (f.key === 'NextHop' && f.slot.startsWith('sites.rras.'))) {
      const elements = scalars(value);
      valueCandidates('address', f, [...new Set(elements.flatMap((e) => addressValues(doc, e)))], out);
      for (const e of elements) {
        if (typeof e === 'string') everywhere('address', doc, f, e.split('/')[0]!, [...EDGE_ADDRESSES, '203.0.113.77', '10.3.1.253'], out);
      }
    }
    if (PREFIX_FIELDS.has(f.key)) {
      const elements = scalars(value);
      valueCandidates('prefix', f, [...new Set(elements.flatMap((e) => prefixValues(doc, e)))], out);
    }
    referenceCandidates(doc, f, out);
  }
}

/**
 * Replaces `old` wherever the document holds it — every key, ASN or address, including an address
 * inside "a.b.c.d/len" and names that are addresses (an RRAS interface named after its peer) — so
 * that both ends of a tunnel or BGP session change together.
 */
function everywhere(kind: MutationKind, doc: Obj, f: Field, old: unknown, values: readonly unknown[], out: Candidate[]): void {
  if (typeof old !== 'string' && typeof old !== 'number') return;
  const swap = (v: unknown, n: unknown): unknown => {
    if (v === old) return n;
    if (typeof old === 'string' && typeof n === 'string' && typeof v === 'string' && v.startsWith(`${old}/`)) return n + v.slice(old.length);
    return v;
  };
  for (const n of values) {
    if (n === old) continue;
    out.push({
      kind, path: formatDocPath(f.path), what: `${show(old)} → ${show(n)} everywhere in the file`,
      apply: () => {
        for (const g of walk(doc).fields) {
          const v = g.owner[g.key];
          if (Array.isArray(v)) v.forEach((x, i) => { v[i] = swap(x, n); });
          else g.owner[g.key] = swap(v, n);
        }
      },
    });
  }
}

function referenceCandidates(doc: Obj, f: Field, out: Candidate[]): void {
  const site = siteOf(doc, f.path);
  if (f.slot === GATEWAY_REFERENCE) {
    const targets = ((doc.sites as Obj[]) ?? []).flatMap((s) => namesIn(s, 'sites.azure.virtualNetworkGateways').map((g) => `${String(s.name)}/${g}`));
    valueCandidates('reference', f, [...targets, 'Nowhere/NoGateway'], out);
  }
  const kinds = REFERENCES[f.slot];
  if (kinds !== undefined) valueCandidates('reference', f, [...kinds.flatMap((k) => namesIn(site, k)), 'Missing'], out);
  if (NODE_NAMES.has(f.slot)) {
    const clash = [...namesIn(site, 'sites.hosts'), ...namesIn(site, 'sites.routers')];
    valueCandidates('reference', f, clash, out);
  }
}

/** Every reference field in the site at `siteIndex` that names `kind` `old` (for a consistent rename). */
function referencesTo(doc: Obj, siteIndex: number, siteName: string, kind: string, old: string): (() => void)[] {
  const fixes: ((n: string) => void)[] = [];
  for (const f of walk(doc).fields) {
    const value = f.owner[f.key];
    if (f.slot === GATEWAY_REFERENCE && kind === 'sites.azure.virtualNetworkGateways' && value === `${siteName}/${old}`) {
      fixes.push((n) => { f.owner[f.key] = `${siteName}/${n}`; });
    }
    if (f.path[1] !== siteIndex || !(REFERENCES[f.slot] ?? []).includes(kind)) continue;
    if (value === old) fixes.push((n) => { f.owner[f.key] = n; });
    if (Array.isArray(value)) value.forEach((v, i) => { if (v === old) fixes.push((n) => { value[i] = n; }); });
  }
  return fixes.map((fix) => () => fix(`${old}Renamed`));
}

function itemCandidates(doc: Obj, w: Walk, out: Candidate[]): void {
  for (const item of w.items) {
    if (item.kind === 'sites') continue;
    const value = item.list[item.index] as Obj;
    const at = formatDocPath(item.path);
    out.push({ kind: 'drop-item', path: at, what: 'item removed', apply: () => { item.list.splice(item.index, 1); } });
    out.push({ kind: 'duplicate-item', path: at, what: 'item duplicated as is', apply: () => { item.list.splice(item.index + 1, 0, structuredClone(value)); } });
    const key = nameKey(value);
    if (key === undefined) continue;
    const old = value[key] as string;
    out.push({
      kind: 'duplicate-item', path: at, what: `item duplicated as '${old}Copy'`,
      apply: () => { item.list.splice(item.index + 1, 0, { ...structuredClone(value), [key]: `${old}Copy` }); },
    });
    out.push({ kind: 'rename', path: `${at}.${key}`, what: `'${old}' → '${old}Renamed', references left as they were`, apply: () => { value[key] = `${old}Renamed`; } });
    const siteIndex = item.path[1] as number;
    const siteName = String(siteOf(doc, item.path)?.name);
    out.push({
      kind: 'rename', path: `${at}.${key}`, what: `'${old}' → '${old}Renamed', references renamed too`,
      apply: () => {
        const fixes = referencesTo(doc, siteIndex, siteName, item.kind, old);
        value[key] = `${old}Renamed`;
        for (const fix of fixes) fix();
      },
    });
  }
}

function optionCandidates(w: Walk, out: Candidate[]): void {
  for (const o of w.objects) {
    for (const [dotted, values] of Object.entries(OPTIONS[o.kind] ?? {})) {
      const current = getDotted(o.value, dotted);
      for (const v of values) {
        if (v === current) continue;
        out.push({ kind: 'set-option', path: formatDocPath([...o.path, ...dotted.split('.')]), what: `${show(current)} → ${show(v)}`, apply: () => setDotted(o.value, dotted, v) });
      }
    }
  }
}

function mutateDocument(doc: Obj, rng: SeededRng): Mutation {
  const w = walk(doc);
  const all: Candidate[] = [];
  fieldCandidates(doc, w, all);
  itemCandidates(doc, w, all);
  optionCandidates(w, all);
  all.push(...structureCandidates(doc, w));
  const byKind = new Map<MutationKind, Candidate[]>();
  for (const c of all) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);
  const kinds = [...byKind.keys()].sort();
  const list = byKind.get(kinds[rng.int(kinds.length)]!)!;
  const chosen = list[rng.int(list.length)]!;
  chosen.apply();
  return { kind: chosen.kind, path: chosen.path, what: chosen.what };
}

/**
 * `count` distinct mutants of the seed documents; `weights[i]` is how often document i is drawn
 * relative to the others. About six in seven carry one mutation, the rest two.
 */
export function generateMutants(seeds: readonly SeedDocument[], weights: readonly number[], count: number, seed: number): Mutant[] {
  const rng = new SeededRng(seed);
  const parsed = seeds.map((s) => parse(s.text) as Obj);
  const total = weights.reduce((a, b) => a + b, 0);
  const seen = new Set<string>();
  const mutants: Mutant[] = [];
  for (let attempt = 0; mutants.length < count && attempt < count * 20; attempt++) {
    let draw = rng.next() * total;
    let index = 0;
    while (index < seeds.length - 1 && draw >= weights[index]!) draw -= weights[index++]!;
    const doc = structuredClone(parsed[index]!);
    const steps = rng.next() < 0.85 ? 1 : 2;
    const mutations: Mutation[] = [];
    for (let s = 0; s < steps; s++) mutations.push(mutateDocument(doc, rng));
    const text = stringify(doc);
    if (seen.has(text)) continue;
    seen.add(text);
    mutants.push({ id: mutants.length, seedFile: seeds[index]!.file, mutations, text });
  }
  return mutants;
}

// ---------------------------------------------------------------------------------------------
// Structures added whole: the shapes a user adds to a working file

interface Template {
  what: string;
  /** The fields to set on the object (undefined: not applicable to it); `space` is the site's addressSpace. */
  set: (v: Obj, space: string[]) => Obj | undefined;
  drop?: string[];
}

const rrasPolicy = (e: string, i: string, c: string, a: string, dh: string, pfs: string): Obj => ({
  CustomPolicy: true, EncryptionMethod: e, IntegrityCheckMethod: i, CipherTransformConstants: c, AuthenticationTransformConstants: a, DHGroup: dh, PfsGroup: pfs,
});
const azurePolicy = (life: number, kb: number, enc: string, integ: string, dh: string, pfs: string): Obj => ({
  saLifeTimeSeconds: life, saDataSizeKilobytes: kb, ipsecEncryption: enc, ipsecIntegrity: integ, ikeEncryption: enc, ikeIntegrity: integ, dhGroup: dh, pfsGroup: pfs,
});

/** Structures added whole, by object kind: the shapes a user adds to a working file. */
const TEMPLATES: Record<string, Template[]> = {
  'sites.rras.Server': [
    { what: 'an adapter with neither Subnet nor Internet added', set: (v) => ({ NetworkAdapters: [...scalars(v.NetworkAdapters ?? []), { Name: 'Spare', IPAddress: '10.99.0.1/24' }] }) },
  ],
  'sites.rras.VpnS2SInterfaces': [
    { what: 'custom policy AES256/SHA256, GCMAES256, Group14/PFS2048', drop: ['EncryptionType'], set: () => rrasPolicy('AES256', 'SHA256', 'GCMAES256', 'GCMAES256', 'Group14', 'PFS2048') },
    { what: 'custom policy DES3/MD5, Group1/PFS1', drop: ['EncryptionType'], set: () => rrasPolicy('DES3', 'MD5', 'DES3', 'MD596', 'Group1', 'PFS1') },
    {
      what: 'traffic selectors: 192.168.37.0-255 to 10.0.0.0-10.255.255.255',
      set: () => ({ LocalVpnTrafficSelector: [{ IPAddressRange: ['192.168.37.0', '192.168.37.255'] }], RemoteVpnTrafficSelector: [{ IPAddressRange: ['10.0.0.0', '10.255.255.255'] }] }),
    },
  ],
  'sites.azure.virtualNetworkGateways': [
    { what: 'an EgressSnat NAT rule', set: (_, space) => ({ natRules: [{ name: 'nat1', mode: 'EgressSnat', internalMappings: [{ addressSpace: space[0] ?? '10.0.0.0/16' }], externalMappings: [{ addressSpace: '100.64.0.0/16' }] }] }) },
    {
      what: 'a custom APIPA BGP address on the first ipConfiguration',
      set: (v) => {
        const first = (v.ipConfigurations as Obj[] | undefined)?.[0];
        return first && { bgpSettings: { ...(v.bgpSettings as Obj | undefined), bgpPeeringAddresses: [{ ipconfigurationId: first.name, customBgpIpAddresses: ['169.254.21.5'] }] } };
      },
    },
    {
      what: 'active-active with a second ipConfiguration',
      set: (v) => {
        const first = (v.ipConfigurations as Obj[] | undefined)?.[0];
        return first && { activeActive: true, ipConfigurations: [first, { name: 'activeActive', subnet: 'GatewaySubnet', publicIPAddress: '198.51.100.99' }] };
      },
    },
  ],
  'sites.azure.localNetworkGateways': [
    { what: 'gatewayIpAddress replaced by an fqdn', drop: ['gatewayIpAddress'], set: () => ({ fqdn: 'peer.example.com' }) },
    { what: 'BGP settings with an APIPA peer address', set: () => ({ bgpSettings: { asn: 65050, bgpPeeringAddress: '169.254.21.9' } }) },
  ],
  'sites.azure.connections': [
    { what: 'a custom IPsec policy AES256/SHA256/DHGroup14/PFS2048', set: () => ({ ipsecPolicies: [azurePolicy(27000, 102400000, 'AES256', 'SHA256', 'DHGroup14', 'PFS2048')] }) },
    { what: 'a custom IPsec policy GCMAES256/ECP384/PFS24', set: () => ({ ipsecPolicies: [azurePolicy(3600, 1024, 'GCMAES256', 'GCMAES256', 'ECP384', 'PFS24')] }) },
    {
      what: 'policy-based traffic selectors from the site\'s space to 10.0.0.0/8',
      set: (_, space) => ({ usePolicyBasedTrafficSelectors: true, trafficSelectorPolicies: [{ localAddressRanges: space.length > 0 ? space : ['10.0.0.0/16'], remoteAddressRanges: ['10.0.0.0/8'] }] }),
    },
    { what: 'an egress NAT rule named on the connection', set: () => ({ egressNatRules: ['nat1'] }) },
  ],
  'sites.alibaba.VpnConnections': [
    { what: 'the health check enabled', set: () => ({ HealthCheckConfig: { enable: true, dip: '192.168.0.1', sip: '10.0.0.1' } }) },
    { what: 'single-tunnel BgpConfig with BGP enabled', set: () => ({ BgpConfig: { EnableBgp: true, LocalAsn: 65100, TunnelCidr: '169.254.21.0/30', LocalBgpIp: '169.254.21.1' } }) },
    {
      what: 'dual tunnel turned single-tunnel (Tunnel 1\'s gateway and key)', drop: ['TunnelOptionsSpecification'],
      set: (v) => {
        const tunnel = (v.TunnelOptionsSpecification as Obj[] | undefined)?.[0];
        return tunnel && { CustomerGatewayId: tunnel.CustomerGatewayId, IkeConfig: { ...(tunnel.TunnelIkeConfig as Obj | undefined), IkeVersion: 'ikev2' } };
      },
    },
  ],
};

function structureCandidates(doc: Obj, w: Walk): Candidate[] {
  const out: Candidate[] = [];
  for (const o of w.objects) {
    const space = (siteOf(doc, o.path)?.addressSpace as string[] | undefined) ?? [];
    for (const t of TEMPLATES[o.kind] ?? []) {
      const fields = t.set(o.value, space);
      if (fields === undefined) continue;
      out.push({
        kind: 'structure', path: formatDocPath([...o.path, Object.keys(fields)[0]!]), what: t.what,
        apply: () => {
          for (const key of t.drop ?? []) delete o.value[key];
          Object.assign(o.value, fields);
        },
      });
    }
  }
  const bgp = alibabaAzureBgp(doc, false);
  if (bgp !== undefined) out.push({ kind: 'structure', path: formatDocPath(bgp), what: 'BGP over both tunnels, the Azure end configured to match', apply: () => alibabaAzureBgp(doc) });
  return out;
}

/**
 * Turns BGP on over both tunnels of the first Alibaba dual-tunnel connection and configures the
 * active-active Azure gateway at the other end to match (APIPA /30s, ASNs, local network
 * gateways, connections). Returns the connection's path, or undefined when the file has no such pair.
 */
export function alibabaAzureBgp(doc: Obj, apply = true): Path | undefined {
  const sites = (doc.sites as Obj[] | undefined) ?? [];
  const ali = sites.findIndex((s) => s.platform === 'alibaba');
  const alibaba = sites[ali]?.alibaba as Obj | undefined;
  const azure = sites.find((s) => s.platform === 'azure')?.azure as Obj | undefined;
  const connections = (alibaba?.VpnConnections as Obj[] | undefined) ?? [];
  const index = connections.findIndex((c) => Array.isArray(c.TunnelOptionsSpecification));
  const gateway = (azure?.virtualNetworkGateways as Obj[] | undefined)?.[0];
  const lngs = (azure?.localNetworkGateways as Obj[] | undefined) ?? [];
  const configs = gateway?.ipConfigurations;
  if (index < 0 || gateway === undefined || lngs.length < 2 || !Array.isArray(configs) || configs.length < 2) return undefined;
  if (!apply) return ['sites', ali, 'alibaba', 'VpnConnections', index];
  const conn = connections[index]!;
  conn.EnableTunnelsBgp = true;
  (conn.TunnelOptionsSpecification as Obj[]).forEach((t, i) => {
    t.TunnelBgpConfig = { LocalAsn: 65100, TunnelCidr: `169.254.${21 + i}.0/30`, LocalBgpIp: `169.254.${21 + i}.1` };
  });
  for (const g of (alibaba!.CustomerGateways as Obj[] | undefined) ?? []) g.Asn = 65515;
  gateway.enableBgp = true;
  gateway.bgpSettings = { asn: 65515, bgpPeeringAddresses: (configs as Obj[]).map((c, i) => ({ ipconfigurationId: c.name, customBgpIpAddresses: [`169.254.${21 + i}.2`] })) };
  lngs.slice(0, 2).forEach((l, i) => { l.bgpSettings = { asn: 65100, bgpPeeringAddress: `169.254.${21 + i}.1` }; });
  for (const c of (azure!.connections as Obj[] | undefined) ?? []) c.enableBgp = true;
  return ['sites', ali, 'alibaba', 'VpnConnections', index];
}
