import type { DocPath, Located, Reference } from '../../config/source.js';
import { isIpv4, parseInterfaceAddress, parseIpv4, parsePrefix, prefixContains, type Ipv4Address, type Prefix } from '../../net/address.js';
import type {
  FrrNeighbor, LinuxGateway, LinuxInterface, LinuxRoute, LinuxSite, SwanctlChild, SwanctlConnection, XfrmInterface,
} from '../../topology/platforms/linux.js';
import type { SiteRef } from '../adapter.js';
import { LINUX_DEFAULTS } from './defaults.js';

/*
 * The `linux:` block resolved once per run: each gateway's NICs, XFRM interfaces and routes, its
 * swanctl connections with their children tied to the XFRM interface of their if_id and their
 * pre-shared key found in `secrets` as strongSwan finds it (by the identities of both ends), and
 * its FRR `router bgp` with each neighbour's update-source followed to an address.
 */

export interface LinuxNic {
  readonly kind: 'nic';
  readonly resource: LinuxInterface;
  readonly path: DocPath;
  readonly name: string;
  readonly address: Ipv4Address;
  /** The length written with the address, else its subnet's; undefined with neither. */
  readonly prefix: Prefix | undefined;
  readonly attach: { readonly subnet: string } | 'internet' | undefined;
}

export interface LinuxXfrm {
  readonly kind: 'xfrm';
  readonly resource: XfrmInterface;
  readonly path: DocPath;
  readonly name: string;
  readonly ifId: number;
  readonly addresses: readonly { readonly address: Ipv4Address; readonly prefix: Prefix }[];
  readonly mtu: number | undefined;
  readonly mss: number | undefined;
}

export interface LinuxRouteModel {
  readonly resource: LinuxRoute;
  readonly path: DocPath;
  readonly prefix: Prefix;
  /** `dev`: a NIC or an XFRM interface; undefined when the route gives only `via`. */
  readonly dev: Reference<LinuxNic | LinuxXfrm> | undefined;
  readonly via: Ipv4Address | undefined;
}

export interface LinuxChild {
  readonly resource: SwanctlChild;
  readonly path: DocPath;
  readonly name: string;
  readonly localTs: Located<readonly Prefix[]>;
  readonly remoteTs: Located<readonly Prefix[]>;
  /** Whether local_ts / remote_ts were written (strongSwan's default is the gateways' own addresses). */
  readonly tsGiven: boolean;
  readonly espProposals: readonly string[];
  /** if_id_out (else if_id_in), the child's or its connection's; undefined: policy-based. */
  readonly ifId: Located<number> | undefined;
  /** The XFRM interface with that if_id. */
  readonly xfrm: LinuxXfrm | undefined;
  readonly rekeyTime: number;
}

export interface LinuxConnection {
  readonly resource: SwanctlConnection;
  readonly path: DocPath;
  readonly name: string;
  readonly local: Located<Ipv4Address>;
  readonly remote: Located<Ipv4Address>;
  readonly localId: string;
  readonly remoteId: string;
  readonly ikeProposals: readonly string[];
  /** The secret strongSwan would use (best match of both identities), with its path; undefined: none matches. */
  readonly psk: Located<string> | undefined;
  readonly encap: boolean;
  readonly children: readonly LinuxChild[];
}

export interface LinuxNeighbor {
  readonly resource: FrrNeighbor;
  readonly path: DocPath;
  readonly address: Located<Ipv4Address>;
  /** remote-as as a number; undefined for `external` / `internal` (the peer's OPEN decides). */
  readonly remoteAs: number | 'external' | 'internal';
  /** update-source as an address (an interface name followed to its first address); undefined when not given or unknown. */
  readonly updateSource: Located<Ipv4Address> | undefined;
  readonly multihop: boolean;
}

export interface LinuxBgp {
  readonly path: DocPath;
  readonly asn: Located<number>;
  readonly routerId: Ipv4Address;
  readonly requiresPolicy: boolean;
  readonly neighbors: readonly LinuxNeighbor[];
  readonly networks: readonly Located<Prefix>[];
}

export interface LinuxGatewayModel {
  readonly resource: LinuxGateway;
  readonly path: DocPath;
  readonly name: string;
  readonly nics: readonly LinuxNic[];
  readonly xfrm: readonly LinuxXfrm[];
  readonly routes: readonly LinuxRouteModel[];
  readonly connections: readonly LinuxConnection[];
  readonly bgp: LinuxBgp | undefined;
  /** Every address the machine holds (NICs and XFRM interfaces). */
  readonly addresses: readonly Ipv4Address[];
}

export interface LinuxModel {
  readonly block: LinuxSite;
  /** `['sites', index, 'linux']`. */
  readonly at: DocPath;
  readonly addressSpace: readonly Prefix[];
  readonly gateways: readonly LinuxGatewayModel[];
}

export function resolveLinuxSite(ref: SiteRef<'linux'>): LinuxModel | undefined {
  const block = ref.site.linux;
  if (block === undefined) return undefined;
  const at = ref.at;
  const gateways = block.gateways.map((g, i) => resolveGateway(ref, g, [...at, 'gateways', i]));
  return { block, at, addressSpace: ref.layout.addressSpace, gateways };
}

function resolveGateway(ref: SiteRef<'linux'>, g: LinuxGateway, path: DocPath): LinuxGatewayModel {
  const nics = g.interfaces.map((nic, i): LinuxNic => {
    const written = isIpv4(nic.address) ? undefined : parseInterfaceAddress(nic.address);
    const subnet = nic.subnet === undefined ? undefined : ref.layout.subnet(nic.subnet);
    return {
      kind: 'nic', resource: nic, path: [...path, 'interfaces', i], name: nic.name,
      address: written?.address ?? parseIpv4(nic.address),
      prefix: written?.prefix ?? subnet?.prefix,
      attach: nic.internet === true ? 'internet' : nic.subnet !== undefined ? { subnet: nic.subnet } : undefined,
    };
  });
  const xfrm = (g.xfrm ?? []).map((x, i): LinuxXfrm => ({
    kind: 'xfrm', resource: x, path: [...path, 'xfrm', i], name: x.name, ifId: x.if_id,
    addresses: (x.addresses ?? []).map((a) => (isIpv4(a) ? { address: parseIpv4(a), prefix: { address: parseIpv4(a), length: 32 } } : parseInterfaceAddress(a))),
    mtu: x.mtu, mss: x['set-mss'],
  }));
  const devices: (LinuxNic | LinuxXfrm)[] = [...nics, ...xfrm];
  const routes = (g.routes ?? []).map((r, i): LinuxRouteModel => {
    const rp = [...path, 'routes', i];
    return {
      resource: r, path: rp, prefix: parsePrefix(r.to),
      dev: r.dev === undefined ? undefined : { name: r.dev, path: [...rp, 'dev'], target: devices.find((d) => d.name === r.dev) },
      via: r.via === undefined ? undefined : parseIpv4(r.via),
    };
  });
  const addresses = [...nics.map((n) => n.address), ...xfrm.flatMap((x) => x.addresses.map((a) => a.address))];
  const swanctl = g.swanctl;
  const connections = Object.entries(swanctl?.connections ?? {}).map(([name, c]) => resolveConnection(name, c, [...path, 'swanctl', 'connections', name], swanctl?.secrets ?? {}, [...path, 'swanctl', 'secrets'], xfrm));
  const routerBgp = g.frr?.['router bgp'];
  const bgp = routerBgp === undefined ? undefined : resolveBgp(routerBgp, [...path, 'frr', 'router bgp'], devices, addresses);
  return { resource: g, path, name: g.name, nics, xfrm, routes, connections, bgp, addresses };
}

function yes(value: boolean | 'yes' | 'no' | undefined): boolean {
  return value === true || value === 'yes';
}

function resolveConnection(name: string, c: SwanctlConnection, path: DocPath, secrets: Record<string, { id?: string | string[] | undefined; secret: string }>, secretsPath: DocPath, xfrm: readonly LinuxXfrm[]): LinuxConnection {
  const local = { value: parseIpv4(c.local_addrs[0]!), path: [...path, 'local_addrs', 0] };
  const remote = { value: parseIpv4(c.remote_addrs[0]!), path: [...path, 'remote_addrs', 0] };
  const localId = c.local?.id ?? c.local_addrs[0]!;
  const remoteId = c.remote?.id ?? c.remote_addrs[0]!;
  const children = Object.entries(c.children).map(([childName, ch]): LinuxChild => {
    const cp = [...path, 'children', childName];
    const id = ch.if_id_out ?? ch.if_id_in ?? c.if_id_out ?? c.if_id_in;
    const idPath = ch.if_id_out !== undefined ? [...cp, 'if_id_out'] : ch.if_id_in !== undefined ? [...cp, 'if_id_in'] : c.if_id_out !== undefined ? [...path, 'if_id_out'] : [...path, 'if_id_in'];
    return {
      resource: ch, path: cp, name: childName,
      // strongSwan's default traffic selector is the address the IKE SA uses (%dynamic).
      localTs: { value: ch.local_ts?.map((p) => parsePrefix(p)) ?? [{ address: local.value, length: 32 }], path: [...cp, 'local_ts'] },
      remoteTs: { value: ch.remote_ts?.map((p) => parsePrefix(p)) ?? [{ address: remote.value, length: 32 }], path: [...cp, 'remote_ts'] },
      tsGiven: ch.local_ts !== undefined || ch.remote_ts !== undefined,
      espProposals: ch.esp_proposals ?? LINUX_DEFAULTS.espProposals,
      ifId: id === undefined ? undefined : { value: id, path: idPath },
      xfrm: id === undefined ? undefined : xfrm.find((x) => x.ifId === id),
      rekeyTime: ch.rekey_time ?? LINUX_DEFAULTS.childRekeyS,
    };
  });
  return {
    resource: c, path, name, local, remote, localId, remoteId,
    ikeProposals: c.proposals ?? LINUX_DEFAULTS.ikeProposals,
    psk: findSecret(secrets, secretsPath, localId, remoteId),
    encap: yes(c.encap),
    children,
  };
}

/**
 * The shared key strongSwan picks for two identities: a secret naming both beats one naming
 * either, which beats one naming none (any); among equals, the first.
 */
function findSecret(secrets: Record<string, { id?: string | string[] | undefined; secret: string }>, at: DocPath, localId: string, remoteId: string): Located<string> | undefined {
  let best: { rank: number; found: Located<string> } | undefined;
  for (const [key, s] of Object.entries(secrets)) {
    const ids = s.id === undefined ? [] : Array.isArray(s.id) ? s.id : [s.id];
    const matches = (ids.includes(remoteId) ? 1 : 0) + (ids.includes(localId) ? 1 : 0);
    if (ids.length > 0 && matches === 0) continue;
    const rank = 1 + matches;
    if (best === undefined || rank > best.rank) best = { rank, found: { value: s.secret, path: [...at, key, 'secret'] } };
  }
  return best?.found;
}

function resolveBgp(r: NonNullable<NonNullable<LinuxGateway['frr']>['router bgp']>, path: DocPath, devices: readonly (LinuxNic | LinuxXfrm)[], addresses: readonly Ipv4Address[]): LinuxBgp {
  const neighbors = Object.entries(r.neighbors).map(([address, n]): LinuxNeighbor => {
    const np = [...path, 'neighbors', address];
    const source = n['update-source'];
    let updateSource: Located<Ipv4Address> | undefined;
    if (source !== undefined) {
      const device = devices.find((d) => d.name === source);
      const value = isIpv4(source) ? parseIpv4(source) : device === undefined ? undefined : device.kind === 'nic' ? device.address : device.addresses[0]?.address;
      updateSource = value === undefined ? undefined : { value, path: [...np, 'update-source'] };
    }
    return {
      resource: n, path: np, address: { value: parseIpv4(address), path: np },
      remoteAs: n['remote-as'], updateSource,
      multihop: n['ebgp-multihop'] !== undefined && n['ebgp-multihop'] > 1,
    };
  });
  return {
    path,
    asn: { value: r.asn, path: [...path, 'asn'] },
    // FRR's default router-id: the highest address of the machine (zebra's choice without loopbacks).
    routerId: r['bgp router-id'] !== undefined ? parseIpv4(r['bgp router-id']) : Math.max(0, ...addresses),
    requiresPolicy: r['bgp ebgp-requires-policy'] ?? true,
    neighbors,
    networks: (r.network ?? []).map((p, i) => ({ value: parsePrefix(p), path: [...path, 'network', i] })),
  };
}

/** Whether the gateway has a connected subnet holding `address`. */
export function onLink(gateway: LinuxGatewayModel, address: Ipv4Address): boolean {
  return gateway.nics.some((n) => n.prefix !== undefined && prefixContains(n.prefix, address))
    || gateway.xfrm.some((x) => x.addresses.some((a) => a.prefix.length < 32 && prefixContains(a.prefix, address)));
}

/**
 * FRR refuses to open or accept a session with a one-hop eBGP neighbour that is not on a connected
 * subnet (a peer behind a tunnel), unless ebgp-multihop or disable-connected-check says otherwise.
 */
export function connectedCheckFails(gateway: LinuxGatewayModel, asn: number, n: LinuxNeighbor): boolean {
  const ebgp = n.remoteAs === 'external' || (typeof n.remoteAs === 'number' && n.remoteAs !== asn);
  return ebgp && !n.multihop && n.resource['disable-connected-check'] !== true && !onLink(gateway, n.address.value);
}

/** FRR's import-check: the prefix exactly as a connected subnet or a static route. */
export function holdsRoute(gateway: LinuxGatewayModel, prefix: Prefix): boolean {
  const same = (p: Prefix | undefined): boolean => p !== undefined && p.address === prefix.address && p.length === prefix.length;
  return gateway.nics.some((n) => same(n.prefix)) || gateway.xfrm.some((x) => x.addresses.some((a) => same(a.prefix))) || gateway.routes.some((r) => same(r.prefix));
}
