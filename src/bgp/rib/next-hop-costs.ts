import type { Ipv4Address } from '../../net/address.js';

/** IGP cost to reach a next hop, or undefined when it does not resolve (the route is then ineligible). */
export type NextHopResolver = (nextHop: Ipv4Address) => number | undefined;

/**
 * The RIB's memo of what the resolver said about each next hop, until the IGP moves
 * (`refresh`). The next hop asked about last is checked first: consecutive routes, one UPDATE's,
 * mostly share theirs.
 */
export class NextHopCosts {
  private costs = new Map<Ipv4Address, number | null>();
  private lastNextHop: Ipv4Address | undefined;
  private lastCost: number | undefined;

  constructor(private readonly resolver: NextHopResolver) {}

  cost(nextHop: Ipv4Address): number | undefined {
    if (nextHop === this.lastNextHop) return this.lastCost;
    let cost: number | undefined;
    const cached = this.costs.get(nextHop);
    if (cached !== undefined) {
      cost = cached ?? undefined;
    } else {
      cost = this.resolver(nextHop);
      this.costs.set(nextHop, cost ?? null);
    }
    this.lastNextHop = nextHop;
    this.lastCost = cost;
    return cost;
  }

  /** Asks the resolver again about every next hop known; returns those whose cost or reachability changed. */
  refresh(): Set<Ipv4Address> {
    const old = this.costs;
    this.costs = new Map();
    this.lastNextHop = undefined;
    const changed = new Set<Ipv4Address>();
    for (const [nextHop, cost] of old) if ((this.cost(nextHop) ?? null) !== cost) changed.add(nextHop);
    return changed;
  }
}
