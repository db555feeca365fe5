import type { DocPath } from '../config/source.js';
import { parseIpv4, parsePrefix, type Ipv4Address, type Prefix } from '../net/address.js';
import { resolveInterfaceAddress, type ResolvedInterfaceAddress } from './interfaces.js';
import type { Host, Router, RouterInterface, Site, StaticRoute, Subnet, Topology } from './schema.js';

/*
 * A site's own resources resolved once, after schema validation: the address space, subnets,
 * hosts and routers with their strings parsed and their subnet names followed, each with its
 * document path. The checks, the platform adapters and the emulator read this layout instead of
 * the file's strings. It never throws: a name that leads nowhere is left unresolved (undefined)
 * for the checks to report.
 */

export interface LayoutSubnet {
  readonly subnet: Subnet;
  readonly path: DocPath;
  readonly prefix: Prefix;
}

export interface LayoutHost {
  readonly host: Host;
  readonly path: DocPath;
  readonly address: Ipv4Address;
  /** Its subnet; undefined when the site has none of that name (TOPO_UNKNOWN_SUBNET). */
  readonly subnet: LayoutSubnet | undefined;
  readonly gateway: Ipv4Address | undefined;
}

export interface LayoutInterface {
  readonly iface: RouterInterface;
  readonly path: DocPath;
  readonly address: ResolvedInterfaceAddress;
  /** Its subnet, when it names one that exists. */
  readonly subnet: LayoutSubnet | undefined;
}

export interface LayoutRoute {
  readonly route: StaticRoute;
  readonly path: DocPath;
  readonly prefix: Prefix;
  readonly nextHop: Ipv4Address | undefined;
}

export interface LayoutRouter {
  readonly router: Router;
  readonly path: DocPath;
  readonly interfaces: readonly LayoutInterface[];
  readonly staticRoutes: readonly LayoutRoute[];
}

export interface SiteLayout {
  readonly site: Site;
  readonly index: number;
  readonly addressSpace: readonly Prefix[];
  readonly subnets: readonly LayoutSubnet[];
  readonly hosts: readonly LayoutHost[];
  readonly routers: readonly LayoutRouter[];
  /** The subnet of that name (the first, if the file repeats it). */
  subnet(name: string): LayoutSubnet | undefined;
}

export function siteLayout(topology: Topology, index: number): SiteLayout {
  const site = topology.sites[index]!;
  const at: DocPath = ['sites', index];
  const subnets = (site.subnets ?? []).map((subnet, i): LayoutSubnet => ({ subnet, path: [...at, 'subnets', i], prefix: parsePrefix(subnet.prefix) }));
  const byName = new Map<string, LayoutSubnet>();
  for (const s of subnets) if (!byName.has(s.subnet.name)) byName.set(s.subnet.name, s);
  const hosts = (site.hosts ?? []).map((host, i): LayoutHost => ({
    host, path: [...at, 'hosts', i], address: parseIpv4(host.address), subnet: byName.get(host.subnet),
    gateway: host.gateway === undefined ? undefined : parseIpv4(host.gateway),
  }));
  const routers = (site.routers ?? []).map((router, ri): LayoutRouter => {
    const path: DocPath = [...at, 'routers', ri];
    return {
      router, path,
      interfaces: router.interfaces.map((iface, ii) => ({
        iface, path: [...path, 'interfaces', ii], address: resolveInterfaceAddress(iface, site.subnets ?? []),
        subnet: iface.subnet === undefined ? undefined : byName.get(iface.subnet),
      })),
      staticRoutes: (router.staticRoutes ?? []).map((route, si) => ({
        route, path: [...path, 'staticRoutes', si], prefix: parsePrefix(route.prefix),
        nextHop: route.nextHop === undefined ? undefined : parseIpv4(route.nextHop),
      })),
    };
  });
  return {
    site, index, addressSpace: (site.addressSpace ?? []).map((p) => parsePrefix(p)), subnets, hosts, routers,
    subnet: (name) => byName.get(name),
  };
}

/** Every site's layout, in file order. */
export function topologyLayout(topology: Topology): SiteLayout[] {
  return topology.sites.map((_, i) => siteLayout(topology, i));
}
