import type { DocPath, Located, Reference } from '../../config/source.js';
import type { Ipv4Selector } from '../../ike/payloads/ts.js';
import { formatPrefix, isIpv4, parseInterfaceAddress, parseIpv4, parsePrefix, type Ipv4Address, type Prefix } from '../../net/address.js';
import type { Subnet } from '../../topology/schema.js';
import type { SiteRef } from '../adapter.js';
import { ANY_SELECTOR } from '../common.js';
import { RRAS_BGP_HOLD_S, RRAS_CHILD_LIFETIME_S, rrasProposals, type RrasOffer } from './defaults.js';
import type {
  BgpCustomRoute, BgpPeer, BgpRouter, NetRoute, NetworkAdapter, RrasSite, VpnS2SInterface, VpnServerIPsecConfiguration, VpnTrafficSelector,
} from '../../topology/platforms/rras.js';

/*
 * An RRAS block resolved once per run, read the way Windows reads it: every adapter, S2S
 * interface, static route, BGP peer and custom route with its document path, its addresses and
 * prefixes parsed, and every name it uses (an adapter's Subnet, a NetRoute's InterfaceAlias, a
 * custom route's -Interface) followed to what it names. The planner (gateway.ts), the ends, the
 * checks and the views read this model; none of them parses the file's strings again.
 */

/** A subnet of the site, as an adapter's Subnet names it. */
export interface RrasSubnet {
  readonly resource: Subnet;
  readonly path: DocPath;
  readonly prefix: Prefix;
}

/** `Server.NetworkAdapters[i]`: one adapter of the server. */
export interface RrasAdapter {
  readonly kind: 'adapter';
  readonly resource: NetworkAdapter;
  readonly path: DocPath;
  readonly name: string;
  readonly address: Ipv4Address;
  /** Its Subnet, when it gives one. */
  readonly subnet: Reference<RrasSubnet> | undefined;
  /** The prefix it sits on: the length written with its address, else its subnet's; undefined with neither. */
  readonly prefix: Prefix | undefined;
  /** `Internet: true`: the public adapter. */
  readonly internet: boolean;
  readonly defaultGateway: Located<Ipv4Address> | undefined;
}

/** Local/RemoteVpnTrafficSelector: as IKE selectors (any when none is given). */
export interface RrasSelectors {
  readonly selectors: readonly Ipv4Selector[];
  /** Whether the file gives any (narrow, policy-based selectors). */
  readonly given: boolean;
  readonly path: DocPath;
}

/** An -IPv4Subnet entry, "prefix:metric". */
export interface RrasS2SSubnet {
  readonly prefix: Prefix;
  readonly metric: number;
  readonly path: DocPath;
}

/** `VpnS2SInterfaces[i]`: a demand-dial interface and its tunnel. */
export interface RrasS2SInterface {
  readonly kind: 's2s';
  readonly resource: VpnS2SInterface;
  readonly path: DocPath;
  readonly name: string;
  readonly destinations: readonly Located<Ipv4Address>[];
  /** The address IKE leaves from: SourceIpAddress, else the public adapter's; undefined without either. */
  readonly ikeSource: Ipv4Address | undefined;
  /** Its IKE and ESP proposals (its own policy, else the server's, else RequireEncryption), or why there are none. */
  readonly offer: RrasOffer;
  /** Where that policy is set: the interface, or VpnServerIPsecConfiguration. */
  readonly offerPath: DocPath;
  readonly childLifetimeS: number;
  readonly localSelectors: RrasSelectors;
  readonly remoteSelectors: RrasSelectors;
  readonly subnets: readonly RrasS2SSubnet[];
  /** The NetRoutes whose InterfaceAlias is this interface's name. */
  readonly netRoutes: readonly RrasNetRoute[];
  /** What it routes into the tunnel: its -IPv4Subnet prefixes, then those NetRoutes. */
  readonly routes: readonly Prefix[];
}

/** `NetRoutes[i]`: a static route (New-NetRoute). */
export interface RrasNetRoute {
  readonly resource: NetRoute;
  readonly path: DocPath;
  readonly destination: Prefix;
  /** InterfaceAlias: an S2S interface when one has the name, else an adapter. */
  readonly via: Reference<RrasS2SInterface | RrasAdapter>;
  /** NextHop; undefined when absent or 0.0.0.0 (on-link, through the interface). */
  readonly nextHop: Ipv4Address | undefined;
}

/** `BgpRouter`: the BGP speaker. */
export interface RrasBgpRouter {
  readonly resource: BgpRouter;
  readonly path: DocPath;
  readonly identifier: Located<Ipv4Address>;
  readonly localAsn: Located<number>;
  readonly transitRouting: boolean;
}

/** `BgpPeers[i]`: a BGP neighbour. */
export interface RrasBgpPeer {
  readonly resource: BgpPeer;
  readonly path: DocPath;
  readonly name: string;
  readonly localAddress: Located<Ipv4Address>;
  readonly peerAddress: Located<Ipv4Address>;
  /** Its LocalASN, else the router's; undefined with neither. */
  readonly localAsn: Located<number> | undefined;
  readonly passive: boolean;
  /** HoldTimeSec, or RRAS's default. */
  readonly holdTime: number;
}

/** `BgpCustomRoutes[i]`: one Add-BgpCustomRoute. */
export interface RrasCustomRoute {
  readonly resource: BgpCustomRoute;
  readonly path: DocPath;
  readonly networks: readonly Located<Prefix>[];
  readonly interfaces: readonly Reference<RrasAdapter>[];
}

/** The `rras:` block of a site, resolved. */
export interface RrasModel {
  readonly block: RrasSite;
  /** `['sites', index, 'rras']`. */
  readonly at: DocPath;
  readonly serverName: string;
  /** The site's addressSpace. */
  readonly addressSpace: readonly Prefix[];
  readonly adapters: readonly RrasAdapter[];
  /** The first adapter with `Internet: true`. */
  readonly publicAdapter: RrasAdapter | undefined;
  readonly interfaces: readonly RrasS2SInterface[];
  readonly ipsecConfiguration: { readonly resource: VpnServerIPsecConfiguration; readonly path: DocPath } | undefined;
  readonly netRoutes: readonly RrasNetRoute[];
  readonly bgpRouter: RrasBgpRouter | undefined;
  readonly bgpPeers: readonly RrasBgpPeer[];
  readonly customRoutes: readonly RrasCustomRoute[];
  /**
   * What the custom routes advertise, each prefix once: the -Network prefixes, and for each
   * -Interface the adapter's prefix and the static routes through it.
   */
  readonly advertised: readonly Prefix[];
}

/** The server's name (its node name): `Server.Name`, RRAS when the file leaves it out. */
export function rrasServerName(rras: RrasSite): string {
  return rras.Server.Name ?? 'RRAS';
}

/** The site's model; undefined for an RRAS site without an `rras:` block. */
export function resolveRrasSite(ref: SiteRef<'rras'>): RrasModel | undefined {
  const rras = ref.site.rras;
  if (rras === undefined) return undefined;
  const at = ref.at;
  const subnets = ref.layout.subnets.map((s): RrasSubnet => ({ resource: s.subnet, path: s.path, prefix: s.prefix }));
  const adapters = rras.Server.NetworkAdapters.map((a, i) => resolveAdapter(a, [...at, 'Server', 'NetworkAdapters', i], subnets));
  const publicAdapter = adapters.find((a) => a.internet);
  // An interface lists the routes naming it and a route points at its interface: the interfaces
  // are built first, then the routes, then each interface's list is filled in.
  const interfaces = (rras.VpnS2SInterfaces ?? []).map((iface, i) => resolveInterface(rras, iface, at, i, publicAdapter));
  const netRoutes = (rras.NetRoutes ?? []).map((r, i) => resolveNetRoute(r, [...at, 'NetRoutes', i], interfaces, adapters));
  for (const iface of interfaces) {
    iface.netRoutes.push(...netRoutes.filter((r) => r.via.name === iface.name));
    iface.routes.push(...iface.subnets.map((s) => s.prefix), ...iface.netRoutes.map((r) => r.destination));
  }
  const customRoutes = (rras.BgpCustomRoutes ?? []).map((entry, i): RrasCustomRoute => {
    const path = [...at, 'BgpCustomRoutes', i];
    return {
      resource: entry, path,
      networks: (entry.Network ?? []).map((text, j) => ({ value: parsePrefix(text), path: [...path, 'Network', j] })),
      interfaces: (entry.Interface ?? []).map((name, j) => ({ name, path: [...path, 'Interface', j], target: adapters.find((a) => a.name === name) })),
    };
  });
  const bgpRouter = rras.BgpRouter === undefined ? undefined : resolveRouter(rras.BgpRouter, [...at, 'BgpRouter']);
  return {
    block: rras,
    at,
    serverName: rrasServerName(rras),
    addressSpace: ref.layout.addressSpace,
    adapters,
    publicAdapter,
    interfaces,
    ipsecConfiguration: rras.VpnServerIPsecConfiguration === undefined ? undefined : { resource: rras.VpnServerIPsecConfiguration, path: [...at, 'VpnServerIPsecConfiguration'] },
    netRoutes,
    bgpRouter,
    bgpPeers: (rras.BgpPeers ?? []).map((p, i) => resolvePeer(p, [...at, 'BgpPeers', i], bgpRouter)),
    customRoutes,
    advertised: advertisedPrefixes(customRoutes, netRoutes),
  };
}

function resolveAdapter(resource: NetworkAdapter, path: DocPath, subnets: readonly RrasSubnet[]): RrasAdapter {
  const written = isIpv4(resource.IPAddress) ? undefined : parseInterfaceAddress(resource.IPAddress);
  const subnet = resource.Subnet === undefined ? undefined : {
    name: resource.Subnet, path: [...path, 'Subnet'], target: subnets.find((s) => s.resource.name === resource.Subnet),
  };
  return {
    kind: 'adapter',
    resource,
    path,
    name: resource.Name,
    address: written?.address ?? parseIpv4(resource.IPAddress),
    subnet,
    prefix: written?.prefix ?? subnet?.target?.prefix,
    internet: resource.Internet === true,
    defaultGateway: resource.DefaultGateway === undefined ? undefined : { value: parseIpv4(resource.DefaultGateway), path: [...path, 'DefaultGateway'] },
  };
}

/** An interface while the model is built: its route lists are filled in once the NetRoutes are resolved. */
type InterfaceDraft = RrasS2SInterface & { readonly netRoutes: RrasNetRoute[]; readonly routes: Prefix[] };

function resolveInterface(rras: RrasSite, iface: VpnS2SInterface, at: DocPath, index: number, publicAdapter: RrasAdapter | undefined): InterfaceDraft {
  const path = [...at, 'VpnS2SInterfaces', index];
  const server = rras.VpnServerIPsecConfiguration;
  const ownPolicy = iface.CustomPolicy === true || iface.EncryptionType !== undefined;
  const subnets = (iface.IPv4Subnet ?? []).map((entry, j): RrasS2SSubnet => {
    const colon = entry.lastIndexOf(':');
    return { prefix: parsePrefix(entry.slice(0, colon)), metric: Number(entry.slice(colon + 1)), path: [...path, 'IPv4Subnet', j] };
  });
  return {
    kind: 's2s',
    resource: iface,
    path,
    name: iface.Name,
    destinations: iface.Destination.map((d, j) => ({ value: parseIpv4(d), path: [...path, 'Destination', j] })),
    ikeSource: iface.SourceIpAddress !== undefined ? parseIpv4(iface.SourceIpAddress) : publicAdapter?.address,
    offer: rrasProposals(iface, server),
    offerPath: ownPolicy || server === undefined ? path : [...at, 'VpnServerIPsecConfiguration'],
    childLifetimeS: iface.SALifeTimeSeconds ?? server?.SALifeTimeSeconds ?? RRAS_CHILD_LIFETIME_S,
    localSelectors: selectorsOf(iface.LocalVpnTrafficSelector, [...path, 'LocalVpnTrafficSelector']),
    remoteSelectors: selectorsOf(iface.RemoteVpnTrafficSelector, [...path, 'RemoteVpnTrafficSelector']),
    subnets,
    netRoutes: [],
    routes: [],
  };
}

function resolveNetRoute(resource: NetRoute, path: DocPath, interfaces: readonly RrasS2SInterface[], adapters: readonly RrasAdapter[]): RrasNetRoute {
  const alias = resource.InterfaceAlias;
  const nextHop = resource.NextHop === undefined ? 0 : parseIpv4(resource.NextHop);
  return {
    resource,
    path,
    destination: parsePrefix(resource.DestinationPrefix),
    via: { name: alias, path: [...path, 'InterfaceAlias'], target: interfaces.find((i) => i.name === alias) ?? adapters.find((a) => a.name === alias) },
    nextHop: nextHop === 0 ? undefined : nextHop,
  };
}

function selectorsOf(list: readonly VpnTrafficSelector[] | undefined, path: DocPath): RrasSelectors {
  if (list === undefined || list.length === 0) return { selectors: [ANY_SELECTOR], given: false, path };
  return {
    selectors: list.map((ts) => ({
      type: 'ipv4' as const, ipProtocol: ts.ProtocolId ?? 0,
      startPort: ts.PortRange?.[0] ?? 0, endPort: ts.PortRange?.[1] ?? 65535,
      startAddress: parseIpv4(ts.IPAddressRange[0]), endAddress: parseIpv4(ts.IPAddressRange[1]),
    })),
    given: true,
    path,
  };
}

function resolveRouter(resource: BgpRouter, path: DocPath): RrasBgpRouter {
  return {
    resource,
    path,
    identifier: { value: parseIpv4(resource.BgpIdentifier), path: [...path, 'BgpIdentifier'] },
    localAsn: { value: resource.LocalASN, path: [...path, 'LocalASN'] },
    transitRouting: resource.TransitRouting === 'Enabled',
  };
}

function resolvePeer(resource: BgpPeer, path: DocPath, router: RrasBgpRouter | undefined): RrasBgpPeer {
  return {
    resource,
    path,
    name: resource.Name,
    localAddress: { value: parseIpv4(resource.LocalIPAddress), path: [...path, 'LocalIPAddress'] },
    peerAddress: { value: parseIpv4(resource.PeerIPAddress), path: [...path, 'PeerIPAddress'] },
    localAsn: resource.LocalASN !== undefined ? { value: resource.LocalASN, path: [...path, 'LocalASN'] } : router?.localAsn,
    passive: resource.OperationMode === 'Server',
    holdTime: resource.HoldTimeSec ?? RRAS_BGP_HOLD_S,
  };
}

function advertisedPrefixes(customRoutes: readonly RrasCustomRoute[], netRoutes: readonly RrasNetRoute[]): Prefix[] {
  const out = new Map<string, Prefix>();
  const add = (p: Prefix): void => void out.set(formatPrefix(p), p);
  for (const entry of customRoutes) {
    for (const network of entry.networks) add(network.value);
    for (const { name, target } of entry.interfaces) {
      if (target?.prefix !== undefined) add(target.prefix);
      for (const r of netRoutes) if (r.via.name === name) add(r.destination);
    }
  }
  return [...out.values()];
}
