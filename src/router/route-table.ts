import { formatIpv4, formatPrefix, prefixEquals, prefixKey, type Ipv4Address, type Prefix } from '../net/address.js';
import { LpmTable } from '../net/lpm.js';
import type { Interface } from './interface.js';

/** Where a route came from; the admin distance defaults follow common router practice. */
export type RouteSource = 'connected' | 'static' | 'ebgp' | 'ibgp' | 'tunnel' | 'platform';

export const DEFAULT_DISTANCE: Record<RouteSource, number> = {
  connected: 0,
  tunnel: 1,
  static: 1,
  platform: 1,
  ebgp: 20,
  ibgp: 200,
};

export interface Route {
  prefix: Prefix;
  /** The gateway. Without an interface it is resolved recursively through the table. */
  nextHop?: Ipv4Address;
  /** Egress interface name. Without a next hop, packets go to the destination on that interface. */
  interface?: string;
  source: RouteSource;
  /** Lower wins between sources (admin distance). */
  distance?: number;
  /** Lower wins within a source; equal distance and metric means equal-cost multipath. */
  metric?: number;
  /** Free text shown in route views (the resource that created it). */
  origin?: string;
}

/** A resolved way out: interface plus the L3 neighbour (undefined = the destination itself). */
export interface Path {
  iface: Interface;
  nextHop: Ipv4Address | undefined;
}

export interface FibEntry {
  prefix: Prefix;
  routes: Route[];
  paths: Path[];
}

/** How deep a next hop may recurse through other recursive routes (BGP via static via connected). */
const MAX_RECURSION = 4;

/**
 * A node's routing table: every configured and learned route (the RIB) and, derived from it on
 * demand, the forwarding table (FIB) of the best routes whose interfaces are up, with recursive
 * next hops resolved. A change of a route with an interface, or of an interface, rebuilds the FIB
 * at the next lookup. A change of recursive routes only (BGP's) updates just their prefixes'
 * entries, as long as every recursive route resolves through the routes with interfaces alone:
 * then no recursive route's resolution depends on another's, and the result is the rebuild's.
 */
export class RouteTable {
  private readonly routes: Route[] = [];
  private fib = new LpmTable<FibEntry>();
  /** Pass 0 of the rebuild: the routes with an interface; undefined when one of them changed. */
  private direct: LpmTable<FibEntry> | undefined;
  /** The prefixes whose recursive routes changed since the FIB was made, or all of them. */
  private dirty: Map<number, Prefix> | 'all' = 'all';
  /** Every recursive route resolved in the first recursive pass of the last rebuild. */
  private shallow = false;
  private readonly interfaces: (name: string) => Interface | undefined;
  private readonly listeners: (() => void)[] = [];

  constructor(interfaces: (name: string) => Interface | undefined) {
    this.interfaces = interfaces;
  }

  add(route: Route): void {
    this.routes.push(route);
    this.changed(route);
  }

  /** Removes every route for which `match` is true; returns how many. */
  remove(match: (route: Route) => boolean): number {
    let removed = 0;
    for (let i = this.routes.length - 1; i >= 0; i--) {
      const route = this.routes[i]!;
      if (match(route)) {
        this.routes.splice(i, 1);
        this.mark(route);
        removed++;
      }
    }
    if (removed > 0) this.notify();
    return removed;
  }

  all(): readonly Route[] {
    return this.routes;
  }

  /** Call when an interface's state or addresses change. */
  invalidate(): void {
    this.dirty = 'all';
    this.direct = undefined;
    this.notify();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  lookup(address: Ipv4Address): FibEntry | undefined {
    this.refresh();
    return this.fib.lookup(address);
  }

  /** The FIB, most specific first (for `show ip route`-style views). */
  activeEntries(): FibEntry[] {
    this.refresh();
    return [...this.fib.entries()].map((e) => e.value);
  }

  private changed(route: Route): void {
    this.mark(route);
    this.notify();
  }

  private mark(route: Route): void {
    if (route.interface !== undefined) {
      this.dirty = 'all';
      this.direct = undefined;
    } else if (this.dirty !== 'all') {
      this.dirty.set(prefixKey(route.prefix), route.prefix);
    }
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  private refresh(): void {
    const dirty = this.dirty;
    if (dirty !== 'all' && dirty.size === 0) return;
    if (dirty === 'all' || !this.shallow || !this.update(dirty)) this.rebuild();
    this.dirty = new Map();
  }

  private rebuild(): void {
    if (this.direct === undefined) {
      const direct = new LpmTable<FibEntry>();
      for (const route of this.routes) if (route.interface !== undefined) this.install(direct, route, this.directPaths(route));
      this.direct = direct;
    }
    const fib = new LpmTable<FibEntry>();
    for (const e of this.direct.entries()) fib.set(e.prefix, e.value);
    // Each later pass resolves recursive next hops through what earlier passes installed.
    let pending = this.routes.filter((r) => r.interface === undefined);
    this.shallow = true;
    for (let depth = 0; depth < MAX_RECURSION && pending.length > 0; depth++) {
      const { resolved, unresolved } = resolvePass(fib, pending);
      for (const [route, paths] of resolved) this.install(fib, route, paths);
      if (unresolved.length > 0) this.shallow = false;
      pending = unresolved;
    }
    this.fib = fib;
  }

  /**
   * The entries of the changed prefixes made again from the routes with an interface and the
   * recursive routes of those prefixes; false (rebuild instead) if one of them does not resolve
   * through the routes with an interface alone.
   */
  private update(dirty: ReadonlyMap<number, Prefix>): boolean {
    const direct = this.direct!;
    for (const prefix of dirty.values()) {
      const { resolved, unresolved } = resolvePass(direct, this.routes.filter((r) => r.interface === undefined && prefixEquals(r.prefix, prefix)));
      if (unresolved.length > 0) return false;
      const base = direct.get(prefix);
      if (base === undefined) this.fib.delete(prefix);
      else this.fib.set(prefix, base);
      for (const [route, paths] of resolved) this.install(this.fib, route, paths);
    }
    return true;
  }

  private directPaths(route: Route): Path[] {
    const iface = this.interfaces(route.interface!);
    if (iface === undefined || !iface.isUp()) return [];
    return [{ iface, nextHop: route.nextHop }];
  }

  private install(fib: LpmTable<FibEntry>, route: Route, paths: Path[]): void {
    if (paths.length === 0) return;
    const existing = fib.get(route.prefix);
    if (existing === undefined) {
      fib.set(route.prefix, { prefix: route.prefix, routes: [route], paths });
      return;
    }
    const order = compareRoutes(route, existing.routes[0]!);
    if (order < 0) fib.set(route.prefix, { prefix: route.prefix, routes: [route], paths });
    else if (order === 0) fib.set(route.prefix, { prefix: route.prefix, routes: [...existing.routes, route], paths: [...existing.paths, ...paths] });
  }
}

function distanceOf(r: Route): number {
  return r.distance ?? DEFAULT_DISTANCE[r.source];
}

function compareRoutes(a: Route, b: Route): number {
  return distanceOf(a) - distanceOf(b) || (a.metric ?? 0) - (b.metric ?? 0);
}

/**
 * One recursive pass: every route resolved through the FIB as it stands (a route installed in the
 * pass is not seen by the others), the resolved in the order they are installed (last route
 * first, as the rebuild has always done), and those left for the next pass in table order.
 */
function resolvePass(fib: LpmTable<FibEntry>, pending: readonly Route[]): { resolved: [Route, Path[]][]; unresolved: Route[] } {
  const resolved: [Route, Path[]][] = [];
  const unresolved: Route[] = [];
  for (let i = pending.length - 1; i >= 0; i--) {
    const route = pending[i]!;
    const paths = resolveVia(fib, route);
    if (paths.length > 0) resolved.push([route, paths]);
    else unresolved.unshift(route);
  }
  return { resolved, unresolved };
}

/** Paths to `route.nextHop` through the FIB, refusing to resolve a route through itself. */
function resolveVia(fib: LpmTable<FibEntry>, route: Route): Path[] {
  const via = fib.lookup(route.nextHop!);
  if (via === undefined || prefixEquals(via.prefix, route.prefix)) return [];
  return via.paths.map((p) => ({ iface: p.iface, nextHop: p.nextHop ?? route.nextHop }));
}

export function describeRoute(r: Route): string {
  const via = r.nextHop !== undefined ? ` via ${formatIpv4(r.nextHop)}` : '';
  const dev = r.interface !== undefined ? ` dev ${r.interface}` : '';
  return `${formatPrefix(r.prefix)}${via}${dev} proto ${r.source}`;
}
