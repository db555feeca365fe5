import { formatIpv4, formatPrefix, prefixEquals, type Ipv4Address, type Prefix } from '../net/address.js';
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
 * next hops resolved. Any change marks the FIB stale; the next lookup rebuilds it.
 */
export class RouteTable {
  private readonly routes: Route[] = [];
  private fib = new LpmTable<FibEntry>();
  private stale = true;
  private readonly interfaces: (name: string) => Interface | undefined;
  private readonly listeners: (() => void)[] = [];

  constructor(interfaces: (name: string) => Interface | undefined) {
    this.interfaces = interfaces;
  }

  add(route: Route): void {
    this.routes.push(route);
    this.invalidate();
  }

  /** Removes every route for which `match` is true; returns how many. */
  remove(match: (route: Route) => boolean): number {
    let removed = 0;
    for (let i = this.routes.length - 1; i >= 0; i--) {
      if (match(this.routes[i]!)) {
        this.routes.splice(i, 1);
        removed++;
      }
    }
    if (removed > 0) this.invalidate();
    return removed;
  }

  all(): readonly Route[] {
    return this.routes;
  }

  /** Call when an interface's state or addresses change. */
  invalidate(): void {
    this.stale = true;
    for (const l of this.listeners) l();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  lookup(address: Ipv4Address): FibEntry | undefined {
    if (this.stale) this.rebuild();
    return this.fib.lookup(address);
  }

  /** The FIB, most specific first (for `show ip route`-style views). */
  activeEntries(): FibEntry[] {
    if (this.stale) this.rebuild();
    return [...this.fib.entries()].map((e) => e.value);
  }

  private rebuild(): void {
    const fib = new LpmTable<FibEntry>();
    // Pass 0 installs routes with an egress interface; each later pass resolves recursive next
    // hops through what earlier passes installed.
    const pending: Route[] = [];
    for (const route of this.routes) {
      if (route.interface !== undefined) this.install(fib, route, this.directPaths(route));
      else pending.push(route);
    }
    for (let depth = 0; depth < MAX_RECURSION && pending.length > 0; depth++) {
      const snapshot = cloneFib(fib);
      for (let i = pending.length - 1; i >= 0; i--) {
        const route = pending[i]!;
        const paths = resolveVia(snapshot, route);
        if (paths.length > 0) {
          this.install(fib, route, paths);
          pending.splice(i, 1);
        }
      }
    }
    this.fib = fib;
    this.stale = false;
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

function cloneFib(fib: LpmTable<FibEntry>): LpmTable<FibEntry> {
  const copy = new LpmTable<FibEntry>();
  for (const e of fib.entries()) copy.set(e.prefix, e.value);
  return copy;
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
