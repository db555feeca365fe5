import type { BestChange } from '../bgp/rib/changes.js';
import { routeTableResolver, tableRoutesFor } from '../bgp/rib/nexthop.js';
import type { NextHopResolver } from '../bgp/rib/rib.js';
import { prefixKey, type Ipv4Address, type Prefix } from '../net/address.js';
import type { RouteTable } from '../router/route-table.js';

/*
 * The adapter between a gateway instance's BGP speaker and its node's RouteTable, over the RIB's
 * own glue (src/bgp/rib/nexthop.ts): the speaker resolves next hops through the table and resolves
 * them again whenever the table changes (a tunnel losing its CHILD_SA takes its routes out of the
 * FIB, so paths through it become ineligible); the best paths, every multipath member, become
 * 'ebgp' / 'ibgp' routes of the table, whose FIB resolves their next hops recursively.
 */

/** A prefix the gateway routes by BGP now, and the next hop it first took. */
export interface LearnedRoute {
  readonly prefix: Prefix;
  readonly nextHop: Ipv4Address;
}

/** What a batch of best-path changes did to the table, for the timeline. */
export interface InstalledChanges {
  readonly learned: readonly LearnedRoute[];
  readonly withdrawn: readonly Prefix[];
}

/** What the adapter needs of the speaker. */
export interface NextHopTracking {
  nexthopChanged(): void;
}

/**
 * Re-resolution runs nested in the table change that asks for it; a change it makes itself (its
 * own routes) asks again, which settles after a round or two. The bound keeps a pathological
 * recursive setup from recursing without end.
 */
const MAX_RESOLUTION_ROUNDS = 8;

export class BgpRouteInstaller {
  /**
   * For the speaker's `resolveNextHop`: through the node's own routes (connected, static, tunnel),
   * never the default route nor a BGP route, which could be the very route the next hop is for.
   */
  readonly resolveNextHop: NextHopResolver;
  private readonly routes: RouteTable;
  private readonly report: (installed: InstalledChanges) => void;
  private speaker: NextHopTracking | undefined;
  /** Inside `onBestChange` or a re-resolution: table changes are noted, acted on after. */
  private busy = false;
  private tableMoved = false;

  constructor(routes: RouteTable, report: (installed: InstalledChanges) => void) {
    this.routes = routes;
    this.report = report;
    this.resolveNextHop = routeTableResolver(routes, { viaBgp: false });
  }

  /** From now on every change of the table re-resolves the speaker's next hops. */
  follow(speaker: NextHopTracking): void {
    this.speaker = speaker;
    this.routes.onChange(() => this.tableChanged());
  }

  /** The speaker's `onBestChange`. */
  readonly onBestChange = (changes: readonly BestChange[]): void => {
    const outer = !this.busy;
    this.busy = true;
    try {
      this.report(installBestPaths(this.routes, changes));
    } finally {
      if (outer) this.busy = false;
    }
    if (outer) this.settle();
  };

  private tableChanged(): void {
    this.tableMoved = true;
    if (!this.busy) this.settle();
  }

  private settle(): void {
    const speaker = this.speaker;
    if (speaker === undefined) return;
    this.busy = true;
    try {
      for (let round = 0; this.tableMoved && round < MAX_RESOLUTION_ROUNDS; round++) {
        this.tableMoved = false;
        speaker.nexthopChanged();
      }
    } finally {
      this.busy = false;
    }
  }
}

/** Replaces the BGP routes of every changed prefix by its new best path(s). */
export function installBestPaths(routes: RouteTable, changes: readonly BestChange[]): InstalledChanges {
  const withdrawn: Prefix[] = [];
  const learned: LearnedRoute[] = [];
  // One pass over the table for the whole batch, not one per changed prefix.
  const changed = new Set(changes.map((c) => prefixKey(c.prefix)));
  routes.remove((r) => (r.source === 'ebgp' || r.source === 'ibgp') && changed.has(prefixKey(r.prefix)));
  for (const change of changes) {
    const added = tableRoutesFor(change);
    for (const route of added) routes.add(route);
    const had = change.previous !== undefined && change.previous.source.kind !== 'local';
    if (added.length === 0 && had) withdrawn.push(change.prefix);
    if (added.length > 0 && !had) learned.push({ prefix: change.prefix, nextHop: added[0]!.nextHop! });
  }
  return { learned, withdrawn };
}
