import {
  broadcastOf, formatPrefix, maskOf, prefixContains, prefixCovers,
  type Ipv4Address, type Prefix,
} from '../net/address.js';
import { suggest, type IssueCollector } from '../config/issues.js';
import type { Site, Topology } from './schema.js';
import type { DocPath } from '../config/source.js';
import { faultTargetOf } from './faults.js';
import { parseEndpoint } from './interfaces.js';
import type { SiteLayout } from './layout.js';

/**
 * Cross-resource checks of the generic topology: names are unique and resolve, addresses sit in
 * their subnets, address spaces do not overlap, static routes and links name real interfaces.
 * Platform blocks add their own checks on top (src/platforms/checks.ts); `nodeNames` gives the
 * nodes a platform block adds, which faults may name.
 */
export function checkTopology(topology: Topology, layouts: readonly SiteLayout[], issues: IssueCollector, nodeNames: (site: Site) => readonly string[]): void {
  checkUnique(topology.sites.map((s) => s.name), (i) => ['sites', i, 'name'], 'site', issues);
  checkAddressSpaces(layouts, issues);
  layouts.forEach((layout, i) => checkSite(layout, ['sites', i], issues, nodeNames(layout.site)));
  checkLinks(topology, layouts, issues);
  checkFaults(topology, issues, nodeNames);
}

function checkUnique(names: string[], pathOf: (i: number) => DocPath, what: string, issues: IssueCollector): void {
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    const first = seen.get(n);
    if (first !== undefined) issues.error('TOPO_DUPLICATE_NAME', pathOf(i), `duplicate ${what} name '${n}'`, `the first is at ${pathOf(first).join('.')}; names must be unique`);
    else seen.set(n, i);
  });
}

/**
 * Every two prefixes that overlap, as [later, earlier] indices in the order of the list, sorted by
 * the later one then the earlier (the order a comparison with every earlier prefix finds them).
 * Sorted by start address and then length, a prefix overlaps exactly the chain of prefixes still
 * open around it (CIDR blocks nest or are disjoint): O(n log n + pairs).
 */
export function overlappingPairs(prefixes: readonly Prefix[]): [number, number][] {
  const start = prefixes.map((p) => (p.address & maskOf(p.length)) >>> 0);
  const end = prefixes.map((p) => broadcastOf(p));
  const order = prefixes.map((_, i) => i).sort((x, y) => start[x]! - start[y]! || prefixes[x]!.length - prefixes[y]!.length || x - y);
  const open: number[] = [];
  const pairs: [number, number][] = [];
  for (const i of order) {
    while (open.length > 0 && end[open[open.length - 1]!]! < start[i]!) open.pop();
    for (const j of open) pairs.push(i > j ? [i, j] : [j, i]);
    open.push(i);
  }
  return pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

function checkAddressSpaces(layouts: readonly SiteLayout[], issues: IssueCollector): void {
  const all = layouts.flatMap(({ site, addressSpace }, si) => addressSpace.map((prefix, pi) => ({ prefix, site: site.name, path: ['sites', si, 'addressSpace', pi] as DocPath })));
  for (const [i, j] of overlappingPairs(all.map((a) => a.prefix))) {
    const [mine, other] = [all[i]!, all[j]!];
    const where = other.site === mine.site ? `this site's own ${formatPrefix(other.prefix)}` : `site '${other.site}' (${formatPrefix(other.prefix)})`;
    issues.error('TOPO_ADDRESS_OVERLAP', mine.path, `address space ${formatPrefix(mine.prefix)} overlaps ${where}`,
      'the address spaces of connected sites must not overlap (Azure and Alibaba both require it); renumber one of them');
  }
}

function checkSite(layout: SiteLayout, at: DocPath, issues: IssueCollector, platformNodes: readonly string[]): void {
  const site = layout.site;
  const subnets = site.subnets ?? [];
  const hosts = site.hosts ?? [];
  const routers = site.routers ?? [];
  checkUnique(subnets.map((s) => s.name), (i) => [...at, 'subnets', i, 'name'], 'subnet', issues);
  checkUnique([...hosts.map((h) => h.name), ...routers.map((r) => r.name)],
    (i) => (i < hosts.length ? [...at, 'hosts', i, 'name'] : [...at, 'routers', i - hosts.length, 'name']), 'node', issues);
  const taken = new Set(platformNodes);
  [...hosts, ...routers].forEach((node, i) => {
    if (!taken.has(node.name)) return;
    issues.error('TOPO_DUPLICATE_NAME', i < hosts.length ? [...at, 'hosts', i, 'name'] : [...at, 'routers', i - hosts.length, 'name'],
      `node name '${node.name}' is taken by the site's ${site.platform} gateway or fabric`, `rename it (the platform's nodes here: ${platformNodes.join(', ')})`);
  });

  const space = layout.addressSpace;
  const subnetPrefix = new Map<string, Prefix>();
  const overlaps = overlappingPairs(layout.subnets.map((s) => s.prefix));
  let next = 0;
  layout.subnets.forEach(({ subnet, prefix }, i) => {
    subnetPrefix.set(subnet.name, prefix);
    if (space.length > 0 && !space.some((s) => prefixCovers(s, prefix))) {
      issues.error('TOPO_SUBNET_OUTSIDE_ADDRESS_SPACE', [...at, 'subnets', i, 'prefix'],
        `subnet ${subnet.prefix} is not inside the site's address space (${site.addressSpace!.join(', ')})`,
        'add the range to addressSpace or choose a prefix inside it');
    }
    for (; next < overlaps.length && overlaps[next]![0] === i; next++) {
      const other = layout.subnets[overlaps[next]![1]]!;
      issues.error('TOPO_ADDRESS_OVERLAP', [...at, 'subnets', i, 'prefix'], `subnet ${subnet.prefix} overlaps subnet '${other.subnet.name}' (${other.subnet.prefix})`);
    }
  });
  const subnetNames = subnets.map((s) => s.name);
  /** Per subnet, each address and the first node that claimed it. */
  const owners = new Map<string, Map<Ipv4Address, string>>();
  const claim = (subnet: string, address: Ipv4Address, what: string, path: DocPath): void => {
    let list = owners.get(subnet);
    if (list === undefined) owners.set(subnet, list = new Map());
    const clash = list.get(address);
    if (clash !== undefined) issues.error('TOPO_DUPLICATE_ADDRESS', path, `address ${formatAddr(address)} is already used by ${clash}`);
    else list.set(address, what);
  };

  layout.hosts.forEach(({ host, address, gateway }, i) => {
    const hp: DocPath = [...at, 'hosts', i];
    const prefix = subnetPrefix.get(host.subnet);
    if (prefix === undefined) {
      issues.error('TOPO_UNKNOWN_SUBNET', [...hp, 'subnet'], `host '${host.name}' names subnet '${host.subnet}', which this site does not have`, suggest(host.subnet, subnetNames));
      return;
    }
    if (checkHostAddress(address, prefix, [...hp, 'address'], `host '${host.name}'`, issues)) claim(host.subnet, address, `host '${host.name}'`, [...hp, 'address']);
    if (gateway !== undefined && !prefixContains(prefix, gateway)) {
      issues.error('TOPO_GATEWAY_OFF_SUBNET', [...hp, 'gateway'], `gateway ${host.gateway} is not on the host's subnet ${formatPrefix(prefix)}`);
    }
  });

  layout.routers.forEach(({ router, interfaces, staticRoutes }, ri) => {
    const rp: DocPath = [...at, 'routers', ri];
    checkUnique(router.interfaces.map((f) => f.name), (i) => [...rp, 'interfaces', i, 'name'], 'interface', issues);
    const ownAddresses = new Set<Ipv4Address>();
    interfaces.forEach(({ iface, address: resolved }, ii) => {
      const ip: DocPath = [...rp, 'interfaces', ii];
      if (iface.subnet !== undefined && !subnetPrefix.has(iface.subnet)) {
        issues.error('TOPO_UNKNOWN_SUBNET', [...ip, 'subnet'], `interface '${iface.name}' names subnet '${iface.subnet}', which this site does not have`, suggest(iface.subnet, subnetNames));
        return;
      }
      if (resolved.kind === 'error') {
        issues.error('TOPO_INTERFACE_ADDRESS', [...ip, 'address'], resolved.message, resolved.hint);
        return;
      }
      if (resolved.kind === 'unnumbered') return;
      ownAddresses.add(resolved.address);
      if (iface.subnet !== undefined && checkHostAddress(resolved.address, resolved.prefix, [...ip, 'address'], `interface '${router.name}/${iface.name}'`, issues)) {
        claim(iface.subnet, resolved.address, `router '${router.name}' interface '${iface.name}'`, [...ip, 'address']);
      }
    });
    const ifaceNames = router.interfaces.map((f) => f.name);
    staticRoutes.forEach(({ route, nextHop }, si) => {
      const sp: DocPath = [...rp, 'staticRoutes', si];
      if (route.interface !== undefined && !ifaceNames.includes(route.interface)) {
        issues.error('TOPO_UNKNOWN_INTERFACE', [...sp, 'interface'],
          `static route ${route.prefix} goes out of interface '${route.interface}', which router '${router.name}' does not have`, suggest(route.interface, ifaceNames));
      }
      if (route.interface === undefined && route.nextHop === undefined) {
        issues.error('TOPO_ROUTE_NO_TARGET', sp, `static route ${route.prefix} has neither nextHop nor interface`, 'give a next-hop address, an egress interface, or both');
      }
      if (nextHop !== undefined && ownAddresses.has(nextHop)) {
        issues.error('TOPO_ROUTE_SELF_NEXT_HOP', [...sp, 'nextHop'], `next hop ${route.nextHop} is this router's own address`, 'the next hop is the neighbouring router\'s address');
      }
    });
  });

  const routed = new Set(routers.flatMap((r) => r.interfaces.filter((f) => f.address !== undefined).map((f) => f.subnet)));
  hosts.forEach((host, i) => {
    if (host.gateway !== undefined || subnetPrefix.get(host.subnet) === undefined) return;
    const hasGateway = site.platform === 'linux' && (site.linux?.gateways ?? []).some((g) => g.interfaces.some((f) => f.subnet === host.subnet));
    if (!routed.has(host.subnet) && !hasGateway && site.platform === 'linux') {
      issues.warning('TOPO_NO_GATEWAY', [...at, 'hosts', i], `host '${host.name}' has no gateway and no router sits on subnet '${host.subnet}'`,
        'it can reach only its own subnet; add a router interface on the subnet or set gateway');
    }
  });
}

function formatAddr(a: Ipv4Address): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** Network and broadcast addresses cannot be assigned to a host (except on /31 and /32). */
function checkHostAddress(address: Ipv4Address, prefix: Prefix, path: DocPath, who: string, issues: IssueCollector): boolean {
  if (!prefixContains(prefix, address)) {
    issues.error('TOPO_ADDRESS_OUTSIDE_SUBNET', path, `${who} address ${formatAddr(address)} is not inside its subnet ${formatPrefix(prefix)}`);
    return false;
  }
  if (prefix.length < 31 && (address === prefix.address || address === broadcastOf(prefix))) {
    issues.error('TOPO_RESERVED_ADDRESS', path, `${who} address ${formatAddr(address)} is the ${address === prefix.address ? 'network' : 'broadcast'} address of ${formatPrefix(prefix)}`);
    return false;
  }
  return true;
}

function checkLinks(topology: Topology, layouts: readonly SiteLayout[], issues: IssueCollector): void {
  const links = topology.links ?? [];
  checkUnique(links.map((l) => l.name), (i) => ['links', i, 'name'], 'link', issues);
  const used = new Map<string, string>();
  const siteNamed = new Map<string, SiteLayout>();
  for (const l of layouts) if (!siteNamed.has(l.site.name)) siteNamed.set(l.site.name, l);
  const routerNamed = new Map<SiteLayout, Map<string, SiteLayout['routers'][number]>>();
  const routerOf = (layout: SiteLayout, name: string) => {
    let byName = routerNamed.get(layout);
    if (byName === undefined) {
      routerNamed.set(layout, byName = new Map());
      for (const r of layout.routers) if (!byName.has(r.router.name)) byName.set(r.router.name, r);
    }
    return byName.get(name);
  };
  links.forEach((link, li) => {
    const ends: { address?: Ipv4Address; prefix?: Prefix }[] = [];
    link.between.forEach((text, ei) => {
      const path: DocPath = ['links', li, 'between', ei];
      const ep = parseEndpoint(text);
      if (ep === undefined) {
        issues.error('TOPO_BAD_ENDPOINT', path, `link end '${text}' is not "site/router/interface"`);
        return;
      }
      const layout = siteNamed.get(ep.site);
      const site = layout?.site;
      if (layout === undefined || site === undefined) {
        issues.error('TOPO_UNKNOWN_SITE', path, `link end '${text}' names site '${ep.site}', which does not exist`, suggest(ep.site, topology.sites.map((s) => s.name)));
        return;
      }
      const resolvedRouter = routerOf(layout, ep.node);
      const router = resolvedRouter?.router;
      if (resolvedRouter === undefined || router === undefined) {
        issues.error('TOPO_UNKNOWN_ROUTER', path, `link end '${text}' names router '${ep.node}', which site '${site.name}' does not have`, suggest(ep.node, (site.routers ?? []).map((r) => r.name)));
        return;
      }
      const resolvedIface = resolvedRouter.interfaces.find((f) => f.iface.name === ep.iface);
      const iface = resolvedIface?.iface;
      if (resolvedIface === undefined || iface === undefined) {
        issues.error('TOPO_UNKNOWN_INTERFACE', path, `link end '${text}' names interface '${ep.iface}', which router '${router.name}' does not have`, suggest(ep.iface, router.interfaces.map((f) => f.name)));
        return;
      }
      if (iface.subnet !== undefined || iface.internet === true) {
        issues.error('TOPO_INTERFACE_IN_USE', path, `interface '${text}' is already attached to ${iface.subnet !== undefined ? `subnet '${iface.subnet}'` : 'the Internet'}`);
        return;
      }
      const previous = used.get(text);
      if (previous !== undefined) {
        issues.error('TOPO_INTERFACE_IN_USE', path, `interface '${text}' is already the end of link '${previous}'`);
        return;
      }
      used.set(text, link.name);
      const resolved = resolvedIface.address;
      ends.push(resolved.kind === 'numbered' ? { address: resolved.address, prefix: resolved.prefix } : {});
    });
    const [a, b] = ends;
    if (a?.prefix !== undefined && b?.prefix !== undefined && a.address !== undefined && b.address !== undefined) {
      if (a.address === b.address) {
        issues.error('TOPO_DUPLICATE_ADDRESS', ['links', li, 'between'], `both ends of link '${link.name}' have address ${formatAddr(a.address)}`);
      } else if (!prefixContains(a.prefix, b.address) || !prefixContains(b.prefix, a.address)) {
        issues.warning('TOPO_LINK_SUBNET_MISMATCH', ['links', li, 'between'],
          `the ends of link '${link.name}' are on different subnets (${formatPrefix(a.prefix)} and ${formatPrefix(b.prefix)})`,
          'neither end will see the other as directly connected; use addresses from one subnet');
      }
    }
  });
}

function checkFaults(topology: Topology, issues: IssueCollector, platformNodes: (site: Site) => readonly string[]): void {
  const linkNames = (topology.links ?? []).map((l) => l.name);
  const segmentNames = topology.sites.flatMap((s) => (s.subnets ?? []).map((n) => `${s.name}/${n.name}`));
  const gatewayNames = topology.sites.flatMap((s) => platformNodes(s).map((n) => `${s.name}/${n}`));
  const nodeNames = [...topology.sites.flatMap((s) => [...(s.hosts ?? []), ...(s.routers ?? [])].map((n) => `${s.name}/${n.name}`)), ...gatewayNames];
  const [links, segments, gateways, nodes] = [new Set(linkNames), new Set(segmentNames), new Set(gatewayNames), new Set(nodeNames)];
  (topology.faults ?? []).forEach((fault, i) => {
    const path: DocPath = ['faults', i];
    const target = faultTargetOf(fault);
    if (fault.tunnel !== undefined && target === undefined && fault.link === undefined && fault.node === undefined) {
      issues.error('TOPO_UNKNOWN_TUNNEL', [...path, 'tunnel'], `fault names tunnel '${fault.tunnel}': expected "site/instance:connection" with a gateway instance of the file`, suggest(fault.tunnel, gatewayNames));
      return;
    }
    if (target === undefined) {
      issues.error('TOPO_FAULT_TARGET', path, 'a fault names exactly one of link, node or tunnel');
      return;
    }
    if (target.kind === 'link' && !links.has(target.name) && !segments.has(target.name)) {
      issues.error('TOPO_UNKNOWN_LINK', [...path, 'link'], `fault names link '${target.name}', which does not exist`, suggest(target.name, [...linkNames, ...segmentNames]));
    }
    if (target.kind === 'node' && !nodes.has(target.name)) {
      issues.error('TOPO_UNKNOWN_NODE', [...path, 'node'], `fault names node '${target.name}', which does not exist`, suggest(target.name, nodeNames));
    }
    if (target.kind === 'tunnel' && !gateways.has(target.instance)) {
      issues.error('TOPO_UNKNOWN_TUNNEL', [...path, 'tunnel'], `fault names tunnel '${target.name}': expected "site/instance:connection" with a gateway instance of the file`, suggest(target.instance, gatewayNames));
    }
  });
}
